/**
 * One partition on this broker (Kafka's Partition): leader or follower, leader epoch, ISR,
 * the followers' fetch state when leading, and the high watermark. The leader's HW is the
 * lowest log end offset in the ISR; a follower's is min(its LEO, the leader's HW). ISR
 * changes are written to the partition's state znode first (compare-and-set on its
 * zkVersion) and change the in-memory ISR only when the write succeeded, as Kafka does.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionLog } from '../../storage/partition-log.js';

/** The controller's view of a partition, as LeaderAndIsr carries it. */
export interface LeaderIsrState {
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
}

/** Where a leader writes ISR changes (the state znode in cluster mode; nothing on one node). */
export interface IsrWriter {
  /** Compare-and-set of the partition state; the new zkVersion, or undefined when it lost the race. */
  writeIsr(topic: string, partition: number, state: { leader: number; leaderEpoch: number; isr: number[]; controllerEpoch: number }, expectedZkVersion: number): Promise<number | undefined>;
  /** Tell the controller (isr_change_notification) that this partition's ISR changed. */
  recordIsrChange(topic: string, partition: number): void;
  /** Observers of applied ISR changes (metrics). */
  onApplied?(before: readonly number[], after: readonly number[]): void;
  /** The high watermark moved because the ISR changed (a shrink): wake acks=all produces and fetches waiting for it. */
  onHighWatermarkIncreased?(topic: string, partition: number): void;
  /** Where ISR changes are logged (INFO). */
  log?(line: string): void;
}

export interface FollowerState {
  logEndOffset: number;
  logStartOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export class Partition {
  leaderId = -1;
  leaderEpoch = -1;
  controllerEpoch = -1;
  zkVersion = -1;
  replicas: number[] = [];
  isr: number[] = [];
  readonly followers = new Map<number, FollowerState>();
  private isrWriteInFlight = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    public log: PartitionLog,
    private readonly isrWriter: IsrWriter,
  ) {}

  get isLeader(): boolean {
    return this.leaderId === this.localBrokerId;
  }

  /** Become leader with the controller's state. True when this broker was not leading before. */
  makeLeader(state: LeaderIsrState, nowMs: number): boolean {
    const wasLeader = this.isLeader;
    this.applyState(state);
    this.log.leaderEpoch = state.leaderEpoch;
    const leo = this.log.logEndOffset;
    for (const id of state.replicas) {
      if (id === this.localBrokerId) continue;
      const known = wasLeader ? this.followers.get(id) : undefined;
      const inIsr = state.isr.includes(id);
      this.followers.set(id, {
        logEndOffset: known?.logEndOffset ?? -1,
        logStartOffset: known?.logStartOffset ?? -1,
        lastCaughtUpTimeMs: inIsr ? nowMs : (known?.lastCaughtUpTimeMs ?? 0),
        lastFetchLeaderLogEndOffset: known?.lastFetchLeaderLogEndOffset ?? leo,
        lastFetchTimeMs: known?.lastFetchTimeMs ?? nowMs,
      });
    }
    for (const id of [...this.followers.keys()]) if (!state.replicas.includes(id)) this.followers.delete(id);
    this.maybeIncrementHighWatermark();
    return !wasLeader;
  }

  /** Become follower of `state.leader`. True when the leader changed (the fetcher must restart). */
  makeFollower(state: LeaderIsrState): boolean {
    const leaderChanged = this.leaderId !== state.leader || this.isLeader;
    this.applyState(state);
    this.log.leaderEpoch = state.leaderEpoch;
    this.isr = [];
    this.followers.clear();
    return leaderChanged;
  }

  private applyState(state: LeaderIsrState): void {
    this.controllerEpoch = state.controllerEpoch;
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.isr = [...state.isr];
    this.zkVersion = state.zkVersion;
    this.replicas = [...state.replicas];
  }

