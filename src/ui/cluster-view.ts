/**
 * What the console shows, read through the normal kts client (Kafka's admin and group APIs),
 * so it works against a kts broker, the local engine, Apache Kafka or Redpanda alike.
 * A snapshot (metadata, offsets, log-dir sizes) costs a handful of requests however many
 * topics there are: one Metadata, two ListOffsets, one DescribeLogDirs per broker. Groups
 * cost two requests each, run GROUP_CONCURRENCY at a time.
 */
import type { GroupDescription, KafkaClient, TopicDescription, TopicPartition } from '../client/index.js';

const GROUP_CONCURRENCY = 16;

export interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  logStartOffset: number;
  highWatermark: number;
  sizeBytes: number;
}

export interface TopicView {
  name: string;
  topicId: string;
  internal: boolean;
  replicationFactor: number;
  partitions: PartitionView[];
  sizeBytes: number;
  /** Records retained: sum over partitions of high watermark - log start offset. */
  messages: number;
  endOffsetSum: number;
  underReplicated: number;
  offline: number;
  /** null until the topic's min.insync.replicas has been read. */
  underMinIsr: number | null;
  /** Largest partition size over the mean (1 = even); 0 for an empty topic. */
  sizeSkew: number;
}

export interface BrokerView {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  controller: boolean;
  leaderCount: number;
  replicaCount: number;
  /** Partitions it leads whose ISR is smaller than their replicas. */
  underReplicatedLeaderCount: number;
  /** Replicas it hosts that are not in their partition's ISR. */
  outOfSyncCount: number;
  sizeBytes: number;
  logDirs: { path: string; error: string | null; sizeBytes: number }[];
}

export interface ClusterSnapshot {
  atMs: number;
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerView[];
  topics: TopicView[];
}

export interface GroupPartitionLag extends TopicPartition {
  committedOffset: number | null;
  endOffset: number | null;
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  coordinator: number;
  members: { memberId: string; clientId: string; host: string; groupInstanceId: string | null; assignment: TopicPartition[] }[];
  partitions: GroupPartitionLag[];
  totalLag: number;
  topics: string[];
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * `minInsyncReplicas(topic)`: the topic's min.insync.replicas when known (read from its
 * config in the background, see MinIsrCache); unknown topics report under-min-ISR as null.
 */
export async function readSnapshot(client: KafkaClient, nowMs: number, minInsyncReplicas: (topic: string) => number | undefined): Promise<ClusterSnapshot> {
  const [cluster, topics] = await Promise.all([client.admin.describeCluster(), client.admin.describeTopics()]);
  // One ListOffsets per leader, so a broker that just died costs only its own partitions' offsets.
  const byLeader = new Map<number, TopicPartition[]>();
  for (const t of topics) for (const p of t.partitions) if (p.leader >= 0) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), { topic: t.name, partition: p.partition }]);
  const [earliest, latest, logDirs] = await Promise.all([
    offsetsByLeader(client, byLeader, 'earliest'),
    offsetsByLeader(client, byLeader, 'latest'),
    logDirsOf(client, cluster.brokers.map((b) => b.nodeId)),
  ]);
  const sizes = new Map<string, number>();
  const brokerSizes = new Map<number, BrokerView['logDirs']>();
  for (const dir of logDirs) {
    let total = 0;
    for (const t of dir.topics) {
      for (const p of t.partitions) {
        if (p.isFutureKey) continue;
        total += p.sizeBytes;
        // Replicas on several brokers: the partition's size is the largest copy.
        const k = key(t.topic, p.partition);
        sizes.set(k, Math.max(sizes.get(k) ?? 0, p.sizeBytes));
      }
    }
    const list = brokerSizes.get(dir.brokerId) ?? [];
    list.push({ path: dir.logDir, error: dir.error, sizeBytes: total });
    brokerSizes.set(dir.brokerId, list);
  }
  const topicViews = topics.map((t) => topicView(t, earliest, latest, sizes, minInsyncReplicas(t.name)));
  const brokers: BrokerView[] = cluster.brokers
    .map((b) => {
      let leaderCount = 0;
      let replicaCount = 0;
      let underReplicatedLeaderCount = 0;
      let outOfSyncCount = 0;
      for (const t of topics) {
        for (const p of t.partitions) {
          if (p.leader === b.nodeId) {
            leaderCount++;
            if (p.isr.length < p.replicas.length) underReplicatedLeaderCount++;
          }
          if (p.replicas.includes(b.nodeId)) {
            replicaCount++;
            if (!p.isr.includes(b.nodeId)) outOfSyncCount++;
          }
        }
      }
      const dirs = brokerSizes.get(b.nodeId) ?? [];
      return {
        nodeId: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack,
        controller: b.nodeId === cluster.controllerId,
        leaderCount,
        replicaCount,
        underReplicatedLeaderCount,
        outOfSyncCount,
        sizeBytes: dirs.reduce((n, d) => n + d.sizeBytes, 0),
        logDirs: dirs,
      };
    })
    .sort((a, b) => a.nodeId - b.nodeId);
  return { atMs: nowMs, clusterId: cluster.clusterId, controllerId: cluster.controllerId, brokers, topics: topicViews };
}

