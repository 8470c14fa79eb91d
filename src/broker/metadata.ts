/**
 * The broker's view of topics and partitions: names, topic ids, and per partition the
 * leader, leader epoch, replicas and ISR. kts runs one node, so leader = this node and
 * isr = [this node], but they are real fields computed from the logs, not constants in
 * handlers. The source of truth is storage's LogManager (it persists topic ids, partition
 * counts and leader epochs); this module reads it live, so topics created or deleted by
 * any handler are visible at once.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { BrokerLogManager, BrokerPartitionLog } from './handler.js';

export interface PartitionMetadata {
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
  /** LEADER_NOT_AVAILABLE when the partition has no live leader (cluster mode). */
  errorCode?: number;
}

export interface TopicMetadata {
  name: string;
  /** Kafka's base64url uuid string (22 chars). */
  topicId: string;
  isInternal: boolean;
  /** Sorted by partition index, dense from 0. */
  partitions: PartitionMetadata[];
}

export interface CreateTopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  /** Topic config overrides as Kafka names (`retention.ms` -> "1000"). */
  configs?: Readonly<Record<string, string>>;
  topicId?: string;
  /** Replicas per partition given by hand (CreateTopics assignments), index = partition. */
  assignment?: number[][];
}

export interface MetadataImage {
  readonly nodeId: number;
  topics(): TopicMetadata[];
  topic(name: string): TopicMetadata | undefined;
  topicById(topicId: string): TopicMetadata | undefined;
  /** The name of the topic with this id, without building its metadata (hot path of Fetch v13+). */
  topicNameById(topicId: string): string | undefined;
  /** Creates the logs of every partition; throws KafkaError TOPIC_ALREADY_EXISTS etc. */
  createTopic(spec: CreateTopicSpec): Promise<TopicMetadata>;
  /** Adds partitions up to `totalCount` (replicas of the new ones given by hand, or assigned); throws KafkaError INVALID_PARTITIONS. */
  createPartitions(name: string, totalCount: number, assignment?: number[][]): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<void>;
}


export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export function randomTopicId(): string {
  const bytes = randomBytes(16);
  // Kafka's Uuid.randomUuid never hands out the zero uuid or the metadata topic's id (1).
  bytes[0] = bytes[0]! | 0x01;
  return bytes.toString('base64url');
}

export function createMetadataImage(logManager: BrokerLogManager, nodeId: number): MetadataImage {
  const partitionOf = (log: BrokerPartitionLog): PartitionMetadata => ({
    partitionIndex: log.partition,
    leaderId: nodeId,
    leaderEpoch: log.leaderEpoch,
    replicaNodes: [nodeId],
    isrNodes: [nodeId],
    offlineReplicas: [],
  });

  const snapshot = (): Map<string, TopicMetadata> => {
    const topics = new Map<string, TopicMetadata>();
    for (const log of logManager.allLogs()) {
      let topic = topics.get(log.topic);
      if (!topic) {
        topic = { name: log.topic, topicId: log.topicId, isInternal: INTERNAL_TOPICS.has(log.topic), partitions: [] };
        topics.set(log.topic, topic);
      }
      topic.partitions.push(partitionOf(log));
    }
    for (const topic of topics.values()) topic.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
    return topics;
  };

  const topicNamed = (name: string): TopicMetadata | undefined => {
    let topic: TopicMetadata | undefined;
    for (const log of logManager.topicLogs(name)) {
      topic ??= { name, topicId: log.topicId, isInternal: INTERNAL_TOPICS.has(name), partitions: [] };
      topic.partitions.push(partitionOf(log));
    }
    topic?.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
    return topic;
  };

  const image: MetadataImage = {
    nodeId,
    topics: () => [...snapshot().values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    topic: topicNamed,
    topicById(topicId) {
      for (const log of logManager.allLogs()) if (log.topicId === topicId) return topicNamed(log.topic);
      return undefined;
    },
    topicNameById(topicId) {
      for (const log of logManager.allLogs()) if (log.topicId === topicId) return log.topic;
      return undefined;
    },
    async createTopic(spec) {
      if (topicNamed(spec.name)) {
        throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
      }
      if (!Number.isInteger(spec.numPartitions) || spec.numPartitions < 1) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
      }
      if (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1) {
        throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
      }
      if (spec.replicationFactor > 1) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${spec.replicationFactor} time(s): The target replication factor of ${spec.replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
        );
      }
      const topicId = spec.topicId ?? randomTopicId();
      await logManager.createLogs(spec.name, range(0, spec.numPartitions), topicId, spec.configs ?? {});
      return topicNamed(spec.name)!;
    },
    async createPartitions(name, totalCount) {
      const topic = topicNamed(name);
      if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const current = topic.partitions.length;
      if (totalCount <= current) {
        throw new KafkaError(
          ErrorCode.INVALID_PARTITIONS,
          `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`,
        );
      }
      const configs = configOverridesOf(logManager.getLog(name, 0));
      await logManager.createLogs(name, range(current, totalCount), topic.topicId, configs);
      return topicNamed(name)!;
    },
    async deleteTopic(name) {
      if (!topicNamed(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      await logManager.deleteTopic(name);
    },
  };
  return image;
}

/** Config overrides a partition log carries, if storage exposes them. */
function configOverridesOf(log: BrokerPartitionLog | undefined): Record<string, string> {
  const overrides = (log as { configOverrides?: unknown } | undefined)?.configOverrides;
  if (overrides && typeof overrides === 'object') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(overrides)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  return {};
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
