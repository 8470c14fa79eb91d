/**
 * Fetch (key 1), versions 4-17 (Kafka 4's range); topics by name up to v12, by topic id
 * from v13 (UNKNOWN_TOPIC_ID when unknown).
 * Long poll: when fewer than min_bytes are available the request waits in the purgatory
 * (woken by appends to the partitions it reads) up to max_wait_ms, then reads again.
 * Limits: max_bytes (capped by the broker's fetch.max.bytes and by the room left in its
 * memory budget, queued.max.request.bytes) for the whole response and
 * partition_max_bytes per partition; batches are whole (the first batch of the response is
 * returned even when larger than the limits, as Kafka does since v3, so a consumer never
 * gets stuck). isolation_level 1 (read_committed) reads up to the last stable offset and
 * returns the transactions aborted in that range (from the partition's transaction index);
 * read_uncommitted reads up to the high watermark.
 * current_leader_epoch (v9+) is checked: older → FENCED_LEADER_EPOCH, newer →
 * UNKNOWN_LEADER_EPOCH. preferred_read_replica is always -1.
 * Fetch sessions (KIP-227, v7+, see fetch-sessions.ts): a full fetch (epoch 0) creates a
 * session when the cache has room (else session id 0: the client keeps sending full
 * fetches); incremental fetches (epoch > 0) add, update and forget partitions and get back
 * only partitions with records, errors or changed watermarks; epoch -1 closes the session.
 * Unknown session → FETCH_SESSION_ID_NOT_FOUND, wrong epoch → INVALID_FETCH_SESSION_EPOCH,
 * a session switching between names and topic ids → FETCH_SESSION_TOPIC_ID_ERROR; the
 * client then starts over with a full fetch.
 * Only the partition's leader answers (NOT_LEADER_OR_FOLLOWER otherwise, from the replica
 * manager). Follower fetches (replica_id >= 0, or replica_state from v15) read up to the log
 * end offset instead of the HW; their fetch offset is the follower's log end offset, which
 * moves the ISR and the high watermark (Kafka's updateFollowerFetchState).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type {
  AbortedTransaction,
  FetchPartition,
  FetchPartitionData,
  FetchRequest,
  FetchResponse,
  FetchTopic,
  FetchableTopicResponse,
} from '../../protocol/messages/01-fetch.js';
import {
  fetchSessionsOf,
  nextSessionEpoch,
  sessionPartitionKey,
  type FetchSession,
  type SessionPartition,
} from '../fetch-sessions.js';
import { defineHandler, type BrokerContext, type BrokerPartitionLog, type RequestContext } from '../handler.js';
import { topicPartitionKey } from '../../storage/checkpoint.js';
import { errorCodeOf } from '../error-code.js';
import type { Partition } from '../replica/partition.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface PartitionTarget {
  topicIndex: number;
  /** The topic name (or id, v13+) as the request named it: the session key. */
  topicRef: string;
  topic: string | undefined;
  request: FetchPartition;
  /** The log as resolved on arrival; read through logOf (a log-dir move may swap a partition's log while the request waits). */
  log: BrokerPartitionLog | undefined;
  partition: Partition | undefined;
  /** Error known before reading (unknown topic id, not leader, fenced epoch, ...). */
  error: number;
}

/** The partition's current log (swapped by a log-dir move), or the log resolved on arrival (a read from a follower). */
function logOf(t: PartitionTarget): BrokerPartitionLog | undefined {
  return t.partition?.log ?? t.log;
}

