/**
 * ListGroups (key 16), versions 0-5: every group this coordinator knows (Dead ones are
 * gone). v4+ filters by state (case-insensitive, as Kafka), v5+ by type: all kts groups are
 * "classic".
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/16-list-groups.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const states = new Set((request.statesFilter ?? []).map((s) => s.toLowerCase()));
    const types = new Set((request.typesFilter ?? []).map((s) => s.toLowerCase()));
    const groups = (await groupCoordinatorOf(ctx.broker).list())
      .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
      .filter(() => types.size === 0 || types.has('classic'))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'classic' }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
