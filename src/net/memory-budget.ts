/**
 * The broker-wide budget for bytes in flight (Kafka's `queued.max.request.bytes`): request
 * bytes read but not yet answered, responses built but not yet written, and responses
 * waiting in user space for a socket that does not drain. Each connection reports what it
 * holds; while the total is at the budget, connections that hold anything stop reading
 * (the slow readers, whose unsent responses are what fills the budget) and a connection
 * holding nothing may still send one request at a time, so a well-behaved client is
 * served while slow ones wait. Fetch sizes its responses to the room left
 * (`fetchBytesAllowed`), so a full budget makes fetches return one batch, not megabytes.
 *
 * Memory comes back when the slow readers leave: their responses are garbage then, but V8
 * collects only when something allocates, and an idle broker allocates nothing, so its RSS
 * would stay at the peak. When the bytes in flight fall from a quarter of the budget to
 * almost nothing, one full collection is run (debounced).
 *
 * V8's memory reducer is turned off for the broker's process. It shrinks the old generation's
 * allocation limit to just above the live heap after a burst of allocation followed by a
 * quiet moment (creating 10,000 partitions, then nothing), and a broker holding 10,000
 * partitions has a large live heap (~50 MB) that stays: every produce request that
 * promotes a little then starts a full mark-compact of it, so ingest right after creating
 * them took twice the CPU per record of the same broker restarted (bench 18). The bounds
 * above, not V8's idle-time shrinking, are what keep a broker's memory down.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const COLLECT_DELAY_MS = 500;

export class RequestMemoryBudget {
  private used = 0;
  private readonly waiting = new Set<() => void>();
  /** The most held since the last collection. */
  private peakBytes = 0;
  private collectTimer: NodeJS.Timeout | undefined;

  constructor(readonly maxBytes: number) {
    turnOffMemoryReducer();
  }

  get usedBytes(): number {
    return this.used;
  }

  get exhausted(): boolean {
    return this.used >= this.maxBytes;
  }

  /** How many bytes one fetch response may take now (at least 1: a fetch always returns its first batch). */
  fetchBytesAllowed(): number {
    return Math.max(1, this.maxBytes - this.used);
  }

  /** A connection's holding changed by `delta` bytes; room made wakes the connections waiting for it. */
  add(delta: number): void {
    this.used += delta;
    if (this.used > this.peakBytes) this.peakBytes = this.used;
    else if (delta < 0 && this.peakBytes * 4 >= this.maxBytes && this.used * 64 < this.maxBytes) this.collectSoon();
    if (delta < 0 && !this.exhausted && this.waiting.size > 0) {
      const wake = [...this.waiting];
      this.waiting.clear();
      for (const resume of wake) resume();
    }
  }

  /** Calls `resume` once the budget has room again. */
  waitForRoom(resume: () => void): void {
    this.waiting.add(resume);
  }

  cancelWait(resume: () => void): void {
    this.waiting.delete(resume);
  }

  private collectSoon(): void {
    if (this.collectTimer) return;
    this.collectTimer = setTimeout(() => {
      this.collectTimer = undefined;
      if (this.used * 64 >= this.maxBytes) return; // busy again: allocation will trigger it
      this.peakBytes = this.used;
      fullCollection()?.();
    }, COLLECT_DELAY_MS);
    this.collectTimer.unref();
  }
}

let memoryReducerOff = false;

function turnOffMemoryReducer(): void {
  if (memoryReducerOff) return;
  memoryReducerOff = true;
  setFlagsFromString('--no-memory-reducer');
}

let gcFunction: (() => void) | null | undefined;

/** V8's gc(), exposed on first use (kts does not start node with --expose-gc); null if refused. */
function fullCollection(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  try {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}
