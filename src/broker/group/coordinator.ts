/**
 * The group coordinator for classic groups (JoinGroup/SyncGroup/Heartbeat/LeaveGroup and
 * offsets), after Kafka's classic GroupCoordinator: states Empty → PreparingRebalance →
 * CompletingRebalance → Stable (Dead once removed), generation ids, member ids with the
 * MEMBER_ID_REQUIRED round trip (JoinGroup v4+), leader election, protocol vote, static
 * membership (group.instance.id, FENCED_INSTANCE_ID), group.initial.rebalance.delay.ms,
 * session and rebalance timeouts. One timer tick drives every deadline (sessions, join and
 * sync phases, pending member ids, offset expiry), not a timer per member.
 *
 * Every broker context gets one coordinator. Single-node mode: created on the first group
 * request, which replays `__consumer_offsets` first. Cluster mode: created at broker start,
 * it serves only groups whose `__consumer_offsets` partition this broker leads, loading a
 * partition when it becomes leader (COORDINATOR_LOAD_IN_PROGRESS meanwhile) and dropping its
 * groups when it becomes follower (NOT_COORDINATOR); every write waits for the ISR.
 * `stopGroupCoordinator` answers parked requests with COORDINATOR_NOT_AVAILABLE so a broker
 * stop does not wait for rebalance timeouts.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeSubscription } from '../../protocol/data.js';
import { errorMessage } from '../../util/errors.js';
import type { BrokerContext } from '../handler.js';
import { Group, type GroupState, type JoinResult, type Member, type Protocol, type SyncResult } from './group.js';
import { OFFSETS_TOPIC, OffsetsStore, type CommittedOffset, type LoadedOffsets, type PendingTxnOffset, type StoreRecord, type TxnProducer } from './store.js';
import { CoordinatorPartitions } from '../coordinator-partitions.js';
import { KafkaError } from '../../protocol/errors.js';
import type { GroupMetadataValue } from '../../protocol/internal/consumer-offsets.js';

const TICK_MS = 100;
const OFFSET_METADATA_MAX_BYTES = 4096;

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED with its id. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberRef {
  memberId: string;
  groupInstanceId: string | null;
}

export interface OffsetCommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[] }[];
}

/** The group membership a TxnOffsetCommit v3+ carries (KIP-447); the defaults ask for no check. */
export interface TxnCommitMember {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

const NO_MEMBER: TxnCommitMember = { generationId: -1, memberId: '', groupInstanceId: null };

export interface GroupSummary {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

export interface FetchedOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly store: OffsetsStore;
  private readonly timer: NodeJS.Timeout;
  private loaded: Promise<void> | undefined;
  /** Offsets written by open transactions, per producer id, until their marker. */
  private readonly pendingTxnOffsets = new Map<number, PendingTxnOffset[]>();
  private loadDone = false;
  private stopped = false;
  private lastExpiryCheckMs: number;
  readonly partitions: CoordinatorPartitions;

  constructor(private readonly broker: BrokerContext) {
    this.store = new OffsetsStore(broker);
    this.lastExpiryCheckMs = broker.nowMs();
    this.timer = setInterval(() => this.runTimers(), TICK_MS);
    this.timer.unref();
    this.partitions = new CoordinatorPartitions(broker, OFFSETS_TOPIC, {
      load: async (p) => this.adopt(await this.store.loadPartition(p)),
      unload: (p) => this.unloadPartition(p),
    });
    // Cluster mode loads partitions as this broker becomes their leader, not all at once.
    if (this.partitions.clusterMode) {
      this.loaded = Promise.resolve();
      this.loadDone = true;
    }
  }

  /** Throws NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS unless this broker coordinates the group. */
  private checkCoordinator(groupId: string): void {
    this.partitions.check(this.store.partitionFor(groupId), `group '${groupId}'`);
  }

  /** The `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number {
    return this.store.partitionFor(groupId);
  }

  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for the group (batched requests answer per group). */
  coordinatorError(groupId: string): number {
    return this.partitions.errorFor(this.store.partitionFor(groupId));
  }

