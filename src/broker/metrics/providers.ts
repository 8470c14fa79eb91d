/**
 * What the metrics read at scrape time, as small interfaces, so the cluster parts
 * (ReplicaManager, controller) can feed them without the metrics module knowing their
 * classes. `singleNodeProviders` implements them for a broker that is a cluster of one:
 * every partition is led here with ISR = replicas, this node is the active controller,
 * and no partition is offline. A cluster broker replaces the partition and controller
 * providers with ones backed by its ReplicaManager and controller (see the report of
 * issue 15 for the one-line calls).
 */
import type { BrokerContext } from '../handler.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { OFFSETS_TOPIC } from '../group/store.js';

/** One partition replica hosted by this broker, as ReplicaManager knows it. */
export interface PartitionReplicaState {
  topic: string;
  partition: number;
  leaderId: number;
  replicas: readonly number[];
  isr: readonly number[];
  minInsyncReplicas: number;
}

export interface PartitionStatsProvider {
  /** Partitions with a replica on this broker. */
  partitions(): Iterable<PartitionReplicaState>;
  /** Since start: times an ISR of a partition led here shrank / grew. */
  isrShrinks(): number;
  isrExpands(): number;
  /** Largest lag in offsets of a partition this broker follows (ReplicaFetcherManager MaxLag). */
  fetcherMaxLag(): number;
}

export interface ControllerStatsProvider {
  /** 1 on the broker that is the active controller, else 0. */
  activeControllerCount(): number;
  /** Partitions without a live leader (meaningful on the active controller only). */
  offlinePartitionCount(): number;
  globalTopicCount(): number;
  globalPartitionCount(): number;
}

/** One partition's log on this broker. */
export interface LogState {
  topic: string;
  partition: number;
  sizeBytes: number;
  segmentCount: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface LogStatsProvider {
  logs(): Iterable<LogState>;
}

export interface GroupOffsets {
  groupId: string;
  state: string;
  memberCount: number;
  offsets: { topic: string; partition: number; offset: number }[];
}

export interface GroupStatsProvider {
  /** Groups this broker coordinates, with their committed offsets. */
  groups(): Promise<GroupOffsets[]>;
}

export interface PurgatoryStatsProvider {
  fetchPurgatorySize(): number;
  producePurgatorySize(): number;
}

export interface MetricsProviders {
  partitions: PartitionStatsProvider;
  controller: ControllerStatsProvider;
  logs: LogStatsProvider;
  groups: GroupStatsProvider;
  purgatory: PurgatoryStatsProvider;
  /** Open client connections on the broker's listeners. */
  connectionCount(): number;
}

/** The members of storage's PartitionLog that logs() needs beyond the broker's view. */
export interface SizedPartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly size: number;
  readonly segmentCount: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly config: { readonly minInsyncReplicas: number };
}

export interface SizedLogManager {
  allLogs(): Iterable<SizedPartitionLog>;
  getLog(topic: string, partition: number): unknown;
}

export function singleNodeProviders(context: BrokerContext, logManager: SizedLogManager, connectionCount: () => number): MetricsProviders {
  const nodeId = context.nodeId;
  return {
    partitions: {
      *partitions() {
        for (const log of logManager.allLogs()) {
          yield { topic: log.topic, partition: log.partition, leaderId: nodeId, replicas: [nodeId], isr: [nodeId], minInsyncReplicas: log.config.minInsyncReplicas };
        }
      },
      isrShrinks: () => 0,
      isrExpands: () => 0,
      fetcherMaxLag: () => 0,
    },
    controller: {
      activeControllerCount: () => 1,
      offlinePartitionCount: () => 0,
      globalTopicCount: () => new Set(Array.from(logManager.allLogs(), (l) => l.topic)).size,
      globalPartitionCount: () => Array.from(logManager.allLogs()).length,
    },
    logs: {
      *logs() {
        for (const log of logManager.allLogs()) {
          yield {
            topic: log.topic,
            partition: log.partition,
            sizeBytes: log.size,
            segmentCount: log.segmentCount,
            logStartOffset: log.logStartOffset,
            logEndOffset: log.logEndOffset,
            highWatermark: log.highWatermark,
          };
        }
      },
    },
    groups: { groups: () => coordinatorGroups(context, logManager) },
    purgatory: {
      // acks=all appends wait in the same purgatory as long polls, tagged by operation.
      fetchPurgatorySize: () => context.purgatory.sizeOf('Fetch'),
      producePurgatorySize: () => context.purgatory.sizeOf('Produce'),
    },
    connectionCount,
  };
}

