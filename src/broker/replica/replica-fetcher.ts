/**
 * Replica fetchers (Kafka's ReplicaFetcherManager / ReplicaFetcherThread): one fetcher per
 * leader broker this broker follows partitions of, over one connection on the inter-broker
 * listener. Each partition first truncates its log to where it agrees with the leader
 * (OffsetsForLeaderEpoch: KIP-101, and KIP-279 when the leader answers its epoch), then
 * fetches from its log end offset as a replica (`replica_id` = this broker), in a fetch
 * session (KIP-227: after the first full fetch, requests name only the partitions whose fetch
 * position changed, and answers only the partitions with news). Appends keep
 * the leader's offsets and epochs; the follower's high watermark is min(LEO, leader's HW).
 * An offset out of range truncates to the leader's end, or restarts the log at the
 * leader's log start when the follower fell behind it. Errors back off
 * `replica.fetch.backoff.ms` per partition; a lost connection is reopened.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/apis.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/01-fetch.js';
import { FetchSessionHandler, type WantedPartition } from '../../protocol/fetch-session.js';
import type { BrokerConnection } from '../../net/broker-connection.js';
import { connectToBroker, type ConnectionSecurity } from '../../net/broker-connect.js';
import { topicPartitionKey } from '../../storage/checkpoint.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import { BufferPool } from '../../util/buffer-pool.js';
import type { Partition } from './partition.js';
import type { MetadataCache } from '../metadata/metadata-cache.js';
import type { ReplicationQuota } from './replication-quota.js';

export interface FetcherConfig {
  /** The listener other brokers are reached on (inter.broker.listener.name). */
  listenerName: string;
  fetchWaitMaxMs: number;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchResponseMaxBytes: number;
  fetchBackoffMs: number;
  socketTimeoutMs: number;
  numFetchers: number;
  /** TLS/SASL of the inter-broker listener. */
  security?: ConnectionSecurity;
}

interface FetcherHost {
  readonly localBrokerId: number;
  readonly metadataCache: MetadataCache;
  /** follower.replication.throttled.* (reassignments); absent: never throttled. */
  readonly followerQuota?: ReplicationQuota;
  recordFollowerAppend?(p: Partition): void;
}

interface FetchState {
  partition: Partition;
  truncating: boolean;
  delayedUntilMs: number;
  /** The leader's high watermark in the last response: at or past it, the replica is in sync. */
  leaderHighWatermark: number;
}

/**
 * The buffers fetch responses are read into, given back once their batches are appended: a
 * fresh megabyte per response cost the follower page faults and garbage collection on
 * every replicated megabyte. Each fetcher has one response at a time; 16 MiB classes cover
 * replica.fetch.response.max.bytes' default (10 MiB).
 */
const responseBuffersOf = (): BufferPool => new BufferPool(64 * 1024, 16 * 1024 * 1024, 16 * 1024 * 1024);

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  private readonly owner = new Map<string, ReplicaFetcher>();
  private readonly responseBuffers = responseBuffersOf();

  constructor(
    private readonly host: FetcherHost,
    private readonly config: FetcherConfig,
    private readonly log: Logger,
    private readonly nowMs: () => number,
  ) {}

  has(topic: string, partition: number): boolean {
    return this.owner.has(topicPartitionKey(topic, partition));
  }

  /** Fetch `p` from its current leader (moving it off any other fetcher). */
  addPartition(p: Partition): void {
    this.removePartition(p.topic, p.partition);
    const slot = hashSlot(p.topic, p.partition, Math.max(1, this.config.numFetchers));
    const name = `${p.leaderId}:${slot}`;
    let fetcher = this.fetchers.get(name);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(p.leaderId, this.host, this.config, this.log, this.nowMs, this.responseBuffers);
      this.fetchers.set(name, fetcher);
      fetcher.start();
    }
    fetcher.add(p);
    this.owner.set(topicPartitionKey(p.topic, p.partition), fetcher);
  }

  removePartition(topic: string, partition: number): void {
    const k = topicPartitionKey(topic, partition);
    const fetcher = this.owner.get(k);
    if (!fetcher) return;
    fetcher.remove(k);
    this.owner.delete(k);
    if (fetcher.isEmpty) {
      for (const [name, f] of this.fetchers) if (f === fetcher) this.fetchers.delete(name);
      void fetcher.stop();
    }
  }

  /** Partitions this broker follows (fetches from a leader). */
  followedPartitions(): number {
    return this.owner.size;
  }

  /** Max lag in offsets of followed partitions (leader HW seen minus our LEO): Kafka's ReplicaFetcherManager MaxLag. */
  maxLag(): number {
    let max = 0;
    for (const f of this.fetchers.values()) max = Math.max(max, f.maxLag());
    return max;
  }

  async shutdown(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.owner.clear();
    await Promise.all(all.map((f) => f.stop()));
  }
}

