/**
 * OffsetCommit (key 8), versions 0-9. Offsets are written to `__consumer_offsets` before
 * the response. A commit with generation -1 and no member id is a "simple" commit (admin
 * tools, assign-mode consumers) and is accepted only while the group has no members.
 * v0 has no generation: it is a simple commit. Per-request retention (v2-4) is ignored:
 * offsets.retention.minutes applies, as in Kafka 2.1+.
 */
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/08-offset-commit.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const errors = await groupCoordinatorOf(ctx.broker).commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch ?? -1,
      memberId: request.memberId ?? '',
      groupInstanceId: request.groupInstanceId ?? null,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(t.name)?.get(p.partitionIndex) ?? 0 })),
      })),
    };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
  },
});
