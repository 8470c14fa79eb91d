/**
 * Paces a sender at a fixed rate by schedule, not by sleeping after each send: record i
 * is due at start + i / rate. Latency is then measured from the due time, so a stall
 * (in the client, the broker or the event loop) shows up in every record it delayed
 * instead of being hidden by a sender that simply sent later (coordinated omission).
 */
import { setTimeout as delay } from 'node:timers/promises';

export class Throttler {
  private readonly intervalMs: number;

  /** recordsPerSec <= 0: unthrottled; every record is due when it is sent. */
  constructor(
    recordsPerSec: number,
    private readonly startMs: number,
  ) {
    this.intervalMs = recordsPerSec > 0 ? 1000 / recordsPerSec : 0;
  }

  get throttled(): boolean {
    return this.intervalMs > 0;
  }

  /** When record `index` (0-based) is due; now() for an unthrottled sender. */
  dueMs(index: number, now: number): number {
    return this.throttled ? this.startMs + index * this.intervalMs : now;
  }

  /**
   * A promise to await when record `index` is not due yet, else null (no promise per record
   * on the hot path). Sleeps only when at least 1 ms ahead (timer granularity).
   */
  waitFor(index: number, now: () => number): Promise<void> | null {
    if (!this.throttled) return null;
    const ahead = this.dueMs(index, 0) - now();
    return ahead >= 1 ? delay(Math.floor(ahead)) : null;
  }
}
