/**
 * The consumer in assign mode: positions per partition (seek, seekTo*, auto.offset.reset),
 * a fetch loop with long poll per partition leader, decoding of the returned batches
 * (skipping control batches, and aborted transactions under read_committed), and handling
 * of OFFSET_OUT_OF_RANGE and leader moves. Consumer groups are not part of this class.
 * `pollBatches()` hands over the fetched bytes undecoded instead of records, for readers
 * that walk batches themselves (the console consumer prints values without a record object).
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { KtsError, UsageError } from '../util/errors.js';
import { ApiKey } from '../protocol/apis.js';
import { sleep, type Cluster } from './cluster.js';
import type { ClientConfig } from './config.js';
import { decodeFetchedRecords, type AbortedTransaction, type FetchedRecords } from './fetch-decoder.js';
import { scanLogEntries } from '../records/log-entries.js';
import { listOffsets } from './offsets.js';
import type { Consumer, ConsumerRecord, IsolationLevel, TopicPartition } from './types.js';
import { tpKey } from './types.js';

interface Assigned {
  tp: TopicPartition;
  /** Next offset to fetch; null until resolved from auto.offset.reset. */
  position: number | null;
}

interface FetchResponseBody {
  errorCode: number;
  responses: {
    topic: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      highWatermark: number;
      lastStableOffset: number;
      abortedTransactions: AbortedTransaction[] | null;
      records: Buffer | null;
    }[];
  }[];
}

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
  /** Where fetchOnce puts what it fetched when called from pollBatches (undecoded). */
  private raw: FetchedRecords[] | null = null;
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
    return this.pollLoop(timeoutMs, () => (this.buffered.length > 0 ? this.buffered.splice(0, this.maxPollRecords) : null), []);
  }

  /**
   * Like poll(), but returns what one fetch round brought, per partition, as the undecoded
   * records bytes (read them with walkFetchedEntries); positions move past them at once.
   * max.poll.records does not apply. Refused while records from poll() are still buffered:
   * they would be skipped.
   */
  async pollBatches(timeoutMs: number): Promise<FetchedRecords[]> {
    if (this.buffered.length > 0) {
      throw new KtsError('KTS_CONSUMER_BUFFERED', 'pollBatches() while records from poll() are buffered', 'call poll() until it has returned them, or seek()');
    }
    this.raw = [];
    try {
      return await this.pollLoop(timeoutMs, () => (this.raw!.length > 0 ? this.raw!.splice(0) : null), []);
    } finally {
      this.raw = null;
    }
  }

  /** Fetch rounds until `take` has something or the deadline passes (then `none`). */
  private async pollLoop<T>(timeoutMs: number, take: () => T | null, none: T): Promise<T> {
    if (this.closed) throw new KtsError('KTS_CONSUMER_CLOSED', 'poll() after the consumer was closed');
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      const ready = take();
      if (ready !== null) return ready;
      if (this.assigned.size === 0) {
        await sleep(Math.max(0, deadline - Date.now()));
        return none;
      }
      const left = deadline - Date.now();
      try {
        await this.resolvePositions([...this.assigned.values()], deadline);
        await this.fetchOnce(Math.max(0, Math.min(this.maxWaitMs, left)));
      } catch (err) {
        if (!this.cluster.isRetriable(err) || Date.now() >= deadline) throw err;
        await sleep(Math.min(this.retryBackoffMs, Math.max(0, deadline - Date.now())));
      }
      const fetched = take();
      if (fetched !== null) return fetched;
      if (Date.now() >= deadline) return none;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.buffered = [];
    this.cluster.close();
  }

  private get(tp: TopicPartition): Assigned {
    const a = this.assigned.get(tpKey(tp));
    if (!a) throw new UsageError(`Partition ${tpKey(tp)} is not assigned to this consumer`);
    return a;
  }

  private dropBuffered(tp: TopicPartition): void {
    this.buffered = this.buffered.filter((r) => r.topic !== tp.topic || r.partition !== tp.partition);
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

  /** One fetch round: a request per leader, in parallel; decoded records go to the buffer. */
  private async fetchOnce(maxWaitMs: number): Promise<void> {
    const byLeader = new Map<number, Assigned[]>();
    for (const a of this.assigned.values()) {
      const leader = await this.cluster.leaderOf(a.tp.topic, a.tp.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), a]);
    }
    const results = await Promise.allSettled([...byLeader].map(([leader, parts]) => this.fetchFrom(leader, parts, maxWaitMs)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async fetchFrom(leader: number, parts: Assigned[], maxWaitMs: number): Promise<void> {
    const conn = await this.cluster.node(leader);
    const topics = new Map<string, Assigned[]>();
    for (const a of parts) topics.set(a.tp.topic, [...(topics.get(a.tp.topic) ?? []), a]);
    const { body } = await conn.call<FetchResponseBody>(
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
            fetchOffset: a.position!,
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
      for (const p of t.partitions) await this.handlePartition(t.topic, p);
    }
  }

  private async handlePartition(topic: string, p: FetchResponseBody['responses'][number]['partitions'][number]): Promise<void> {
    const a = this.assigned.get(`${topic}:${p.partitionIndex}`);
    if (!a || a.position === null) return;
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.autoOffsetReset === 'none') throw new KafkaError(p.errorCode, `offset ${a.position} of ${topic}-${p.partitionIndex}`);
      a.position = null;
      return;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      this.cluster.invalidate(topic);
      throw new KafkaError(p.errorCode, `Fetch ${topic}-${p.partitionIndex}`);
    }
    if (!p.records || p.records.length === 0) return;
    const fetched: FetchedRecords = {
      topic,
      partition: p.partitionIndex,
      bytes: p.records,
      fetchOffset: a.position,
      readCommitted: this.isolationLevel === 'read_committed',
      abortedTransactions: p.abortedTransactions ?? [],
      verifyCrc: this.checkCrcs,
    };
    if (this.raw !== null) {
      const nextOffset = nextFetchOffset(fetched);
      if (nextOffset === a.position) return;
      this.raw.push(fetched);
      a.position = nextOffset;
      return;
    }
    const decoded = decodeFetchedRecords(topic, p.partitionIndex, p.records, fetched);
    this.buffered.push(...decoded.records);
    if (decoded.nextOffset > a.position) a.position = decoded.nextOffset;
  }
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
