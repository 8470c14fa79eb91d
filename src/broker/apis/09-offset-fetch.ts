/**
 * OffsetFetch (key 9), versions 0-9: v0-7 one group, v8+ several groups per request. A
 * null topic list (v2+) asks for every committed offset of the group. A partition without
 * a committed offset answers offset -1 and empty metadata. With requireStable (v7+), a
 * partition with offsets of an open transaction answers UNSTABLE_OFFSET_COMMIT.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { OffsetFetchRequest, OffsetFetchResponse, OffsetFetchRequestTopic } from '../../protocol/messages/09-offset-fetch.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { markUnstableOffsets } from '../txn/coordinator.js';
import { defineHandler } from '../handler.js';

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const coordinator = groupCoordinatorOf(ctx.broker);
    const fetch = async (groupId: string, topics: OffsetFetchRequestTopic[] | null | undefined) => {
      const fetched = await coordinator.fetchOffsets(groupId, topics ?? null);
      if (request.requireStable) markUnstableOffsets(ctx.broker, groupId, fetched);
      return fetched;
    };
    if (ctx.apiVersion >= 8) {
      const groups = [];
      for (const g of request.groups ?? []) {
        const notHere = coordinator.coordinatorError(g.groupId);
        groups.push(notHere === ErrorCode.NONE ? { groupId: g.groupId, topics: await fetch(g.groupId, g.topics), errorCode: ErrorCode.NONE } : { groupId: g.groupId, topics: [], errorCode: notHere });
      }
      return { throttleTimeMs: 0, groups };
    }
    const topics = await fetch(request.groupId ?? '', request.topics);
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
  },
  errorResponse(request, errorCode) {
    const topicsOf = (topics: OffsetFetchRequestTopic[] | null | undefined) =>
      (topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
      }));
    return {
      throttleTimeMs: 0,
      topics: topicsOf(request.topics),
      errorCode,
      groups: (request.groups ?? []).map((g) => ({ groupId: g.groupId, topics: topicsOf(g.topics), errorCode })),
    };
  },
});
