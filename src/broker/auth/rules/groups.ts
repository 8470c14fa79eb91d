/**
 * Authorization rules of the group APIs, as Kafka checks them: JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup and OffsetCommit need READ on the group (OffsetCommit also READ on
 * each topic), OffsetFetch and DescribeGroups DESCRIBE on the group (OffsetFetch also
 * DESCRIBE on each topic; an all-topics fetch leaves out those the principal may not
 * describe), FindCoordinator DESCRIBE on the group or transactional id, ListGroups DESCRIBE
 * on the cluster or else lists only the groups it may describe, DeleteGroups DELETE,
 * OffsetDelete DELETE on the group and READ on the topics.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../../protocol/messages/08-offset-commit.js';
import type { OffsetFetchRequest, OffsetFetchResponse, OffsetFetchResponseTopic } from '../../../protocol/messages/09-offset-fetch.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../../protocol/messages/10-find-coordinator.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../../protocol/messages/15-describe-groups.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../../../protocol/messages/16-list-groups.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../../protocol/messages/42-delete-groups.js';
import { AclOperation, ResourceType } from '../../../protocol/acl.js';
import { defineRule, type Access, type AnyAuthorizationRule, type AuthorizationRule } from './rule.js';
import { partitionByTopic } from './topics.js';

const GROUP_DENIED = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const group = (access: Access, operation: number, id: string): boolean => access.allowed(operation, ResourceType.GROUP, id);

/** The whole request needs `operation` on the group it names. */
function onGroup<Req extends { groupId: string }>(apiKey: number, operation: number): AuthorizationRule<Req, never> {
  return defineRule<Req, never>({ apiKey, check: (request, access) => (group(access, operation, request.groupId) ? { request } : { denyAll: GROUP_DENIED }) });
}

export const offsetCommitRule = defineRule<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  check(request, access) {
    if (!group(access, AclOperation.READ, request.groupId)) return { denyAll: GROUP_DENIED };
    const { allowed, denied } = partitionByTopic(request.topics, (t) => t.name, access, AclOperation.READ);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        topics: [...response.topics, ...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }))],
      }),
    };
  },
});

export const offsetFetchRule = defineRule<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  check(request, access) {
    const describable = (topic: string): boolean => access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
    const deniedTopic = (name: string, partitions: number[]): OffsetFetchResponseTopic => ({
      name,
      partitions: partitions.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
    });
    const filterTopics = (topics: OffsetFetchResponseTopic[], asked: { name: string; partitionIndexes: number[] }[] | null): OffsetFetchResponseTopic[] =>
      asked === null ? topics.filter((t) => describable(t.name)) : [...topics, ...asked.filter((t) => !describable(t.name)).map((t) => deniedTopic(t.name, t.partitionIndexes))];
    const narrow = <T extends { name: string }>(topics: T[] | null | undefined): T[] | null => (topics == null ? null : topics.filter((t) => describable(t.name)));

    if (request.groups) {
      const deniedGroups = request.groups.filter((g) => !group(access, AclOperation.DESCRIBE, g.groupId));
      const allowed = request.groups.filter((g) => !deniedGroups.includes(g)).map((g) => ({ ...g, topics: narrow(g.topics) }));
      return {
        request: { ...request, groups: allowed },
        merge: (response) => ({
          ...response,
          groups: [
            ...(response.groups ?? []).map((g) => ({ ...g, topics: filterTopics(g.topics, request.groups!.find((x) => x.groupId === g.groupId)?.topics ?? null) })),
            ...deniedGroups.map((g) => ({ groupId: g.groupId, topics: [], errorCode: GROUP_DENIED })),
          ],
        }),
      };
    }
    if (!group(access, AclOperation.DESCRIBE, request.groupId ?? '')) return { denyAll: GROUP_DENIED };
    return {
      request: { ...request, topics: narrow(request.topics) },
      merge: (response) => ({ ...response, topics: filterTopics(response.topics ?? [], request.topics ?? null) }),
    };
  },
});

export const findCoordinatorRule = defineRule<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  check(request, access) {
    const isTxn = request.keyType === 1;
    const allowedKey = (key: string): boolean => access.allowed(AclOperation.DESCRIBE, isTxn ? ResourceType.TRANSACTIONAL_ID : ResourceType.GROUP, key);
    const code = isTxn ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : GROUP_DENIED;
    if (!request.coordinatorKeys) return allowedKey(request.key ?? '') ? { request } : { denyAll: code };
    const denied = request.coordinatorKeys.filter((k) => !allowedKey(k));
    if (denied.length === 0) return { request };
    return {
      request: { ...request, coordinatorKeys: request.coordinatorKeys.filter((k) => allowedKey(k)) },
      merge: (response) => ({
        ...response,
        coordinators: [...(response.coordinators ?? []), ...denied.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode: code, errorMessage: null }))],
      }),
    };
  },
});

export const describeGroupsRule = defineRule<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  check(request, access) {
    const denied = request.groups.filter((g) => !group(access, AclOperation.DESCRIBE, g));
    if (denied.length === 0) return { request };
    return {
      request: { ...request, groups: request.groups.filter((g) => !denied.includes(g)) },
      merge: (response) => ({
        ...response,
        groups: [
          ...response.groups,
          ...denied.map((groupId) => ({ errorCode: GROUP_DENIED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 })),
        ],
      }),
    };
  },
});

export const listGroupsRule = defineRule<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  check(request, access) {
    if (access.cluster(AclOperation.DESCRIBE)) return { request };
    return { request, merge: (response) => ({ ...response, groups: response.groups.filter((g) => group(access, AclOperation.DESCRIBE, g.groupId)) }) };
  },
});

export const deleteGroupsRule = defineRule<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  check(request, access) {
    const denied = request.groupsNames.filter((g) => !group(access, AclOperation.DELETE, g));
    if (denied.length === 0) return { request };
    return {
      request: { ...request, groupsNames: request.groupsNames.filter((g) => !denied.includes(g)) },
      merge: (response) => ({ ...response, results: [...response.results, ...denied.map((groupId) => ({ groupId, errorCode: GROUP_DENIED }))] }),
    };
  },
});

export const groupRules: readonly AnyAuthorizationRule[] = [
  offsetCommitRule,
  offsetFetchRule,
  findCoordinatorRule,
  onGroup(11, AclOperation.READ),
  onGroup(12, AclOperation.READ),
  onGroup(13, AclOperation.READ),
  onGroup(14, AclOperation.READ),
  describeGroupsRule,
  listGroupsRule,
  deleteGroupsRule,
  defineRule<{ groupId: string; topics: { name: string }[] }, never>({
    apiKey: 47,
    check(request, access) {
      if (!group(access, AclOperation.DELETE, request.groupId)) return { denyAll: GROUP_DENIED };
      return request.topics.every((t) => access.allowed(AclOperation.READ, ResourceType.TOPIC, t.name)) ? { request } : { denyAll: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
    },
  }),
];
