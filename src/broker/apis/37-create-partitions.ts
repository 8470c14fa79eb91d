/**
 * CreatePartitions (key 37), versions 0-3. Increases a topic's partition count (never
 * decreases), with Kafka's KRaft messages: "Topic already has N partition(s).", "The topic T
 * currently has N partition(s); M would not be an increase.", assignment count and replica
 * checks (the replication factor of new partitions must match the existing ones).
 * validate_only checks and changes nothing; timeout_ms <= 0 is REQUEST_TIMED_OUT (Kafka's
 * controller deadline has passed). New partitions inherit the topic's configs. The broker's
 * partition limits are checked first (partition-limits.ts); a failure midway removes what it made.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { validateReplicaAssignment } from '../topic-validation.js';
import { checkPartitionLimits } from '../partition-limits.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitionsTopic, CreatePartitionsTopicResult } from '../../protocol/messages/37-create-partitions.js';

const row = (name: string, error: ApiError): CreatePartitionsTopicResult => ({
  name,
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
});

/** Every check; returns the partition count before the change. */
export function checkIncrease(topic: CreatePartitionsTopic, broker: BrokerContext): number {
  const current = broker.metadata.topic(topic.name);
  if (!current) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const existing = current.partitions.length;
  if (topic.count === existing) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${existing} partition(s).`);
  if (topic.count < existing) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${topic.name} currently has ${existing} partition(s); ${topic.count} would not be an increase.`,
    );
  }
  const additional = topic.count - existing;
  if (topic.assignments !== null) {
    if (topic.assignments.length !== additional) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`,
      );
    }
    const replicas = current.partitions[0]?.replicaNodes.length ?? 1;
    for (const a of topic.assignments) validateReplicaAssignment(a.brokerIds, liveBrokerIds(broker), replicas);
  }
  return existing;
}

/** The live brokers (the metadata cache; on one node, this broker). */
function liveBrokerIds(broker: BrokerContext): Set<number> {
  const alive = broker.metadataCache.aliveBrokers().map((b) => b.id);
  return new Set(alive.length > 0 ? alive : [broker.nodeId]);
}

async function increase(topic: CreatePartitionsTopic, validateOnly: boolean, broker: BrokerContext): Promise<ApiError> {
  try {
    const existing = checkIncrease(topic, broker);
    checkPartitionLimits(broker, topic.count - existing);
    if (validateOnly) return NO_ERROR;
    await broker.metadata.createPartitions(topic.name, topic.count, topic.assignments?.map((a) => a.brokerIds));
    broker.log.info(`Increased the partitions of ${topic.name} from ${existing} to ${topic.count}`);
    return NO_ERROR;
  } catch (err) {
    return apiErrorOf(err);
  }
}

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    if (request.timeoutMs <= 0) {
      // Kafka's controller deadline has passed: nothing is looked at, nothing changes.
      return { throttleTimeMs: 0, results: request.topics.map((t) => row(t.name, apiError(ErrorCode.REQUEST_TIMED_OUT))) };
    }
    const seen = new Set<string>();
    const dupes = new Set<string>();
    for (const t of request.topics) (seen.has(t.name) ? dupes : seen).add(t.name);
    const results: CreatePartitionsTopicResult[] = [];
    for (const name of dupes) results.push(row(name, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')));
    for (const topic of request.topics) {
      if (dupes.has(topic.name)) continue;
      results.push(row(topic.name, await increase(topic, request.validateOnly, ctx.broker)));
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => row(t.name, apiError(errorCode))) };
  },
});
