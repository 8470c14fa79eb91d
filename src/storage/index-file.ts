/**
 * Kafka's segment indexes on plain file descriptors: OffsetIndex (8-byte entries:
 * relative offset, file position) and TimeIndex (12-byte entries: timestamp, relative
 * offset). Like Kafka's AbstractIndex, the file of an active segment is preallocated to
 * `segment.index.bytes` rounded down to the entry size and trimmed to its entries when the
 * segment rolls or closes; entries are kept in memory for lookups (Node has no mmap).
 */
import { existsSync, fstatSync, ftruncateSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readInt64, writeInt64 } from '../records/batch-header.js';
import { CorruptDataError } from '../util/errors.js';
import { CachedFile } from './file-cache.js';
import { syncFile } from './sync-group.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;
export const TIME_INDEX_ENTRY_SIZE = 12;
const NO_TIMESTAMP = -1;
const INITIAL_ENTRIES = 8;
const NO_ENTRIES = Buffer.alloc(0);

export function roundDownToMultiple(n: number, factor: number): number {
  return factor * Math.floor(n / factor);
}

abstract class IndexFile {
  /** Entries live in `buf`; the descriptor (from the bounded cache) is only needed to write. */
  protected readonly file: CachedFile;
  /** Undefined until an existing file is first used: a broker starts without reading idle partitions' indexes. */
  private data: Buffer | undefined;
  private entryCount = 0;
  private maxEntries = 0;
  /** Bytes the file currently has on disk (preallocated or trimmed). */
  private fileBytes = 0;
  /** The size `resize` asked for: the file grows to it on the next append (an idle partition's never does). */
  private preallocateBytes = 0;

  /** `exists`: whether the file is there, when the caller listed the directory already. */
  constructor(
    public path: string,
    readonly baseOffset: number,
    readonly entrySize: number,
    private maxIndexBytes: number,
    exists: boolean = existsSync(path),
  ) {
    this.file = new CachedFile(path, !exists);
    if (!exists) {
      this.fileBytes = roundDownToMultiple(maxIndexBytes, entrySize);
      ftruncateSync(this.file.fd(), this.fileBytes);
      // Grown by doubling on append: ten thousand idle partitions should not hold 4 KiB each.
      this.data = Buffer.alloc(Math.min(this.fileBytes, INITIAL_ENTRIES * entrySize));
      this.maxEntries = Math.floor(this.fileBytes / entrySize);
    }
  }

  /** Read the entries of an existing file (on first use). */
  private load(): Buffer {
    const fd = this.file.fd();
    this.fileBytes = fstatSync(fd).size;
    const valid = roundDownToMultiple(this.fileBytes, this.entrySize);
    // An empty index (every idle partition's, trimmed at its last close) shares one empty
    // buffer: appendEntry allocates on the first entry.
    const buf = valid > 0 ? Buffer.alloc(valid) : NO_ENTRIES;
    if (valid > 0) readFully(fd, buf, valid);
    this.data = buf;
    this.entryCount = valid / this.entrySize;
    // An unclean shutdown leaves the preallocated zeros after the real entries.
    while (this.entryCount > 0 && this.isZeroEntry(this.entryCount - 1)) this.entryCount--;
    this.maxEntries = Math.floor(Math.max(this.fileBytes, roundDownToMultiple(this.maxIndexBytes, this.entrySize)) / this.entrySize);
    if (this.preallocateBytes > 0) this.maxEntries = Math.max(this.preallocateBytes, this.entryCount * this.entrySize) / this.entrySize;
    return buf;
  }

  /** Whether the entries are in memory (an existing file is read on first use). */
  get isLoaded(): boolean {
    return this.data !== undefined;
  }

  protected get buf(): Buffer {
    return this.data ?? this.load();
  }

  protected get count(): number {
    if (this.data === undefined) this.load();
    return this.entryCount;
  }

  private isZeroEntry(slot: number): boolean {
    for (let i = slot * this.entrySize; i < (slot + 1) * this.entrySize; i++) if (this.buf[i] !== 0) return false;
    return true;
  }

  /** The file (for a background fsync, which pins its descriptor). */
  get cachedFile(): CachedFile {
    return this.file;
  }

