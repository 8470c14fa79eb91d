/**
 * DeleteGroups (key 42), versions 0-2: removes empty groups and their committed offsets
 * (tombstones in `__consumer_offsets`). GROUP_ID_NOT_FOUND for unknown groups,
 * NON_EMPTY_GROUP while a group has members.
 */
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/42-delete-groups.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const coordinator = groupCoordinatorOf(ctx.broker);
    const results = [];
    for (const groupId of request.groupsNames) results.push({ groupId, errorCode: await coordinator.deleteGroup(groupId) });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
});
