/**
 * Authorization rules of the topic APIs, as Kafka's KafkaApis checks them: Produce needs
 * WRITE, Fetch and OffsetForLeaderEpoch READ/DESCRIBE (replicas: CLUSTER_ACTION),
 * ListOffsets DESCRIBE, Metadata DESCRIBE (topics the principal may not describe are left
 * out of an all-topics answer; auto-creation needs CREATE), CreateTopics CREATE (on the
 * cluster or the topic), DeleteTopics and DeleteRecords DELETE, CreatePartitions ALTER,
 * DescribeProducers READ. Denied topics answer TOPIC_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { ProduceRequest, ProduceResponse } from '../../../protocol/messages/00-produce.js';
import type { FetchRequest, FetchResponse, FetchTopic } from '../../../protocol/messages/01-fetch.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../../protocol/messages/02-list-offsets.js';
import type { MetadataRequest, MetadataResponse } from '../../../protocol/messages/03-metadata.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../../protocol/messages/19-create-topics.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../../protocol/messages/20-delete-topics.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../../protocol/messages/21-delete-records.js';
import { AclOperation, ResourceType } from '../../../protocol/acl.js';
import { defineRule, type Access, type AnyAuthorizationRule, type AuthorizationRule } from './rule.js';

const DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;

/** Splits items by whether the principal may perform `operation` on their topic. */
export function partitionByTopic<T>(items: readonly T[], topicOf: (item: T) => string | undefined, access: Access, operation: number): { allowed: T[]; denied: T[] } {
  const allowed: T[] = [];
  const denied: T[] = [];
  for (const item of items) {
    const topic = topicOf(item);
    (topic !== undefined && access.allowed(operation, ResourceType.TOPIC, topic) ? allowed : denied).push(item);
  }
  return { allowed, denied };
}

export const produceRule = defineRule<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  check(request, access) {
    if (request.transactionalId && !access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { denyAll: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const { allowed, denied } = partitionByTopic(request.topicData, (t) => t.name, access, AclOperation.WRITE);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topicData: allowed },
      merge: (response) => ({
        ...response,
        responses: [
          ...response.responses,
          ...denied.map((t) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: DENIED, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null })),
          })),
        ],
      }),
    };
  },
});

export const fetchRule = defineRule<FetchRequest, FetchResponse>({
  apiKey: 1,
  check(request, access, ctx) {
    const replicaId = request.replicaState?.replicaId ?? request.replicaId ?? -1;
    if (replicaId >= 0) return access.cluster(AclOperation.CLUSTER_ACTION) ? { request } : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
    const nameOf = (t: FetchTopic): string | undefined => t.topic || (t.topicId ? ctx.broker.metadata.topicNameById(t.topicId) : undefined);
    const { allowed, denied } = partitionByTopic(request.topics, nameOf, access, AclOperation.READ);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        responses: [
          ...response.responses,
          ...denied.map((t) => ({
            topic: t.topic ?? '',
            topicId: t.topicId ?? '',
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partition, errorCode: nameOf(t) === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : DENIED, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1,
              abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
            })),
          })),
        ],
      }),
    };
  },
});

export const listOffsetsRule = defineRule<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  check(request, access) {
    const { allowed, denied } = partitionByTopic(request.topics, (t) => t.name, access, AclOperation.DESCRIBE);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        topics: [
          ...response.topics,
          ...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: DENIED, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 })) })),
        ],
      }),
    };
  },
});

