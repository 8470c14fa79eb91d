/**
 * The broker's view of topics in cluster mode: read from the metadata cache (what the
 * controller sent in UpdateMetadata), and changed the way Kafka's AdminManager changes
 * them: a new topic's replica assignment and configs are written to ZooKeeper (the
 * controller elects its leaders), partitions are added by rewriting the assignment, and a
 * deletion is queued under /admin/delete_topics. Each then waits, up to the request's
 * timeout, until the metadata cache shows the result (Kafka's DelayedCreatePartitions).
 */
import { derivedTopicId } from '../../storage/meta-properties.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { assignAddedPartitions, assignReplicasToBrokers } from '../../admin/replica-assignment.js';
import { INTERNAL_TOPICS, type CreateTopicSpec, type MetadataImage, type PartitionMetadata, type TopicMetadata } from '../metadata.js';
import type { MetadataCache, PartitionState } from './metadata-cache.js';
import { type PartitionLimits, checkAssignmentLimits, replicasPerBroker } from '../partition-limits.js';

/** What this module needs from ZooKeeper (KafkaZkClient provides it). */
export interface TopicAdminZk {
  createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<void>;
  getReplicaAssignment(topics: string[]): Promise<Map<string, { partitions: Map<number, number[]>; zkVersion: number }>>;
  setReplicaAssignment(topic: string, assignment: Map<number, number[]>, expectedVersion: number): Promise<number>;
  createTopicDeletion(topic: string): Promise<boolean>;
  getEntityConfig(type: 'topics', name: string): Promise<Record<string, string>>;
}

// Topics whose znode carries no id (written by Kafka before 2.8) get derivedTopicId (storage/):
// every broker derives it alike, and a single node derives the same for such a log dir.
export { derivedTopicId };

export function partitionMetadataOf(s: PartitionState, alive: (id: number) => boolean): PartitionMetadata {
  const offline = s.offlineReplicas.length > 0 ? s.offlineReplicas : s.replicas.filter((r) => !alive(r));
  const leaderAlive = s.leader >= 0 && alive(s.leader);
  return {
    partitionIndex: s.partition,
    // Kafka answers leader -1 (LEADER_NOT_AVAILABLE) while the leader is not a live broker.
    leaderId: leaderAlive ? s.leader : -1,
    leaderEpoch: s.leaderEpoch,
    replicaNodes: s.replicas,
    isrNodes: s.isr,
    offlineReplicas: offline,
    errorCode: leaderAlive ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
  };
}

export interface ClusterImageOptions {
  nodeId: number;
  cache: MetadataCache;
  zk: TopicAdminZk;
  /** How long an admin change waits for the controller to make it visible. */
  waitTimeoutMs: number;
  /** Told of each topic created here, with its config overrides. */
  onTopicCreated?(topic: string, configs: Record<string, string>): void;
  /** max.broker.partitions and this broker's descriptor limit, checked against each new assignment. */
  limits?: PartitionLimits;
}

export function createClusterMetadataImage(opts: ClusterImageOptions): MetadataImage {
  const { cache, zk } = opts;
  const alive = (id: number): boolean => cache.aliveBroker(id) !== undefined;

  const topicNamed = (name: string): TopicMetadata | undefined => {
    const parts = cache.topicPartitions(name);
    if (!parts) return undefined;
    return {
      name,
      topicId: cache.topicId(name) ?? derivedTopicId(name),
      isInternal: INTERNAL_TOPICS.has(name),
      partitions: parts.map((p) => partitionMetadataOf(p, alive)),
    };
  };

  /** Resolves once `ready()` holds (checked as UpdateMetadata arrives), or fails with REQUEST_TIMED_OUT. */
  const waitFor = async (ready: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + opts.waitTimeoutMs;
    while (!ready()) {
      if (Date.now() >= deadline) throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `Timed out after ${opts.waitTimeoutMs} ms waiting for the controller to ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const brokersForAssignment = () => cache.aliveBrokers().map((b) => ({ id: b.id, rack: b.rack }));

  /** Refuses (POLICY_VIOLATION) an assignment that puts a broker over its partition limit. */
  const checkLimits = (added: Iterable<readonly number[]>): void => {
    if (!opts.limits) return;
    const assigned = replicasPerBroker(cache.topicNames().flatMap((t) => cache.topicPartitions(t) ?? []));
    checkAssignmentLimits(assigned, added, opts.nodeId, opts.limits);
  };

  const image: MetadataImage = {
    nodeId: opts.nodeId,
    topics: () => cache.topicNames().map((n) => topicNamed(n)!).filter((t) => t !== undefined),
    topic: topicNamed,
    topicById(topicId) {
      const name = image.topicNameById(topicId);
      return name === undefined ? undefined : topicNamed(name);
    },
    topicNameById(topicId) {
      for (const name of cache.topicNames()) if ((cache.topicId(name) ?? derivedTopicId(name)) === topicId) return name;
      return undefined;
    },
    async createTopic(spec: CreateTopicSpec) {
      if (topicNamed(spec.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
      const assignment = spec.assignment
        ? new Map(spec.assignment.map((replicas, p) => [p, [...replicas]]))
        : assignReplicasToBrokers(brokersForAssignment(), spec.numPartitions, spec.replicationFactor);
      checkLimits(assignment.values());
      try {
        await zk.createTopic(spec.name, assignment, { ...(spec.configs ?? {}) });
        opts.onTopicCreated?.(spec.name, { ...(spec.configs ?? {}) });
      } catch (err) {
        if (err instanceof Error && err.name === 'TopicExistsError') throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
        throw err;
      }
      const count = assignment.size;
      await waitFor(() => {
        const parts = cache.topicPartitions(spec.name);
        return parts !== undefined && parts.length === count && parts.every((p) => p.leader >= 0);
      }, `elect leaders for the partitions of ${spec.name}`);
      return topicNamed(spec.name)!;
    },
    async createPartitions(name, totalCount, manual) {
      if (!topicNamed(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const current = (await zk.getReplicaAssignment([name])).get(name);
      if (!current) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const added = manual
        ? new Map(manual.map((replicas, i) => [current.partitions.size + i, [...replicas]]))
        : assignAddedPartitions(brokersForAssignment(), current.partitions, totalCount);
      checkLimits(added.values());
      const next = new Map([...current.partitions, ...added]);
      await zk.setReplicaAssignment(name, next, current.zkVersion);
      await waitFor(() => (cache.topicPartitions(name)?.filter((p) => p.leader >= 0).length ?? 0) >= totalCount, `elect leaders for the new partitions of ${name}`);
      return topicNamed(name)!;
    },
    async deleteTopic(name) {
      if (!topicNamed(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      await zk.createTopicDeletion(name);
      await waitFor(() => cache.topicPartitions(name) === undefined, `delete topic ${name}`);
    },
  };
  return image;
}
