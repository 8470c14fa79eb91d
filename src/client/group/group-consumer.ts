/**
 * A consumer in a consumer group (the classic protocol): it finds the coordinator, joins
 * (with the MEMBER_ID_REQUIRED round trip), runs the assignor when it is the leader,
 * syncs, then fetches its partitions through an assign-mode consumer, starting at the
 * committed offsets (auto.offset.reset where there are none). A heartbeat timer (the
 * heartbeat thread of Java's consumer) keeps the session alive and notices rebalances;
 * the next poll() rejoins. Before partitions are revoked the listener runs and positions
 * are committed (eager protocol: all partitions; cooperative-sticky: only those that
 * move). Auto commit every auto.commit.interval.ms from poll(), and on close, which also
 * leaves the group (static members do not leave, as in Java).
 *
 * Group keys (group.id, group.instance.id, session.timeout.ms, heartbeat.interval.ms,
 * max.poll.interval.ms, rebalance timeout = max.poll.interval.ms, enable.auto.commit,
 * auto.commit.interval.ms, partition.assignment.strategy) are parsed here; the rest go to
 * the assign-mode consumer's config.
 */
import { ApiKey } from '../../protocol/apis.js';
import { encodeAssignment, encodeSubscription, decodeSubscription } from '../../protocol/data.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { KtsError, UsageError } from '../../util/errors.js';
import type { Cluster } from '../cluster.js';
import { KafkaConsumer } from '../consumer.js';
import type { ClientConfig } from '../config.js';
import type { ConsumerGroupMetadata, ConsumerRecord, TopicPartition } from '../types.js';
import { tpKey } from '../types.js';
import { assignorByName, type Assignor, type AssignorMember } from './assignors.js';
import { GroupAdmin, assignmentOf, groupByTopic } from './group-admin.js';

export interface RebalanceListener {
  /** Before partitions are taken away (after positions were committed when auto commit is on). */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface GroupConsumerSettings {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  assignors: Assignor[];
}

/** Keys this module reads; everything else belongs to the fetching consumer. */
export const GROUP_CONFIG_KEYS: readonly string[] = [
  'group.id',
  'group.instance.id',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'partition.assignment.strategy',
];

function intSetting(config: Readonly<Record<string, string>>, key: string, fallback: number, min = 1): number {
  const raw = config[key];
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`Invalid value '${raw}' for ${key}: expected an integer >= ${min}`);
  return n;
}

