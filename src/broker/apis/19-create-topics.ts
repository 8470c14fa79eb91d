/**
 * CreateTopics (key 19), versions 0-7. Checks each topic the way Kafka's KRaft controller
 * does and with its messages: duplicate names in one request, legal name, `.`/`_`
 * collision, already exists, config values (null, unknown names, bad values through the
 * topic config table), then manual assignment vs counts, partition count and replication
 * factor (-1 → num.partitions / default.replication.factor) and brokers (one node: a
 * replication factor above 1 cannot be met). validate_only checks everything and creates
 * nothing. The broker's partition limits (max.broker.partitions, open files) are checked
 * before anything is created (partition-limits.ts); a creation failing midway removes what it made.
 * v5+ answers the topic's effective configs, partition count and replication factor;
 * v7+ the topic id. Deliberate deviation: validate_only answers the zero uuid, where Kafka
 * answers a random id that no topic will ever have.
 * timeout_ms <= 0 is REQUEST_TIMED_OUT for every topic (Kafka's controller deadline has
 * passed); otherwise creation is synchronous on one node and finishes within any deadline.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { parseTopicConfigs } from '../../storage/log-config.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { describeTopicConfigs } from '../configs/describe.js';
import { checkPartitionLimits } from '../partition-limits.js';
import { brokerLayersOf } from '../configs/dynamic-configs.js';
import { replicationFactorError, validateNewTopicName, validateReplicaAssignment } from '../topic-validation.js';
import type { CreatableTopic, CreatableTopicResult, CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/19-create-topics.js';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** What a topic will look like once created (or would, for validate_only). */
interface TopicPlan {
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** The live brokers (the metadata cache; on one node, this broker). */
function registeredBrokers(broker: BrokerContext): Set<number> {
  const alive = broker.metadataCache.aliveBrokers().map((b) => b.id);
  return new Set(alive.length > 0 ? alive : [broker.nodeId]);
}

function configMap(topic: CreatableTopic): Record<string, string> {
  const nulls = topic.configs.filter((c) => c.value === null).map((c) => c.name);
  if (nulls.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
  }
  const out: Record<string, string> = {};
  for (const c of topic.configs) out[c.name] = c.value!;
  return out;
}

/** Partition count and replication factor from a manual assignment. */
function planFromAssignment(topic: CreatableTopic, broker: BrokerContext): { numPartitions: number; replicationFactor: number } {
  if (topic.replicationFactor !== -1) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
  }
  if (topic.numPartitions !== -1) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.');
  }
  const seen = new Set<number>();
  let replicas: number | null = null;
  for (const a of topic.assignments) {
    if (seen.has(a.partitionIndex)) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
    }
    validateReplicaAssignment(a.brokerIds, registeredBrokers(broker), replicas);
    replicas = a.brokerIds.length;
    seen.add(a.partitionIndex);
  }
  for (let i = 0; i < seen.size; i++) {
    if (!seen.has(i)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
  }
  return { numPartitions: seen.size, replicationFactor: replicas ?? 0 };
}

function planFromCounts(topic: CreatableTopic, broker: BrokerContext): { numPartitions: number; replicationFactor: number } {
  if (topic.replicationFactor < -1 || topic.replicationFactor === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
  }
  if (topic.numPartitions < -1 || topic.numPartitions === 0) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
  }
  const numPartitions = topic.numPartitions === -1 ? broker.config.numPartitions : topic.numPartitions;
  const replicationFactor = topic.replicationFactor === -1 ? broker.config.defaultReplicationFactor : topic.replicationFactor;
  const brokers = registeredBrokers(broker).size;
  if (replicationFactor > brokers) throw replicationFactorError(replicationFactor, brokers);
  return { numPartitions, replicationFactor };
}

/** Every check of one topic; throws KafkaError with Kafka's code and message. */
export function planTopic(topic: CreatableTopic, broker: BrokerContext): TopicPlan {
  const existing = broker.metadata.topics().map((t) => t.name);
  validateNewTopicName(topic.name, existing);
  if (broker.metadata.topic(topic.name)) {
    throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`);
  }
  // Kafka's controller validates the configs before it looks at counts and placement.
  const configs = configMap(topic);
  parseTopicConfigs(configs);
  const counts = topic.assignments.length > 0 ? planFromAssignment(topic, broker) : planFromCounts(topic, broker);
  return { ...counts, configs };
}

function result(name: string, error: ApiError): CreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

function successResult(name: string, topicId: string, plan: TopicPlan, broker: BrokerContext): CreatableTopicResult {
  const configs = describeTopicConfigs(plan.configs, brokerLayersOf(broker), {
    keys: null,
    includeSynonyms: false,
    includeDocumentation: false,
  }).map((c) => ({ name: c.name, value: c.sensitive ? null : c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.sensitive }));
  return { ...result(name, NO_ERROR), topicId, numPartitions: plan.numPartitions, replicationFactor: plan.replicationFactor, configs };
}

async function createOne(topic: CreatableTopic, validateOnly: boolean, broker: BrokerContext): Promise<CreatableTopicResult> {
  try {
    const plan = planTopic(topic, broker);
    checkPartitionLimits(broker, plan.numPartitions);
    if (validateOnly) return successResult(topic.name, ZERO_UUID, plan, broker);
    const created = await broker.metadata.createTopic({
      name: topic.name,
      numPartitions: plan.numPartitions,
      replicationFactor: plan.replicationFactor,
      configs: plan.configs,
      ...(topic.assignments.length > 0 ? { assignment: [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds) } : {}),
    });
    broker.log.info(
      `Created topic ${topic.name} with topic id ${created.topicId}, ${plan.numPartitions} partition(s)` +
        (Object.keys(plan.configs).length > 0 ? ` and configs ${JSON.stringify(plan.configs)}` : ''),
    );
    return successResult(topic.name, created.topicId, plan, broker);
  } catch (err) {
    return result(topic.name, apiErrorOf(err));
  }
}

function duplicateNames(topics: readonly CreatableTopic[]): Set<string> {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const t of topics) (seen.has(t.name) ? dupes : seen).add(t.name);
  return dupes;
}

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(request, ctx) {
    // Kafka's controller takes timeout_ms as a deadline: zero or less has passed before the
    // request is looked at, so every topic times out and nothing is created.
    if (request.timeoutMs <= 0) {
      return { throttleTimeMs: 0, topics: request.topics.map((t) => result(t.name, apiError(ErrorCode.REQUEST_TIMED_OUT))) };
    }
    const dupes = duplicateNames(request.topics);
    const topics: CreatableTopicResult[] = [];
    for (const topic of request.topics) {
      if (dupes.has(topic.name)) continue;
      topics.push(await createOne(topic, request.validateOnly ?? false, ctx.broker));
    }
    // Kafka answers duplicated names after the others, once each.
    for (const name of dupes) topics.push(result(name, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')));
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => result(t.name, apiError(errorCode))) };
  },
});
