/**
 * The admin side of transactions that `kts transactions` uses, after Kafka's Admin API:
 * list transactions on every broker (ListTransactions), describe one through its
 * coordinator (FindCoordinator key type 1, DescribeTransactions), describe the producers
 * of a partition on its leader (DescribeProducers), and abort a hanging transaction by
 * writing an ABORT marker on the partition leader (WriteTxnMarkers). Kafka error codes
 * come out as KafkaError.
 */
import { ApiKey } from '../protocol/apis.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { findCoordinator, COORDINATOR_KEY_TRANSACTION } from './coordinator.js';
import type { Cluster } from './cluster.js';

export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: string;
  /** The broker that coordinates it. */
  coordinatorId: number;
}

export interface TransactionDescription {
  coordinatorId: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: string;
  transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  transactionStartTimeMs: number;
  topicPartitions: { topic: string; partition: number }[];
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestampMs: number;
  coordinatorEpoch: number;
  /** -1 when the producer has no open transaction on the partition. */
  currentTransactionStartOffset: number;
}

export interface AbortSpec {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

export class TransactionAdmin {
  constructor(private readonly cluster: Cluster) {}

  private async brokers(): Promise<{ nodeId: number }[]> {
    return this.cluster.knownBrokers().length > 0 ? this.cluster.knownBrokers() : (await this.cluster.refreshMetadata([])).brokers;
  }

  async listTransactions(filters: { states?: readonly string[]; producerIds?: readonly number[]; durationMs?: number } = {}): Promise<TransactionListing[]> {
    const out: TransactionListing[] = [];
    for (const node of await this.brokers()) {
      const conn = await this.cluster.node(node.nodeId);
      const { body } = await conn.call(
        ApiKey.ListTransactions,
        () => ({ stateFilters: [...(filters.states ?? [])], producerIdFilters: [...(filters.producerIds ?? [])], durationFilter: filters.durationMs ?? -1 }),
        { maxVersion: 1, minVersion: filters.durationMs !== undefined && filters.durationMs >= 0 ? 1 : 0 },
      );
      if (body.errorCode !== ErrorCode.NONE) throw new KafkaError(body.errorCode, `ListTransactions on broker ${node.nodeId}`);
      for (const s of body.transactionStates) out.push({ transactionalId: s.transactionalId, producerId: s.producerId, state: s.transactionState, coordinatorId: node.nodeId });
    }
    return out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  }

  async coordinatorOf(transactionalId: string): Promise<number> {
    return (await findCoordinator(this.cluster, COORDINATOR_KEY_TRANSACTION, transactionalId)).nodeId;
  }

  async describeTransaction(transactionalId: string): Promise<TransactionDescription> {
    const coordinatorId = await this.coordinatorOf(transactionalId);
    const conn = await this.cluster.node(coordinatorId);
    const { body } = await conn.call(ApiKey.DescribeTransactions, () => ({ transactionalIds: [transactionalId] }), { maxVersion: 0 });
    const s = body.transactionStates[0]!;
    if (s.errorCode !== ErrorCode.NONE) throw new KafkaError(s.errorCode, `DescribeTransactions ${transactionalId}`);
    return {
      coordinatorId,
      transactionalId,
      producerId: s.producerId,
      producerEpoch: s.producerEpoch,
      state: s.transactionState,
      transactionTimeoutMs: s.transactionTimeoutMs,
      transactionStartTimeMs: s.transactionStartTimeMs,
      topicPartitions: s.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    };
  }

  /** The producers of a partition, from its leader or from `brokerId`. */
  async describeProducers(topic: string, partition: number, brokerId?: number): Promise<ProducerState[]> {
    const nodeId = brokerId ?? (await this.cluster.leaderOf(topic, partition));
    const conn = await this.cluster.node(nodeId);
    const { body } = await conn.call(ApiKey.DescribeProducers, () => ({ topics: [{ name: topic, partitionIndexes: [partition] }] }), { maxVersion: 0 });
    const p = body.topics[0]?.partitions[0];
    if (!p) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeProducers ${topic}-${partition}: empty response`);
    if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, p.errorMessage ?? `DescribeProducers ${topic}-${partition}`);
    return p.activeProducers.map((a) => ({
      producerId: a.producerId,
      producerEpoch: a.producerEpoch,
      lastSequence: a.lastSequence,
      lastTimestampMs: a.lastTimestamp,
      coordinatorEpoch: a.coordinatorEpoch,
      currentTransactionStartOffset: a.currentTxnStartOffset,
    }));
  }

  /** Writes an ABORT marker for the producer on the partition leader. */
  async abortTransaction(spec: AbortSpec): Promise<void> {
    const conn = await this.cluster.node(await this.cluster.leaderOf(spec.topic, spec.partition));
    const { body } = await conn.call(
      ApiKey.WriteTxnMarkers,
      () => ({
        markers: [
          {
            producerId: spec.producerId,
            producerEpoch: spec.producerEpoch,
            transactionResult: false,
            topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
            coordinatorEpoch: spec.coordinatorEpoch,
          },
        ],
      }),
      { maxVersion: 1 },
    );
    const code = body.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code !== ErrorCode.NONE) throw new KafkaError(code, `WriteTxnMarkers (abort) on ${spec.topic}-${spec.partition}`);
  }
}
