/**
 * Metadata (key 3), versions 0-12. Brokers: this node at the advertised endpoint of the
 * listener the request came in on; controller id: this node (it is its own quorum);
 * cluster id from meta.properties. Topics by name, or by topic id from v10 (UNKNOWN_TOPIC_ID
 * when unknown). An unknown topic is created when `auto.create.topics.enable` is true and
 * the request allows it (always before v4), with `num.partitions` and
 * `default.replication.factor`; internal topics are never auto-created here.
 * v0: an empty topic list means every topic; v1+: null means every topic.
 * Deviation: authorized operations are not computed (kts has no authorizer) and stay at
 * Kafka's "not requested" value.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponseBroker,
  MetadataResponseTopic,
} from '../../protocol/messages/03-metadata.js';
import { defineHandler, type BrokerContext, type RequestContext } from '../handler.js';
import { INTERNAL_TOPICS, type TopicMetadata } from '../metadata.js';
import { topicNameError } from '../topic-validation.js';
import { authorizedOperations } from '../auth/authorizer.js';
import { CLUSTER_NAME, ResourceType } from '../../protocol/acl.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const INT32_MIN = -2147483648;

/** The live brokers at their endpoint for the listener the request came in on (metadata cache). */
export function metadataBrokers(ctx: RequestContext): MetadataResponseBroker[] {
  const out: MetadataResponseBroker[] = [];
  for (const b of ctx.broker.metadataCache.aliveBrokers()) {
    const endpoint = b.endpoints.find((e) => e.listener === ctx.listenerName) ?? (b.id === ctx.broker.nodeId ? b.endpoints[0] : undefined);
    if (endpoint) out.push({ nodeId: b.id, host: endpoint.host, port: endpoint.port, rack: b.rack });
  }
  return out;
}

function topicResponse(topic: TopicMetadata): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => ({
      errorCode: p.errorCode ?? ErrorCode.NONE,
      partitionIndex: p.partitionIndex,
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicaNodes,
      isrNodes: p.isrNodes,
      offlineReplicas: p.offlineReplicas,
    })),
    topicAuthorizedOperations: INT32_MIN,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: INT32_MIN };
}

async function autoCreate(name: string, broker: BrokerContext): Promise<MetadataResponseTopic> {
  const invalid = topicNameError(name);
  if (invalid) return errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  try {
    const created = await broker.metadata.createTopic({
      name,
      numPartitions: broker.config.numPartitions,
      replicationFactor: broker.config.defaultReplicationFactor,
    });
    broker.log.info(`Auto-created topic ${name} with ${created.partitions.length} partition(s)`);
    return topicResponse(created);
  } catch (err) {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
      const existing = broker.metadata.topic(name);
      if (existing) return topicResponse(existing);
    }
    broker.log.warn(`Auto-creating topic ${name} failed: ${errorMessage(err)}`);
    return errorTopic(name, ZERO_UUID, err instanceof KafkaError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR);
  }
}

async function requestedTopic(
  entry: { name: string | null; topicId?: string },
  allowAutoCreate: boolean,
  broker: BrokerContext,
): Promise<MetadataResponseTopic> {
  if (entry.name === null || entry.name === undefined) {
    const id = entry.topicId ?? ZERO_UUID;
    const byId = id === ZERO_UUID ? undefined : broker.metadata.topicById(id);
    return byId ? topicResponse(byId) : errorTopic(null, id, ErrorCode.UNKNOWN_TOPIC_ID);
  }
  const topic = broker.metadata.topic(entry.name);
  if (topic) return topicResponse(topic);
  if (allowAutoCreate && !INTERNAL_TOPICS.has(entry.name)) return autoCreate(entry.name, broker);
  const invalid = topicNameError(entry.name);
  return errorTopic(entry.name, ZERO_UUID, invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, ctx) {
    const broker = ctx.broker;
    const allTopics = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    const allowAutoCreate = broker.config.autoCreateTopicsEnable && (ctx.apiVersion < 4 || request.allowAutoTopicCreation !== false);
    const topics: MetadataResponseTopic[] = [];
    if (allTopics) {
      for (const topic of broker.metadata.topics()) topics.push(topicResponse(topic));
    } else {
      const seen = new Set<string>();
      for (const entry of request.topics!) {
        const key = entry.name ?? `id:${entry.topicId ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        topics.push(await requestedTopic(entry, allowAutoCreate, broker));
      }
    }
    // Authorized operations (v8+), when asked for, from the authorizer (security, issue 16).
    if (request.includeTopicAuthorizedOperations) {
      for (const t of topics) if (t.errorCode === ErrorCode.NONE && t.name !== null) t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name);
    }
    return {
      throttleTimeMs: 0,
      brokers: metadataBrokers(ctx),
      clusterId: broker.clusterId,
      controllerId: broker.metadataCache.controllerId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : INT32_MIN,
    };
  },
});
