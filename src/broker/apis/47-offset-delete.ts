/**
 * OffsetDelete (key 47), version 0: removes committed offsets of some partitions of a
 * group. Refused per partition with GROUP_SUBSCRIBED_TO_TOPIC while an active member of a
 * consumer group subscribes to the topic; NON_EMPTY_GROUP for active non-consumer groups.
 */
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/47-offset-delete.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const r = await groupCoordinatorOf(ctx.broker).deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    if (r.errorCode !== 0) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    return {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.partitions.get(t.name)?.get(p.partitionIndex) ?? 0 })),
      })),
    };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] };
  },
});