/** Splits a config map into group settings and the remaining consumer config; validates the group keys. */
export function parseGroupConfig(config: Readonly<Record<string, string>>): { settings: GroupConsumerSettings; rest: Record<string, string> } {
  const groupId = config['group.id']?.trim();
  if (!groupId) throw new UsageError('A group consumer needs group.id');
  const autoCommitRaw = (config['enable.auto.commit'] ?? 'true').trim().toLowerCase();
  if (autoCommitRaw !== 'true' && autoCommitRaw !== 'false') throw new UsageError(`Invalid value '${config['enable.auto.commit']}' for enable.auto.commit: expected true or false`);
  const strategies = (config['partition.assignment.strategy'] ?? 'range,cooperative-sticky').split(',').map((s) => s.trim()).filter(Boolean);
  const assignors = strategies.map((s) => {
    // Java class names are accepted too: org.apache.kafka.clients.consumer.RangeAssignor etc.
    const short = s.replace(/^.*\./, '').replace(/Assignor$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
    const a = assignorByName(s.toLowerCase()) ?? assignorByName(short === 'round-robin' ? 'roundrobin' : short);
    if (!a) throw new UsageError(`Unknown partition.assignment.strategy '${s}'`, 'Use range, roundrobin, sticky or cooperative-sticky');
    return a;
  });
  if (assignors.length === 0) throw new UsageError('partition.assignment.strategy is empty');
  const sessionTimeoutMs = intSetting(config, 'session.timeout.ms', 45_000);
  const settings: GroupConsumerSettings = {
    groupId,
    groupInstanceId: config['group.instance.id']?.trim() || null,
    sessionTimeoutMs,
    heartbeatIntervalMs: intSetting(config, 'heartbeat.interval.ms', Math.min(3_000, Math.floor(sessionTimeoutMs / 3))),
    maxPollIntervalMs: intSetting(config, 'max.poll.interval.ms', 300_000),
    enableAutoCommit: autoCommitRaw === 'true',
    autoCommitIntervalMs: intSetting(config, 'auto.commit.interval.ms', 5_000, 0),
    assignors,
  };
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (!GROUP_CONFIG_KEYS.includes(k)) rest[k] = v;
  return { settings, rest };
}

type Phase = 'unjoined' | 'stable' | 'closed';

const REJOIN_ERRORS: ReadonlySet<number> = new Set([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);

export class GroupConsumer {
  readonly settings: GroupConsumerSettings;
  private readonly admin: GroupAdmin;
  private readonly fetcher: KafkaConsumer;
  private readonly cooperative: boolean;
  private topics: string[] = [];
  private listener: RebalanceListener = {};
  private memberId = '';
  private generationId = -1;
  private phase: Phase = 'unjoined';
  private rejoinNeeded = true;
  private owned: TopicPartition[] = [];
  /** Next offset to hand out per partition (the offset to commit). */
  private readonly positions = new Map<string, number>();
  private readonly lastCommitted = new Map<string, number>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private fatal: Error | undefined;
  private lastPollMs = Date.now();
  private nextAutoCommitMs = 0;

  constructor(cluster: Cluster, fetchConfig: ClientConfig, settings: GroupConsumerSettings) {
    this.settings = settings;
    this.admin = new GroupAdmin(cluster);
    this.fetcher = new KafkaConsumer(cluster, fetchConfig);
    this.cooperative = settings.assignors.every((a) => a.cooperative);
  }

  get groupId(): string {
    return this.settings.groupId;
  }

  /** The member id the coordinator gave this consumer ('' before the first join). */
  get currentMemberId(): string {
    return this.memberId;
  }

  get generation(): number {
    return this.generationId;
  }

  /**
   * This member's current membership (Java's KafkaConsumer.groupMetadata()), for
   * `producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata())`: the group
   * coordinator then refuses the offsets once a rebalance has moved on without this member.
   */
  groupMetadata(): ConsumerGroupMetadata {
    return { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.settings.groupInstanceId };
  }

  subscribe(topics: readonly string[], listener: RebalanceListener = {}): void {
    if (topics.length === 0) throw new UsageError('subscribe() needs at least one topic');
    this.topics = [...new Set(topics)].sort();
    this.listener = listener;
    this.rejoinNeeded = true;
  }

  assignment(): TopicPartition[] {
    return this.owned.map((tp) => ({ ...tp }));
  }

  /** Moves an owned partition's position (Java's seek()): the next poll reads from `offset`, a commit stores it. */
  seek(tp: TopicPartition, offset: number): void {
    if (!this.owned.some((o) => o.topic === tp.topic && o.partition === tp.partition)) {
      throw new UsageError(`Partition ${tpKey(tp)} is not assigned to this member`);
    }
    this.fetcher.seek(tp, offset);
    this.positions.set(tpKey(tp), offset);
  }

  /** Joins/rejoins the group when needed, auto-commits when due, then returns records of the assigned partitions. */
  async poll(timeoutMs: number): Promise<ConsumerRecord[]> {
    if (this.phase === 'closed') throw new KtsError('KTS_CONSUMER_CLOSED', 'poll() after the consumer was closed');
    if (this.topics.length === 0) throw new UsageError('poll() before subscribe()');
    this.lastPollMs = Date.now();
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      this.throwIfFatal();
      if (this.rejoinNeeded || this.phase !== 'stable') await this.joinGroup(deadline);
      await this.maybeAutoCommit();
      const left = deadline - Date.now();
      const records = await this.fetcher.poll(Math.max(0, Math.min(left, this.settings.heartbeatIntervalMs)));
      this.lastPollMs = Date.now();
      if (this.rejoinNeeded && records.length === 0 && Date.now() < deadline) continue;
      for (const r of records) this.positions.set(tpKey(r), r.offset + 1);
      if (records.length > 0 || Date.now() >= deadline) return records;
    }
  }

  /** Commits the positions of records returned so far (or the given offsets). */
  async commitSync(offsets?: ReadonlyMap<string, number>): Promise<void> {
    if (!offsets) await this.resolveUnreadPositions();
    const toCommit: (TopicPartition & { offset: number })[] = [];
    const source = offsets ?? this.positions;
    for (const tp of this.owned) {
      const key = tpKey(tp);
      const offset = source.get(key);
      if (offset !== undefined && (offsets || this.lastCommitted.get(key) !== offset)) toCommit.push({ ...tp, offset });
    }
    if (toCommit.length === 0) return;
    await this.admin.commitOffsets(this.groupId, toCommit, { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.settings.groupInstanceId });
    for (const o of toCommit) this.lastCommitted.set(tpKey(o), o.offset);
  }

  /**
   * Partitions nothing was read from yet still have a position (auto.offset.reset), and
   * Java's consumer commits it too, so the group shows an offset for every partition it owns.
   */
  private async resolveUnreadPositions(): Promise<void> {
    for (const tp of this.owned) {
      if (this.positions.has(tpKey(tp))) continue;
      try {
        this.positions.set(tpKey(tp), await this.fetcher.position(tp));
      } catch {
        // No position (auto.offset.reset=none, or the partition is unreachable): nothing to commit for it.
      }
    }
  }

  /** Committed offsets of partitions (this group). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const offsets = await this.admin.fetchOffsets(this.groupId, partitions);
    return new Map(offsets.map((o) => [tpKey(o), o.offset]));
  }

  /** Commits (auto commit on), revokes, leaves the group (dynamic members) and closes. */
  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.stopHeartbeats();
    try {
      if (this.phase === 'stable' && this.memberId) {
        if (this.settings.enableAutoCommit) await this.commitSync().catch(() => undefined);
        await this.revoke(this.owned);
        if (this.settings.groupInstanceId === null) await this.leaveGroup().catch(() => undefined);
      }
    } finally {
      this.phase = 'closed';
      await this.fetcher.close();
    }
  }

  // ---- membership ---------------------------------------------------------------------

  private async joinGroup(deadlineMs: number): Promise<void> {
    this.stopHeartbeats();
    if (!this.cooperative && this.owned.length > 0) await this.revoke(this.owned);
    for (let attempt = 0; ; attempt++) {
      this.throwIfFatal();
      try {
        await this.joinOnce();
        return;
      } catch (err) {
        if (!this.retriableJoinError(err)) throw err;
        if (Date.now() > deadlineMs + this.settings.sessionTimeoutMs) throw err;
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(attempt, 4), 1000)));
      }
    }
  }

  private retriableJoinError(err: unknown): boolean {
    if (err instanceof KafkaError) {
      if (err.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || err.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        if (err.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        return true;
      }
      return err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || err.errorCode === ErrorCode.MEMBER_ID_REQUIRED || this.admin.cluster.isRetriable(err);
    }
    return this.admin.cluster.isRetriable(err);
  }

  private subscriptionBytes(): Buffer {
    return encodeSubscription(2, {
      topics: this.topics,
      userData: null,
      ownedPartitions: groupByTopic(this.owned).map(([topic, partitions]) => ({ topic, partitions })),
      generationId: this.generationId,
    });
  }

  private async joinOnce(): Promise<void> {
    const conn = await this.admin.connection(this.groupId);
    const protocols = this.settings.assignors.map((a) => ({ name: a.name, metadata: this.subscriptionBytes() }));
    const rebalanceTimeoutMs = this.settings.maxPollIntervalMs;
    const { body: join } = await conn.call(
      ApiKey.JoinGroup,
      () => ({
        groupId: this.groupId,
        sessionTimeoutMs: this.settings.sessionTimeoutMs,
        rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.settings.groupInstanceId,
        protocolType: 'consumer',
        protocols,
        reason: null,
      }),
      { maxVersion: 7, minVersion: this.settings.groupInstanceId ? 5 : 0, timeoutMs: rebalanceTimeoutMs + 5_000 },
    );
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = join.memberId;
      throw new KafkaError(join.errorCode, 'JoinGroup: member id required');
    }
    this.checkGroupError(join.errorCode, 'JoinGroup');
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const assignments = join.leader === join.memberId ? await this.runAssignor(join.protocolName ?? '', join.members) : [];
    const { body: sync } = await conn.call(
      ApiKey.SyncGroup,
      () => ({
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.settings.groupInstanceId,
        protocolType: 'consumer',
        protocolName: join.protocolName,
        assignments,
      }),
      { maxVersion: 5, timeoutMs: rebalanceTimeoutMs + 5_000 },
    );
    this.checkGroupError(sync.errorCode, 'SyncGroup');
    await this.applyAssignment(assignmentOf(sync.assignment));
  }

  private checkGroupError(errorCode: number, what: string): void {
    if (errorCode === ErrorCode.NONE) return;
    if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.admin.forgetCoordinator(this.groupId);
    if (errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      this.fatal = new KafkaError(errorCode, `${what}: another consumer with group.instance.id ${this.settings.groupInstanceId} joined group ${this.groupId}`);
      throw this.fatal;
    }
    throw new KafkaError(errorCode, `${what} for group ${this.groupId}`);
  }

  private async runAssignor(protocolName: string, members: { memberId: string; groupInstanceId?: string | null; metadata: Buffer }[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.settings.assignors.find((a) => a.name === protocolName);
    if (!assignor) throw new KafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `the group chose assignor '${protocolName}', which this consumer does not have`);
    const parsed: AssignorMember[] = members.map((m) => {
      const s = decodeSubscription(m.metadata).value;
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        topics: s.topics,
        ownedPartitions: (s.ownedPartitions ?? []).flatMap((o) => o.partitions.map((partition) => ({ topic: o.topic, partition }))),
        generation: s.generationId ?? -1,
      };
    });
    const topics = [...new Set(parsed.flatMap((m) => m.topics))];
    const counts = new Map<string, number>();
    const snapshot = await this.admin.cluster.refreshMetadata(topics);
    for (const name of topics) {
      const t = snapshot.topics.get(name);
      if (t && t.errorCode === ErrorCode.NONE) counts.set(name, t.partitions.length);
    }
    const result = assignor.assign(parsed, counts);
    return parsed.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment(0, { assignedPartitions: groupByTopic(result.get(m.memberId) ?? []).map(([topic, partitions]) => ({ topic, partitions })), userData: null }),
    }));
  }

  private async applyAssignment(assigned: TopicPartition[]): Promise<void> {
    const newKeys = new Set(assigned.map(tpKey));
    const oldKeys = new Set(this.owned.map(tpKey));
    const revoked = this.owned.filter((tp) => !newKeys.has(tpKey(tp)));
    const added = assigned.filter((tp) => !oldKeys.has(tpKey(tp)));
    if (revoked.length > 0) await this.revoke(revoked);
    this.owned = assigned;
    // Fresh partitions start at their committed offsets; those without fall back to auto.offset.reset.
    const kept = this.fetcher.assignment().filter((tp) => newKeys.has(tpKey(tp)));
    this.fetcher.assign(kept);
    this.fetcher.assign(assigned);
    if (added.length > 0) {
      const committed = await this.committed(added);
      for (const tp of added) {
        const offset = committed.get(tpKey(tp));
        if (offset !== undefined) {
          this.fetcher.seek(tp, offset);
          this.positions.set(tpKey(tp), offset);
          this.lastCommitted.set(tpKey(tp), offset);
        }
      }
    }
    this.phase = 'stable';
    this.rejoinNeeded = this.cooperative && revoked.length > 0;
    this.nextAutoCommitMs = Date.now() + this.settings.autoCommitIntervalMs;
    this.startHeartbeats();
    if (added.length > 0) await this.listener.onPartitionsAssigned?.(added);
  }

  /** Commits (auto commit on) and calls the listener for partitions being taken away. */
  private async revoke(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    if (this.settings.enableAutoCommit && this.memberId) {
      const offsets = new Map<string, number>();
      for (const tp of partitions) {
        const p = this.positions.get(tpKey(tp));
        if (p !== undefined && this.lastCommitted.get(tpKey(tp)) !== p) offsets.set(tpKey(tp), p);
      }
      if (offsets.size > 0) await this.commitSync(offsets).catch(() => undefined);
    }
    await this.listener.onPartitionsRevoked?.(partitions.map((tp) => ({ ...tp })));
    const gone = new Set(partitions.map(tpKey));
    this.owned = this.owned.filter((tp) => !gone.has(tpKey(tp)));
    for (const key of gone) this.positions.delete(key);
    this.fetcher.assign(this.owned);
  }

  private async maybeAutoCommit(): Promise<void> {
    if (!this.settings.enableAutoCommit || this.phase !== 'stable' || Date.now() < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = Date.now() + this.settings.autoCommitIntervalMs;
    try {
      await this.commitSync();
    } catch (err) {
      if (err instanceof KafkaError && REJOIN_ERRORS.has(err.errorCode)) {
        this.rejoinNeeded = true;
        if (err.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        return;
      }
      if (!this.admin.cluster.isRetriable(err)) throw err;
    }
  }

  private async leaveGroup(): Promise<void> {
    const conn = await this.admin.connection(this.groupId);
    await conn.call(
      ApiKey.LeaveGroup,
      (v) => (v >= 3 ? { groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is being closed' }] } : { groupId: this.groupId, memberId: this.memberId }),
      { maxVersion: 5 },
    );
    this.memberId = '';
  }

  // ---- heartbeats ---------------------------------------------------------------------

  private startHeartbeats(): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.settings.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.phase !== 'stable') return;
    if (Date.now() - this.lastPollMs > this.settings.maxPollIntervalMs) {
      // Java's consumer leaves the group when poll() is not called within max.poll.interval.ms.
      this.stopHeartbeats();
      this.rejoinNeeded = true;
      if (this.settings.groupInstanceId === null) await this.leaveGroup().catch(() => undefined);
      return;
    }
    this.heartbeatInFlight = true;
    try {
      const conn = await this.admin.connection(this.groupId);
      const { body } = await conn.call(
        ApiKey.Heartbeat,
        () => ({ groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.settings.groupInstanceId }),
        { maxVersion: 4 },
      );
      if (body.errorCode === ErrorCode.NONE) return;
      if (body.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
        this.fatal = new KafkaError(body.errorCode, `another consumer with group.instance.id ${this.settings.groupInstanceId} joined group ${this.groupId}`);
      }
      if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (body.errorCode === ErrorCode.NOT_COORDINATOR || body.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.admin.forgetCoordinator(this.groupId);
      this.rejoinNeeded = true;
    } catch {
      this.admin.forgetCoordinator(this.groupId);
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.fatal;
  }
}
