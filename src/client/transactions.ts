/**
 * The transactional side of the producer (Kafka's TransactionManager, cut to what kts
 * needs): finds the transaction coordinator (FindCoordinator key type 1), gets a producer
 * id and epoch for the transactional id (InitProducerId), registers partitions
 * (AddPartitionsToTxn) and consumer group offsets (AddOffsetsToTxn + TxnOffsetCommit to the
 * group coordinator, with the consumer's membership for KIP-447 fencing), and ends
 * transactions (EndTxn). Coordinator moves and busy coordinators are retried; a fenced
 * producer becomes a KTS_PRODUCER_FENCED error.
 */
import { ApiKey } from '../protocol/apis.js';
import type { RequestOf, ResponseOf, TypedApiKey } from '../protocol/types.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError } from '../util/errors.js';
import type { BrokerConnection } from '../net/broker-connection.js';
import { findCoordinator, COORDINATOR_KEY_GROUP, COORDINATOR_KEY_TRANSACTION } from './coordinator.js';
import type { Cluster } from './cluster.js';
import type { ConsumerGroupMetadata, TopicPartition } from './types.js';

export interface TxnIdentity {
  producerId: number;
  producerEpoch: number;
}

const FENCED: ReadonlySet<number> = new Set([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH]);
/** Errors after which the coordinator must be looked up again. */
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export class TransactionManager {
  private coordinatorId: number | null = null;
  identity: TxnIdentity | null = null;

  constructor(
    private readonly cluster: Cluster,
    readonly transactionalId: string,
    private readonly transactionTimeoutMs: number,
  ) {}

  async initProducerId(): Promise<TxnIdentity> {
    const body = await this.onCoordinator(
      ApiKey.InitProducerId,
      () => ({ transactionalId: this.transactionalId, transactionTimeoutMs: this.transactionTimeoutMs, producerId: -1, producerEpoch: -1 }),
      'InitProducerId',
      (b) => b.errorCode,
    );
    this.identity = { producerId: body.producerId, producerEpoch: body.producerEpoch };
    return this.identity;
  }

  async addPartitions(partitions: readonly TopicPartition[]): Promise<void> {
    const id = this.requireIdentity();
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    await this.onCoordinator(
      ApiKey.AddPartitionsToTxn,
      () => ({
        v3AndBelowTransactionalId: this.transactionalId,
        v3AndBelowProducerId: id.producerId,
        v3AndBelowProducerEpoch: id.producerEpoch,
        v3AndBelowTopics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })),
      }),
      'AddPartitionsToTxn',
      // Present in every version up to 3, the highest asked for.
      (b) => firstError(b.resultsByTopicV3AndBelow!.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode))),
      3,
    );
  }

  /**
   * AddOffsetsToTxn, then TxnOffsetCommit to the group coordinator. A membership (generation
   * or member id) needs TxnOffsetCommit v3+ (KIP-447): against an older broker it fails with
   * UNSUPPORTED_VERSION rather than committing without the group's check, as Java does.
   */
  async sendOffsets(offsets: readonly { topic: string; partition: number; offset: number }[], group: ConsumerGroupMetadata): Promise<void> {
    const id = this.requireIdentity();
    const groupId = group.groupId;
    await this.onCoordinator(
      ApiKey.AddOffsetsToTxn,
      () => ({ transactionalId: this.transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch, groupId }),
      'AddOffsetsToTxn',
      (b) => b.errorCode,
    );
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string }[]>();
    for (const o of offsets) {
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: '' }]);
    }
    const fenced = group.generationId >= 0 || group.memberId !== '' || group.groupInstanceId !== null;
    const member = fenced ? ` (member ${group.memberId || "''"}, generation ${group.generationId})` : '';
    await this.cluster.retry(async () => {
      const conn = await this.cluster.node((await findCoordinator(this.cluster, COORDINATOR_KEY_GROUP, groupId)).nodeId);
      const { body } = await conn.call(
        ApiKey.TxnOffsetCommit,
        () => ({
          transactionalId: this.transactionalId,
          groupId,
          producerId: id.producerId,
          producerEpoch: id.producerEpoch,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        }),
        fenced ? { minVersion: 3, maxVersion: 3 } : { maxVersion: 3 },
      );
      this.check(firstError(body.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))), `TxnOffsetCommit for group ${groupId}${member}`);
    });
  }

  async endTxn(commit: boolean): Promise<void> {
    const id = this.requireIdentity();
    await this.onCoordinator(
      ApiKey.EndTxn,
      () => ({ transactionalId: this.transactionalId, producerId: id.producerId, producerEpoch: id.producerEpoch, committed: commit }),
      commit ? 'EndTxn (commit)' : 'EndTxn (abort)',
      (b) => b.errorCode,
    );
  }

  private requireIdentity(): TxnIdentity {
    if (!this.identity) throw new KtsError('KTS_TXN_STATE', 'initTransactions() has not completed', 'Call initTransactions() once before beginTransaction()');
    return this.identity;
  }

  /** One request to the transaction coordinator, retried (with a new lookup when it moved). */
  private async onCoordinator<K extends TypedApiKey>(api: K, body: () => RequestOf<K>, what: string, errorOf: (b: ResponseOf<K>) => number, maxVersion?: number): Promise<ResponseOf<K>> {
    return this.cluster.retry(async () => {
      const conn = await this.coordinator();
      const { body: response } = await conn.call(api, body, maxVersion === undefined ? {} : { maxVersion });
      this.check(errorOf(response), `${what} for transactional id ${this.transactionalId}`);
      return response;
    });
  }

  private check(code: number, what: string): void {
    if (code === ErrorCode.NONE) return;
    if (COORDINATOR_MOVED.has(code)) this.coordinatorId = null;
    if (FENCED.has(code)) {
      throw new KtsError(
        'KTS_PRODUCER_FENCED',
        `${what}: this producer was fenced (${code === ErrorCode.PRODUCER_FENCED ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH'}): another producer with transactional id ${this.transactionalId} started`,
        'Close this producer; only the newest producer with a transactional id may write',
      );
    }
    throw new KafkaError(code, what);
  }

  private async coordinator(): Promise<BrokerConnection> {
    if (this.coordinatorId === null) this.coordinatorId = (await findCoordinator(this.cluster, COORDINATOR_KEY_TRANSACTION, this.transactionalId)).nodeId;
    return this.cluster.node(this.coordinatorId);
  }
}

/** True for the errors that mean another producer took over the transactional id. */
export function isFenced(err: unknown): boolean {
  return (err instanceof KafkaError && FENCED.has(err.errorCode)) || (err instanceof KtsError && err.code === 'KTS_PRODUCER_FENCED');
}

function firstError(codes: readonly number[]): number {
  return codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
}
