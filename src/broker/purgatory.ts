/**
 * Delayed operations woken by appends: a long-poll fetch waits here until enough bytes are
 * appended to the partitions it watches, its deadline passes, or the broker stops. Bounded:
 * when `maxWaiters` operations are waiting, a new one completes at once (the client simply
 * polls again) rather than growing memory without limit.
 */
import { topicPartitionKey } from '../storage/checkpoint.js';

/** Kafka's purgatory names, for the per-operation size metric. */
export type DelayedOperation = 'Produce' | 'Fetch';

export interface DelayedWaiter {
  /** Which of Kafka's purgatories this wait belongs to (counted by `sizeOf`). */
  operation?: DelayedOperation;
  /** Partitions (`topic:partition`) whose appends may complete this operation. */
  keys: readonly string[];
  /** Called on each append to a watched key; returns true when the operation can complete. */
  tryComplete(): boolean;
}

export interface Purgatory {
  /** Resolves when `tryComplete()` returns true after an append, or at the deadline/stop. */
  wait(waiter: DelayedWaiter, timeoutMs: number): Promise<void>;
  /** Tells waiters on this partition that records were appended (or the HW moved). */
  notifyAppend(topic: string, partition: number): void;
  /** Completes every waiter now and makes later waits return at once (broker stopping). */
  completeAll(): void;
  readonly size: number;
  /** Waiters of one operation (DelayedOperationPurgatory PurgatorySize). */
  sizeOf(operation: DelayedOperation): number;
}


interface Entry {
  waiter: DelayedWaiter;
  done: () => void;
}

export function createPurgatory(maxWaiters = 10_000): Purgatory {
  const byKey = new Map<string, Set<Entry>>();
  let count = 0;
  const byOperation: Record<DelayedOperation, number> = { Produce: 0, Fetch: 0 };
  let closed = false;

  const remove = (entry: Entry): void => {
    for (const key of entry.waiter.keys) {
      const set = byKey.get(key);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) byKey.delete(key);
    }
  };

  return {
    get size() {
      return count;
    },
    sizeOf(operation) {
      return byOperation[operation];
    },
    wait(waiter, timeoutMs) {
      if (closed || count >= maxWaiters || timeoutMs <= 0 || waiter.keys.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let finished = false;
        const entry: Entry = {
          waiter,
          done: () => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            remove(entry);
            count--;
            if (waiter.operation) byOperation[waiter.operation]--;
            resolve();
          },
        };
        const timer = setTimeout(entry.done, timeoutMs);
        count++;
        if (waiter.operation) byOperation[waiter.operation]++;
        for (const key of waiter.keys) {
          let set = byKey.get(key);
          if (!set) byKey.set(key, (set = new Set()));
          set.add(entry);
        }
      });
    },
    notifyAppend(topic, partition) {
      const set = byKey.get(topicPartitionKey(topic, partition));
      if (!set) return;
      for (const entry of [...set]) {
        let ready = true;
        try {
          ready = entry.waiter.tryComplete();
        } catch {
          ready = true;
        }
        if (ready) entry.done();
      }
    },
    completeAll() {
      closed = true;
      const all = new Set<Entry>();
      for (const set of byKey.values()) for (const e of set) all.add(e);
      for (const e of all) e.done();
    },
  };
}