function partitionError(p: FetchPartition, errorCode: number, log?: BrokerPartitionLog): FetchPartitionData {
  return {
    partitionIndex: p.partition,
    errorCode,
    highWatermark: log ? log.highWatermark : -1,
    lastStableOffset: log ? log.lastStableOffset : -1,
    logStartOffset: log ? log.logStartOffset : -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}

/**
 * KIP-392: from v11 a consumer (replica id < 0) may read from a follower, which answers up
 * to its own high watermark (kafka-replica-verification.sh reads every replica this way).
 * (Kafka does the same: without a replica selector it serves any local replica.)
 */
function followerRead(name: string, partition: number, ctx: RequestContext, replicaId: number): BrokerPartitionLog | undefined {
  if (ctx.apiVersion < 11 || replicaId >= 0) return undefined;
  return ctx.broker.replicaManager.getPartition(name, partition)?.log;
}

function resolveTargets(fetchTopics: readonly FetchTopic[], ctx: RequestContext, replicaId: number): { topics: FetchableTopicResponse[]; targets: PartitionTarget[] } {
  const broker = ctx.broker;
  const byId = ctx.apiVersion >= 13;
  const topics: FetchableTopicResponse[] = [];
  const targets: PartitionTarget[] = [];
  fetchTopics.forEach((t, topicIndex) => {
    const topicRef = byId ? (t.topicId ?? ZERO_UUID) : (t.topic ?? '');
    let name: string | undefined;
    let error: number = ErrorCode.NONE;
    if (byId) {
      name = t.topicId && t.topicId !== ZERO_UUID ? broker.metadata.topicNameById(t.topicId) : undefined;
      if (name === undefined) error = ErrorCode.UNKNOWN_TOPIC_ID;
    } else {
      name = t.topic;
    }
    topics.push(byId ? { topicId: t.topicId ?? ZERO_UUID, partitions: [] } : { topic: name ?? '', partitions: [] });
    for (const p of t.partitions) {
      if (name === undefined || error !== ErrorCode.NONE) {
        targets.push({ topicIndex, topicRef, topic: name, request: p, log: undefined, partition: undefined, error });
        continue;
      }
      const leader = broker.replicaManager.leaderPartition(name, p.partition, p.currentLeaderEpoch ?? -1);
      const follower = leader.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? followerRead(name, p.partition, ctx, replicaId) : undefined;
      if (follower) targets.push({ topicIndex, topicRef, topic: name, request: p, log: follower, partition: undefined, error: ErrorCode.NONE });
      else targets.push({ topicIndex, topicRef, topic: name, request: p, log: leader.partition?.log, partition: leader.partition, error: leader.errorCode });
    }
  });
  return { topics, targets };
}

async function readPartition(
  target: PartitionTarget,
  maxBytes: number,
  minOneMessage: boolean,
  readCommitted: boolean,
  replicaId: number,
  broker: BrokerContext,
): Promise<FetchPartitionData> {
  const p = target.request;
  const log = logOf(target);
  if (target.error !== ErrorCode.NONE || !log) return partitionError(p, target.error);
  // Leadership moved while the request waited (targets are resolved once): answer now, as
  // Kafka's DelayedFetch does. Reading the ex-leader's log again found nothing new, and the
  // wait loop, woken by the move, spun without yielding until maxWaitMs (the broker froze).
  if (target.partition !== undefined && !target.partition.isLeader) return partitionError(p, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
    return partitionError(p, ErrorCode.OFFSET_OUT_OF_RANGE, log);
  }
  const fromFollower = replicaId >= 0;
  const maxOffset = fromFollower ? log.logEndOffset : readCommitted ? log.lastStableOffset : log.highWatermark;
  // KIP-73: a throttled follower that is not in sync gets no data while the leader's quota is used up.
  const quota = fromFollower ? broker.replicaManager.leaderQuota : undefined;
  const throttled = quota !== undefined && target.topic !== undefined && p.fetchOffset < log.highWatermark && quota.isThrottled(target.topic, p.partition, replicaId);
  if (throttled) maxBytes = Math.min(maxBytes, quota.available());
  // An in-sync follower reads the unreplicated tail (at or past the HW): just written, in the
  // page cache, and on the acks=all path, so it is read without the thread pool's round trip.
  const onEventLoop = fromFollower && target.partition !== undefined && p.fetchOffset >= log.highWatermark;
  try {
    const result =
      p.fetchOffset >= maxOffset || maxBytes <= 0
        ? null
        : await log.readAsync(p.fetchOffset, Math.min(maxBytes, p.partitionMaxBytes), { maxOffset, minOneMessage, onEventLoop });
    if (throttled && result) quota.record(result.records.length);
    return {
      partitionIndex: p.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: log.highWatermark,
      lastStableOffset: result?.lastStableOffset ?? log.lastStableOffset,
      logStartOffset: result?.logStartOffset ?? log.logStartOffset,
      abortedTransactions: readCommitted && !fromFollower ? abortedTransactions(log, p.fetchOffset, maxOffset, result?.records) : null,
      preferredReadReplica: -1,
      records: result?.records ?? EMPTY,
    };
  } catch (err) {
    return partitionError(p, errorCodeOf(err, broker.log, `Reading ${target.topic}-${p.partition} at ${p.fetchOffset}`), log);
  }
}

/** Transactions aborted within what a read_committed fetch returns (from the txn indexes). */
function abortedTransactions(log: BrokerPartitionLog, fetchOffset: number, upperBoundOffset: number, records: Buffer | undefined): AbortedTransaction[] {
  if (!records || records.length === 0) return [];
  return log.collectAbortedTxns(fetchOffset, upperBoundOffset).map((txn) => ({ producerId: txn.producerId, firstOffset: txn.firstOffset }));
}

/**
 * A follower's fetch offsets become its positions once, when the request arrives, all in
 * one turn (as in Kafka). Not at a re-read after a wait, nor between the reads of its
 * partitions: by then the controller may have taken the follower out of the ISR (controlled
 * shutdown), and a stale position recorded late would take it back in.
 */
function recordFollowerPositions(targets: readonly PartitionTarget[], replicaId: number, broker: BrokerContext): void {
  if (replicaId < 0) return;
  for (const { request: p, log, partition, error } of targets) {
    if (error !== ErrorCode.NONE || !log || !partition) continue;
    if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) continue;
    broker.replicaManager.recordFollowerFetch(partition, replicaId, p.fetchOffset, p.logStartOffset ?? -1);
  }
}

