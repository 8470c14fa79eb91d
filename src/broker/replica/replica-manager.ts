/**
 * The replica manager (Kafka's ReplicaManager): the partitions this broker holds, which it
 * leads and which it follows, as the controller's LeaderAndIsr requests say; StopReplica;
 * the metadata cache fed by UpdateMetadata; the leader checks every client request goes
 * through (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH in one place);
 * follower fetch bookkeeping; ISR shrinking; and the replica fetchers of the partitions it
 * follows.
 *
 * Single-node mode is a cluster of one: every local log is a partition this broker leads
 * with ISR [self], created on first use, and the same checks apply.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { LeaderAndIsrPartitionState, LeaderAndIsrRequest, LeaderAndIsrResponse } from '../../protocol/messages/04-leader-and-isr.js';
import type { StopReplicaRequest, StopReplicaResponse } from '../../protocol/messages/05-stop-replica.js';
import type { UpdateMetadataRequest } from '../../protocol/messages/06-update-metadata.js';
import { topicPartitionKey } from '../../storage/checkpoint.js';
import type { LogManager } from '../../storage/log-manager.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import type { MetadataCache } from '../metadata/metadata-cache.js';
import type { Purgatory } from '../purgatory.js';
import { Partition, type IsrWriter } from './partition.js';
import { ReplicaFetcherManager, type FetcherConfig } from './replica-fetcher.js';
import { ReplicationQuota, type ThrottleConfig } from './replication-quota.js';

export interface ReplicaManagerOptions {
  localBrokerId: number;
  logManager: LogManager;
  metadataCache: MetadataCache;
  purgatory: Purgatory;
  isrWriter: IsrWriter;
  log: Logger;
  nowMs: () => number;
  /** false: single-node mode, this broker leads every local log. */
  clusterMode: boolean;
  replicaLagTimeMaxMs: number;
  fetcher: FetcherConfig;
  /** Replication throttles (KIP-73); absent: never throttled. */
  throttles?: ThrottleConfig;
  /** Topic id and config overrides for a partition the controller asks this broker to create. */
  topicInfo(topic: string, topicIdHint: string | undefined): Promise<{ topicId: string; configs: Record<string, string> }>;
}

export type LeadershipListener = (becameLeader: Partition[], becameFollower: Partition[]) => void;

export class ReplicaManager {
  readonly localBrokerId: number;
  controllerEpoch = 0;
  private readonly partitions = new Map<string, Partition>();
  private readonly listeners: LeadershipListener[] = [];
  readonly fetchers: ReplicaFetcherManager;
  readonly leaderQuota: ReplicationQuota | undefined;
  readonly followerQuota: ReplicationQuota | undefined;
  private shrinkTimer: NodeJS.Timeout | undefined;
  private readonly isrListeners: Array<(before: readonly number[], after: readonly number[]) => void> = [];
  /**
   * False while the ZooKeeper session is lost: the ISR cannot be changed and another broker
   * may already lead, so acks=all writes are refused (NOT_ENOUGH_REPLICAS) until a new session.
   */
  canGuaranteeAcks = true;
  private leaving = false;

  constructor(private readonly opts: ReplicaManagerOptions) {
    this.localBrokerId = opts.localBrokerId;
    const writer = opts.isrWriter;
    opts.isrWriter = {
      writeIsr: (...args) => writer.writeIsr(...args),
      recordIsrChange: (topic, partition) => writer.recordIsrChange(topic, partition),
      onApplied: (before, after) => {
        for (const l of this.isrListeners) l(before, after);
      },
      onHighWatermarkIncreased: (topic, partition) => opts.purgatory.notifyAppend(topic, partition),
      log: (line) => opts.log.info(line),
    };
    this.leaderQuota = opts.throttles ? new ReplicationQuota(opts.throttles, 'leader', opts.nowMs) : undefined;
    this.followerQuota = opts.throttles ? new ReplicationQuota(opts.throttles, 'follower', opts.nowMs) : undefined;
    this.fetchers = new ReplicaFetcherManager(this, opts.fetcher, opts.log, opts.nowMs);
    // A log-dir move swapped the log: the partition (and a follower's fetcher, which reads
    // it through the partition) goes on with the copy, or a follower would stop fetching.
    opts.logManager.logReplacedListeners.push((log) => {
      const p = this.partitions.get(topicPartitionKey(log.topic, log.partition));
      if (p === undefined) return;
      p.log = log;
      log.leaderEpoch = p.leaderEpoch;
    });
  }