  /** On resignation: the partition's groups leave this coordinator; parked members learn NOT_COORDINATOR. */
  private unloadPartition(partition: number): void {
    for (const [id, group] of [...this.groups]) {
      if (this.store.partitionFor(id) !== partition) continue;
      for (const m of group.members.values()) {
        this.answerJoin(m, errorJoin(ErrorCode.NOT_COORDINATOR, m.memberId));
        this.answerSync(m, errorSync(ErrorCode.NOT_COORDINATOR));
      }
      this.groups.delete(id);
    }
    for (const [producerId, list] of [...this.pendingTxnOffsets]) {
      const rest = list.filter((o) => this.store.partitionFor(o.group) !== partition);
      if (rest.length > 0) this.pendingTxnOffsets.set(producerId, rest);
      else this.pendingTxnOffsets.delete(producerId);
    }
  }

  private get now(): number {
    return this.broker.nowMs();
  }

  /** Loads `__consumer_offsets` once; every public call awaits it. */
  ready(): Promise<void> {
    return (this.loaded ??= this.load());
  }

  private async load(): Promise<void> {
    const loaded = await this.store.load();
    this.adopt(loaded);
    this.loadDone = true;
    if (loaded.groups.size > 0) this.broker.log.info(`Loaded ${loaded.groups.size} group(s) from __consumer_offsets`);
  }

  /** Takes over groups and pending transactional offsets replayed from the log. */
  private adopt({ groups: loaded, pending }: LoadedOffsets): void {
    for (const [producerId, offsets] of pending) {
      const list = this.pendingTxnOffsets.get(producerId);
      if (list) list.push(...offsets);
      else this.pendingTxnOffsets.set(producerId, offsets);
    }
    for (const [id, data] of loaded) {
      const group = new Group(id, this.now);
      for (const [topic, partitions] of data.offsets) group.offsets.set(topic, partitions);
      if (data.metadata) this.restoreGroup(group, data.metadata);
      this.groups.set(id, group);
    }
  }