/**
 * Groups with committed offsets from this broker's group coordinator. A broker that never
 * hosted a group has no `__consumer_offsets`: the coordinator is not started by a scrape.
 */
async function coordinatorGroups(context: BrokerContext, logManager: SizedLogManager): Promise<GroupOffsets[]> {
  if (logManager.getLog(OFFSETS_TOPIC, 0) === undefined) return [];
  const coordinator = groupCoordinatorOf(context);
  const out: GroupOffsets[] = [];
  for (const listed of await coordinator.list()) {
    const [described, fetched] = await Promise.all([coordinator.describe(listed.groupId), coordinator.fetchOffsets(listed.groupId, null)]);
    const offsets: GroupOffsets['offsets'] = [];
    for (const t of fetched) for (const p of t.partitions) if (p.committedOffset >= 0) offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    out.push({ groupId: listed.groupId, state: listed.state, memberCount: described.members.length, offsets });
  }
  return out;
}

// ---- cluster mode: providers over the ReplicaManager and the controller -------------------

/**
 * ISR changes of partitions led here. The place that applies a new ISR (Partition.writeIsr,
 * after the state znode write succeeded) calls `record(previousIsr, newIsr)`.
 */
export class IsrChangeCounter {
  shrinks = 0;
  expands = 0;

  record(before: readonly number[], after: readonly number[]): void {
    if (after.length < before.length) this.shrinks++;
    else if (after.length > before.length) this.expands++;
  }
}

/** The members of ReplicaManager the partition figures read. */
export interface ReplicaManagerView {
  allPartitions(): Iterable<{
    readonly topic: string;
    readonly partition: number;
    readonly leaderId: number;
    readonly replicas: readonly number[];
    readonly isr: readonly number[];
    readonly log: { readonly config: { readonly minInsyncReplicas: number } };
  }>;
  readonly fetchers: { maxLag(): number };
}

/** Partition figures from the ReplicaManager: what this broker hosts, leads and keeps in sync. */
export function partitionStatsFrom(replicaManager: ReplicaManagerView, isrChanges: IsrChangeCounter): PartitionStatsProvider {
  return {
    *partitions() {
      for (const p of replicaManager.allPartitions()) {
        yield { topic: p.topic, partition: p.partition, leaderId: p.leaderId, replicas: p.replicas, isr: p.isr, minInsyncReplicas: p.log.config.minInsyncReplicas };
      }
    },
    isrShrinks: () => isrChanges.shrinks,
    isrExpands: () => isrChanges.expands,
    fetcherMaxLag: () => replicaManager.fetchers.maxLag(),
  };
}

/** What the metrics need from the controller (KafkaController in cluster mode). */
export interface ControllerView {
  isActive(): boolean;
  /** Partitions whose leader is -1 or not a live broker (the active controller's context). */
  offlinePartitionCount(): number;
  topicCount(): number;
  partitionCount(): number;
}

/** Controller figures; only the active controller reports offline partitions and counts, as Kafka does. */
export function controllerStatsFrom(controller: ControllerView): ControllerStatsProvider {
  const active = (): boolean => controller.isActive();
  return {
    activeControllerCount: () => (active() ? 1 : 0),
    offlinePartitionCount: () => (active() ? controller.offlinePartitionCount() : 0),
    globalTopicCount: () => (active() ? controller.topicCount() : 0),
    globalPartitionCount: () => (active() ? controller.partitionCount() : 0),
  };
}