async function readAll(
  targets: PartitionTarget[],
  request: FetchRequest,
  ctx: RequestContext,
): Promise<{ data: FetchPartitionData[]; bytes: number; errors: boolean }> {
  const readCommitted = (request.isolationLevel ?? 0) === READ_COMMITTED;
  // max_bytes bounds the whole response, and the broker's fetch.max.bytes bounds max_bytes.
  // ... and the room left in the broker's memory budget (at least the first batch is returned).
  let remaining = Math.min(request.maxBytes ?? 0x7fffffff, ctx.broker.config.fetchMaxBytes, ctx.broker.requestMemory?.fetchBytesAllowed() ?? Infinity);
  let bytes = 0;
  let errors = false;
  const data: FetchPartitionData[] = [];
  const replicaId = replicaIdOf(request, ctx.apiVersion);
  for (const target of targets) {
    const d = await readPartition(target, remaining, bytes === 0, readCommitted, replicaId, ctx.broker);
    const size = d.records?.length ?? 0;
    bytes += size;
    remaining -= size;
    if (d.errorCode !== ErrorCode.NONE) errors = true;
    data.push(d);
  }
  return { data, bytes, errors };
}

/** The fetching replica's broker id, or -1 for a consumer. */
function replicaIdOf(request: FetchRequest, apiVersion: number): number {
  return (apiVersion >= 15 ? request.replicaState?.replicaId : request.replicaId) ?? -1;
}

/** What a waiting fetch watches: the LEO for a follower, the LSO or HW for a consumer. */
function visibleEnd(t: PartitionTarget, readCommitted: boolean, fromFollower = false): number {
  const log = logOf(t);
  if (!log) return -1;
  if (fromFollower) return log.logEndOffset;
  return readCommitted ? log.lastStableOffset : log.highWatermark;
}

/** True once any watched partition's visible end moved past where it was when we looked. */
function grewSince(targets: PartitionTarget[], ends: number[], readCommitted: boolean, fromFollower: boolean): boolean {
  return targets.some((t, i) => visibleEnd(t, readCommitted, fromFollower) > ends[i]! || (t.partition !== undefined && !t.partition.isLeader));
}

type SessionPlan =
  | { kind: 'error'; errorCode: number }
  | { kind: 'sessionless' }
  | { kind: 'full' }
  | { kind: 'incremental'; session: FetchSession };

/** What the request's session id and epoch ask for, with the session updated for incremental ones. */
function planSession(request: FetchRequest, ctx: RequestContext): SessionPlan {
  if (ctx.apiVersion < 7) return { kind: 'sessionless' };
  const cache = fetchSessionsOf(ctx.broker);
  const sessionId = request.sessionId ?? 0;
  const epoch = request.sessionEpoch ?? -1;
  if (epoch === -1 || epoch === 0) {
    if (sessionId !== 0) cache.remove(sessionId);
    return epoch === 0 ? { kind: 'full' } : { kind: 'sessionless' };
  }
  const session = sessionId !== 0 ? cache.get(sessionId) : undefined;
  if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  const byId = ctx.apiVersion >= 13;
  if (session.byId !== byId) {
    cache.remove(session.id);
    return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
  }
  applySessionChanges(session, request, byId);
  return { kind: 'incremental', session };
}

function applySessionChanges(session: FetchSession, request: FetchRequest, byId: boolean): void {
  for (const t of request.topics) {
    const ref = byId ? (t.topicId ?? ZERO_UUID) : (t.topic ?? '');
    for (const p of t.partitions) {
      const key = sessionPartitionKey(ref, p.partition);
      const known = session.partitions.get(key);
      session.partitions.set(key, known ? { ...known, request: p } : unsent(ref, p));
    }
  }
  for (const f of request.forgottenTopicsData ?? []) {
    const ref = byId ? (f.topicId ?? ZERO_UUID) : (f.topic ?? '');
    for (const partition of f.partitions) session.partitions.delete(sessionPartitionKey(ref, partition));
  }
}

function unsent(topicRef: string, request: FetchPartition): SessionPartition {
  return { topicRef, request, sentHighWatermark: -2, sentLastStableOffset: -2, sentLogStartOffset: -2 };
}

