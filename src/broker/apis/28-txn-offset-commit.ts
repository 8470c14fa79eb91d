/**
 * TxnOffsetCommit (key 28), versions 0-4: offsets a transactional producer commits for a
 * consumer group. They are written to `__consumer_offsets` at once as a transactional batch
 * of the producer and become visible to OffsetFetch only at the COMMIT marker (dropped on
 * ABORT), so a broker crash between the markers and the Complete state loses nothing. The group's
 * `__consumer_offsets` partition must have joined the transaction (AddOffsetsToTxn).
 * v3+ (KIP-447): a request that carries a generation, a member id or a group instance id
 * is checked against the group as Kafka's group coordinator does (UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID, ILLEGAL_GENERATION), so a zombie member of a rebalanced group cannot
 * commit; the defaults (generation -1, member id "") skip the check, as in v0-2.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/28-txn-offset-commit.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf, type PendingOffset } from '../txn/coordinator.js';
import { fencedForVersion } from '../txn/errors.js';

const OFFSET_METADATA_MAX_BYTES = 4096;

function respond(request: TxnOffsetCommitRequest, code: (topic: string, partition: number) => number): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })) })),
  };
}

export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const broker = ctx.broker;
    const perPartition = new Map<string, number>();
    const offsets: PendingOffset[] = [];
    for (const t of request.topics) {
      const topic = broker.metadata.topic(t.name);
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        let code: number = ErrorCode.NONE;
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_MAX_BYTES) code = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitions.length) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata });
        perPartition.set(`${t.name}\u0000${p.partitionIndex}`, code);
      }
    }
    const code = fencedForVersion(
      await transactionCoordinatorOf(broker).txnOffsetCommit(request.transactionalId, request.producerId, request.producerEpoch, request.groupId, offsets, {
        generationId: request.generationId ?? -1,
        memberId: request.memberId ?? '',
        groupInstanceId: request.groupInstanceId ?? null,
      }),
      ctx.apiVersion,
      3,
    );
    return respond(request, (t, p) => perPartition.get(`${t}\u0000${p}`) || code);
  },
  errorResponse(request, errorCode) {
    return respond(request, () => errorCode);
  },
});
