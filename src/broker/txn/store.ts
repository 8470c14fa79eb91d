/**
 * The transaction coordinator's persistence: one record per transactional id state change
 * in the compacted internal topic `__transaction_state` (Kafka's TransactionLogKey/Value,
 * so Kafka's tools and `kts dump-log --transaction-log-decoder` read them). Created on first
 * use with `transaction.state.log.num.partitions` partitions; replayed on start (last
 * record per key wins, a null value removes the id). Appends go through one queue so the
 * log order is the order the coordinator decided.
 */
import { decodeBatchHeader, encodeRecordBatch, iterateRecords } from '../../records/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  transactionLogPartitionFor,
  type TransactionLogValue,
} from '../../protocol/internal/transaction-log.js';
import { errorMessage } from '../../util/errors.js';
import type { BrokerContext, BrokerPartitionLog } from '../handler.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const LOAD_CHUNK_BYTES = 1024 * 1024;
const RECORD_BATCH_OVERHEAD = 61;

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
        if (log) await this.loadPartition(log, out);
      }
    }
    const states = new Map<string, TransactionLogValue>();
    for (const [id, v] of out) if (v) states.set(id, v);
    return states;
  }

  private async loadPartition(log: BrokerPartitionLog, out: Map<string, TransactionLogValue | null>): Promise<void> {
    let offset = log.logStartOffset;
    const end = log.highWatermark;
    while (offset < end) {
      const read = await log.read(offset, LOAD_CHUNK_BYTES, { maxOffset: end, minOneMessage: true });
      if (read.records.length === 0) break;
      const next = this.replay(read.records, offset, out);
      if (next <= offset) break;
      offset = next;
    }
  }

  private replay(buf: Buffer, fromOffset: number, out: Map<string, TransactionLogValue | null>): number {
    let pos = 0;
    let next = fromOffset;
    while (buf.length - pos >= RECORD_BATCH_OVERHEAD) {
      const header = decodeBatchHeader(buf, pos);
      const size = 12 + header.batchLength;
      if (size > buf.length - pos) break;
      if (!header.isControl) {
        for (const record of iterateRecords(buf, pos)) {
          if (record.offset >= fromOffset && record.key) this.apply(record.key, record.value, out);
        }
      }
      next = header.baseOffset + header.lastOffsetDelta + 1;
      pos += size;
    }
    return next;
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