  /**
   * A stored group comes back as Kafka's coordinator loads it: with members, Stable, so
   * its consumers keep heartbeating through a broker restart without a rebalance; members
   * that do not come back expire after their session timeout.
   */
  private restoreGroup(group: Group, meta: GroupMetadataValue): void {
    group.generationId = meta.generation;
    group.protocolType = meta.protocolType || null;
    group.protocolName = meta.protocol;
    if (meta.currentStateTimestamp !== undefined && meta.currentStateTimestamp >= 0) group.currentStateTimestampMs = meta.currentStateTimestamp;
    if (meta.members.length === 0 || !meta.protocol) return;
    for (const m of meta.members) {
      group.members.set(m.memberId, {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeout,
        rebalanceTimeoutMs: m.rebalanceTimeout !== undefined && m.rebalanceTimeout >= 0 ? m.rebalanceTimeout : m.sessionTimeout,
        protocolType: meta.protocolType,
        protocols: [{ name: meta.protocol, metadata: m.subscription }],
        assignment: m.assignment,
        lastHeartbeatMs: this.now,
        awaitingJoin: null,
        awaitingSync: null,
        isNew: false,
      });
      if (m.groupInstanceId) group.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    group.leaderId = meta.leader && group.members.has(meta.leader) ? meta.leader : (group.members.keys().next().value ?? null);
    group.state = 'Stable';
  }

  async ensureOffsetsTopic(): Promise<void> {
    await this.store.ensureTopic();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        this.answerJoin(m, errorJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
        this.answerSync(m, errorSync(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      }
    }
  }

  // ---- JoinGroup ----------------------------------------------------------------------

  async join(req: JoinRequest): Promise<JoinResult> {
    await this.ready();
    if (this.stopped) return errorJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (!req.groupId) return errorJoin(ErrorCode.INVALID_GROUP_ID, req.memberId);
    this.checkCoordinator(req.groupId);
    const cfg = this.broker.config;
    if (req.sessionTimeoutMs < cfg.groupMinSessionTimeoutMs || req.sessionTimeoutMs > cfg.groupMaxSessionTimeoutMs) {
      return errorJoin(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      if (req.memberId !== '') return errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      group = new Group(req.groupId, this.now);
      this.groups.set(req.groupId, group);
    }
    if (group.state === 'Dead') return errorJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return errorJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    await this.store.ensureTopic();
    return req.memberId === '' ? this.joinUnknownMember(group, req) : this.joinKnownMember(group, req);
  }

  private maxGroupSize(): number {
    const raw = this.broker.config.raw['group.max.size'];
    return raw ? Number(raw) : Number.MAX_SAFE_INTEGER;
  }

  private joinUnknownMember(group: Group, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const memberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const oldId = group.staticMembers.get(req.groupInstanceId);
      if (oldId && group.members.has(oldId)) return this.replaceStaticMember(group, oldId, memberId, req);
    } else if (req.requireKnownMemberId) {
      group.pendingMembers.set(memberId, this.now + req.sessionTimeoutMs);
      return errorJoin(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    if (group.members.size >= this.maxGroupSize()) return errorJoin(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId);
    return this.addMemberAndRebalance(group, memberId, req);
  }

  private joinKnownMember(group: Group, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const member = group.members.get(req.memberId);
    if (!member) {
      if (!group.pendingMembers.has(req.memberId)) return errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      group.pendingMembers.delete(req.memberId);
      if (group.members.size >= this.maxGroupSize()) {
        this.tryCompleteJoin(group);
        return errorJoin(ErrorCode.GROUP_MAX_SIZE_REACHED, req.memberId);
      }
      return this.addMemberAndRebalance(group, req.memberId, req);
    }
    if (this.isFenced(group, req.memberId, req.groupInstanceId)) return errorJoin(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
    member.lastHeartbeatMs = this.now;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req);
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, req.protocols)) return this.joinResultFor(group, member);
        return this.updateMemberAndRebalance(group, member, req);
      case 'Stable':
        if (group.leaderId === member.memberId || !sameProtocols(member.protocols, req.protocols)) {
          return this.updateMemberAndRebalance(group, member, req);
        }
        return this.joinResultFor(group, member);
      default:
        return errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  private replaceStaticMember(group: Group, oldId: string, newId: string, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const old = group.members.get(oldId)!;
    this.answerJoin(old, errorJoin(ErrorCode.FENCED_INSTANCE_ID, oldId));
    this.answerSync(old, errorSync(ErrorCode.FENCED_INSTANCE_ID));
    group.members.delete(oldId);
    const member: Member = { ...old, memberId: newId, clientId: req.clientId, clientHost: req.clientHost, lastHeartbeatMs: this.now, awaitingJoin: null, awaitingSync: null };
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    group.members.set(newId, member);
    group.staticMembers.set(req.groupInstanceId!, newId);
    if (group.leaderId === oldId) group.leaderId = newId;
    // A static member coming back unchanged to a stable group keeps its assignment: no rebalance.
    if (group.state === 'Stable' && sameProtocols(old.protocols, req.protocols)) {
      this.persistInBackground(group);
      return this.joinResultFor(group, member);
    }
    return this.updateMemberAndRebalance(group, member, req);
  }

  private addMemberAndRebalance(group: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      lastHeartbeatMs: this.now,
      awaitingJoin: null,
      awaitingSync: null,
      isNew: true,
    };
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(memberId, member);
    if (req.groupInstanceId !== null) group.staticMembers.set(req.groupInstanceId, memberId);
    if (group.leaderId === null) group.leaderId = memberId;
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    this.prepareRebalance(group, `Adding new member ${memberId}`);
    this.tryCompleteJoin(group);
    return result;
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    this.answerJoin(member, errorJoin(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    this.prepareRebalance(group, `Updating metadata for member ${member.memberId}`);
    this.tryCompleteJoin(group);
    return result;
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.state === 'PreparingRebalance') {
      if (group.initialDelayEndMs > 0) {
        // Initial delayed join: each new member extends the wait, bounded by the rebalance timeout.
        const delay = this.broker.config.groupInitialRebalanceDelayMs;
        group.deadlineMs = Math.min(group.initialDelayEndMs, this.now + delay);
      }
      return;
    }
    if (group.state === 'CompletingRebalance') {
      for (const m of group.members.values()) this.answerSync(m, errorSync(ErrorCode.REBALANCE_IN_PROGRESS));
    }
    const wasEmpty = group.state === 'Empty' || group.state === 'Dead';
    group.transition('PreparingRebalance', this.now);
    const delay = this.broker.config.groupInitialRebalanceDelayMs;
    if (wasEmpty && delay > 0) {
      const limit = group.maxRebalanceTimeoutMs();
      group.initialDelayEndMs = this.now + limit;
      group.deadlineMs = this.now + Math.min(delay, limit);
    } else {
      group.initialDelayEndMs = 0;
      group.deadlineMs = this.now + group.maxRebalanceTimeoutMs();
    }
    this.broker.log.info(`Preparing to rebalance group ${group.groupId} in state PreparingRebalance with old generation ${group.generationId} (reason: ${reason})`);
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.initialDelayEndMs > 0) return;
    if (group.allAwaitingJoin()) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin) this.removeMember(group, m);
    }
    group.pendingMembers.clear();
    group.initialDelayEndMs = 0;
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transition('Empty', this.now);
      this.persistInBackground(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    if (!group.leaderId || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value ?? null;
    group.transition('CompletingRebalance', this.now);
    group.deadlineMs = this.now + group.maxRebalanceTimeoutMs();
    this.broker.log.info(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.members.size} member(s)`);
    for (const m of group.members.values()) {
      m.lastHeartbeatMs = this.now;
      this.answerJoin(m, this.joinResultFor(group, m));
      m.isNew = false;
    }
  }

  private joinResultFor(group: Group, member: Member): JoinResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: group.metadataFor(m, group.protocolName) }))
        : [],
    };
  }

  // ---- SyncGroup / Heartbeat / LeaveGroup ----------------------------------------------

  async sync(req: SyncRequest): Promise<SyncResult> {
    await this.ready();
    this.checkCoordinator(req.groupId);
    const group = this.groups.get(req.groupId);
    if (this.stopped) return errorSync(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group || group.state === 'Dead') return errorSync(ErrorCode.UNKNOWN_MEMBER_ID);
    if (this.isFenced(group, req.memberId, req.groupInstanceId)) return errorSync(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (!member) return errorSync(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return errorSync(ErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType && req.protocolType !== group.protocolType) || (req.protocolName && req.protocolName !== group.protocolName)) {
      return errorSync(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    member.lastHeartbeatMs = this.now;
    switch (group.state) {
      case 'PreparingRebalance':
        return errorSync(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        return this.syncResultFor(group, member);
      case 'CompletingRebalance': {
        this.answerSync(member, errorSync(ErrorCode.REBALANCE_IN_PROGRESS));
        const result = new Promise<SyncResult>((resolve) => (member.awaitingSync = resolve));
        if (group.leaderId === member.memberId) await this.completeSync(group, req);
        return result;
      }
      default:
        return errorSync(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private async completeSync(group: Group, req: SyncRequest): Promise<void> {
    const generation = group.generationId;
    const byMember = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? Buffer.alloc(0);
    try {
      await this.persistGroup(group);
    } catch (err) {
      this.broker.log.error(`Failed to store group ${group.groupId}: ${errorMessage(err)}`);
      if (group.state === 'CompletingRebalance' && group.generationId === generation) {
        for (const m of group.members.values()) this.answerSync(m, errorSync(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        this.prepareRebalance(group, 'failed to store the group');
      }
      return;
    }
    if (group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
    group.transition('Stable', this.now);
    for (const m of group.members.values()) this.answerSync(m, this.syncResultFor(group, m));
  }

  private syncResultFor(group: Group, member: Member): SyncResult {
    return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
  }

  async heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): Promise<number> {
    await this.ready();
    if (this.stopped) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    this.checkCoordinator(groupId);
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (this.isFenced(group, memberId, groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(memberId);
    if (!member || group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    member.lastHeartbeatMs = this.now;
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Removes each member; returns one error code per member, in order (group-level UNKNOWN_MEMBER_ID as per-member errors). */
  async leave(groupId: string, members: readonly MemberRef[]): Promise<number[]> {
    await this.ready();
    this.checkCoordinator(groupId);
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return members.map(() => ErrorCode.UNKNOWN_MEMBER_ID);
    const errors = members.map((ref) => this.leaveOne(group, ref));
    if (errors.some((e) => e === ErrorCode.NONE)) this.afterMemberLoss(group, 'member left the group');
    return errors;
  }

  private leaveOne(group: Group, ref: MemberRef): number {
    let memberId = ref.memberId;
    if (ref.groupInstanceId !== null) {
      const current = group.staticMembers.get(ref.groupInstanceId);
      if (!current) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && memberId !== current) return ErrorCode.FENCED_INSTANCE_ID;
      memberId = current;
    }
    if (group.pendingMembers.delete(memberId)) return ErrorCode.NONE;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member);
    return ErrorCode.NONE;
  }

  private removeMember(group: Group, member: Member): void {
    this.answerJoin(member, errorJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    this.answerSync(member, errorSync(ErrorCode.UNKNOWN_MEMBER_ID));
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private afterMemberLoss(group: Group, reason: string): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, reason);
    this.tryCompleteJoin(group);
    if (group.state === 'PreparingRebalance' && group.members.size === 0 && group.pendingMembers.size === 0) this.completeJoin(group);
  }

  private isFenced(group: Group, memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = group.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  private answerJoin(member: Member, result: JoinResult): void {
    const resolve = member.awaitingJoin;
    member.awaitingJoin = null;
    resolve?.(result);
  }

  private answerSync(member: Member, result: SyncResult): void {
    const resolve = member.awaitingSync;
    member.awaitingSync = null;
    resolve?.(result);
  }

  // ---- timer --------------------------------------------------------------------------

  /** The timer tick's work (tests call it directly with a controlled clock). */
  runTimers(): void {
    if (this.stopped || !this.loaded) return;
    const now = this.now;
    for (const group of this.groups.values()) {
      try {
        this.tickGroup(group, now);
      } catch (err) {
        this.broker.log.error(`Group ${group.groupId} timer failed: ${errorMessage(err)}`);
      }
    }
    const interval = Number(this.broker.config.raw['offsets.retention.check.interval.ms'] ?? 600_000);
    if (now - this.lastExpiryCheckMs >= interval) {
      this.lastExpiryCheckMs = now;
      void this.expireOffsets(now).catch((err) => this.broker.log.error(`Offset expiration failed: ${errorMessage(err)}`));
    }
  }

  private tickGroup(group: Group, now: number): void {
    for (const [id, lapse] of group.pendingMembers) {
      if (now >= lapse) {
        group.pendingMembers.delete(id);
        this.tryCompleteJoin(group);
      }
    }
    let lost = false;
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin || m.awaitingSync) continue;
      if (now - m.lastHeartbeatMs > m.sessionTimeoutMs) {
        this.broker.log.info(`Member ${m.memberId} in group ${group.groupId} has failed, removing it from the group`);
        this.removeMember(group, m);
        lost = true;
      }
    }
    if (lost) this.afterMemberLoss(group, 'session timeout');
    if (group.state === 'PreparingRebalance' && now >= group.deadlineMs) {
      this.completeJoin(group);
    } else if (group.state === 'CompletingRebalance' && now >= group.deadlineMs) {
      for (const m of [...group.members.values()]) if (!m.awaitingSync) this.removeMember(group, m);
      this.prepareRebalance(group, 'members did not sync in time');
      this.tryCompleteJoin(group);
    }
  }

  // ---- offsets ------------------------------------------------------------------------

  async commitOffsets(req: OffsetCommitInput): Promise<Map<string, Map<number, number>>> {
    await this.ready();
    const errors = new Map<string, Map<number, number>>();
    const setAll = (code: number) => {
      for (const t of req.topics) errors.set(t.name, new Map(t.partitions.map((p) => [p.partitionIndex, code])));
      return errors;
    };
    if (this.stopped) return setAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!req.groupId) return setAll(ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere !== ErrorCode.NONE) return setAll(notHere);
    let group = this.groups.get(req.groupId);
    const check = this.commitCheck(group, req);
    if (check !== ErrorCode.NONE) return setAll(check);
    if (!group) {
      group = new Group(req.groupId, this.now);
      this.groups.set(req.groupId, group);
    }
    const member = group.members.get(req.memberId);
    if (member) member.lastHeartbeatMs = this.now;
    const now = this.now;
    const records: StoreRecord[] = [];
    const accepted: { topic: string; partition: number; value: CommittedOffset }[] = [];
    for (const t of req.topics) {
      const codes = new Map<number, number>();
      errors.set(t.name, codes);
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (Buffer.byteLength(metadata) > OFFSET_METADATA_MAX_BYTES) {
          codes.set(p.partitionIndex, ErrorCode.OFFSET_METADATA_TOO_LARGE);
        } else if (!this.broker.metadata.topic(t.name)?.partitions.some((q) => q.partitionIndex === p.partitionIndex)) {
          codes.set(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
          const value: CommittedOffset = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata, commitTimestampMs: now };
          records.push({ kind: 'offset', group: req.groupId, topic: t.name, partition: p.partitionIndex, value });
          accepted.push({ topic: t.name, partition: p.partitionIndex, value });
          codes.set(p.partitionIndex, ErrorCode.NONE);
        }
      }
    }
    if (records.length === 0) return errors;
    try {
      await this.store.write(req.groupId, records, now);
    } catch (err) {
      this.broker.log.error(`Failed to store offsets of group ${req.groupId}: ${errorMessage(err)}`);
      const code = err instanceof KafkaError ? err.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
      for (const a of accepted) errors.get(a.topic)!.set(a.partition, code);
      return errors;
    }
    for (const a of accepted) setOffset(group, a.topic, a.partition, a.value);
    return errors;
  }

  /**
   * TxnOffsetCommit: the offsets are written now as a transactional batch of the producer
   * and held pending; the transaction marker on the group's partition applies or drops
   * them (`completeTransaction`). With `member` (TxnOffsetCommit v3+, KIP-447) the commit
   * must first pass `txnCommitCheck`; returns its error code, and writes nothing unless it
   * is NONE. Throws when the write fails.
   */
  async storeTransactionalOffsets(
    groupId: string,
    producer: TxnProducer,
    offsets: readonly { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string }[],
    member: TxnCommitMember = NO_MEMBER,
  ): Promise<number> {
    await this.ready();
    if (this.stopped) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const check = this.txnCommitCheck(this.groups.get(groupId), member);
    if (check !== ErrorCode.NONE || offsets.length === 0) return check;
    const now = this.now;
    const pending = offsets.map((o) => ({ group: groupId, topic: o.topic, partition: o.partition, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestampMs: now } }));
    await this.store.write(groupId, pending.map((p) => ({ kind: 'offset' as const, ...p })), now, producer);
    let list = this.pendingTxnOffsets.get(producer.producerId);
    if (!list) this.pendingTxnOffsets.set(producer.producerId, (list = []));
    list.push(...pending);
    return ErrorCode.NONE;
  }

  /**
   * KIP-447 group fencing of transactional commits, as Kafka's group coordinator checks
   * them (ClassicGroup.validateOffsetCommit with isTransactional): a commit without a
   * generation is a "simple" one and passes when the group is unknown or Empty, or when it
   * names no member either (TxnOffsetCommit v0-2, or v3+ with the defaults). Otherwise the
   * member must be current (static: its group.instance.id maps to this member id) and the
   * generation the group's. The group's state is not checked: unlike OffsetCommit,
   * a transactional commit during CompletingRebalance is accepted (no REBALANCE_IN_PROGRESS).
   */
  private txnCommitCheck(group: Group | undefined, m: TxnCommitMember): number {
    if (!group) return m.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (m.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (m.generationId < 0 && m.memberId === '' && m.groupInstanceId === null) return ErrorCode.NONE;
    const memberError = this.currentMemberCheck(group, m.memberId, m.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    return m.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  }

  /** The member is in the group; a static one must also be the current holder of its instance id. */
  private currentMemberCheck(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) {
        this.broker.log.info(`Static member ${groupInstanceId} of group ${group.groupId} with member id ${memberId} is fenced by member id ${current} (TxnOffsetCommit)`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** True when an open transaction has written an offset for the group's partition (OffsetFetch require_stable). */
  hasPendingOffsets(groupId: string, topic: string, partition: number): boolean {
    for (const list of this.pendingTxnOffsets.values()) {
      if (list.some((o) => o.group === groupId && o.topic === topic && o.partition === partition)) return true;
    }
    return false;
  }

  /**
   * A COMMIT/ABORT marker of `producerId` was written to `__consumer_offsets` partition
   * `offsetsPartition`: its pending offsets there become committed offsets, or are dropped.
   * During the load it waits for it: the replay either met the marker itself or left the
   * offsets pending for this call.
   */
  completeTransaction(producerId: number, offsetsPartition: number, commit: boolean): void {
    if (this.partitions.errorFor(offsetsPartition) === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
      // The replay may have read the log before this marker: apply it once the load is done.
      this.partitions.afterLoad(offsetsPartition).then(
        () => this.completeTransaction(producerId, offsetsPartition, commit),
        () => undefined,
      );
      return;
    }
    if (!this.loadDone) {
      this.ready().then(
        () => this.completeTransaction(producerId, offsetsPartition, commit),
        () => undefined,
      );
      return;
    }
    const list = this.pendingTxnOffsets.get(producerId);
    if (!list) return;
    const rest: PendingTxnOffset[] = [];
    for (const o of list) {
      if (this.store.partitionFor(o.group) !== offsetsPartition) {
        rest.push(o);
        continue;
      }
      if (!commit) continue;
      let group = this.groups.get(o.group);
      if (!group) this.groups.set(o.group, (group = new Group(o.group, this.now)));
      setOffset(group, o.topic, o.partition, o.value);
    }
    if (rest.length > 0) this.pendingTxnOffsets.set(producerId, rest);
    else this.pendingTxnOffsets.delete(producerId);
  }

  private commitCheck(group: Group | undefined, req: OffsetCommitInput): number {
    const simple = req.generationId < 0 && req.memberId === '';
    if (!group) return simple ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isFenced(group, req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (simple) return group.state === 'Empty' ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /** Committed offsets of a group: `topics` null = every topic with a commit. */
  async fetchOffsets(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null): Promise<{ name: string; partitions: FetchedOffset[] }[]> {
    await this.ready();
    this.checkCoordinator(groupId);
    const group = this.groups.get(groupId);
    const stored = group?.offsets ?? new Map<string, Map<number, CommittedOffset>>();
    const wanted = topics ?? [...stored].map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()].sort((a, b) => a - b) }));
    return wanted.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const c = stored.get(t.name)?.get(p);
        return {
          partitionIndex: p,
          committedOffset: c ? c.offset : -1,
          committedLeaderEpoch: c ? c.leaderEpoch : -1,
          metadata: c ? c.metadata : '',
          errorCode: ErrorCode.NONE,
        };
      }),
    }));
  }

  async describe(groupId: string): Promise<GroupSummary> {
    await this.ready();
    this.checkCoordinator(groupId);
    const group = this.groups.get(groupId);
    if (!group) return { groupId, state: 'Dead', protocolType: '', protocolName: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? group.metadataFor(m, group.protocolName) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  async list(): Promise<{ groupId: string; protocolType: string; state: GroupState }[]> {
    await this.ready();
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead')
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  async deleteGroup(groupId: string): Promise<number> {
    await this.ready();
    const notHere = this.coordinatorError(groupId);
    if (notHere !== ErrorCode.NONE) return notHere;
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const records: StoreRecord[] = [];
    for (const [topic, parts] of group.offsets) for (const p of parts.keys()) records.push({ kind: 'offset', group: groupId, topic, partition: p, value: null });
    records.push({ kind: 'group', group: groupId, value: null });
    await this.store.write(groupId, records, this.now);
    group.transition('Dead', this.now);
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  /** OffsetDelete: top-level error, then per topic/partition errors. */
  async deleteOffsets(groupId: string, topics: { name: string; partitions: number[] }[]): Promise<{ errorCode: number; partitions: Map<string, Map<number, number>> }> {
    await this.ready();
    this.checkCoordinator(groupId);
    const result = new Map<string, Map<number, number>>();
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: result };
    if (group.state !== 'Empty' && group.protocolType !== 'consumer') return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: result };
    const subscribed = group.state === 'Empty' ? new Set<string>() : (group.subscribedTopics((m) => decodeSubscription(m).value.topics) ?? new Set<string>());
    const records: StoreRecord[] = [];
    for (const t of topics) {
      const codes = new Map<number, number>();
      result.set(t.name, codes);
      for (const p of t.partitions) {
        if (subscribed.has(t.name)) {
          codes.set(p, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
          continue;
        }
        codes.set(p, ErrorCode.NONE);
        if (group.offsets.get(t.name)?.has(p)) records.push({ kind: 'offset', group: groupId, topic: t.name, partition: p, value: null });
      }
    }
    if (records.length > 0) {
      await this.store.write(groupId, records, this.now);
      for (const r of records) if (r.kind === 'offset') group.offsets.get(r.topic)?.delete(r.partition);
    }
    return { errorCode: ErrorCode.NONE, partitions: result };
  }

  /** offsets.retention.minutes: offsets of groups empty that long (or of simple commits that old) are removed. */
  async expireOffsets(now: number): Promise<number> {
    await this.ready();
    const retentionMs = this.broker.config.offsetsRetentionMinutes * 60_000;
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      if (group.state !== 'Empty') continue;
      const records: StoreRecord[] = [];
      for (const [topic, parts] of group.offsets) {
        for (const [p, c] of parts) {
          const base = group.protocolType ? group.currentStateTimestampMs : c.commitTimestampMs;
          if (now - base >= retentionMs) records.push({ kind: 'offset', group: group.groupId, topic, partition: p, value: null });
        }
      }
      if (records.length === 0) continue;
      const remaining = countOffsets(group) - records.length;
      if (remaining === 0) records.push({ kind: 'group', group: group.groupId, value: null });
      await this.store.write(group.groupId, records, now);
      for (const r of records) if (r.kind === 'offset') group.offsets.get(r.topic)?.delete(r.partition);
      for (const [topic, parts] of group.offsets) if (parts.size === 0) group.offsets.delete(topic);
      expired += records.filter((r) => r.kind === 'offset').length;
      if (remaining === 0 && group.state === 'Empty' && group.members.size === 0) {
        group.transition('Dead', now);
        this.groups.delete(group.groupId);
      }
      this.broker.log.info(`Removed ${records.length} expired offset(s) of group ${group.groupId}`);
    }
    return expired;
  }

  /** Stores the group without waiting; a failed write is logged (the next change rewrites it). */
  private persistInBackground(group: Group): void {
    this.persistGroup(group).catch((err) => this.broker.log.error(`Failed to store group ${group.groupId}: ${errorMessage(err)}`));
  }

  private persistGroup(group: Group): Promise<void> {
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestampMs,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: group.metadataFor(m, group.protocolName),
        assignment: m.assignment,
      })),
    };
    return this.store.write(group.groupId, [{ kind: 'group', group: group.groupId, value }], this.now);
  }
}

function setOffset(group: Group, topic: string, partition: number, value: CommittedOffset): void {
  let parts = group.offsets.get(topic);
  if (!parts) group.offsets.set(topic, (parts = new Map()));
  parts.set(partition, value);
}

function countOffsets(group: Group): number {
  let n = 0;
  for (const parts of group.offsets.values()) n += parts.size;
  return n;
}

function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

function errorJoin(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function errorSync(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

const coordinators = new WeakMap<BrokerContext, GroupCoordinator>();

/** The coordinator of this broker (created on first use). */
export function groupCoordinatorOf(broker: BrokerContext): GroupCoordinator {
  let c = coordinators.get(broker);
  if (!c) coordinators.set(broker, (c = new GroupCoordinator(broker)));
  return c;
}

/** Called by the broker's stop: answers parked joins/syncs and stops the timer. */
export function stopGroupCoordinator(broker: BrokerContext): void {
  coordinators.get(broker)?.stop();
}
