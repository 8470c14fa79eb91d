/**
 * LeaveGroup (key 13), versions 0-5: v0-2 one member id (its error is the response error);
 * v3+ a batch of members (dynamic by member id, static by group.instance.id), each with its
 * own error. The group rebalances without them.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/13-leave-group.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const coordinator = groupCoordinatorOf(ctx.broker);
    if (ctx.apiVersion < 3) {
      const [errorCode] = await coordinator.leave(request.groupId, [{ memberId: request.memberId ?? '', groupInstanceId: null }]);
      return { throttleTimeMs: 0, errorCode: errorCode! };
    }
    const members = (request.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null }));
    const errors = await coordinator.leave(request.groupId, members);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      members: members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: errors[i]! })),
    };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: (request.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, errorCode })) };
  },
});
