/**
 * Consumer lag in seconds, as kafka-lag-exporter estimates it: each scrape records the high
 * watermark of every partition a group commits on, with the time; the lag of a committed
 * offset is how long ago the high watermark passed it, interpolated between the two samples
 * around it. Bounded: SAMPLES_MAX samples per tracked partition, partitions no group
 * commits on any more are forgotten.
 */
const SAMPLES_MAX = 120;

interface Sample {
  offset: number;
  atMs: number;
}

export class LagClock {
  private readonly samples = new Map<string, Sample[]>();

  /** Records the high watermark of `key` now (only when it moved). */
  sample(key: string, highWatermark: number, nowMs: number): void {
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    const last = list[list.length - 1];
    if (last && last.offset === highWatermark) return;
    list.push({ offset: highWatermark, atMs: nowMs });
    if (list.length > SAMPLES_MAX) list.shift();
  }

  /**
   * Seconds since the high watermark of `key` passed `committedOffset`. Before the first
   * sample that reached it only a lower bound is known: the age of the oldest sample.
   */
  secondsBehind(key: string, committedOffset: number, nowMs: number): number {
    const list = this.samples.get(key);
    if (!list || list.length === 0) return 0;
    // The first sample at or past the committed offset; the one before it is below.
    let i = 0;
    while (i < list.length && list[i]!.offset <= committedOffset) i++;
    if (i === list.length) return 0;
    const after = list[i]!;
    const before = list[i - 1];
    let passedAtMs = after.atMs;
    if (before) {
      const span = after.offset - before.offset;
      const fraction = span > 0 ? (committedOffset + 1 - before.offset) / span : 1;
      passedAtMs = before.atMs + Math.min(1, Math.max(0, fraction)) * (after.atMs - before.atMs);
    }
    return Math.max(0, (nowMs - passedAtMs) / 1000);
  }

  /** Forgets partitions not in `keys`. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.samples.keys()) if (!keys.has(key)) this.samples.delete(key);
  }
}
