/**
 * The transaction coordinator's persistence: one record per transactional id state change
 * in the compacted internal topic `__transaction_state` (Kafka's TransactionLogKey/Value,
 * so Kafka's tools and `kts dump-log --transaction-log-decoder` read them). Created on first
 * use with `transaction.state.log.num.partitions` partitions; replayed on start (last
 * record per key wins, a null value removes the id). Appends go through one queue so the
 * log order is the order the coordinator decided.
 */
import { encodeRecordBatch } from '../../records/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  transactionLogPartitionFor,
  type TransactionLogValue,
} from '../../protocol/internal/transaction-log.js';
import { errorMessage } from '../../util/errors.js';
import type { BrokerContext } from '../handler.js';
import { replayPartition } from '../internal-log-replay.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export class TransactionStateStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly broker: BrokerContext) {}

  get partitionCount(): number {
    const topic = this.broker.metadata.topic(TRANSACTION_STATE_TOPIC);
    return topic ? topic.partitions.length : this.broker.config.transactionStateLogNumPartitions;
  }

  partitionFor(transactionalId: string): number {
    return transactionLogPartitionFor(transactionalId, this.partitionCount);
  }

  /** The coordinator epoch markers carry: the leader epoch of the id's state partition. */
  coordinatorEpochFor(transactionalId: string): number {
    const log = this.broker.logManager.getLog(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId));
    return log ? log.leaderEpoch : 0;
  }

  async ensureTopic(): Promise<void> {
    if (this.broker.metadata.topic(TRANSACTION_STATE_TOPIC)) return;
    await this.broker.metadata.createTopic({
      name: TRANSACTION_STATE_TOPIC,
      numPartitions: this.broker.config.transactionStateLogNumPartitions,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'compact', 'compression.type': 'uncompressed', 'segment.bytes': '104857600' },
    });
  }

  /** Appends the state of one transactional id (null removes it); resolves when written. */
  write(transactionalId: string, value: TransactionLogValue | null, nowMs: number): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ensureTopic();
      const log = this.broker.logManager.getLog(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId));
      if (!log) throw new Error(`${TRANSACTION_STATE_TOPIC} partition for transactional id '${transactionalId}' is missing`);
      const key = encodeTransactionLogKey({ transactionalId });
      const batch = encodeRecordBatch({ records: [{ timestampMs: nowMs, key, value: value ? encodeTransactionLogValue(value) : null }] });
      await log.appendAsLeader(batch, log.leaderEpoch);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Replays every partition (if the topic exists): the last state of each transactional id. */
  async load(): Promise<Map<string, TransactionLogValue>> {
    const out = new Map<string, TransactionLogValue | null>();
    const topic = this.broker.metadata.topic(TRANSACTION_STATE_TOPIC);
    if (topic) {
      for (const p of topic.partitions) {
        const log = this.broker.logManager.getLog(TRANSACTION_STATE_TOPIC, p.partitionIndex);
        if (log) await replayPartition(log, (key, value) => {
          if (key) this.apply(key, value, out);
        });
      }
    }
    const states = new Map<string, TransactionLogValue>();
    for (const [id, v] of out) if (v) states.set(id, v);
    return states;
  }

  private apply(key: Buffer, value: Buffer | null, out: Map<string, TransactionLogValue | null>): void {
    try {
      const { transactionalId } = decodeTransactionLogKey(key);
      out.set(transactionalId, value ? decodeTransactionLogValue(value).value : null);
    } catch (err) {
      this.broker.log.warn(`Skipped an unreadable ${TRANSACTION_STATE_TOPIC} record: ${errorMessage(err)}`);
    }
  }
}