/** Why a partition is not healthy, worst first; null when it is. */
export type PartitionHealth = 'offline' | 'under-min-isr' | 'under-replicated' | null;

export function partitionHealth(p: PartitionView, minInsyncReplicas: number | undefined): PartitionHealth {
  if (p.leader < 0) return 'offline';
  if (minInsyncReplicas !== undefined && p.isr.length < minInsyncReplicas) return 'under-min-isr';
  if (p.isr.length < p.replicas.length) return 'under-replicated';
  return null;
}

export interface BrokerPartitionView {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  role: 'leader' | 'follower';
  /** This broker's replica is in the ISR. */
  inSync: boolean;
  health: PartitionHealth;
}

/** The partitions with a replica on broker `nodeId`, unhealthy ones first. */
export function brokerPartitions(s: ClusterSnapshot, nodeId: number, minInsyncReplicas: (topic: string) => number | undefined): BrokerPartitionView[] {
  const out: BrokerPartitionView[] = [];
  for (const t of s.topics) {
    for (const p of t.partitions) {
      if (!p.replicas.includes(nodeId)) continue;
      out.push({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, role: p.leader === nodeId ? 'leader' : 'follower', inSync: p.isr.includes(nodeId), health: partitionHealth(p, minInsyncReplicas(t.name)) });
    }
  }
  return out.sort((a, b) => Number(b.health !== null) - Number(a.health !== null) || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

export interface UnhealthyPartitionView {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  health: Exclude<PartitionHealth, null>;
}

/** Every offline, under-min-ISR or under-replicated partition of the cluster, worst first. */
export function unhealthyPartitions(s: ClusterSnapshot, minInsyncReplicas: (topic: string) => number | undefined): UnhealthyPartitionView[] {
  const rank = { offline: 0, 'under-min-isr': 1, 'under-replicated': 2 } as const;
  const out: UnhealthyPartitionView[] = [];
  for (const t of s.topics) {
    for (const p of t.partitions) {
      const health = partitionHealth(p, minInsyncReplicas(t.name));
      if (health !== null) out.push({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas, health });
    }
  }
  return out.sort((a, b) => rank[a.health] - rank[b.health] || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/**
 * A broker that does not answer (dead, frozen, overloaded) must not hold or fail the whole
 * page: what it alone would tell (its partitions' offsets, its log dirs) is left out.
 */
const BROKER_WAIT_MS = 3_000;

function withinWait<T>(read: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), BROKER_WAIT_MS)));
  return Promise.race([read.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

async function logDirsOf(client: KafkaClient, brokerIds: readonly number[]): Promise<Awaited<ReturnType<KafkaClient['admin']['describeLogDirs']>>> {
  const each = await Promise.all(brokerIds.map((id) => withinWait(client.admin.describeLogDirs({ brokerIds: [id] }), [])));
  return each.flat();
}

async function offsetsByLeader(client: KafkaClient, byLeader: Map<number, TopicPartition[]>, spec: 'earliest' | 'latest'): Promise<Map<string, number>> {
  const each = await Promise.all([...byLeader.values()].map((tps) => withinWait(listOffsets(client, tps, spec), new Map<string, number>())));
  return new Map(each.flatMap((m) => [...m]));
}

function topicView(t: TopicDescription, earliest: Map<string, number>, latest: Map<string, number>, sizes: Map<string, number>, minIsr: number | undefined): TopicView {
  const partitions: PartitionView[] = t.partitions
    .map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.offlineReplicas,
      logStartOffset: earliest.get(key(t.name, p.partition)) ?? -1,
      highWatermark: latest.get(key(t.name, p.partition)) ?? -1,
      sizeBytes: sizes.get(key(t.name, p.partition)) ?? 0,
    }))
    .sort((a, b) => a.partition - b.partition);
  const sizeBytes = partitions.reduce((n, p) => n + p.sizeBytes, 0);
  const maxSize = partitions.reduce((m, p) => Math.max(m, p.sizeBytes), 0);
  return {
    name: t.name,
    topicId: t.topicId,
    internal: t.isInternal,
    replicationFactor: partitions[0]?.replicas.length ?? 0,
    partitions,
    sizeBytes,
    messages: partitions.reduce((n, p) => n + (p.highWatermark >= 0 && p.logStartOffset >= 0 ? p.highWatermark - p.logStartOffset : 0), 0),
    endOffsetSum: partitions.reduce((n, p) => n + Math.max(0, p.highWatermark), 0),
    underReplicated: partitions.filter((p) => p.leader >= 0 && p.isr.length < p.replicas.length).length,
    offline: partitions.filter((p) => p.leader < 0).length,
    underMinIsr: minIsr === undefined ? null : partitions.filter((p) => p.leader >= 0 && p.isr.length < minIsr).length,
    sizeSkew: sizeBytes > 0 ? maxSize / (sizeBytes / partitions.length) : 0,
  };
}

