/**
 * IO throttle for the cleaner (`log.cleaner.io.max.bytes.per.second`): callers report the
 * bytes they read or wrote and are told how long to wait to stay under the rate, measured
 * over a window that restarts every second.
 */
export class Throttler {
  private windowStartMs: number;
  private windowBytes = 0;

  constructor(readonly bytesPerSecond: number, private readonly nowMs: () => number = () => performance.now()) {
    this.windowStartMs = nowMs();
  }

  /** Milliseconds to pause after `bytes` more of IO (0 when under the rate or unlimited). */
  delayFor(bytes: number): number {
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond <= 0) return 0;
    const now = this.nowMs();
    this.windowBytes += bytes;
    const elapsedMs = now - this.windowStartMs;
    const neededMs = (this.windowBytes / this.bytesPerSecond) * 1000;
    if (elapsedMs >= 1000 && neededMs <= elapsedMs) {
      this.windowStartMs = now;
      this.windowBytes = 0;
      return 0;
    }
    return Math.max(0, neededMs - elapsedMs);
  }
}
