/**
 * The controller's in-memory view of the cluster (Kafka's ControllerContext): live brokers
 * with their epochs, the brokers shutting down, every partition's assignment and its
 * leadership (LeaderAndIsr plus the state znode's version), reassignments in flight and
 * topics queued for deletion. Only the controller's event loop touches it.
 */
import type { BrokerRegistration, LeaderIsrState, TopicPartition, ZkPartitionState } from './zk-port.js';
import { tpKey } from './zk-port.js';

export interface PartitionReassignment {
  /** Original replicas (OAR). */
  original: number[];
  /** Target replicas (RAR). */
  target: number[];
}

export class ControllerContext {
  epoch = 0;
  epochZkVersion = 0;
  readonly liveBrokers = new Map<number, BrokerRegistration>();
  readonly shuttingDownBrokerIds = new Set<number>();
  /** topic → partition → replicas (assignment order = preference). */
  readonly assignments = new Map<string, Map<number, number[]>>();
  /** tpKey → leadership as last written to ZooKeeper. */
  readonly leadership = new Map<string, ZkPartitionState>();
  /** tpKey → reassignment in flight. */
  readonly reassignments = new Map<string, PartitionReassignment>();
  readonly topicsToDelete = new Set<string>();
  /** Topics whose deletion waits (an offline replica or a reassignment). */
  readonly topicsIneligibleForDeletion = new Set<string>();
  /** broker → partitions (tpKey) whose replica there is on a failed log dir (KAFKA_STORAGE_ERROR). */
  readonly replicasOnOfflineDirs = new Map<number, Set<string>>();

  reset(): void {
    this.liveBrokers.clear();
    this.shuttingDownBrokerIds.clear();
    this.assignments.clear();
    this.leadership.clear();
    this.reassignments.clear();
    this.topicsToDelete.clear();
    this.topicsIneligibleForDeletion.clear();
    this.replicasOnOfflineDirs.clear();
  }

  /** Live and not shutting down: eligible to lead and counted online. */
  isReplicaOnline(brokerId: number, includeShuttingDown = false): boolean {
    if (!this.liveBrokers.has(brokerId)) return false;
    return includeShuttingDown || !this.shuttingDownBrokerIds.has(brokerId);
  }

  /** Online for this partition: live (and not shutting down, unless asked) and not on a failed log dir. */
  isReplicaOnlineFor(tp: TopicPartition, brokerId: number, includeShuttingDown = false): boolean {
    return this.isReplicaOnline(brokerId, includeShuttingDown) && !this.replicasOnOfflineDirs.get(brokerId)?.has(tpKey(tp.topic, tp.partition));
  }

  liveOrShuttingDownBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].sort((a, b) => a - b);
  }

  liveBrokerIds(): number[] {
    return this.liveOrShuttingDownBrokerIds().filter((id) => !this.shuttingDownBrokerIds.has(id));
  }

  replicas(tp: TopicPartition): number[] {
    return this.assignments.get(tp.topic)?.get(tp.partition) ?? [];
  }

  setReplicas(tp: TopicPartition, replicas: number[]): void {
    let parts = this.assignments.get(tp.topic);
    if (!parts) this.assignments.set(tp.topic, (parts = new Map()));
    parts.set(tp.partition, replicas);
  }

  leaderIsr(tp: TopicPartition): ZkPartitionState | undefined {
    return this.leadership.get(tpKey(tp.topic, tp.partition));
  }

  setLeaderIsr(tp: TopicPartition, state: ZkPartitionState): void {
    this.leadership.set(tpKey(tp.topic, tp.partition), state);
  }

  allPartitions(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, parts] of this.assignments) {
      for (const partition of [...parts.keys()].sort((a, b) => a - b)) out.push({ topic, partition });
    }
    return out;
  }

  partitionsOfTopic(topic: string): TopicPartition[] {
    return [...(this.assignments.get(topic)?.keys() ?? [])].sort((a, b) => a - b).map((partition) => ({ topic, partition }));
  }

  partitionsOnBroker(brokerId: number): TopicPartition[] {
    return this.allPartitions().filter((tp) => this.replicas(tp).includes(brokerId));
  }

  partitionsLedBy(brokerId: number): TopicPartition[] {
    return this.allPartitions().filter((tp) => this.leaderIsr(tp)?.leader === brokerId);
  }

  offlineReplicas(tp: TopicPartition): number[] {
    return this.replicas(tp).filter((b) => !this.isReplicaOnlineFor(tp, b, true));
  }

  isTopicQueuedForDeletion(topic: string): boolean {
    return this.topicsToDelete.has(topic);
  }

  removeTopic(topic: string): void {
    for (const tp of this.partitionsOfTopic(topic)) {
      this.leadership.delete(tpKey(tp.topic, tp.partition));
      this.reassignments.delete(tpKey(tp.topic, tp.partition));
    }
    this.assignments.delete(topic);
    this.topicsToDelete.delete(topic);
    this.topicsIneligibleForDeletion.delete(topic);
  }
}

export function leaderIsrEquals(a: LeaderIsrState, b: LeaderIsrState): boolean {
  return a.leader === b.leader && a.leaderEpoch === b.leaderEpoch && a.isr.length === b.isr.length && a.isr.every((x, i) => x === b.isr[i]);
}
