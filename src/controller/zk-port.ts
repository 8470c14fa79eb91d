/**
 * What the controller needs from ZooKeeper, in Kafka's terms. The zk/ layer's
 * KafkaZkClient provides it (adapter in zk-adapter.ts); the controller codes against this
 * interface so its flows read like Kafka's and stay testable in pieces.
 *
 * Watches: a `watchX(handler)` registers a handler that fires (at most once per change,
 * re-armed by the zk layer) when the znode or its children change. Handlers only enqueue
 * controller events.
 */
import type { BrokerEndpoint } from '../zk/znodes/brokers.js';
import type { TopicPartition } from '../zk/znodes/topic-partition.js';

export type { BrokerEndpoint, TopicPartition };

/** The content of `/brokers/topics/T/partitions/P/state` (Kafka's LeaderIsrAndControllerEpoch). */
export interface LeaderIsrState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
}

/** A partition state as read from or written to ZooKeeper, with the znode version (zkVersion). */
export interface ZkPartitionState extends LeaderIsrState {
  zkVersion: number;
}

/** A live broker's registration in `/brokers/ids/N`; `epoch` is the znode's czxid (KIP-380 broker epoch) or -1. */
export interface BrokerRegistration {
  id: number;
  endpoints: BrokerEndpoint[];
  rack: string | null;
  epoch: number;
}

/** The controller epoch and the version of `/controller_epoch`, checked by every fenced write. */
export interface ControllerFence {
  epoch: number;
  epochZkVersion: number;
}

export type CasResult = { ok: true; zkVersion: number } | { ok: false; reason: 'bad-version' | 'no-node' | 'fenced' };

export interface ControllerZk {
  // election
  getControllerId(): Promise<number | null>;
  watchController(handler: () => void): void;
  /** Creates the ephemeral /controller; false when another broker holds it. */
  tryCreateControllerZnode(brokerId: number): Promise<boolean>;
  /** CAS-increments /controller_epoch (creates "1" when absent); throws when another controller moved it. */
  incrementControllerEpoch(): Promise<ControllerFence>;
  /** Deletes /controller when it is ours (resignation on shutdown). */
  deleteControllerZnode(brokerId: number): Promise<void>;

  // brokers
  getAllBrokers(): Promise<BrokerRegistration[]>;
  watchBrokerIds(handler: () => void): void;
  /** One watch per broker id for the life of the port: a later handler for the same id is ignored. */
  watchBroker(brokerId: number, handler: () => void): void;

  // topics and partitions
  getAllTopics(): Promise<string[]>;
  watchTopics(handler: () => void): void;
  /** partition → replicas of each topic (absent topics are left out). */
  getReplicaAssignment(topics: readonly string[]): Promise<Map<string, Map<number, number[]>>>;
  watchTopicAssignment(topic: string, handler: () => void): void;
  unwatchTopicAssignment(topic: string): void;
  setReplicaAssignment(topic: string, assignment: ReadonlyMap<number, readonly number[]>, fence: ControllerFence): Promise<void>;
  getPartitionStates(partitions: readonly TopicPartition[]): Promise<Map<string, ZkPartitionState>>;
  /** Creates state znodes; returns the created ones' zkVersion (0), or an error per partition (node exists). */
  createPartitionStates(states: ReadonlyMap<string, LeaderIsrState>, fence: ControllerFence): Promise<Map<string, CasResult>>;
  /** CAS-sets state znodes against each expected zkVersion. */
  updatePartitionStates(states: ReadonlyMap<string, ZkPartitionState>, fence: ControllerFence): Promise<Map<string, CasResult>>;
  getTopicConfig(topic: string): Promise<Record<string, string>>;

  // topic deletion
  getTopicDeletions(): Promise<string[]>;
  watchTopicDeletions(handler: () => void): void;
  deleteTopicDeletions(topics: readonly string[], fence: ControllerFence): Promise<void>;
  /** Deletes /brokers/topics/T (recursively) and /config/topics/T. */
  deleteTopicZnodes(topic: string, fence: ControllerFence): Promise<void>;

  // reassignment (/admin/reassign_partitions)
  getPartitionReassignment(): Promise<Map<string, number[]>>;
  watchPartitionReassignment(handler: () => void): void;
  /** Rewrites the znode with the remaining partitions, deletes it when empty. */
  setOrDeletePartitionReassignment(remaining: ReadonlyMap<string, readonly number[]>, fence: ControllerFence): Promise<void>;
  watchPartitionState(tp: TopicPartition, handler: () => void): void;
  /** Drops the state znode watch once the partition's reassignment is done. */
  unwatchPartitionState(tp: TopicPartition): void;

  // preferred replica election (/admin/preferred_replica_election)
  getPreferredReplicaElection(): Promise<TopicPartition[]>;
  watchPreferredReplicaElection(handler: () => void): void;
  deletePreferredReplicaElection(fence: ControllerFence): Promise<void>;

  // ISR change notifications
  getIsrChangeNotifications(): Promise<{ name: string; partitions: TopicPartition[] }[]>;
  watchIsrChangeNotifications(handler: () => void): void;
  deleteIsrChangeNotifications(names: readonly string[], fence: ControllerFence): Promise<void>;

  // log dir failure notifications (/log_dir_event_notification)
  getLogDirEventNotifications(): Promise<{ name: string; brokerId: number }[]>;
  watchLogDirEventNotifications(handler: () => void): void;
  deleteLogDirEventNotifications(names: readonly string[], fence: ControllerFence): Promise<void>;

  // session
  onSessionExpired(handler: () => void): void;
  onNewSession(handler: () => void): void;
}

/** The `t-0` key of a topic-partition, the one the zk/ and storage/ layers use. */
export { topicPartitionKey as tpKey } from '../zk/znodes/topic-partition.js';
