/**
 * The consumer in assign mode: positions per partition (seek, seekTo*, auto.offset.reset),
 * a fetch loop with long poll per partition leader, decoding of the returned batches
 * (skipping control batches, and aborted transactions under read_committed), and handling
 * of OFFSET_OUT_OF_RANGE and leader moves. Consumer groups are not part of this class.
 * `pollBatches()` hands over the fetched bytes undecoded instead of records, for readers
 * that walk batches themselves (the console consumer prints values without a record object),
 * and keeps the next fetch in flight while the caller works on them (as librdkafka prefetches).
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError, UsageError } from '../util/errors.js';
import { ApiKey } from '../protocol/apis.js';
import { sleep, type Cluster } from './cluster.js';
import type { ClientConfig } from './config.js';
import { CorruptRecordsError, decodeFetchedRecords, type FetchedRecords } from './fetch-decoder.js';
import { scanLogEntries } from '../records/log-entries.js';
import { listOffsets } from './offsets.js';
import type { Consumer, ConsumerRecord, IsolationLevel, TopicPartition } from './types.js';
import { tpKey } from './types.js';
import type { FetchResponse } from '../protocol/messages/01-fetch.js';

interface Assigned {
  tp: TopicPartition;
  /** Next offset to fetch; null until resolved from auto.offset.reset. */
  position: number | null;
}

/**
 * What a fetch round brought for one partition, applied only when taken: if the position
 * moved meanwhile (seek, assign) the outcome is stale and dropped. `fetched` null: the
 * fetch offset was out of range.
 */
interface RawOutcome {
  a: Assigned;
  fetchOffset: number;
  fetched: FetchedRecords | null;
}

/** A fetch round started ahead; it never rejects (the error is its result). */
type Prefetch = Promise<{ outcomes: RawOutcome[] } | { error: unknown }>;

/** v4+: isolation level and record batch v2; up to v12 topics are sent by name. */
const FETCH_MIN_VERSION = 4;
const FETCH_MAX_VERSION = 12;

export class KafkaConsumer implements Consumer {
  private readonly cluster: Cluster;
  private readonly isolationLevel: IsolationLevel;
  private readonly autoOffsetReset: string;
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly maxPollRecords: number;
  private readonly checkCrcs: boolean;
  private readonly retryBackoffMs: number;
  private assigned = new Map<string, Assigned>();
  private buffered: ConsumerRecord[] = [];
  /** A corrupt fetched batch, thrown by poll() once the records before it are returned. */
  private corrupt: CorruptRecordsError | null = null;
  /** pollBatches' fetch round in flight, started when it returned the previous one. */
  private prefetched: Prefetch | null = null;
  private closed = false;

  constructor(cluster: Cluster, config: ClientConfig) {
    this.cluster = cluster;
    this.isolationLevel = config.string('isolation.level') as IsolationLevel;
    this.autoOffsetReset = config.string('auto.offset.reset');
    this.maxWaitMs = config.int('fetch.max.wait.ms');
    this.minBytes = config.int('fetch.min.bytes');
    this.maxBytes = config.int('fetch.max.bytes');
    this.partitionMaxBytes = config.int('max.partition.fetch.bytes');
    this.maxPollRecords = config.int('max.poll.records');
    this.checkCrcs = config.bool('check.crcs');
    this.retryBackoffMs = config.int('retry.backoff.ms');
  }