export const metadataRule = defineRule<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  check(request, access, ctx) {
    const describable = (name: string | null): boolean => name !== null && access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    if (request.topics === null) {
      return { request, merge: (response) => ({ ...response, topics: response.topics.filter((t) => describable(t.name)) }) };
    }
    const mayCreate = (name: string): boolean => access.cluster(AclOperation.CREATE) || access.allowed(AclOperation.CREATE, ResourceType.TOPIC, name);
    const allowed: typeof request.topics = [];
    const denied: string[] = [];
    for (const t of request.topics) {
      const name = t.name ?? (t.topicId ? ctx.broker.metadata.topicNameById(t.topicId) ?? null : null);
      const exists = name !== null && ctx.broker.metadata.topic(name) !== undefined;
      if (name !== null && describable(name) && (exists || !request.allowAutoTopicCreation || mayCreate(name))) allowed.push(t);
      else if (name !== null) denied.push(name);
      else allowed.push(t);
    }
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        topics: [...response.topics, ...denied.map((name) => ({ errorCode: DENIED, name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 }))],
      }),
    };
  },
});

export const createTopicsRule = defineRule<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  check(request, access) {
    if (access.cluster(AclOperation.CREATE)) return { request };
    const { allowed, denied } = partitionByTopic(request.topics, (t) => t.name, access, AclOperation.CREATE);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        topics: [
          ...response.topics,
          ...denied.map((t) => ({ name: t.name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: DENIED, errorMessage: 'Authorization failed.', topicConfigErrorCode: DENIED, numPartitions: -1, replicationFactor: -1, configs: null })),
        ],
      }),
    };
  },
});

export const deleteTopicsRule = defineRule<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  check(request, access, ctx) {
    const names = request.topicNames ?? [];
    const states = request.topics ?? [];
    const stateName = (s: { name: string | null; topicId: string }): string | undefined => s.name ?? ctx.broker.metadata.topicNameById(s.topicId);
    const n = partitionByTopic(names, (x) => x, access, AclOperation.DELETE);
    const s = partitionByTopic(states, stateName, access, AclOperation.DELETE);
    if (n.denied.length === 0 && s.denied.length === 0) return { request };
    return {
      request: { ...request, ...(request.topicNames ? { topicNames: n.allowed } : {}), ...(request.topics ? { topics: s.allowed } : {}) },
      merge: (response) => ({
        ...response,
        responses: [
          ...response.responses,
          ...n.denied.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: DENIED, errorMessage: null })),
          ...s.denied.map((x) => ({ name: x.name, topicId: x.topicId, errorCode: DENIED, errorMessage: null })),
        ],
      }),
    };
  },
});

export const deleteRecordsRule = defineRule<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  check(request, access) {
    const { allowed, denied } = partitionByTopic(request.topics, (t) => t.name, access, AclOperation.DELETE);
    if (denied.length === 0) return { request };
    return {
      request: { ...request, topics: allowed },
      merge: (response) => ({
        ...response,
        topics: [...response.topics, ...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: DENIED })) }))],
      }),
    };
  },
});

/** Whole-request topic checks for APIs kts answers per topic but rarely (all or nothing). */
function allTopics<Req>(apiKey: number, operation: number, topicsOf: (request: Req) => readonly string[]): AuthorizationRule<Req, never> {
  return defineRule<Req, never>({
    apiKey,
    check(request, access) {
      return topicsOf(request).every((t) => access.allowed(operation, ResourceType.TOPIC, t)) ? { request } : { denyAll: DENIED };
    },
  });
}

export const topicRules: readonly AnyAuthorizationRule[] = [
  produceRule,
  fetchRule,
  listOffsetsRule,
  metadataRule,
  createTopicsRule,
  deleteTopicsRule,
  deleteRecordsRule,
  defineRule<{ topics: { topic: string }[]; replicaId?: number }, never>({
    apiKey: 23,
    check(request, access) {
      if ((request.replicaId ?? -1) >= 0) return access.cluster(AclOperation.CLUSTER_ACTION) ? { request } : { denyAll: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };
      return request.topics.every((t) => access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)) ? { request } : { denyAll: DENIED };
    },
  }),
  allTopics<{ topics: { name: string }[] }>(37, AclOperation.ALTER, (r) => r.topics.map((t) => t.name)),
  allTopics<{ topics: { name: string }[] }>(61, AclOperation.READ, (r) => r.topics.map((t) => t.name)),
];
