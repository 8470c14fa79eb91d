/**
 * The transaction coordinator's persistence: one record per transactional id state change
 * in the compacted internal topic `__transaction_state` (Kafka's TransactionLogKey/Value,
 * so Kafka's tools and `kts dump-log --transaction-log-decoder` read them). Created on first
 * use with `transaction.state.log.num.partitions` partitions (cluster mode:
 * `transaction.state.log.replication.factor` replicas and `transaction.state.log.min.isr`
 * as min.insync.replicas); a partition is replayed when this broker starts leading it (last
 * record per key wins, a null value removes the id). Appends go through one queue so the
 * log order is the order the coordinator decided, and count once the ISR has them.
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
import { ErrorCode, KafkaError, errorName } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import { appendReplicated, coordinatorErrorOf, ensureInternalTopic } from '../coordinator-partitions.js';
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
    return this.broker.replicaManager.leaderPartition(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId)).partition?.leaderEpoch ?? 0;
  }

  ensureTopic(): Promise<void> {
    const config = this.broker.config;
    const configs: Record<string, string> = { 'cleanup.policy': 'compact', 'compression.type': 'uncompressed', 'segment.bytes': '104857600' };
    if (this.broker.replicaManager.clusterMode) configs['min.insync.replicas'] = String(config.transactionStateLogMinIsr);
    return ensureInternalTopic(this.broker, {
      name: TRANSACTION_STATE_TOPIC,
      numPartitions: config.transactionStateLogNumPartitions,
      replicationFactor: config.transactionStateLogReplicationFactor,
      configs,
    });
  }

  /**
   * Appends the state of one transactional id (null removes it) as the partition's leader;
   * resolves once the ISR has it, or rejects with a KafkaError (NOT_COORDINATOR when
   * leadership moved, COORDINATOR_NOT_AVAILABLE when the ISR is too small or too slow).
   */
  write(transactionalId: string, value: TransactionLogValue | null, nowMs: number): Promise<void> {
    const partition = this.partitionFor(transactionalId);
    const run = async (): Promise<Promise<number>> => {
      await this.ensureTopic();
      const key = encodeTransactionLogKey({ transactionalId });
      const batch = encodeRecordBatch({ records: [{ timestampMs: nowMs, key, value: value ? encodeTransactionLogValue(value) : null }] });
      return appendReplicated(this.broker, TRANSACTION_STATE_TOPIC, partition, batch, 'client', Number(this.broker.config.raw['request.timeout.ms'] ?? 30_000));
    };
    // Only the append is queued: waiting for the ISR happens outside, so writes pipeline.
    const appended = this.queue.then(run, run);
    this.queue = appended.catch(() => undefined);
    return appended.then(async (replicated) => {
      const code = await replicated;
      if (code === ErrorCode.NONE) return;
      throw new KafkaError(coordinatorErrorOf(code), `Writing the state of transactional id '${transactionalId}' to ${TRANSACTION_STATE_TOPIC}-${partition} failed with ${errorName(code)}`);
    });
  }

  /** Replays every partition (if the topic exists): the last state of each transactional id. */
  async load(): Promise<Map<string, TransactionLogValue>> {
    const states = new Map<string, TransactionLogValue>();
    const topic = this.broker.metadata.topic(TRANSACTION_STATE_TOPIC);
    for (const p of topic?.partitions ?? []) for (const [id, v] of await this.loadPartition(p.partitionIndex)) states.set(id, v);
    return states;
  }

  /** Replays one partition: the last state of each of its transactional ids. */
  async loadPartition(partition: number): Promise<Map<string, TransactionLogValue>> {
    const out = new Map<string, TransactionLogValue | null>();
    const log = this.broker.logManager.getLog(TRANSACTION_STATE_TOPIC, partition);
    if (log) {
      await replayPartition(log, (key, value) => {
        if (key) this.apply(key, value, out);
      });
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