  assign(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, Assigned>();
    for (const tp of partitions) {
      if (!Number.isInteger(tp.partition) || tp.partition < 0) throw new UsageError(`Invalid partition ${tp.partition} for topic ${tp.topic}`);
      const key = tpKey(tp);
      next.set(key, this.assigned.get(key) ?? { tp: { topic: tp.topic, partition: tp.partition }, position: null });
    }
    this.assigned = next;
    this.buffered = this.buffered.filter((r) => next.has(tpKey(r)));
    this.prefetched = null;
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()].map((a) => ({ ...a.tp }));
  }

  seek(tp: TopicPartition, offset: number): void {
    const a = this.get(tp);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new UsageError(`Invalid offset ${offset} for ${tpKey(tp)}`);
    a.position = offset;
    this.dropBuffered(tp);
  }

  async seekToBeginning(partitions?: readonly TopicPartition[]): Promise<void> {
    await this.seekToSpec(partitions, 'earliest');
  }

  async seekToEnd(partitions?: readonly TopicPartition[]): Promise<void> {
    await this.seekToSpec(partitions, 'latest');
  }

  async seekToTimestamp(tp: TopicPartition, timestampMs: number): Promise<void> {
    const a = this.get(tp);
    const [r] = await listOffsets(this.cluster, [{ ...tp, spec: { timestampMs } }], this.isolationLevel);
    if (r!.offset >= 0) a.position = r!.offset;
    else a.position = (await listOffsets(this.cluster, [{ ...tp, spec: 'latest' }], this.isolationLevel))[0]!.offset;
    this.dropBuffered(tp);
  }

  async position(tp: TopicPartition): Promise<number> {
    const a = this.get(tp);
    await this.resolvePositions([a]);
    const next = this.buffered.find((r) => r.topic === tp.topic && r.partition === tp.partition);
    return next ? next.offset : a.position!;
  }

  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const rs = await listOffsets(this.cluster, partitions.map((tp) => ({ ...tp, spec: 'earliest' as const })), this.isolationLevel);
    return new Map(rs.map((r) => [tpKey(r), r.offset]));
  }

  async endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const rs = await listOffsets(this.cluster, partitions.map((tp) => ({ ...tp, spec: 'latest' as const })), this.isolationLevel);
    return new Map(rs.map((r) => [tpKey(r), r.offset]));
  }

  async poll(timeoutMs: number): Promise<ConsumerRecord[]> {
    if (this.closed) throw new KtsError('KTS_CONSUMER_CLOSED', 'poll() after the consumer was closed');
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (this.buffered.length > 0) return this.buffered.splice(0, this.maxPollRecords);
      if (this.corrupt) {
        const err = this.corrupt;
        this.corrupt = null;
        throw err;
      }
      if (this.assigned.size === 0) {
        await sleep(Math.max(0, deadline - Date.now()));
        return [];
      }
      const left = deadline - Date.now();
      try {
        await this.resolvePositions([...this.assigned.values()], deadline);
        await this.fetchOnce(Math.max(0, Math.min(this.maxWaitMs, left)));
      } catch (err) {
        if (!this.cluster.isRetriable(err) || Date.now() >= deadline) throw err;
        await sleep(Math.min(this.retryBackoffMs, Math.max(0, deadline - Date.now())));
      }
      if (this.buffered.length > 0) return this.buffered.splice(0, this.maxPollRecords);
      if (Date.now() >= deadline) return [];
    }
  }

  /**
   * Like poll(), but returns what one fetch round brought, per partition, as the undecoded
   * records bytes (read them with walkFetchedEntries); positions move past them at once, and
   * the next round is fetched while the caller reads these. max.poll.records does not apply.
   * Refused while records from poll() are still buffered: they would be skipped.
   */
  async pollBatches(timeoutMs: number): Promise<FetchedRecords[]> {
    if (this.closed) throw new KtsError('KTS_CONSUMER_CLOSED', 'poll() after the consumer was closed');
    if (this.buffered.length > 0) {
      throw new KtsError('KTS_CONSUMER_BUFFERED', 'pollBatches() while records from poll() are buffered', 'call poll() until it has returned them, or seek()');
    }
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (this.assigned.size === 0) {
        await sleep(Math.max(0, deadline - Date.now()));
        return [];
      }
      try {
        await this.resolvePositions([...this.assigned.values()], deadline);
        const round = this.prefetched ?? this.startRound(Math.max(0, Math.min(this.maxWaitMs, deadline - Date.now())));
        this.prefetched = null;
        const result = await beforeDeadline(round, deadline);
        if (result === null) {
          // Still in flight: the next call picks it up.
          this.prefetched = round;
          return [];
        }
        if ('error' in result) throw result.error;
        const ready = this.applyOutcomes(result.outcomes);
        if (ready.length > 0) {
          if (!this.closed && [...this.assigned.values()].every((a) => a.position !== null)) this.prefetched = this.startRound(this.maxWaitMs);
          return ready;
        }
      } catch (err) {
        if (!this.cluster.isRetriable(err) || Date.now() >= deadline) throw err;
        await sleep(Math.min(this.retryBackoffMs, Math.max(0, deadline - Date.now())));
      }
      if (Date.now() >= deadline) return [];
    }
  }

  private startRound(maxWaitMs: number): Prefetch {
    const outcomes: RawOutcome[] = [];
    return this.fetchOnce(maxWaitMs, outcomes).then(
      () => ({ outcomes }),
      (error: unknown) => ({ error }),
    );
  }

  /** Outcomes whose partition is still where the round fetched from: move positions, return the records. */
  private applyOutcomes(outcomes: RawOutcome[]): FetchedRecords[] {
    const ready: FetchedRecords[] = [];
    for (const { a, fetchOffset, fetched } of outcomes) {
      if (this.assigned.get(tpKey(a.tp)) !== a || a.position !== fetchOffset) continue;
      if (fetched === null) {
        if (this.autoOffsetReset === 'none') throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} of ${tpKey(a.tp)}`);
        a.position = null;
        continue;
      }
      const nextOffset = nextFetchOffset(fetched);
      if (nextOffset === fetchOffset) continue;
      a.position = nextOffset;
      ready.push(fetched);
    }
    return ready;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.buffered = [];
    this.prefetched = null;
    this.cluster.close();
  }

  private get(tp: TopicPartition): Assigned {
    const a = this.assigned.get(tpKey(tp));
    if (!a) throw new UsageError(`Partition ${tpKey(tp)} is not assigned to this consumer`);
    return a;
  }

  private dropBuffered(tp: TopicPartition): void {
    this.buffered = this.buffered.filter((r) => r.topic !== tp.topic || r.partition !== tp.partition);
    if (this.corrupt?.topic === tp.topic && this.corrupt.partition === tp.partition) this.corrupt = null;
    // A round fetched ahead would be dropped as stale anyway: do not wait for it.
    this.prefetched = null;
  }

  private async seekToSpec(partitions: readonly TopicPartition[] | undefined, spec: 'earliest' | 'latest'): Promise<void> {
    const targets = (partitions ?? this.assignment()).map((tp) => this.get(tp));
    const rs = await listOffsets(this.cluster, targets.map((a) => ({ ...a.tp, spec })), this.isolationLevel);
    rs.forEach((r, i) => {
      targets[i]!.position = r.offset;
      this.dropBuffered(r);
    });
  }

  private async resolvePositions(partitions: Assigned[], deadlineMs?: number): Promise<void> {
    const missing = partitions.filter((a) => a.position === null);
    if (missing.length === 0) return;
    if (this.autoOffsetReset === 'none') {
      throw new KtsError(
        'KTS_NO_OFFSET',
        `No offset for ${missing.map((a) => tpKey(a.tp)).join(', ')} and auto.offset.reset is none`,
        'seek() to an offset, or set auto.offset.reset to earliest or latest',
      );
    }
    const spec = this.autoOffsetReset === 'earliest' ? ('earliest' as const) : ('latest' as const);
    const rs = await listOffsets(this.cluster, missing.map((a) => ({ ...a.tp, spec })), this.isolationLevel, deadlineMs);
    rs.forEach((r, i) => {
      if (missing[i]!.position === null) missing[i]!.position = r.offset;
    });
  }

  /** One fetch round: a request per leader, in parallel; decoded records go to the buffer, or with a sink the undecoded outcomes go there. */
  private async fetchOnce(maxWaitMs: number, sink: RawOutcome[] | null = null): Promise<void> {
    const byLeader = new Map<number, Assigned[]>();
    for (const a of this.assigned.values()) {
      if (a.position === null) continue;
      const leader = await this.cluster.leaderOf(a.tp.topic, a.tp.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), a]);
    }
    const results = await Promise.allSettled([...byLeader].map(([leader, parts]) => this.fetchFrom(leader, parts, maxWaitMs, sink)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async fetchFrom(leader: number, parts: Assigned[], maxWaitMs: number, sink: RawOutcome[] | null): Promise<void> {
    const conn = await this.cluster.node(leader);
    // The offsets asked for: positions may move (seek) before the answer comes.
    const asked = new Map<Assigned, number>();
    for (const a of parts) if (a.position !== null) asked.set(a, a.position);
    if (asked.size === 0) return;
    const topics = new Map<string, Assigned[]>();
    for (const a of asked.keys()) topics.set(a.tp.topic, [...(topics.get(a.tp.topic) ?? []), a]);
    const { body } = await conn.call(
      ApiKey.Fetch,
      () => ({
        clusterId: null,
        replicaId: -1,
        maxWaitMs,
        minBytes: this.minBytes,
        maxBytes: this.maxBytes,
        isolationLevel: this.isolationLevel === 'read_committed' ? 1 : 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics].map(([topic, as]) => ({
          topic,
          partitions: as.map((a) => ({
            partition: a.tp.partition,
            currentLeaderEpoch: -1,
            fetchOffset: asked.get(a)!,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: this.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      }),
      { minVersion: FETCH_MIN_VERSION, maxVersion: FETCH_MAX_VERSION, timeoutMs: this.cluster.options.requestTimeoutMs + maxWaitMs },
    );
    if (body.errorCode && body.errorCode !== ErrorCode.NONE) throw new KafkaError(body.errorCode, `Fetch from broker ${leader}`);
    for (const t of body.responses) {
      // Up to v12 (FETCH_MAX_VERSION) topics come by name.
      const topic = t.topic ?? '';
      for (const p of t.partitions) {
        const a = this.assigned.get(`${topic}:${p.partitionIndex}`);
        const at = a === undefined ? undefined : asked.get(a);
        if (a === undefined || at === undefined) continue;
        if (sink !== null) this.collectPartition(a, at, topic, p, sink);
        else this.handlePartition(a, topic, p);
      }
    }
  }

  private handlePartition(a: Assigned, topic: string, p: FetchResponsePartition): void {
    if (a.position === null) return;
    if (!this.partitionOk(a.position, topic, p)) {
      a.position = null;
      return;
    }
    if (!p.records || p.records.length === 0) return;
    const decoded = decodeFetchedRecords(topic, p.partitionIndex, p.records, {
      fetchOffset: a.position,
      readCommitted: this.isolationLevel === 'read_committed',
      abortedTransactions: p.abortedTransactions ?? [],
      verifyCrc: this.checkCrcs,
    });
    // Not push(...records): a fetch of small compressed records can hold more than the stack takes as arguments.
    for (const r of decoded.records) this.buffered.push(r);
    if (decoded.nextOffset > a.position) a.position = decoded.nextOffset;
    // As Java's consumer: the records before a corrupt batch are returned, the next poll fails at it.
    if (decoded.corrupt) this.corrupt = decoded.corrupt;
  }

  /** pollBatches' side of handlePartition: nothing changes until the outcome is applied. */
  private collectPartition(a: Assigned, fetchOffset: number, topic: string, p: FetchResponsePartition, sink: RawOutcome[]): void {
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      sink.push({ a, fetchOffset, fetched: null });
      return;
    }
    this.partitionOk(fetchOffset, topic, p);
    if (!p.records || p.records.length === 0) return;
    const fetched: FetchedRecords = {
      topic,
      partition: p.partitionIndex,
      bytes: p.records,
      fetchOffset,
      readCommitted: this.isolationLevel === 'read_committed',
      abortedTransactions: p.abortedTransactions ?? [],
      verifyCrc: this.checkCrcs,
    };
    sink.push({ a, fetchOffset, fetched });
  }

  /** False for OFFSET_OUT_OF_RANGE (reset the position); throws for other errors. */
  private partitionOk(fetchOffset: number, topic: string, p: FetchResponsePartition): boolean {
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.autoOffsetReset === 'none') throw new KafkaError(p.errorCode, `offset ${fetchOffset} of ${topic}-${p.partitionIndex}`);
      return false;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      this.cluster.invalidate(topic);
      throw new KafkaError(p.errorCode, `Fetch ${topic}-${p.partitionIndex}`);
    }
    return true;
  }
}

type FetchResponsePartition = FetchResponse['responses'][number]['partitions'][number];

/** The round's result, or null if the deadline comes first (the round goes on). */
function beforeDeadline<T>(round: Promise<T>, deadline: number): Promise<T | null> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.race([round, Promise.resolve(null)]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), left);
  });
  return Promise.race([round, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The offset after the last complete entry: what decodeFetchedRecords returns, from the
 * entry headers alone (the reader of the bytes checks the rest).
 */
function nextFetchOffset(f: FetchedRecords): number {
  let next = f.fetchOffset;
  for (const entry of scanLogEntries(f.bytes)) next = Math.max(next, entry.lastOffset + 1);
  return next;
}
