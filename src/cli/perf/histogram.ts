/**
 * Latency recording for the perf tools: exact count, sum and max, plus a bounded sample
 * of values for percentiles. Up to `capacity` values are kept exactly; past that, every
 * k-th value is kept (k grows so the sample covers the whole run, as Kafka's
 * ProducerPerformance samples), so memory stays bounded on billion-record runs.
 */

export interface LatencySummary {
  count: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export class LatencyHistogram {
  private readonly samples: Float64Array;
  private sampled = 0;
  private stride = 1;
  private seen = 0;
  count = 0;
  sumMs = 0;
  maxMs = 0;

  constructor(capacity = 1 << 20) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('histogram capacity must be a positive integer');
    this.samples = new Float64Array(capacity);
  }

  record(latencyMs: number): void {
    this.count++;
    this.sumMs += latencyMs;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    if (this.seen++ % this.stride !== 0) return;
    if (this.sampled === this.samples.length) this.halve();
    this.samples[this.sampled++] = latencyMs;
  }

  /** Keep every other sample and double the stride: the sample stays evenly spread. */
  private halve(): void {
    const n = this.sampled;
    let w = 0;
    for (let r = 0; r < n; r += 2) this.samples[w++] = this.samples[r]!;
    this.sampled = w;
    this.stride *= 2;
    this.seen = 1;
  }

  /** The value at rank floor(p * n) of the sorted sample (Kafka's definition); 0 when empty. */
  percentiles(ps: readonly number[]): number[] {
    if (this.sampled === 0) return ps.map(() => 0);
    const sorted = this.samples.slice(0, this.sampled).sort();
    return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
  }

  summary(): LatencySummary {
    const [p50, p95, p99, p999] = this.percentiles([0.5, 0.95, 0.99, 0.999]);
    return {
      count: this.count,
      avgMs: this.count === 0 ? 0 : this.sumMs / this.count,
      maxMs: this.maxMs,
      p50Ms: p50!,
      p95Ms: p95!,
      p99Ms: p99!,
      p999Ms: p999!,
    };
  }
}