  /** A follower fetched at `fetchOffset`: its LEO, caught-up time, then ISR expansion and the HW. */
  updateFollowerFetch(replicaId: number, fetchOffset: number, logStartOffset: number, nowMs: number): boolean {
    const f = this.followers.get(replicaId);
    if (!f || !this.isLeader) return false;
    const leaderLeo = this.log.logEndOffset;
    if (fetchOffset >= leaderLeo) f.lastCaughtUpTimeMs = nowMs;
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.logStartOffset = logStartOffset;
    f.lastFetchLeaderLogEndOffset = leaderLeo;
    f.lastFetchTimeMs = nowMs;
    this.maybeExpandIsr(replicaId);
    return this.maybeIncrementHighWatermark();
  }

  /** HW = the lowest LEO in the ISR (only moves forward). True when it moved. */
  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let hw = this.log.logEndOffset;
    for (const id of this.isr) {
      if (id === this.localBrokerId) continue;
      const f = this.followers.get(id);
      hw = Math.min(hw, f ? f.logEndOffset : -1);
    }
    if (hw > this.log.highWatermark) {
      this.log.highWatermark = hw;
      return true;
    }
    return false;
  }

  /** A follower in the assignment but not the ISR that reached the HW joins it. */
  private maybeExpandIsr(replicaId: number): void {
    const f = this.followers.get(replicaId);
    if (!f || this.isr.includes(replicaId) || !this.replicas.includes(replicaId)) return;
    if (f.logEndOffset < this.log.highWatermark) return;
    void this.writeIsr([...this.isr, replicaId]);
  }

  /** Followers that have not caught up within `lagMaxMs` leave the ISR. */
  maybeShrinkIsr(nowMs: number, lagMaxMs: number): void {
    if (!this.isLeader) return;
    const lagging = this.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const f = this.followers.get(id);
      return !f || nowMs - f.lastCaughtUpTimeMs > lagMaxMs;
    });
    if (lagging.length === 0) return;
    void this.writeIsr(this.isr.filter((id) => !lagging.includes(id)));
  }

  private async writeIsr(newIsr: number[]): Promise<void> {
    if (this.isrWriteInFlight) return;
    this.isrWriteInFlight = true;
    const epoch = this.leaderEpoch;
    try {
      const state = { leader: this.localBrokerId, leaderEpoch: epoch, isr: newIsr, controllerEpoch: this.controllerEpoch };
      const version = await this.isrWriter.writeIsr(this.topic, this.partition, state, this.zkVersion);
      // Leadership may have changed while the write was in flight: the controller's state wins.
      if (version === undefined || !this.isLeader || this.leaderEpoch !== epoch) return;
      const before = this.isr;
      this.isr = newIsr;
      this.zkVersion = version;
      this.isrWriter.log?.(`[Partition ${this.topic}-${this.partition} broker=${this.localBrokerId}] ${newIsr.length < before.length ? 'Shrinking' : 'Expanding'} ISR from ${before.join(',')} to ${newIsr.join(',')}`);
      this.isrWriter.onApplied?.(before, newIsr);
      this.isrWriter.recordIsrChange(this.topic, this.partition);
      // A shrink can move the HW with no append or fetch to follow (a producer waiting for its
      // one acks=all request): its waiters must hear of it now, not at their timeout.
      if (this.maybeIncrementHighWatermark()) this.isrWriter.onHighWatermarkIncreased?.(this.topic, this.partition);
    } finally {
      this.isrWriteInFlight = false;
    }
  }

  /** acks=all: done when the HW reached `requiredOffset`; error when the ISR fell below min.insync.replicas. */
  checkEnoughReplicasReachOffset(requiredOffset: number, minIsr: number): { done: boolean; errorCode: number } {
    if (!this.isLeader) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (this.log.highWatermark >= requiredOffset) {
      return this.isr.length >= minIsr ? { done: true, errorCode: ErrorCode.NONE } : { done: true, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
    }
    return { done: false, errorCode: ErrorCode.NONE };
  }
}