  get entries(): number {
    return this.count;
  }

  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  get maxEntryCount(): number {
    if (this.data === undefined) this.load();
    return this.maxEntries;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Append one encoded entry at the end (memory and file). */
  protected appendEntry(entry: Buffer): void {
    const at = this.count * this.entrySize;
    let buf = this.buf;
    if (at + this.entrySize > buf.length) {
      const bigger = Buffer.alloc(Math.max(buf.length * 2, at + this.entrySize));
      buf.copy(bigger, 0, 0, at);
      this.data = buf = bigger;
    }
    entry.copy(buf, at);
    if (this.preallocateBytes > this.fileBytes) {
      ftruncateSync(this.file.fd(), this.preallocateBytes);
      this.fileBytes = this.preallocateBytes;
    }
    writeSync(this.file.fd(), entry, 0, this.entrySize, at);
    if (at + this.entrySize > this.fileBytes) this.fileBytes = at + this.entrySize;
    this.entryCount += 1;
  }

  /** Keep only the first `n` entries (the file keeps its preallocated length). */
  protected truncateToEntries(n: number): void {
    const count = this.count;
    if (n >= count) return;
    this.buf.fill(0, n * this.entrySize, count * this.entrySize);
    const zeros = Buffer.alloc((count - n) * this.entrySize);
    writeSync(this.file.fd(), zeros, 0, zeros.length, n * this.entrySize);
    this.entryCount = n;
  }

  /** Remove every entry. */
  reset(): void {
    this.truncateToEntries(0);
  }

  /** Cut the file to its entries, as Kafka does when a segment rolls or closes. */
  trimToValidSize(): void {
    this.preallocateBytes = 0;
    // A file never read is as it was found: nothing to trim that this process grew.
    if (this.data === undefined) return;
    const bytes = this.entryCount * this.entrySize;
    if (bytes === this.fileBytes) return;
    this.fileBytes = bytes;
    ftruncateSync(this.file.fd(), bytes);
  }

  /**
   * Make the index preallocated again (the active segment after a restart): it may hold
   * `maxIndexBytes`, and the file grows to that size on the next append, so an idle
   * partition's start costs no write.
   */
  resize(maxIndexBytes: number): void {
    this.maxIndexBytes = maxIndexBytes;
    this.preallocateBytes = roundDownToMultiple(maxIndexBytes, this.entrySize);
    if (this.data !== undefined) this.maxEntries = Math.max(this.preallocateBytes, this.entryCount * this.entrySize) / this.entrySize;
  }

  flush(): void {
    // Not read means not written by this process: nothing to make durable.
    if (this.data === undefined) return;
    syncFile(this.path, () => this.file.fd());
  }

  close(): void {
    this.file.close();
  }

  renameTo(path: string): void {
    renameSync(this.path, path);
    this.path = path;
    this.file.renamed(path);
  }

  deleteFile(): void {
    this.file.close();
    rmSync(this.path, { force: true });
  }

  /**
   * The key the binary searches compare: the offset (offset index), the timestamp (time
   * index). A method, not a closure per instance: a broker holds 10,000s of idle indexes.
   */
  protected abstract keyAt(slot: number): number;

  /** Index of the last entry whose key is <= target, or -1. */
  protected largestLowerBoundSlot(target: number): number {
    if (this.count === 0 || this.keyAt(0) > target) return -1;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.keyAt(mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the first entry whose key is >= target, or `count`. */
  protected smallestUpperBoundSlot(target: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyAt(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  constructor(path: string, baseOffset: number, maxIndexBytes: number, exists?: boolean) {
    super(path, baseOffset, OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes, exists);
  }

  entry(slot: number): OffsetPosition {
    const at = slot * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + this.buf.readInt32BE(at), position: this.buf.readInt32BE(at + 4) };
  }

  private offsetAt(slot: number): number {
    return this.baseOffset + this.buf.readInt32BE(slot * OFFSET_INDEX_ENTRY_SIZE);
  }

  protected keyAt(slot: number): number {
    return this.offsetAt(slot);
  }

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.offsetAt(this.count - 1);
  }

  /** The entry with the largest offset <= target, else (baseOffset, 0). */
  lookup(targetOffset: number): OffsetPosition {
    const slot = this.largestLowerBoundSlot(targetOffset);
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  append(offset: number, position: number): void {
    if (this.isFull()) throw new Error(`offset index ${this.path} is full (${this.count} entries)`);
    if (this.count > 0 && offset <= this.lastOffset) {
      throw new Error(`offset ${offset} is not larger than the last indexed offset ${this.lastOffset} in ${this.path}`);
    }
    const entry = Buffer.allocUnsafe(OFFSET_INDEX_ENTRY_SIZE);
    entry.writeInt32BE(offset - this.baseOffset, 0);
    entry.writeInt32BE(position, 4);
    this.appendEntry(entry);
  }

  /** Remove entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.smallestUpperBoundSlot(offset));
  }

  /** Kafka's sanity check plus ours: increasing offsets, positions inside the log. */
  sanityCheck(logBytes: number): void {
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (e.offset < this.baseOffset || e.position > logBytes || (i > 0 && (e.offset <= this.offsetAt(i - 1) || e.position <= this.entry(i - 1).position))) {
        throw new CorruptDataError(`corrupt offset index ${this.path}: entry ${i} (offset ${e.offset}, position ${e.position})`, i * OFFSET_INDEX_ENTRY_SIZE);
      }
    }
  }
}

export interface TimestampOffsetEntry {
  timestampMs: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(path: string, baseOffset: number, maxIndexBytes: number, exists?: boolean) {
    super(path, baseOffset, TIME_INDEX_ENTRY_SIZE, maxIndexBytes, exists);
  }

  entry(slot: number): TimestampOffsetEntry {
    const at = slot * TIME_INDEX_ENTRY_SIZE;
    return { timestampMs: readInt64(this.buf, at), offset: this.baseOffset + this.buf.readInt32BE(at + 8) };
  }

  private timestampAt(slot: number): number {
    return readInt64(this.buf, slot * TIME_INDEX_ENTRY_SIZE);
  }

  private offsetAt(slot: number): number {
    return this.baseOffset + this.buf.readInt32BE(slot * TIME_INDEX_ENTRY_SIZE + 8);
  }

  protected keyAt(slot: number): number {
    return this.timestampAt(slot);
  }

  /** Kafka keeps one slot free for the entry written when the segment rolls. */
  override isFull(): boolean {
    return this.count >= this.maxEntryCount - 1;
  }

  lastEntry(): TimestampOffsetEntry {
    return this.count === 0 ? { timestampMs: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(this.count - 1);
  }

  /** Append when the timestamp grew (Kafka's maybeAppend). */
  maybeAppend(timestampMs: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull()) throw new Error(`time index ${this.path} is full`);
    if (this.count >= this.maxEntryCount) return;
    const last = this.lastEntry();
    if (this.count > 0 && offset < last.offset) return;
    if (timestampMs > last.timestampMs) {
      const entry = Buffer.allocUnsafe(TIME_INDEX_ENTRY_SIZE);
      writeInt64(entry, 0, timestampMs);
      entry.writeInt32BE(offset - this.baseOffset, 8);
      this.appendEntry(entry);
    }
  }

  /** The entry with the largest timestamp <= target, else (-1, baseOffset). */
  lookup(targetTimestampMs: number): TimestampOffsetEntry {
    const slot = this.largestLowerBoundSlot(targetTimestampMs);
    return slot < 0 ? { timestampMs: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(slot);
  }

  /** Remove entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateToEntries(n);
  }

  sanityCheck(): void {
    for (let i = 1; i < this.count; i++) {
      if (this.timestampAt(i) <= this.timestampAt(i - 1) || this.offsetAt(i) < this.offsetAt(i - 1)) {
        throw new CorruptDataError(`corrupt time index ${this.path}: entry ${i} is not increasing`, i * TIME_INDEX_ENTRY_SIZE);
      }
    }
    if (this.count > 0 && this.offsetAt(0) < this.baseOffset) {
      throw new CorruptDataError(`corrupt time index ${this.path}: offset below the segment base offset`, 8);
    }
  }
}

function readFully(fd: number, buf: Buffer, length: number): void {
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buf, done, length - done, done);
    if (got === 0) break;
    done += got;
  }
}
