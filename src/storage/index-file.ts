/**
 * Kafka's segment indexes on plain file descriptors: OffsetIndex (8-byte entries:
 * relative offset, file position) and TimeIndex (12-byte entries: timestamp, relative
 * offset). Like Kafka's AbstractIndex, the file of an active segment is preallocated to
 * `segment.index.bytes` rounded down to the entry size and trimmed to its entries when the
 * segment rolls or closes; entries are kept in memory for lookups (Node has no mmap).
 */
import { existsSync, ftruncateSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readInt64, writeInt64 } from '../records/batch-header.js';
import { CorruptDataError } from '../util/errors.js';
import { CachedFile } from './file-cache.js';
import { syncFile } from './sync-group.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;
export const TIME_INDEX_ENTRY_SIZE = 12;
const NO_TIMESTAMP = -1;
const INITIAL_ENTRIES = 8;

export function roundDownToMultiple(n: number, factor: number): number {
  return factor * Math.floor(n / factor);
}

abstract class IndexFile {
  /** Entries live in `buf`; the descriptor (from the bounded cache) is only needed to write. */
  protected readonly file: CachedFile;
  protected buf: Buffer;
  protected count = 0;
  protected maxEntries: number;
  /** Bytes the file currently has on disk (preallocated or trimmed). */
  private fileBytes: number;
  /** Bytes the file grows to at its next append (resize), 0 when none are pending. */
  private preallocateBytes = 0;

  constructor(
    public path: string,
    readonly baseOffset: number,
    readonly entrySize: number,
    maxIndexBytes: number,
  ) {
    const created = !existsSync(path);
    this.file = new CachedFile(path, created);
    if (created) {
      this.fileBytes = roundDownToMultiple(maxIndexBytes, entrySize);
      ftruncateSync(this.file.fd(), this.fileBytes);
      // Grown by doubling on append: ten thousand idle partitions should not hold 4 KiB each.
      this.buf = Buffer.alloc(Math.min(this.fileBytes, INITIAL_ENTRIES * entrySize));
    } else {
      this.fileBytes = statSync(path).size;
      const valid = roundDownToMultiple(this.fileBytes, entrySize);
      this.buf = Buffer.alloc(Math.max(valid, entrySize));
      if (valid > 0) readFully(this.file.fd(), this.buf, valid);
      this.count = valid / entrySize;
      // An unclean shutdown leaves the preallocated zeros after the real entries.
      while (this.count > 0 && this.isZeroEntry(this.count - 1)) this.count--;
    }
    this.maxEntries = Math.floor(Math.max(this.fileBytes, roundDownToMultiple(maxIndexBytes, entrySize)) / entrySize);
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
    return this.maxEntries;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Append one encoded entry at the end (memory and file). */
  protected appendEntry(entry: Buffer): void {
    if (this.preallocateBytes > 0) {
      ftruncateSync(this.file.fd(), this.preallocateBytes);
      this.fileBytes = this.preallocateBytes;
      this.preallocateBytes = 0;
    }
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, at + this.entrySize));
      this.buf.copy(bigger, 0, 0, at);
      this.buf = bigger;
    }
    entry.copy(this.buf, at);
    writeSync(this.file.fd(), entry, 0, this.entrySize, at);
    if (at + this.entrySize > this.fileBytes) this.fileBytes = at + this.entrySize;
    this.count += 1;
  }

  /** Keep only the first `n` entries (the file keeps its preallocated length). */
  protected truncateToEntries(n: number): void {
    if (n >= this.count) return;
    this.buf.fill(0, n * this.entrySize, this.count * this.entrySize);
    const zeros = Buffer.alloc((this.count - n) * this.entrySize);
    writeSync(this.file.fd(), zeros, 0, zeros.length, n * this.entrySize);
    this.count = n;
  }

  /** Remove every entry. */
  reset(): void {
    this.truncateToEntries(0);
  }

  /** Cut the file to its entries, as Kafka does when a segment rolls or closes. */
  trimToValidSize(): void {
    this.preallocateBytes = 0;
    if (this.fileBytes === this.count * this.entrySize) return;
    this.fileBytes = this.count * this.entrySize;
    ftruncateSync(this.file.fd(), this.fileBytes);
  }

  /**
   * Make room for `maxIndexBytes` (the active segment after a restart). The file grows to
   * it at the first append, so a data dir opened only to be read keeps its index files.
   */
  resize(maxIndexBytes: number): void {
    const bytes = Math.max(roundDownToMultiple(maxIndexBytes, this.entrySize), this.count * this.entrySize);
    this.preallocateBytes = bytes;
    this.maxEntries = bytes / this.entrySize;
  }

  flush(): void {
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

  /** Index of the last entry whose key is <= target, or -1. */
  protected largestLowerBoundSlot(target: number, keyOf: (slot: number) => number): number {
    if (this.count === 0 || keyOf(0) > target) return -1;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (keyOf(mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the first entry whose key is >= target, or `count`. */
  protected smallestUpperBoundSlot(target: number, keyOf: (slot: number) => number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(mid) < target) lo = mid + 1;
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
  constructor(path: string, baseOffset: number, maxIndexBytes: number) {
    super(path, baseOffset, OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes);
  }

  entry(slot: number): OffsetPosition {
    const at = slot * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + this.buf.readInt32BE(at), position: this.buf.readInt32BE(at + 4) };
  }

  private offsetAt = (slot: number): number => this.baseOffset + this.buf.readInt32BE(slot * OFFSET_INDEX_ENTRY_SIZE);

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.offsetAt(this.count - 1);
  }

  /** The entry with the largest offset <= target, else (baseOffset, 0). */
  lookup(targetOffset: number): OffsetPosition {
    const slot = this.largestLowerBoundSlot(targetOffset, this.offsetAt);
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
    this.truncateToEntries(this.smallestUpperBoundSlot(offset, this.offsetAt));
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
  constructor(path: string, baseOffset: number, maxIndexBytes: number) {
    super(path, baseOffset, TIME_INDEX_ENTRY_SIZE, maxIndexBytes);
  }

  entry(slot: number): TimestampOffsetEntry {
    const at = slot * TIME_INDEX_ENTRY_SIZE;
    return { timestampMs: readInt64(this.buf, at), offset: this.baseOffset + this.buf.readInt32BE(at + 8) };
  }

  private timestampAt = (slot: number): number => readInt64(this.buf, slot * TIME_INDEX_ENTRY_SIZE);
  private offsetAt = (slot: number): number => this.baseOffset + this.buf.readInt32BE(slot * TIME_INDEX_ENTRY_SIZE + 8);

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
    const slot = this.largestLowerBoundSlot(targetTimestampMs, this.timestampAt);
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
