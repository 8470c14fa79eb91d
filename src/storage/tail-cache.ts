/**
 * The batches partitions appended last, kept as the very buffers that were written to the
 * segment. Kafka serves a fetch at the log's tail from the page cache with sendfile; Node
 * cannot send a file to a socket, so such a fetch would read the bytes just written into a
 * new buffer (a read syscall, a copy and garbage per fetch). Followers, and consumers that
 * keep up, fetch exactly there: each fetch is answered from these buffers, with no read and,
 * when one append answers it, no copy.
 *
 * One append is one entry (its batches stay opaque bytes). A fetch is answered from the cache
 * only when it starts at an entry's first offset; anything else (a fetch inside an append,
 * older data, a bound falling inside an append) reads the segment as before. Entries never
 * span segments. Bounded broker-wide: the memory each buffer keeps alive (its whole
 * ArrayBuffer) counts, and the oldest entries of all partitions go first.
 */

interface TailEntry {
  segmentBaseOffset: number;
  firstOffset: number;
  /** Offset after the entry's last record. */
  nextOffset: number;
  bytes: Buffer;
  retainedBytes: number;
  owner: PartitionTailCache;
  dropped: boolean;
}

/** The broker-wide bound; entries leave in append order across partitions. */
export class TailCacheBudget {
  private readonly queue: TailEntry[] = [];
  private head = 0;
  private retained = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes the cached entries keep alive now. */
  get retainedBytes(): number {
    return this.retained;
  }

  add(entry: TailEntry): void {
    this.queue.push(entry);
    this.retained += entry.retainedBytes;
    while (this.retained > this.maxBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head++]!;
      if (!oldest.dropped) oldest.owner.dropOldest(oldest);
    }
    // Compact the consumed front now and then (amortised O(1) per entry).
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** An entry left its partition's cache (eviction or clear): its memory no longer counts. */
  release(entry: TailEntry): void {
    entry.dropped = true;
    this.retained -= entry.retainedBytes;
  }
}

/** One partition's recent appends, in offset order. */
export class PartitionTailCache {
  private entries: TailEntry[] = [];
  private head = 0;

  constructor(private readonly budget: TailCacheBudget) {}

  /** Remember an append just written at the end of the segment starting at `segmentBaseOffset`. */
  add(segmentBaseOffset: number, firstOffset: number, nextOffset: number, bytes: Buffer): void {
    const retainedBytes = Math.max(bytes.length, bytes.buffer.byteLength);
    const last = this.entries[this.entries.length - 1];
    // Appends always continue the log; anything else means the log changed under us.
    if ((last && last.nextOffset !== firstOffset) || retainedBytes > this.budget.maxBytes) {
      this.clear();
      if (retainedBytes > this.budget.maxBytes) return;
    }
    const entry: TailEntry = { segmentBaseOffset, firstOffset, nextOffset, bytes, retainedBytes, owner: this, dropped: false };
    this.entries.push(entry);
    this.budget.add(entry);
  }

  /** Called by the budget with this cache's oldest entry. */
  dropOldest(entry: TailEntry): void {
    if (this.entries[this.head] !== entry) return;
    this.budget.release(entry);
    this.entries[this.head++] = undefined as unknown as TailEntry;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Forget everything (truncation, segments replaced, log closed). */
  clear(): void {
    for (let i = this.head; i < this.entries.length; i++) this.budget.release(this.entries[i]!);
    this.entries = [];
    this.head = 0;
  }

  /**
   * The whole appends from `fetchOffset` (which must start one), within one segment: at most
   * `maxBytes`, or the first append whole when `minOneMessage`; none reaching past `maxOffset`.
   * Undefined when the cache cannot answer exactly as the segment would (read it instead).
   */
  read(fetchOffset: number, maxBytes: number, maxOffset: number, minOneMessage: boolean): Buffer | undefined {
    const i = this.indexOf(fetchOffset);
    if (i < 0) return undefined;
    const first = this.entries[i]!;
    if (first.nextOffset > maxOffset) return undefined;
    if (first.bytes.length > maxBytes) return minOneMessage ? this.firstWhole(first) : undefined;
    let end = i + 1;
    let size = first.bytes.length;
    while (end < this.entries.length) {
      const next = this.entries[end]!;
      if (next.segmentBaseOffset !== first.segmentBaseOffset || next.nextOffset > maxOffset || size + next.bytes.length > maxBytes) break;
      size += next.bytes.length;
      end++;
    }
    if (end === i + 1) return first.bytes;
    return Buffer.concat(this.entries.slice(i, end).map((e) => e.bytes), size);
  }

  /** A single-batch append bigger than maxBytes is what the segment returns too (minOneMessage); several batches are not. */
  private firstWhole(entry: TailEntry): Buffer | undefined {
    const batchBytes = 12 + entry.bytes.readInt32BE(8);
    return batchBytes === entry.bytes.length ? entry.bytes : undefined;
  }

  private indexOf(offset: number): number {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.firstOffset === offset) return mid;
      if (e.firstOffset < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
