/**
 * Replication throttling (KIP-73), as the reassignment tool sets it: a topic's
 * `leader.replication.throttled.replicas` / `follower.replication.throttled.replicas`
 * ("partition:broker,..." or "*") name the replicas whose replication traffic is limited to
 * the broker's `leader.replication.throttled.rate` / `follower.replication.throttled.rate`
 * (bytes/s). A token bucket per broker and direction: traffic of throttled replicas takes
 * tokens; while the bucket is empty, throttled replicas that are not in sync get no data.
 */
export interface ThrottleConfig {
  /** The topic's config overrides (Kafka names). */
  topicOverrides(topic: string): Readonly<Record<string, string>>;
  /** Bytes/s of `key` for this broker; Infinity when unset. */
  rate(key: 'leader.replication.throttled.rate' | 'follower.replication.throttled.rate'): number;
}

/** True when `replicas` ("*" or "p:b,p:b") names partition `partition` on broker `brokerId`. */
export function isThrottledReplica(replicas: string | undefined, partition: number, brokerId: number): boolean {
  if (!replicas) return false;
  const v = replicas.trim();
  if (v === '*') return true;
  return v.split(',').some((entry) => {
    const [p, b] = entry.trim().split(':');
    return Number(p) === partition && Number(b) === brokerId;
  });
}

export class ReplicationQuota {
  private tokens = 0;
  /** Set at the first throttled use: the bucket starts empty then, so the first second is paced too. */
  private lastMs: number | undefined;

  constructor(
    private readonly config: ThrottleConfig,
    private readonly direction: 'leader' | 'follower',
    private readonly nowMs: () => number,
  ) {}

  private get rate(): number {
    return this.config.rate(`${this.direction}.replication.throttled.rate`);
  }

  /** Whether replica (topic, partition, brokerId) is throttled in this direction. */
  isThrottled(topic: string, partition: number, brokerId: number): boolean {
    if (!Number.isFinite(this.rate)) return false;
    return isThrottledReplica(this.config.topicOverrides(topic)[`${this.direction}.replication.throttled.replicas`], partition, brokerId);
  }

  /** Bytes throttled traffic may move now (refilled at the rate, at most one second's worth). */
  available(): number {
    const rate = this.rate;
    if (!Number.isFinite(rate)) return Number.POSITIVE_INFINITY;
    const now = this.nowMs();
    this.lastMs ??= now;
    this.tokens = Math.min(rate, this.tokens + ((now - this.lastMs) / 1000) * rate);
    this.lastMs = now;
    return Math.max(0, Math.floor(this.tokens));
  }

  /** Throttled bytes moved. */
  record(bytes: number): void {
    if (Number.isFinite(this.rate)) this.tokens -= bytes;
  }
}
