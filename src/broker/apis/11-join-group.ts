/**
 * JoinGroup (key 11), versions 0-9. Classic rebalance protocol (see group/coordinator.ts):
 * v4+ unknown members get MEMBER_ID_REQUIRED with their id first; v5+ static membership.
 * v0 has no rebalance timeout: the session timeout is used, as Kafka does.
 */
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/11-join-group.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const rebalanceTimeoutMs = request.rebalanceTimeoutMs !== undefined && request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs;
    const r = await groupCoordinatorOf(ctx.broker).join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      clientId: ctx.clientId ?? '',
      clientHost: `/${ctx.clientHost}`,
      requireKnownMemberId: ctx.apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      // Before v7 the protocol name is not nullable: Kafka sends "" there.
      protocolName: ctx.apiVersion < 7 ? (r.protocolName ?? '') : r.protocolName,
      leader: r.leader,
      skipAssignment: false,
      memberId: r.memberId,
      members: r.members,
    };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: '', leader: '', memberId: request.memberId ?? '', members: [] };
  },
});
