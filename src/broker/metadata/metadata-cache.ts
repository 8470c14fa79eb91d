/**
 * The metadata cache (Kafka's MetadataCache): live brokers and the state of every
 * partition in the cluster, as the controller last sent them in UpdateMetadata. Client
 * Metadata responses, leader lookups for follower fetchers and FindCoordinator answer from
 * here, never from ZooKeeper. A partition state with leader -2 (the controller deleting the
 * topic) removes the partition.
 */
import type { UpdateMetadataPartitionState, UpdateMetadataRequest } from '../../protocol/messages/06-update-metadata.js';

export const LEADER_DURING_DELETE = -2;
export const NO_LEADER = -1;

export interface BrokerEndpoint {
  listener: string;
  host: string;
  port: number;
  securityProtocol: number;
}

export interface AliveBroker {
  id: number;
  endpoints: BrokerEndpoint[];
  rack: string | null;
}

export interface PartitionState {
  topic: string;
  partition: number;
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
  offlineReplicas: number[];
}

const SECURITY_PROTOCOL_NAMES = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const SECURITY_PROTOCOL_IDS: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

export function securityProtocolName(id: number): string {
  return SECURITY_PROTOCOL_NAMES[id] ?? 'PLAINTEXT';
}
export function securityProtocolId(name: string): number {
  return SECURITY_PROTOCOL_IDS[name] ?? 0;
}

export class MetadataCache {
  controllerId = -1;
  private brokers = new Map<number, AliveBroker>();
  private topics = new Map<string, Map<number, PartitionState>>();
  private topicIds = new Map<string, string>();
  /** Bumped on every update, so waiters can tell something changed. */
  version = 0;

  /** Apply an UpdateMetadata request (any version). Returns the partitions it deleted. */
  updateMetadata(request: UpdateMetadataRequest): Array<{ topic: string; partition: number }> {
    this.controllerId = request.controllerId;
    this.brokers = new Map(request.liveBrokers.map((b) => [b.id, aliveBrokerOf(b)]));
    const deleted: Array<{ topic: string; partition: number }> = [];
    const apply = (topic: string, s: UpdateMetadataPartitionState): void => {
      if (s.leader === LEADER_DURING_DELETE) {
        const parts = this.topics.get(topic);
        if (parts?.delete(s.partitionIndex)) deleted.push({ topic, partition: s.partitionIndex });
        if (parts && parts.size === 0) {
          this.topics.delete(topic);
          this.topicIds.delete(topic);
        }
        return;
      }
      this.putPartitionState({
        topic,
        partition: s.partitionIndex,
        controllerEpoch: s.controllerEpoch,
        leader: s.leader,
        leaderEpoch: s.leaderEpoch,
        isr: [...s.isr],
        zkVersion: s.zkVersion,
        replicas: [...s.replicas],
        offlineReplicas: [...(s.offlineReplicas ?? [])],
      });
    };
    for (const s of request.ungroupedPartitionStates ?? []) apply(s.topicName ?? '', s);
    for (const t of request.topicStates ?? []) {
      if (t.topicId && !/^A+$/.test(t.topicId)) this.topicIds.set(t.topicName, t.topicId);
      for (const s of t.partitionStates) apply(t.topicName, s);
    }
    this.version++;
    return deleted;
  }

  /** Insert or replace one partition's state (UpdateMetadata, or single-node mode's own view). */
  putPartitionState(state: PartitionState): void {
    let parts = this.topics.get(state.topic);
    if (!parts) this.topics.set(state.topic, (parts = new Map()));
    parts.set(state.partition, state);
  }

  setTopicId(topic: string, topicId: string): void {
    this.topicIds.set(topic, topicId);
  }

  aliveBrokers(): AliveBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  aliveBroker(id: number): AliveBroker | undefined {
    return this.brokers.get(id);
  }

  /** The endpoint of broker `id` on `listener`, or undefined when it is down or has no such listener. */
  endpoint(id: number, listener: string): BrokerEndpoint | undefined {
    return this.brokers.get(id)?.endpoints.find((e) => e.listener === listener);
  }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  /** Partition states of a topic sorted by partition, or undefined for an unknown topic. */
  topicPartitions(topic: string): PartitionState[] | undefined {
    const parts = this.topics.get(topic);
    return parts ? [...parts.values()].sort((a, b) => a.partition - b.partition) : undefined;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  topicId(topic: string): string | undefined {
    return this.topicIds.get(topic);
  }
}

function aliveBrokerOf(b: UpdateMetadataRequest['liveBrokers'][number]): AliveBroker {
  const endpoints: BrokerEndpoint[] = b.endpoints
    ? b.endpoints.map((e) => ({
        listener: e.listener && e.listener.length > 0 ? e.listener : securityProtocolName(e.securityProtocol),
        host: e.host,
        port: e.port,
        securityProtocol: e.securityProtocol,
      }))
    : [{ listener: 'PLAINTEXT', host: b.v0Host ?? '', port: b.v0Port ?? -1, securityProtocol: 0 }];
  return { id: b.id, endpoints, rack: b.rack ?? null };
}