function hashSlot(topic: string, partition: number, n: number): number {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (h * 31 + topic.charCodeAt(i)) | 0;
  return Math.abs(h + partition) % n;
}

class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>();
  private readonly session = new FetchSessionHandler();
  private conn: BrokerConnection | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly sourceBrokerId: number,
    private readonly host: FetcherHost,
    private readonly config: FetcherConfig,
    private readonly log: Logger,
    private readonly nowMs: () => number,
    private readonly responseBuffers: BufferPool,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  add(p: Partition): void {
    this.states.set(topicPartitionKey(p.topic, p.partition), { partition: p, truncating: true, delayedUntilMs: 0, leaderHighWatermark: -1 });
    this.wake?.();
  }

  remove(k: string): void {
    this.states.delete(k);
  }

  get isEmpty(): boolean {
    return this.states.size === 0;
  }

  /** Partitions not fetched yet (no leader HW seen) count as 0, as in Kafka. */
  maxLag(): number {
    let max = 0;
    for (const s of this.states.values()) if (s.leaderHighWatermark >= 0) max = Math.max(max, s.leaderHighWatermark - s.partition.log.logEndOffset);
    return max;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.conn?.channel.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const ready = [...this.states.values()].filter((s) => s.delayedUntilMs <= this.nowMs() && !s.partition.log.isClosed);
      if (ready.length === 0) {
        await this.idle(this.states.size === 0 ? 1000 : 100);
        continue;
      }
      try {
        const conn = await this.connection();
        const truncating = ready.filter((s) => s.truncating);
        if (truncating.length > 0) await this.truncate(conn, truncating);
        const fetching = ready.filter((s) => !s.truncating && this.states.get(topicPartitionKey(s.partition.topic, s.partition.partition)) === s);
        if (fetching.length > 0) await this.fetch(conn, fetching);
      } catch (err) {
        if (this.stopped) break;
        this.log.warn(`[ReplicaFetcher leader=${this.sourceBrokerId}] ${errorMessage(err)}; retrying in ${this.config.fetchBackoffMs} ms`);
        this.conn?.channel.close();
        this.conn = undefined;
        await this.idle(this.config.fetchBackoffMs);
      }
    }
    this.conn?.channel.close();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async connection(): Promise<BrokerConnection> {
    if (this.conn && this.conn.channel.isOpen) return this.conn;
    const endpoint = this.host.metadataCache.endpoint(this.sourceBrokerId, this.config.listenerName);
    if (!endpoint) throw new Error(`leader broker ${this.sourceBrokerId} has no live endpoint on listener ${this.config.listenerName} in the metadata cache`);
    this.conn = await connectToBroker(endpoint.host, endpoint.port, `kts-replica-fetcher-${this.host.localBrokerId}`, this.config.socketTimeoutMs + this.config.fetchWaitMaxMs, this.config.security, this.responseBuffers);
    return this.conn;
  }

  private delay(s: FetchState): void {
    s.delayedUntilMs = this.nowMs() + this.config.fetchBackoffMs;
  }

  /** OffsetsForLeaderEpoch for the partitions that must find where they agree with the leader. */
  private async truncate(conn: BrokerConnection, states: FetchState[]): Promise<void> {
    const asking: FetchState[] = [];
    for (const s of states) {
      const log = s.partition.log;
      if (log.epochCache.latestEpoch < 0) {
        // Nothing written under any epoch: what we have beyond the HW is not known to be the leader's.
        log.truncateTo(log.highWatermark);
        s.truncating = false;
      } else {
        asking.push(s);
      }
    }
    if (asking.length === 0) return;
    const byTopic = groupByTopic(asking);
    const { body } = await conn.call(ApiKey.OffsetForLeaderEpoch, () => ({
      replicaId: this.host.localBrokerId,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((s) => ({ partition: s.partition.partition, currentLeaderEpoch: s.partition.leaderEpoch, leaderEpoch: s.partition.log.epochCache.latestEpoch })),
      })),
    }), { maxVersion: 4 });
    for (const t of body.topics) {
      for (const r of t.partitions) {
        const s = this.states.get(topicPartitionKey(t.topic, r.partition));
        if (!s || !asking.includes(s)) continue;
        if (r.errorCode !== ErrorCode.NONE) {
          this.delay(s);
          continue;
        }
        this.applyTruncation(s, r.endOffset, r.leaderEpoch ?? -1);
      }
    }
  }

  private applyTruncation(s: FetchState, leaderEndOffset: number, leaderEpoch: number): void {
    const log = s.partition.log;
    let target: number;
    if (leaderEndOffset < 0) {
      target = log.highWatermark;
    } else {
      target = leaderEndOffset;
      // KIP-279: the leader answered an older epoch than ours; we must also cut where that epoch ended here.
      if (leaderEpoch >= 0 && leaderEpoch < log.epochCache.latestEpoch) {
        const ours = log.endOffsetForLeaderEpoch(leaderEpoch).endOffset;
        if (ours >= 0) target = Math.min(target, ours);
      }
    }
    if (target < log.logEndOffset) {
      this.log.info(`[ReplicaFetcher leader=${this.sourceBrokerId}] Truncating ${log.topic}-${log.partition} from ${log.logEndOffset} to ${target}`);
      log.truncateTo(target);
    }
    s.truncating = false;
  }

  /** KIP-73: throttled replicas that are not in sync wait while the follower quota is used up. */
  private unthrottled(states: FetchState[]): FetchState[] {
    const quota = this.host.followerQuota;
    if (!quota) return states;
    const room = quota.available();
    if (room > 0) return states;
    return states.filter((s) => {
      const p = s.partition;
      const inSync = s.leaderHighWatermark >= 0 && p.log.logEndOffset >= s.leaderHighWatermark;
      return inSync || !quota.isThrottled(p.topic, p.partition, this.host.localBrokerId);
    });
  }

  private async fetch(conn: BrokerConnection, all: FetchState[]): Promise<void> {
    const states = this.unthrottled(all);
    if (states.length === 0) {
      await this.idle(100);
      return;
    }
    const offsets = new Map(states.map((s) => [s, s.partition.log.logEndOffset]));
    // Throttled replicas share what the quota has left (one fetch must not take more than that).
    const quota = this.host.followerQuota;
    const throttled = new Set(quota ? states.filter((s) => quota.isThrottled(s.partition.topic, s.partition.partition, this.host.localBrokerId)) : []);
    const room = throttled.size > 0 ? quota!.available() : Number.POSITIVE_INFINITY;
    const throttledMaxBytes = Math.max(1, Math.floor(room / Math.max(1, throttled.size)));
    const maxBytesOf = (s: FetchState): number => (throttled.has(s) ? Math.min(this.config.fetchMaxBytes, throttledMaxBytes) : this.config.fetchMaxBytes);
    const wanted: WantedPartition[] = states.map((s) => ({
      topic: s.partition.topic,
      request: {
        partition: s.partition.partition,
        currentLeaderEpoch: s.partition.leaderEpoch,
        fetchOffset: offsets.get(s)!,
        lastFetchedEpoch: -1,
        logStartOffset: s.partition.log.logStartOffset,
        partitionMaxBytes: maxBytesOf(s),
      },
    }));
    const session = this.session.build(wanted);
    const request: FetchRequest = {
      replicaId: this.host.localBrokerId,
      replicaState: { replicaId: this.host.localBrokerId, replicaEpoch: -1 },
      maxWaitMs: this.config.fetchWaitMaxMs,
      minBytes: this.config.fetchMinBytes,
      maxBytes: this.config.fetchResponseMaxBytes,
      isolationLevel: 0,
      sessionId: session.sessionId,
      sessionEpoch: session.sessionEpoch,
      topics: session.topics,
      forgottenTopicsData: session.forgottenTopicsData,
      rackId: '',
    };
    let body: FetchResponse;
    try {
      body = (await conn.call(ApiKey.Fetch, () => request, { maxVersion: 12, minVersion: 4 })).body;
    } catch (err) {
      this.session.closeSession();
      throw err;
    }
    if (!this.session.handleResponse(body.errorCode ?? ErrorCode.NONE, body.sessionId)) {
      // A lost or out-of-step session (the leader restarted or evicted it) is not a fault: the next fetch is full.
      if (body.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND || body.errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH) return;
      throw new Error(`fetch failed with error code ${body.errorCode}`);
    }
    try {
      for (const t of body.responses) {
        for (const r of t.partitions) {
          const s = this.states.get(topicPartitionKey(t.topic ?? '', r.partitionIndex));
          // Removed, re-added or truncated while the fetch was in flight: this data is stale.
          if (!s || !offsets.has(s) || s.partition.log.logEndOffset !== offsets.get(s) || s.partition.log.isClosed) continue;
          await this.processPartition(conn, s, r);
        }
      }
    } finally {
      // The batches are written (appends are synchronous) and nothing keeps a view of them.
      for (const t of body.responses) for (const r of t.partitions) if (r.records) this.responseBuffers.give(r.records);
    }
  }

  private async processPartition(conn: BrokerConnection, s: FetchState, r: FetchResponse['responses'][number]['partitions'][number]): Promise<void> {
    const log = s.partition.log;
    if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      await this.handleOffsetOutOfRange(conn, s);
      return;
    }
    if (r.errorCode !== ErrorCode.NONE) {
      this.delay(s);
      return;
    }
    const records = r.records ?? null;
    s.leaderHighWatermark = r.highWatermark;
    if (records && records.length > 0) {
      const quota = this.host.followerQuota;
      if (quota?.isThrottled(log.topic, log.partition, this.host.localBrokerId)) quota.record(records.length);
      log.appendAsFollower(records);
      this.host.recordFollowerAppend?.(s.partition);
    }
    log.highWatermark = Math.min(log.logEndOffset, r.highWatermark);
    const leaderStart = r.logStartOffset ?? -1;
    if (leaderStart > log.logStartOffset && leaderStart <= log.highWatermark) log.deleteRecordsBefore(leaderStart);
  }

  /** Kafka's handleOffsetOutOfRange: truncate to the leader's end, or start over at its log start. */
  private async handleOffsetOutOfRange(conn: BrokerConnection, s: FetchState): Promise<void> {
    const log = s.partition.log;
    const leaderEnd = await this.leaderOffset(conn, s, -1);
    if (leaderEnd < log.logEndOffset) {
      log.truncateTo(leaderEnd);
      return;
    }
    const leaderStart = await this.leaderOffset(conn, s, -2);
    if (leaderStart > log.logEndOffset) {
      this.log.warn(`[ReplicaFetcher leader=${this.sourceBrokerId}] ${log.topic}-${log.partition} is behind the leader's log start ${leaderStart}: starting over there`);
      log.truncateFullyAndStartAt(leaderStart);
    }
  }

  private async leaderOffset(conn: BrokerConnection, s: FetchState, timestamp: number): Promise<number> {
    const p = s.partition;
    const { body } = await conn.call(ApiKey.ListOffsets, () => ({
      replicaId: this.host.localBrokerId,
      isolationLevel: 0,
      topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp, maxNumOffsets: 1 }] }],
      timeoutMs: this.config.socketTimeoutMs,
    }), { minVersion: 1, maxVersion: 7 });
    const r = body.topics[0]?.partitions[0];
    if (!r || r.errorCode !== ErrorCode.NONE || r.offset === undefined) throw new Error(`ListOffsets for ${p.topic}-${p.partition} failed with error code ${r?.errorCode ?? 'none'}`);
    return r.offset;
  }
}

function groupByTopic(states: FetchState[]): Map<string, FetchState[]> {
  const out = new Map<string, FetchState[]>();
  for (const s of states) {
    let list = out.get(s.partition.topic);
    if (!list) out.set(s.partition.topic, (list = []));
    list.push(s);
  }
  return out;
}