/** The session's partitions as the topics of a request, grouped by topic in session order. */
function sessionTopics(session: FetchSession): FetchTopic[] {
  const byRef = new Map<string, FetchTopic>();
  for (const sp of session.partitions.values()) {
    let topic = byRef.get(sp.topicRef);
    if (!topic) byRef.set(sp.topicRef, (topic = session.byId ? { topicId: sp.topicRef, partitions: [] } : { topic: sp.topicRef, partitions: [] }));
    topic.partitions.push(sp.request);
  }
  return [...byRef.values()];
}

function remember(sp: SessionPartition, d: FetchPartitionData): void {
  sp.sentHighWatermark = d.highWatermark;
  sp.sentLastStableOffset = d.lastStableOffset ?? -1;
  sp.sentLogStartOffset = d.logStartOffset ?? -1;
}

function mustRespond(sp: SessionPartition, d: FetchPartitionData): boolean {
  return (
    (d.records?.length ?? 0) > 0 ||
    d.errorCode !== ErrorCode.NONE ||
    d.highWatermark !== sp.sentHighWatermark ||
    (d.lastStableOffset ?? -1) !== sp.sentLastStableOffset ||
    (d.logStartOffset ?? -1) !== sp.sentLogStartOffset
  );
}

/** Creates the session of a full fetch; returns its id, or 0 when none was created. */
function createSession(targets: PartitionTarget[], data: FetchPartitionData[], ctx: RequestContext): number {
  const partitions = new Map<string, SessionPartition>();
  targets.forEach((t, i) => {
    const sp = unsent(t.topicRef, t.request);
    remember(sp, data[i]!);
    partitions.set(sessionPartitionKey(t.topicRef, t.request.partition), sp);
  });
  const session = fetchSessionsOf(ctx.broker).create(ctx.apiVersion >= 13, partitions, ctx.broker.nowMs());
  return session?.id ?? 0;
}

/** Keeps only the partitions an incremental response must carry, and records what was sent. */
function incrementalResponse(
  session: FetchSession,
  topics: FetchableTopicResponse[],
  targets: PartitionTarget[],
  data: FetchPartitionData[],
): FetchableTopicResponse[] {
  targets.forEach((t, i) => {
    const sp = session.partitions.get(sessionPartitionKey(t.topicRef, t.request.partition));
    const d = data[i]!;
    if (!sp || !mustRespond(sp, d)) return;
    remember(sp, d);
    topics[t.topicIndex]!.partitions.push(d);
  });
  return topics.filter((t) => t.partitions.length > 0);
}

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 17,
  async handle(request, ctx) {
    const plan = planSession(request, ctx);
    if (plan.kind === 'error') return { throttleTimeMs: 0, errorCode: plan.errorCode, sessionId: 0, responses: [] };
    const { topics, targets } = resolveTargets(plan.kind === 'incremental' ? sessionTopics(plan.session) : request.topics, ctx, replicaIdOf(request, ctx.apiVersion));
    const readCommitted = (request.isolationLevel ?? 0) === READ_COMMITTED;
    const fromFollower = replicaIdOf(request, ctx.apiVersion) >= 0;
    const deadline = ctx.broker.nowMs() + Math.max(0, request.maxWaitMs);
    // The ends are taken before each read: an append landing while the read is in flight must
    // wake the wait below, not be taken as already seen (a lost wake-up cost a whole maxWaitMs).
    let ends = targets.map((t) => visibleEnd(t, readCommitted, fromFollower));
    recordFollowerPositions(targets, replicaIdOf(request, ctx.apiVersion), ctx.broker);
    let result = await readAll(targets, request, ctx);
    while (!result.errors && result.bytes < request.minBytes) {
      const waitMs = deadline - ctx.broker.nowMs();
      if (waitMs <= 0) break;
      const keys = targets.filter((t) => t.topic !== undefined).map((t) => topicPartitionKey(t.topic!, t.request.partition));
      const grew = (): boolean => grewSince(targets, ends, readCommitted, fromFollower);
      if (!grew()) {
        await ctx.broker.purgatory.wait({ operation: 'Fetch', keys, tryComplete: grew }, waitMs);
        if (!grew()) break;
        // A follower reads once this turn's appends are done: the produce requests a client
        // pipelined reach it in one response rather than one fetch round trip each.
        if (fromFollower) await nextTurn();
      }
      ends = targets.map((t) => visibleEnd(t, readCommitted, fromFollower));
      result = await readAll(targets, request, ctx);
    }
    if (plan.kind === 'incremental') {
      const session = plan.session;
      session.epoch = nextSessionEpoch(session.epoch);
      session.lastUsedMs = ctx.broker.nowMs();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session.id, responses: incrementalResponse(session, topics, targets, result.data) };
    }
    result.data.forEach((d, i) => topics[targets[i]!.topicIndex]!.partitions.push(d));
    const sessionId = plan.kind === 'full' ? createSession(targets, result.data, ctx) : 0;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId, responses: topics };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] };
  },
});
