/**
 * Authorization rules of the transaction and producer-id APIs, as Kafka checks them:
 * InitProducerId needs WRITE on the transactional id (without one: IDEMPOTENT_WRITE on the
 * cluster, or WRITE on some topic, as Kafka 3+ allows); AddPartitionsToTxn WRITE on the id
 * and on each topic; AddOffsetsToTxn WRITE on the id and READ on the group; EndTxn WRITE on
 * the id; TxnOffsetCommit WRITE on the id, READ on the group and on each topic;
 * DescribeTransactions DESCRIBE on each id; ListTransactions lists the ids it may describe.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { InitProducerIdRequest } from '../../../protocol/messages/22-init-producer-id.js';
import type { AddPartitionsToTxnRequest } from '../../../protocol/messages/24-add-partitions-to-txn.js';
import type { TxnOffsetCommitRequest } from '../../../protocol/messages/28-txn-offset-commit.js';
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../../protocol/acl.js';
import { aclStoreOf } from '../acl-store.js';
import { defineRule, type Access, type AnyAuthorizationRule } from './rule.js';

const TXN_DENIED = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
const txn = (access: Access, id: string): boolean => access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id);

export const transactionRules: readonly AnyAuthorizationRule[] = [
  defineRule<InitProducerIdRequest, never>({
    apiKey: 22,
    check(request, access, ctx) {
      if (request.transactionalId) return txn(access, request.transactionalId) ? { request } : { denyAll: TXN_DENIED };
      if (access.cluster(AclOperation.IDEMPOTENT_WRITE)) return { request };
      // Kafka 3+: WRITE on any topic is enough for an idempotent producer.
      const topics = new Set(aclStoreOf(ctx.broker).all().filter((b) => b.resourceType === ResourceType.TOPIC && b.permissionType === AclPermission.ALLOW && b.patternType !== PatternType.PREFIXED).map((b) => b.resourceName));
      for (const t of ctx.broker.metadata.topics()) topics.add(t.name);
      return [...topics].some((t) => access.allowed(AclOperation.WRITE, ResourceType.TOPIC, t)) ? { request } : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    },
  }),
  defineRule<AddPartitionsToTxnRequest, never>({
    apiKey: 24,
    check(request, access) {
      if (!txn(access, request.v3AndBelowTransactionalId ?? '')) return { denyAll: TXN_DENIED };
      const topics = request.v3AndBelowTopics ?? [];
      return topics.every((t) => access.allowed(AclOperation.WRITE, ResourceType.TOPIC, t.name)) ? { request } : { denyAll: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
    },
  }),
  defineRule<{ transactionalId: string; groupId: string }, never>({
    apiKey: 25,
    check(request, access) {
      if (!txn(access, request.transactionalId)) return { denyAll: TXN_DENIED };
      return access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId) ? { request } : { denyAll: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    },
  }),
  defineRule<{ transactionalId: string }, never>({
    apiKey: 26,
    check: (request, access) => (txn(access, request.transactionalId) ? { request } : { denyAll: TXN_DENIED }),
  }),
  defineRule<TxnOffsetCommitRequest, never>({
    apiKey: 28,
    check(request, access) {
      if (!txn(access, request.transactionalId)) return { denyAll: TXN_DENIED };
      if (!access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId)) return { denyAll: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      return request.topics.every((t) => access.allowed(AclOperation.READ, ResourceType.TOPIC, t.name)) ? { request } : { denyAll: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
    },
  }),
  defineRule<{ transactionalIds: string[] }, never>({
    apiKey: 65,
    check: (request, access) =>
      request.transactionalIds.every((id) => access.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) ? { request } : { denyAll: TXN_DENIED },
  }),
  defineRule<unknown, { transactionStates: { transactionalId: string }[] }>({
    apiKey: 66,
    check: (request, access) => ({
      request,
      merge: (response) => ({ ...response, transactionStates: response.transactionStates.filter((s) => access.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, s.transactionalId)) }),
    }),
  }),
];
