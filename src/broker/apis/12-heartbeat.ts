/** Heartbeat (key 12), versions 0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/12-heartbeat.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const errorCode = await groupCoordinatorOf(ctx.broker).heartbeat(request.groupId, request.memberId, request.groupInstanceId ?? null, request.generationId);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
