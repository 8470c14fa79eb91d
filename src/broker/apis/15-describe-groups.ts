/**
 * DescribeGroups (key 15), versions 0-5. An unknown group is described as Dead with no
 * members (Kafka's classic coordinator does the same before v6). Member metadata and
 * assignments are only filled in while the group is Stable, as in Kafka.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/messages/15-describe-groups.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { defineHandler } from '../handler.js';
import { authorizedOperations } from '../auth/authorizer.js';
import { ResourceType } from '../../protocol/acl.js';

/** Kafka's "operations not requested" marker. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const coordinator = groupCoordinatorOf(ctx.broker);
    const groups = [];
    for (const id of request.groups) {
      // A group coordinated by another broker (cluster mode) gets its error, the others their state.
      const notHere = coordinator.coordinatorError(id);
      if (notHere !== ErrorCode.NONE) {
        groups.push({ errorCode: notHere, groupId: id, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED });
        continue;
      }
      const g = await coordinator.describe(id);
      groups.push({
        errorCode: ErrorCode.NONE,
        groupId: id,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolName,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: request.includeAuthorizedOperations ? authorizedOperations(ctx, ResourceType.GROUP, id) : AUTHORIZED_OPERATIONS_OMITTED,
      });
    }
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED })),
    };
  },
});
