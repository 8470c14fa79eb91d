/**
 * SyncGroup (key 14), versions 0-5: the leader hands in every member's assignment, which is
 * stored in `__consumer_offsets` before any member gets its own; followers wait for it.
 * v5 checks the protocol type/name against the group's (INCONSISTENT_GROUP_PROTOCOL).
 */
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/14-sync-group.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const r = await groupCoordinatorOf(ctx.broker).sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      protocolType: request.protocolType ?? null,
      protocolName: request.protocolName ?? null,
      assignments: request.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  },
});