async function listOffsets(client: KafkaClient, tps: readonly TopicPartition[], spec: 'earliest' | 'latest'): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (tps.length === 0) return out;
  for (const r of await client.admin.listOffsets(tps.map((tp) => ({ ...tp, spec })))) out.set(key(r.topic, r.partition), r.offset);
  return out;
}

/** Every group with its lag; `endOffsets` from a snapshot (high watermarks). */
export async function readGroups(client: KafkaClient, snapshot: ClusterSnapshot): Promise<GroupView[]> {
  const ends = endOffsetsOf(snapshot);
  const listed = await client.groups.listGroups();
  const out: GroupView[] = [];
  for (let i = 0; i < listed.length; i += GROUP_CONCURRENCY) {
    const chunk = listed.slice(i, i + GROUP_CONCURRENCY);
    out.push(...(await Promise.all(chunk.map((g) => readGroup(client, g.groupId, ends)))));
  }
  return out.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** One group with its lag (the group page), against the high watermarks of `snapshot`. */
export async function readGroupView(client: KafkaClient, groupId: string, snapshot: ClusterSnapshot): Promise<GroupView | undefined> {
  const listed = await client.groups.listGroups();
  if (!listed.some((g) => g.groupId === groupId)) return undefined;
  return readGroup(client, groupId, endOffsetsOf(snapshot));
}

function endOffsetsOf(snapshot: ClusterSnapshot): Map<string, number> {
  const ends = new Map<string, number>();
  for (const t of snapshot.topics) for (const p of t.partitions) ends.set(key(t.name, p.partition), p.highWatermark);
  return ends;
}

async function readGroup(client: KafkaClient, groupId: string, ends: Map<string, number>): Promise<GroupView> {
  const [d, committed] = await Promise.all([client.groups.describeGroup(groupId), client.groups.fetchOffsets(groupId)]);
  return groupView(d, committed, ends);
}

function groupView(d: GroupDescription, committed: readonly (TopicPartition & { offset: number })[], ends: Map<string, number>): GroupView {
  const owner = new Map<string, GroupDescription['members'][number]>();
  for (const m of d.members) for (const tp of m.assignment) owner.set(key(tp.topic, tp.partition), m);
  const rows = new Map<string, GroupPartitionLag>();
  const row = (tp: TopicPartition): GroupPartitionLag => {
    const k = key(tp.topic, tp.partition);
    let r = rows.get(k);
    if (!r) {
      const m = owner.get(k);
      const end = ends.get(k);
      r = { topic: tp.topic, partition: tp.partition, committedOffset: null, endOffset: end ?? null, lag: null, memberId: m?.memberId ?? null, clientId: m?.clientId ?? null, host: m?.host ?? null };
      rows.set(k, r);
    }
    return r;
  };
  for (const c of committed) {
    const r = row(c);
    r.committedOffset = c.offset;
    r.lag = r.endOffset !== null && r.endOffset >= 0 ? Math.max(0, r.endOffset - c.offset) : null;
  }
  for (const m of d.members) for (const tp of m.assignment) row(tp);
  const partitions = [...rows.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return {
    groupId: d.groupId,
    state: d.state,
    protocolType: d.protocolType,
    protocol: d.protocol,
    coordinator: d.coordinator.nodeId,
    members: d.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.host, groupInstanceId: m.groupInstanceId, assignment: m.assignment })),
    partitions,
    totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0),
    topics: [...new Set(partitions.map((p) => p.topic))].sort(),
  };
}

/**
 * min.insync.replicas per topic (DescribeConfigs, one request per topic), refreshed in the
 * background so a page never waits for thousands of config reads.
 */
export class MinIsrCache {
  private readonly values = new Map<string, number>();
  private refreshing: Promise<void> | undefined;

  get(topic: string): number | undefined {
    return this.values.get(topic);
  }

  forget(topic: string): void {
    this.values.delete(topic);
  }

  /** Reads the configs of `topics` not known yet (all of them when `all`). */
  refresh(client: KafkaClient, topics: readonly string[], all = false): Promise<void> {
    this.refreshing ??= this.read(client, all ? topics : topics.filter((t) => !this.values.has(t))).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(client: KafkaClient, topics: readonly string[]): Promise<void> {
    for (let i = 0; i < topics.length; i += GROUP_CONCURRENCY) {
      await Promise.all(
        topics.slice(i, i + GROUP_CONCURRENCY).map(async (topic) => {
          try {
            const entries = await client.admin.describeConfigs({ type: 'topic', name: topic }, { keys: ['min.insync.replicas'] });
            const v = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value);
            if (Number.isInteger(v) && v > 0) this.values.set(topic, v);
          } catch {
            // deleted meanwhile, or not allowed: stays unknown
          }
        }),
      );
    }
  }
}
