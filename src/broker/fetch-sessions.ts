/**
 * Fetch sessions (KIP-227). A full fetch (epoch 0) creates a session remembering the
 * partitions asked for and what the broker last told the client about each (high
 * watermark, last stable offset, log start offset). Incremental fetches (epoch > 0) then
 * name only partitions that changed (added, updated, or forgotten), and the response
 * carries only partitions with records, errors, or new watermarks — which saves a lot for
 * clients fetching many partitions. Epoch -1 closes a session (sessionless fetch).
 * Bounded: at most `maxSlots` sessions (Kafka's max.incremental.fetch.session.cache.slots,
 * 1000); when full, the least recently used session idle for `evictionMs` (120 s) is
 * evicted, otherwise the full fetch is answered without a session (session id 0), which
 * clients handle by sending full fetches.
 */
import { randomInt } from 'node:crypto';
import type { FetchPartition } from '../protocol/messages/01-fetch.js';

export interface SessionPartition {
  /** Topic name (v7-v12 sessions) or topic id (v13+). */
  topicRef: string;
  request: FetchPartition;
  sentHighWatermark: number;
  sentLastStableOffset: number;
  sentLogStartOffset: number;
}

export interface FetchSession {
  readonly id: number;
  /** The epoch the next incremental request must carry. */
  epoch: number;
  /** Whether the session names topics by id (Fetch v13+). */
  readonly byId: boolean;
  /** In insertion order, keyed by `sessionPartitionKey`. */
  readonly partitions: Map<string, SessionPartition>;
  lastUsedMs: number;
}

export function sessionPartitionKey(topicRef: string, partition: number): string {
  return `${partition}:${topicRef}`;
}

/** The epoch after `epoch`; wraps to 1 after int32 max, as Kafka's nextEpoch. */
export function nextSessionEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(
    private readonly maxSlots = 1000,
    private readonly evictionMs = 120_000,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  /** A new session (epoch 1 next), or undefined when the cache is full of recently used sessions. */
  create(byId: boolean, partitions: Map<string, SessionPartition>, nowMs: number): FetchSession | undefined {
    if (partitions.size === 0) return undefined;
    if (this.sessions.size >= this.maxSlots && !this.evictOne(nowMs)) return undefined;
    let id: number;
    do id = randomInt(1, 0x7fffffff);
    while (this.sessions.has(id));
    const session: FetchSession = { id, epoch: 1, byId, partitions, lastUsedMs: nowMs };
    this.sessions.set(id, session);
    return session;
  }

  private evictOne(nowMs: number): boolean {
    let oldest: FetchSession | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.lastUsedMs < oldest.lastUsedMs) oldest = s;
    if (!oldest || nowMs - oldest.lastUsedMs < this.evictionMs) return false;
    this.sessions.delete(oldest.id);
    return true;
  }
}

const caches = new WeakMap<object, FetchSessionCache>();

/** The session cache of one broker (kept beside its context, created on first use). */
export function fetchSessionsOf(broker: object): FetchSessionCache {
  let cache = caches.get(broker);
  if (!cache) caches.set(broker, (cache = new FetchSessionCache()));
  return cache;
}