  get metadataCache(): MetadataCache {
    return this.opts.metadataCache;
  }

  get clusterMode(): boolean {
    return this.opts.clusterMode;
  }

  startup(): void {
    if (!this.opts.clusterMode) return;
    const every = Math.max(100, Math.floor(this.opts.replicaLagTimeMaxMs / 2));
    this.shrinkTimer = setInterval(() => this.maybeShrinkIsrs(), every);
    this.shrinkTimer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.shrinkTimer) clearInterval(this.shrinkTimer);
    await this.fetchers.shutdown();
  }

  /**
   * This broker is leaving (controlled shutdown): it stops fetching and starts no new
   * fetchers. Otherwise a leader would see it caught up and take it back into the ISR right
   * after the controller took it out, and acks=all would wait on a broker that is gone (Kafka
   * fixed the same race with KIP-841).
   */
  async beginControlledShutdown(): Promise<void> {
    this.leaving = true;
    await this.fetchers.shutdown();
  }

  /** Called with the old and new ISR each time a partition led here changes its ISR. */
  onIsrChange(listener: (before: readonly number[], after: readonly number[]) => void): void {
    this.isrListeners.push(listener);
  }

  onLeadershipChange(listener: LeadershipListener): void {
    this.listeners.push(listener);
  }

  /** The partition, in single-node mode created (as leader) on first use of a local log. */
  getPartition(topic: string, partition: number): Partition | undefined {
    const key = topicPartitionKey(topic, partition);
    const known = this.partitions.get(key);
    if (known && !known.log.isClosed) return known;
    if (this.opts.clusterMode) return undefined;
    const log = this.opts.logManager.getLog(topic, partition);
    if (!log) {
      this.partitions.delete(key);
      return undefined;
    }
    const p = new Partition(topic, partition, this.localBrokerId, log, this.opts.isrWriter);
    const self = [this.localBrokerId];
    p.makeLeader({ controllerEpoch: 0, leader: this.localBrokerId, leaderEpoch: log.leaderEpoch, isr: self, zkVersion: 0, replicas: self }, this.opts.nowMs());
    this.partitions.set(key, p);
    return p;
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /**
   * The leader's partition for a client request, or the error Kafka answers: unknown
   * partition, not the leader, or a leader epoch the client has that is older (fenced) or
   * newer (unknown) than ours.
   */
  leaderPartition(topic: string, partition: number, currentLeaderEpoch = -1): { partition: Partition; errorCode: 0 } | { partition: undefined; errorCode: number } {
    const p = this.getPartition(topic, partition);
    if (!p) {
      const known = this.opts.clusterMode && this.opts.metadataCache.partitionState(topic, partition);
      return { partition: undefined, errorCode: known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    }
    if (currentLeaderEpoch >= 0) {
      if (currentLeaderEpoch < p.leaderEpoch) return { partition: undefined, errorCode: ErrorCode.FENCED_LEADER_EPOCH };
      if (currentLeaderEpoch > p.leaderEpoch) return { partition: undefined, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
    }
    if (!p.isLeader) return { partition: undefined, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    return { partition: p, errorCode: ErrorCode.NONE };
  }

  /** A follower fetched: record its position; wake acks=all producers and consumers when the HW moved. */
  recordFollowerFetch(p: Partition, replicaId: number, fetchOffset: number, logStartOffset: number): void {
    if (p.updateFollowerFetch(replicaId, fetchOffset, logStartOffset, this.opts.nowMs())) {
      this.opts.purgatory.notifyAppend(p.topic, p.partition);
    }
  }

  /** After a leader append: the HW may move at once (ISR of one). */
  afterLeaderAppend(p: Partition): void {
    p.maybeIncrementHighWatermark();
    this.opts.purgatory.notifyAppend(p.topic, p.partition);
  }

  // ---- controller requests ------------------------------------------------------------

  private staleEpoch(controllerEpoch: number): boolean {
    if (controllerEpoch < this.controllerEpoch) return true;
    this.controllerEpoch = controllerEpoch;
    return false;
  }

  updateMetadata(request: UpdateMetadataRequest): number {
    if (request.controllerEpoch < this.controllerEpoch) return ErrorCode.STALE_CONTROLLER_EPOCH;
    this.controllerEpoch = request.controllerEpoch;
    this.opts.metadataCache.updateMetadata(request);
    return ErrorCode.NONE;
  }

  async becomeLeaderOrFollower(request: LeaderAndIsrRequest, version: number): Promise<LeaderAndIsrResponse> {
    const states = partitionStatesOf(request);
    const results: Array<{ topic: string; topicId: string; partition: number; errorCode: number }> = [];
    if (this.staleEpoch(request.controllerEpoch)) {
      this.opts.log.warn(`Ignoring LeaderAndIsr from controller ${request.controllerId} with stale epoch ${request.controllerEpoch} (current ${this.controllerEpoch})`);
      return leaderAndIsrResponse(version, ErrorCode.STALE_CONTROLLER_EPOCH, states.map((s) => ({ ...s, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })));
    }
    const becameLeader: Partition[] = [];
    const becameFollower: Partition[] = [];
    for (const s of states) {
      results.push({ topic: s.topic, topicId: s.topicId ?? '', partition: s.state.partitionIndex, errorCode: await this.applyPartitionState(s, becameLeader, becameFollower) });
    }
    for (const l of this.listeners) {
      try {
        l(becameLeader, becameFollower);
      } catch (err) {
        this.opts.log.error(`Leadership change listener failed: ${errorMessage(err)}`);
      }
    }
    return leaderAndIsrResponse(version, ErrorCode.NONE, results);
  }

  private async applyPartitionState(
    s: { topic: string; topicId: string | undefined; state: LeaderAndIsrPartitionState },
    becameLeader: Partition[],
    becameFollower: Partition[],
  ): Promise<number> {
    const st = s.state;
    if (!st.replicas.includes(this.localBrokerId)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const key = topicPartitionKey(s.topic, st.partitionIndex);
    let p = this.partitions.get(key);
    if (p && st.leaderEpoch <= p.leaderEpoch) {
      this.opts.log.info(`Ignoring LeaderAndIsr for ${key}: leader epoch ${st.leaderEpoch} is not newer than ${p.leaderEpoch}`);
      return ErrorCode.STALE_CONTROLLER_EPOCH;
    }
    try {
      if (!p) {
        const log = await this.logFor(s.topic, st.partitionIndex, s.topicId);
        p = new Partition(s.topic, st.partitionIndex, this.localBrokerId, log, this.opts.isrWriter);
        this.partitions.set(key, p);
      }
      const state = { controllerEpoch: st.controllerEpoch, leader: st.leader, leaderEpoch: st.leaderEpoch, isr: st.isr, zkVersion: st.partitionEpoch, replicas: st.replicas };
      if (st.leader === this.localBrokerId) {
        this.fetchers.removePartition(s.topic, st.partitionIndex);
        if (p.makeLeader(state, this.opts.nowMs())) becameLeader.push(p);
        this.opts.purgatory.notifyAppend(s.topic, st.partitionIndex);
      } else {
        const changed = p.makeFollower(state);
        becameFollower.push(p);
        if (!this.leaving && (changed || !this.fetchers.has(s.topic, st.partitionIndex))) this.fetchers.addPartition(p);
        // Waiters on this partition (acks=all, long polls) must learn it is no longer led here.
        this.opts.purgatory.notifyAppend(s.topic, st.partitionIndex);
      }
      return ErrorCode.NONE;
    } catch (err) {
      this.opts.log.error(`LeaderAndIsr for ${key} failed: ${errorMessage(err)}`);
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  private async logFor(topic: string, partition: number, topicIdHint: string | undefined): Promise<PartitionLog> {
    const existing = this.opts.logManager.getLog(topic, partition);
    if (existing) return existing;
    const info = await this.opts.topicInfo(topic, topicIdHint);
    return this.opts.logManager.createLog(topic, partition, info.topicId, info.configs);
  }

  stopReplicas(request: StopReplicaRequest): StopReplicaResponse {
    const targets = stopReplicaTargets(request);
    if (this.staleEpoch(request.controllerEpoch)) {
      return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: targets.map((t) => ({ topicName: t.topic, partitionIndex: t.partition, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })) };
    }
    const partitionErrors = targets.map((t) => {
      this.fetchers.removePartition(t.topic, t.partition);
      let errorCode: number = ErrorCode.NONE;
      if (t.delete) {
        const key = topicPartitionKey(t.topic, t.partition);
        const p = this.partitions.get(key);
        this.partitions.delete(key);
        if (p) this.opts.purgatory.notifyAppend(t.topic, t.partition);
        try {
          this.opts.logManager.deletePartition(t.topic, t.partition);
        } catch (err) {
          this.opts.log.error(`Deleting ${key} failed: ${errorMessage(err)}`);
          errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        }
      }
      return { topicName: t.topic, partitionIndex: t.partition, errorCode };
    });
    return { errorCode: ErrorCode.NONE, partitionErrors };
  }

  private maybeShrinkIsrs(): void {
    const now = this.opts.nowMs();
    for (const p of this.partitions.values()) {
      try {
        p.maybeShrinkIsr(now, this.opts.replicaLagTimeMaxMs);
      } catch (err) {
        this.opts.log.error(`ISR shrink check of ${p.topic}-${p.partition} failed: ${errorMessage(err)}`);
      }
    }
  }
}

function partitionStatesOf(request: LeaderAndIsrRequest): Array<{ topic: string; topicId: string | undefined; state: LeaderAndIsrPartitionState }> {
  const out: Array<{ topic: string; topicId: string | undefined; state: LeaderAndIsrPartitionState }> = [];
  for (const s of request.ungroupedPartitionStates ?? []) out.push({ topic: s.topicName ?? '', topicId: undefined, state: s });
  for (const t of request.topicStates ?? []) {
    const id = t.topicId && !/^A+$/.test(t.topicId) ? t.topicId : undefined;
    for (const s of t.partitionStates) out.push({ topic: t.topicName, topicId: id, state: s });
  }
  return out;
}

function leaderAndIsrResponse(
  version: number,
  errorCode: number,
  results: Array<{ topic: string; topicId?: string; partition?: number; state?: LeaderAndIsrPartitionState; errorCode: number }>,
): LeaderAndIsrResponse {
  const partitionOf = (r: (typeof results)[number]): number => r.partition ?? r.state?.partitionIndex ?? 0;
  if (version < 5) {
    return { errorCode, partitionErrors: results.map((r) => ({ topicName: r.topic, partitionIndex: partitionOf(r), errorCode: r.errorCode })) };
  }
  const byTopic = new Map<string, { topicId: string; partitionErrors: Array<{ partitionIndex: number; errorCode: number }> }>();
  for (const r of results) {
    let t = byTopic.get(r.topic);
    if (!t) byTopic.set(r.topic, (t = { topicId: r.topicId || 'AAAAAAAAAAAAAAAAAAAAAA', partitionErrors: [] }));
    t.partitionErrors.push({ partitionIndex: partitionOf(r), errorCode: r.errorCode });
  }
  return { errorCode, topics: [...byTopic.values()] };
}

function stopReplicaTargets(request: StopReplicaRequest): Array<{ topic: string; partition: number; delete: boolean }> {
  const out: Array<{ topic: string; partition: number; delete: boolean }> = [];
  const del = request.deletePartitions ?? false;
  for (const p of request.ungroupedPartitions ?? []) out.push({ topic: p.topicName, partition: p.partitionIndex, delete: del });
  for (const t of request.topics ?? []) for (const p of t.partitionIndexes) out.push({ topic: t.name, partition: p, delete: del });
  for (const t of request.topicStates ?? []) for (const p of t.partitionStates) out.push({ topic: t.topicName, partition: p.partitionIndex, delete: p.deletePartition });
  return out;
}
