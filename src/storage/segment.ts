/**
 * One log segment: `<base offset>.log` with its `.index`, `.timeindex` and lazily created
 * `.txnindex`, as Kafka's LogSegment. Appends opaque batches at the end with positioned
 * writes, keeps the sparse indexes exactly as Kafka does, reads whole batches by offset or
 * timestamp, and recovers (validates, truncates a torn tail, rebuilds indexes) after a crash.
 */
import { closeSync, existsSync, fstatSync, fsync, ftruncateSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, ATTRIBUTES_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD,
  computeBatchCrc, readInt64, storedCrc,
} from '../records/batch-header.js';
import { RecordFields, iterateRecords } from '../records/record-batch.js';
import { readRecordQuick } from '../records/record-walk.js';
import { iterateLegacyMessages } from '../records/legacy.js';
import { CachedFile } from './file-cache.js';
import { readNow, type FileReads } from './file-reads.js';
import { syncFile } from './sync-group.js';
import { OffsetIndex, TimeIndex } from './index-file.js';
import { TxnIndex } from './txn-index.js';
import { CorruptDataError } from '../util/errors.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
export const DELETED_SUFFIX = '.deleted';
const INT32_MAX = 2147483647;
/** Smallest legacy (v0) entry: LOG_OVERHEAD + RECORD_OVERHEAD_V0. */
const MIN_ENTRY_BYTES = LOG_OVERHEAD + 14;
/** Bytes of a v2 batch header, or of a legacy v1 message header, that identify a batch. */
const HEADER_BYTES = RECORD_BATCH_OVERHEAD;
const READ_CHUNK_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);

/** Kafka's 20-digit zero-padded file name prefix. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

/** The header fields of one batch (v2) or legacy entry (v0/v1) in a segment. */
export interface BatchInfo {
  position: number;
  size: number;
  magic: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestampMs: number;
  partitionLeaderEpoch: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  attributes: number;
}

/** Parse the header of the entry at `at` in `buf` (which holds at least HEADER_BYTES or the whole entry). */
export function parseBatchInfo(buf: Buffer, at: number, position: number): BatchInfo {
  const size = LOG_OVERHEAD + buf.readInt32BE(at + 8);
  const magic = buf.readInt8(at + MAGIC_OFFSET);
  const offset = readInt64(buf, at);
  if (magic >= 2) {
    return {
      position, size, magic, baseOffset: offset, lastOffset: offset + buf.readInt32BE(at + 23),
      maxTimestampMs: readInt64(buf, at + 35), partitionLeaderEpoch: buf.readInt32BE(at + 12),
      producerId: readInt64(buf, at + 43), producerEpoch: buf.readInt16BE(at + 51), baseSequence: buf.readInt32BE(at + 53),
      attributes: buf.readInt16BE(at + ATTRIBUTES_OFFSET),
    };
  }
  // Legacy message: the offset is the last offset of the (possibly compressed) entry.
  const attributes = buf.readInt8(at + 17);
  const ts = magic === 1 && size >= LOG_OVERHEAD + 14 ? readInt64(buf, at + 18) : -1;
  return { position, size, magic, baseOffset: offset, lastOffset: offset, maxTimestampMs: ts, partitionLeaderEpoch: -1, producerId: -1, producerEpoch: -1, baseSequence: -1, attributes };
}

/** Why an entry is invalid, or null. `buf[at..]` must hold the whole entry. */
export function checkEntry(buf: Buffer, at: number): string | null {
  const magic = buf.readInt8(at + MAGIC_OFFSET);
  const size = LOG_OVERHEAD + buf.readInt32BE(at + 8);
  if (magic === 2) {
    if (size < RECORD_BATCH_OVERHEAD) return `batch size ${size} is smaller than the batch header`;
    if (computeBatchCrc(buf, at) !== storedCrc(buf, at)) return 'CRC mismatch';
    if (buf.readInt32BE(at + 23) < 0) return 'negative last offset delta';
    return null;
  }
  if (magic === 0 || magic === 1) {
    const stored = buf.readUInt32BE(at + LOG_OVERHEAD);
    return crc32(buf.subarray(at + LOG_OVERHEAD + 4, at + size)) >>> 0 === stored ? null : 'legacy message CRC mismatch';
  }
  return `unknown magic ${magic}`;
}

export interface SegmentOptions {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  rollJitterMs: number;
  nowMs: number;
  /** `preallocate=true`: a new segment's file is created at this size (segment.bytes) and trimmed when it stops being active. */
  preallocateBytes?: number;
  /** The names in `dir` when the caller listed it already (loading a log): no existence check per file. */
  files?: ReadonlySet<string>;
  /**
   * The caller reads the log file right away (the active segment at load): its size comes
   * from the descriptor that read opens anyway, not from a stat of its path (a start on
   * 10,000 partitions spent a tenth of its CPU in those stats and their Stats objects).
   */
  openNow?: boolean;
}

/** What crash recovery cut from the end of a segment. */
export interface DroppedTail {
  /** The first offset not kept. */
  fromOffset: number;
  /** The last offset the first dropped batch's header claimed, when readable. */
  claimedLastOffset: number | null;
  bytes: number;
  /** Where the dropped bytes were kept; null when they were all zeros. */
  sideFile: string | null;
}

const DROPPED_COPY_CHUNK_BYTES = 1 << 20;

export class LogSegment {
  /** The .log file's descriptor comes from the bounded descriptor cache (file-cache.ts). */
  private readonly file: CachedFile;
  private sizeBytes: number;
  private bytesSinceLastIndexEntry = 0;
  private truncations = 0;
  private rollingBasedTimestamp: number | undefined;
  /** Undefined until first needed: read from the time index, which an idle segment never opens. */
  private maxTs: number | undefined;
  /** The next offset found by sanityCheck's scan (a clean start), for readNextOffset; reset by any change. */
  private scannedNextOffset: number | undefined;
  private offsetOfMaxTs: number | undefined;
  private readonly offsetIdx: OffsetIndex;
  private readonly timeIdx: TimeIndex;
  /** False for an index found on disk until its first use checks it (Kafka's lazy indexes). */
  private offsetIndexChecked: boolean;
  private timeIndexChecked: boolean;
  /** Created at segment.bytes (preallocate=true) and not trimmed yet. */
  private preallocated: boolean;
  readonly txnIndex: TxnIndex;
  readonly createdMs: number;
  indexIntervalBytes: number;
  rollJitterMs: number;
  private logPath: string;
  /** Set by recover() when it cut the tail. */
  lastDroppedTail: DroppedTail | null = null;

  private constructor(readonly dir: string, readonly baseOffset: number, opts: SegmentOptions) {
    const name = filenamePrefixFromOffset(baseOffset);
    const prefix = join(dir, name);
    const exists = (suffix: string): boolean => (opts.files ? opts.files.has(name + suffix) : existsSync(prefix + suffix));
    this.logPath = prefix + LOG_SUFFIX;
    const created = !exists(LOG_SUFFIX);
    this.file = new CachedFile(this.logPath, created);
    // An existing file is not opened until it is read or written (fast start, few descriptors).
    this.sizeBytes = created || opts.openNow === true ? fstatSync(this.file.fd()).size : statSync(this.logPath).size;
    this.preallocated = created && opts.preallocateBytes !== undefined && opts.preallocateBytes > 0;
    if (this.preallocated) ftruncateSync(this.file.fd(), opts.preallocateBytes!);
    const indexExists = exists(INDEX_SUFFIX);
    const timeIndexExists = exists(TIME_INDEX_SUFFIX);
    this.offsetIdx = new OffsetIndex(prefix + INDEX_SUFFIX, baseOffset, opts.maxIndexBytes, indexExists);
    this.timeIdx = new TimeIndex(prefix + TIME_INDEX_SUFFIX, baseOffset, opts.maxIndexBytes, timeIndexExists);
    this.offsetIndexChecked = !indexExists;
    this.timeIndexChecked = !timeIndexExists;
    this.txnIndex = new TxnIndex(prefix + TXN_INDEX_SUFFIX, exists(TXN_INDEX_SUFFIX));
    this.indexIntervalBytes = opts.indexIntervalBytes;
    this.rollJitterMs = opts.rollJitterMs;
    this.createdMs = opts.nowMs;
  }

  /** The offset index, checked against the log on first use (rebuilt from the log if it is corrupt). */
  get offsetIndex(): OffsetIndex {
    if (!this.offsetIndexChecked) this.checkIndex(this.offsetIdx);
    return this.offsetIdx;
  }

  get timeIndex(): TimeIndex {
    if (!this.timeIndexChecked) this.checkIndex(this.timeIdx);
    return this.timeIdx;
  }

  /** Whether either index has been read from disk (tests: idle segments stay unread at start). */
  get indexesLoaded(): boolean {
    return this.offsetIdx.isLoaded || this.timeIdx.isLoaded;
  }

  /**
   * Kafka loads an index when it is first used and rebuilds one that is corrupt; the check
   * is cheap once the entries are in memory. A corrupt index is rebuilt from the batch
   * headers (the log bytes were trusted when the log was loaded).
   */
  private checkIndex(index: OffsetIndex | TimeIndex): void {
    if (index === this.offsetIdx) this.offsetIndexChecked = true;
    else this.timeIndexChecked = true;
    try {
      if (index instanceof OffsetIndex) index.sanityCheck(this.sizeBytes);
      else index.sanityCheck();
    } catch {
      this.offsetIndexChecked = this.timeIndexChecked = true;
      this.indexBatches(false, () => {});
      this.offsetIdx.trimToValidSize();
      this.timeIdx.trimToValidSize();
    }
  }

  get maxTimestampSoFar(): number {
    if (this.maxTs === undefined) this.loadMaxTimestamp();
    return this.maxTs!;
  }

  set maxTimestampSoFar(timestampMs: number) {
    this.maxTs = timestampMs;
  }

  get offsetOfMaxTimestampSoFar(): number {
    if (this.offsetOfMaxTs === undefined) this.loadMaxTimestamp();
    return this.offsetOfMaxTs!;
  }

  set offsetOfMaxTimestampSoFar(offset: number) {
    this.offsetOfMaxTs = offset;
  }

  private loadMaxTimestamp(): void {
    const last = this.timeIndex.lastEntry();
    this.maxTs ??= last.timestampMs;
    this.offsetOfMaxTs ??= last.offset;
  }

  /** Open (or create) the segment starting at `baseOffset` in `dir`. */
  static open(dir: string, baseOffset: number, opts: SegmentOptions): LogSegment {
    return new LogSegment(dir, baseOffset, opts);
  }

  static exists(dir: string, baseOffset: number): boolean {
    return existsSync(join(dir, filenamePrefixFromOffset(baseOffset) + LOG_SUFFIX));
  }

  get size(): number {
    return this.sizeBytes;
  }

  get path(): string {
    return this.logPath;
  }

  /** Kafka's largestTimestamp: the max batch timestamp, or the file's mtime when there is none. */
  largestTimestamp(): number {
    if (this.maxTimestampSoFar > 0) return this.maxTimestampSoFar;
    return statSync(this.logPath).mtimeMs;
  }

  canConvertToRelativeOffset(offset: number): boolean {
    const rel = offset - this.baseOffset;
    return rel >= 0 && rel <= INT32_MAX;
  }

  /** Kafka's shouldRoll. */
  shouldRoll(p: { nowMs: number; maxTimestampMs: number; maxOffset: number; messagesBytes: number; segmentBytes: number; segmentMs: number }): boolean {
    const reachedRollMs = this.timeWaitedForRoll(p.nowMs, p.maxTimestampMs) > p.segmentMs - this.rollJitterMs;
    return this.sizeBytes > p.segmentBytes - p.messagesBytes
      || (this.sizeBytes > 0 && reachedRollMs)
      || this.offsetIndex.isFull() || this.timeIndex.isFull()
      || !this.canConvertToRelativeOffset(p.maxOffset);
  }

  private timeWaitedForRoll(nowMs: number, messageTimestampMs: number): number {
    if (this.rollingBasedTimestamp === undefined && this.sizeBytes > 0) {
      const first = this.batchAt(0);
      if (first) this.rollingBasedTimestamp = first.maxTimestampMs;
    }
    const ts = this.rollingBasedTimestamp ?? -1;
    return ts >= 0 ? messageTimestampMs - ts : nowMs - this.createdMs;
  }

  /**
   * Append batches already validated and given offsets. `batches` positions are relative
   * to `records`. Index entries follow Kafka's LogSegment.append, per batch.
   */
  append(records: Buffer, batches: readonly BatchInfo[]): void {
    if (records.length === 0) return;
    this.scannedNextOffset = undefined;
    let physicalPosition = this.sizeBytes;
    if (physicalPosition === 0) this.rollingBasedTimestamp = Math.max(...batches.map((b) => b.maxTimestampMs));
    writeFully(this.file.fd(), records, physicalPosition);
    this.sizeBytes += records.length;
    for (const batch of batches) {
      if (batch.maxTimestampMs > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = batch.maxTimestampMs;
        this.offsetOfMaxTimestampSoFar = batch.lastOffset;
      }
      // A full index only skips entries (they are sparse); the next append rolls.
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes && !this.offsetIndex.isFull() && !this.timeIndex.isFull()) {
        this.offsetIndex.append(batch.lastOffset, physicalPosition);
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        this.bytesSinceLastIndexEntry = 0;
      }
      physicalPosition += batch.size;
      this.bytesSinceLastIndexEntry += batch.size;
    }
  }

  /** Read `length` bytes at `position` (fewer at the end of the file). */
  readBytes(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.sizeBytes - position)));
    const done = this.readInto(position, buf);
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  /** Fill `target` (or less at the end of the file) with the bytes at `position`; returns the bytes read. */
  readInto(position: number, target: Buffer): number {
    const n = Math.max(0, Math.min(target.length, this.sizeBytes - position));
    let done = 0;
    const fd = n > 0 ? this.file.fd() : -1;
    while (done < n) {
      const got = readSync(fd, target, done, n - done, position + done);
      if (got === 0) break;
      done += got;
    }
    return done;
  }

  /** Header of the entry at `position`, or undefined at the end or on a torn header. */
  batchAt(position: number): BatchInfo | undefined {
    if (position + HEADER_BYTES > this.sizeBytes && position + MIN_ENTRY_BYTES > this.sizeBytes) return undefined;
    const head = this.readBytes(position, HEADER_BYTES);
    if (head.length < MIN_ENTRY_BYTES) return undefined;
    const magic = head.readInt8(MAGIC_OFFSET);
    if (magic >= 2 && head.length < HEADER_BYTES) return undefined;
    const info = parseBatchInfo(head, 0, position);
    if (info.size < MIN_ENTRY_BYTES || position + info.size > this.sizeBytes) return undefined;
    return info;
  }

  /** Headers of the entries from `position` on, read in chunks. */
  *batchesFrom(position: number): Generator<BatchInfo> {
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = position;
    let at = position;
    while (at + MIN_ENTRY_BYTES <= this.sizeBytes) {
      if (at + HEADER_BYTES > chunkStart + chunk.length && chunkStart + chunk.length < this.sizeBytes) {
        chunk = this.readBytes(at, READ_CHUNK_BYTES);
        chunkStart = at;
      }
      const rel = at - chunkStart;
      const avail = chunk.length - rel;
      if (avail < MIN_ENTRY_BYTES || (chunk.readInt8(rel + MAGIC_OFFSET) >= 2 && avail < HEADER_BYTES)) return;
      const info = parseBatchInfo(chunk, rel, at);
      if (info.size < MIN_ENTRY_BYTES || at + info.size > this.sizeBytes) return;
      yield info;
      at += info.size;
    }
  }

  /** The first batch whose last offset is >= `offset`, searching from the index entry below it. */
  translateOffset(offset: number): BatchInfo | undefined {
    const start = this.offsetIndex.lookup(offset);
    for (const b of this.batchesFrom(start.position)) if (b.lastOffset >= offset) return b;
    return undefined;
  }

  /**
   * Whole batches from the one holding `startOffset`: at most `maxBytes` (but the first
   * batch whole when `minOneMessage`), none starting at or after `maxOffset`.
   */
  read(startOffset: number, maxBytes: number, maxOffset: number, minOneMessage: boolean): Buffer | undefined {
    const plan = this.planRead(startOffset, maxBytes, maxOffset, minOneMessage);
    if (plan === undefined || Buffer.isBuffer(plan)) return plan;
    return wholeBatches(this.readBytes(plan.position, plan.length), plan.position, maxOffset);
  }

  /**
   * read(), with the bytes read on libuv's thread pool through `reads` (a bounded number
   * in flight; Fetch). Finding the first batch (the index and one header) stays
   * synchronous: a few kilobytes, against the megabyte of a fetch.
   */
  async readAsync(startOffset: number, maxBytes: number, maxOffset: number, minOneMessage: boolean, reads: FileReads, onEventLoop = false): Promise<Buffer | undefined> {
    const plan = this.planRead(startOffset, maxBytes, maxOffset, minOneMessage);
    if (plan === undefined || Buffer.isBuffer(plan)) return plan;
    const bytes = onEventLoop ? readNow(this.file, plan.position, plan.length, this.sizeBytes) : await reads.read(this.file, plan.position, plan.length, () => this.sizeBytes);
    return wholeBatches(bytes, plan.position, maxOffset);
  }

  /** Where a read's bytes are: undefined when no batch holds `startOffset`, a Buffer when nothing is to be read. */
  private planRead(startOffset: number, maxBytes: number, maxOffset: number, minOneMessage: boolean): { position: number; length: number } | Buffer | undefined {
    const first = this.translateOffset(startOffset);
    if (!first) return undefined;
    if (first.baseOffset >= maxOffset) return EMPTY;
    let end = this.sizeBytes;
    if (maxOffset !== Number.POSITIVE_INFINITY) {
      // Do not read bytes past the bound (HW or LSO) only to throw them away.
      const limit = this.translateOffset(maxOffset);
      if (limit) end = limit.baseOffset >= maxOffset ? limit.position : limit.position + limit.size;
    }
    const want = Math.min(Math.max(maxBytes, 0), end - first.position);
    if (first.size > want) return minOneMessage ? { position: first.position, length: first.size } : EMPTY;
    return { position: first.position, length: want };
  }

  /** Offset after the last batch (the segment's next offset). */
  readNextOffset(): number {
    if (this.scannedNextOffset !== undefined) return this.scannedNextOffset;
    const last = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER);
    let next = this.baseOffset;
    for (const b of this.batchesFrom(last.position)) next = b.lastOffset + 1;
    if (next === this.baseOffset && last.position > 0) {
      // The index pointed past the data (should not happen after recovery): scan everything.
      for (const b of this.batchesFrom(0)) next = b.lastOffset + 1;
    }
    return next;
  }

  /**
   * First record at or after `timestampMs` with offset >= `startingOffset`
   * (Kafka's findOffsetByTimestamp). Record timestamps are read from uncompressed batches;
   * for a compressed CreateTime batch the batch's first offset is returned.
   */
  findOffsetByTimestamp(timestampMs: number, startingOffset: number): { timestampMs: number; offset: number; leaderEpoch: number } | undefined {
    const fromTime = this.timeIndex.lookup(timestampMs);
    const pos = this.offsetIndex.lookup(Math.max(fromTime.offset, startingOffset)).position;
    for (const b of this.batchesFrom(pos)) {
      if (b.maxTimestampMs < timestampMs || b.lastOffset < startingOffset) continue;
      const found = this.searchBatch(b, timestampMs, startingOffset);
      if (found) return { ...found, leaderEpoch: b.partitionLeaderEpoch };
    }
    return undefined;
  }

  private searchBatch(b: BatchInfo, timestampMs: number, startingOffset: number): { timestampMs: number; offset: number } | undefined {
    const logAppendTime = (b.attributes & ATTR_TIMESTAMP_TYPE) !== 0;
    if (b.magic < 2) return this.searchLegacyEntry(b, timestampMs, startingOffset);
    if (logAppendTime) return { timestampMs: b.maxTimestampMs, offset: Math.max(b.baseOffset, startingOffset) };
    const bytes = this.readBytes(b.position, b.size);
    for (const r of recordTimestamps(bytes, (b.attributes & ATTR_COMPRESSION_MASK) !== 0)) {
      if (r.timestampMs >= timestampMs && r.offset >= startingOffset) return r;
    }
    return undefined;
  }

  /** The first message of a legacy (v0/v1) entry at or after the timestamp, inner messages of a wrapper included. */
  private searchLegacyEntry(b: BatchInfo, timestampMs: number, startingOffset: number): { timestampMs: number; offset: number } | undefined {
    try {
      for (const m of iterateLegacyMessages(this.readBytes(b.position, b.size), 0, { verifyCrc: false })) {
        if (m.timestampMs >= timestampMs && m.offset >= startingOffset) return { timestampMs: m.timestampMs, offset: m.offset };
      }
    } catch {
      // A legacy entry that does not decode offers no message.
    }
    return undefined;
  }

  /** Offset of the record with the largest timestamp in the batch holding `batchLastOffset`. */
  offsetOfMaxTimestamp(): { timestampMs: number; offset: number; leaderEpoch: number } | undefined {
    if (this.maxTimestampSoFar < 0) return undefined;
    const pos = this.offsetIndex.lookup(this.offsetOfMaxTimestampSoFar).position;
    for (const b of this.batchesFrom(pos)) {
      if (b.maxTimestampMs !== this.maxTimestampSoFar) continue;
      const found = this.searchBatch(b, b.maxTimestampMs, b.baseOffset);
      return { timestampMs: b.maxTimestampMs, offset: found?.offset ?? b.baseOffset, leaderEpoch: b.partitionLeaderEpoch };
    }
    return undefined;
  }

  /**
   * Kafka's LogSegment.recover: validate every entry, rebuild the offset and time indexes,
   * truncate whatever follows the last valid entry. `onBatch` sees each valid entry.
   * Returns the number of bytes truncated.
   */
  recover(onBatch: (b: BatchInfo, bytes: Buffer, at: number) => void): number {
    this.scannedNextOffset = undefined;
    this.offsetIndexChecked = this.timeIndexChecked = true;
    const { validBytes, lastOffset, lastIndexEntry } = this.indexBatches(true, onBatch);
    const truncated = this.sizeBytes - validBytes;
    if (truncated > 0) {
      this.lastDroppedTail = this.keepDroppedTail(validBytes, lastOffset + 1);
      this.truncateLogBytes(validBytes);
    }
    this.txnIndex.truncateTo(lastOffset + 1);
    this.bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
    this.offsetIdx.trimToValidSize();
    this.timeIdx.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.timeIdx.trimToValidSize();
    return truncated;
  }

  /**
   * Rebuild both indexes from the entries (Kafka's index entries every index.interval.bytes),
   * up to the first invalid one: with `validate` each entry is read whole and its CRC checked
   * (recovery), otherwise the headers are trusted (a corrupt index of a sound log).
   */
  private indexBatches(validate: boolean, onBatch: (b: BatchInfo, bytes: Buffer, at: number) => void): { validBytes: number; lastOffset: number; lastIndexEntry: number } {
    this.offsetIdx.reset();
    this.timeIdx.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    let validBytes = 0;
    let lastIndexEntry = 0;
    let prevLast = this.baseOffset - 1;
    for (const head of this.batchesFrom(0)) {
      const bytes = validate ? this.readBytes(head.position, head.size) : EMPTY;
      if (validate && (bytes.length < head.size || checkEntry(bytes, 0) !== null)) break;
      if (head.lastOffset <= prevLast || !this.canConvertToRelativeOffset(head.lastOffset)) break;
      if (head.maxTimestampMs > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = head.maxTimestampMs;
        this.offsetOfMaxTimestampSoFar = head.lastOffset;
      }
      if (validBytes - lastIndexEntry > this.indexIntervalBytes && !this.offsetIdx.isFull() && !this.timeIdx.isFull()) {
        this.offsetIdx.append(head.lastOffset, validBytes);
        this.timeIdx.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        lastIndexEntry = validBytes;
      }
      onBatch(head, bytes, 0);
      validBytes += head.size;
      prevLast = head.lastOffset;
    }
    if (!validate) this.timeIdx.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    return { validBytes, lastOffset: prevLast, lastIndexEntry };
  }

  /** Remove everything at and after `offset`. Returns bytes removed. */
  truncateTo(offset: number): number {
    this.scannedNextOffset = undefined;
    const b = this.translateOffset(offset);
    if (!b) return 0;
    // Batches are atomic: the batch holding `offset` goes too (as Kafka's translateOffset + truncate).
    const position = b.position;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    const removed = this.sizeBytes - position;
    this.truncateLogBytes(position);
    const last = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = last.timestampMs;
    this.offsetOfMaxTimestampSoFar = last.offset;
    if (position === 0) this.rollingBasedTimestamp = undefined;
    this.bytesSinceLastIndexEntry = position - this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    return removed;
  }

  /**
   * Before recovery cuts the tail at `position`: copies the bytes to a side file next to
   * the segment (`<segment>.log.dropped-<offset>-<ms>`) so they can be examined (kts
   * dump-log reads it), unless they are all zeros (preallocated space, a torn write).
   */
  private keepDroppedTail(position: number, fromOffset: number): DroppedTail {
    const bytes = this.sizeBytes - position;
    const head = this.readBytes(position, Math.min(bytes, HEADER_BYTES));
    // A v2 batch header at the cut says which offsets the dropped batch claimed.
    const claimedLast = head.length >= HEADER_BYTES && head[16] === 2 ? Number(head.readBigInt64BE(0)) + head.readInt32BE(23) : null;
    let sideFile: string | null = null;
    let out = -1;
    try {
      for (let at = position; at < this.sizeBytes; at += DROPPED_COPY_CHUNK_BYTES) {
        const chunk = this.readBytes(at, DROPPED_COPY_CHUNK_BYTES);
        if (out < 0 && chunk.every((b) => b === 0)) continue;
        if (out < 0) {
          sideFile = `${this.logPath}.dropped-${fromOffset}-${Date.now()}`;
          out = openSync(sideFile, 'w');
          // Zero chunks skipped before this one keep their place in the copy.
          if (at > position) ftruncateSync(out, at - position);
        }
        writeSync(out, chunk, 0, chunk.length, at - position);
      }
    } finally {
      if (out >= 0) closeSync(out);
    }
    return { fromOffset, claimedLastOffset: claimedLast !== null && claimedLast >= fromOffset ? claimedLast : null, bytes, sideFile };
  }

  private truncateLogBytes(size: number): void {
    ftruncateSync(this.file.fd(), size);
    this.sizeBytes = size;
    this.truncations++;
  }

  /** How many times this segment was cut back (a copy taken before a cut may hold other bytes at the same size). */
  get truncationCount(): number {
    return this.truncations;
  }

  /**
   * Sanity-check the offset index against the log (the active segment on a clean start;
   * the time index is checked when first used), and that the batches after the last index
   * entry end exactly at the end of the file (so appends never land behind unreadable bytes).
   */
  sanityCheck(): void {
    this.offsetIdx.sanityCheck(this.sizeBytes);
    this.offsetIndexChecked = true;
    const last = this.offsetIdx.lookup(Number.MAX_SAFE_INTEGER);
    let end = last.position;
    let next = this.baseOffset;
    for (const b of this.batchesFrom(end)) {
      end = b.position + b.size;
      next = b.lastOffset + 1;
    }
    if (end !== this.sizeBytes) throw new CorruptDataError(`${this.logPath}: bytes after the last complete batch`, end);
    // The same scan as readNextOffset's (from the last index entry): a start reads the segment once.
    if (next !== this.baseOffset || last.position === 0) this.scannedNextOffset = next;
  }

  /** The segment stops being active: final time index entry, indexes trimmed (Kafka's onBecomeInactiveSegment). */
  onBecomeInactive(): void {
    // An index never read was never written here: it is as the last clean shutdown left it.
    if (this.timeIdx.isLoaded) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    this.offsetIdx.trimToValidSize();
    this.timeIdx.trimToValidSize();
    if (this.preallocated) this.trimPreallocated();
  }

  /** A preallocated log file is cut to its data, as Kafka's FileRecords.trim. */
  private trimPreallocated(): void {
    const fd = this.file.fd();
    if (fstatSync(fd).size > this.sizeBytes) ftruncateSync(fd, this.sizeBytes);
    this.preallocated = false;
  }

  /** The segment becomes the active one again (after a restart): indexes preallocated again (when first used). */
  resizeIndexes(maxIndexBytes: number): void {
    this.offsetIdx.resize(maxIndexBytes);
    this.timeIdx.resize(maxIndexBytes);
  }

  flush(): void {
    syncFile(this.logPath, () => this.file.fd());
    this.offsetIdx.flush();
    this.timeIdx.flush();
    this.txnIndex.flush();
  }

  /**
   * fsync the log and indexes off the event loop (Kafka flushes a rolled segment from its
   * scheduler); `done` runs only if every fsync succeeded.
   */
  flushInBackground(done: () => void): void {
    const files = [this.file, this.offsetIndex.cachedFile, this.timeIndex.cachedFile];
    let left = files.length;
    let failed = false;
    for (const file of files) {
      file.withPinned((fd, unpin) => {
        fsync(fd, (err) => {
          unpin();
          if (err) failed = true;
          if (--left === 0 && !failed) done();
        });
      });
    }
  }

  close(): void {
    this.file.close();
    this.offsetIdx.close();
    this.timeIdx.close();
    this.txnIndex.close();
  }

  /** Close and rename every file to `*.deleted`; returns the new paths for delayed removal. */
  renameToDeleted(): string[] {
    this.close();
    const paths: string[] = [];
    const rename = (from: string): void => {
      if (!existsSync(from)) return;
      renameSync(from, from + DELETED_SUFFIX);
      paths.push(from + DELETED_SUFFIX);
    };
    rename(this.logPath);
    rename(this.offsetIdx.path);
    rename(this.timeIdx.path);
    rename(this.txnIndex.path);
    return paths;
  }

  /** Close and remove every file now. */
  deleteFiles(): void {
    this.close();
    for (const p of [this.logPath, this.offsetIdx.path, this.timeIdx.path, this.txnIndex.path]) rmSync(p, { force: true });
  }
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

/** Record timestamps and offsets of a v2 batch; compressed ones are decompressed (bounded), a corrupt one yields nothing more. */
function* recordTimestamps(batch: Buffer, compressed: boolean): Generator<{ timestampMs: number; offset: number }> {
  if (!compressed) {
    yield* uncompressedRecordTimestamps(batch);
    return;
  }
  try {
    for (const r of iterateRecords(batch, 0, { verifyCrc: false })) yield { timestampMs: r.timestampMs, offset: r.offset };
  } catch {
    // A batch that does not decode has no record to offer; the caller moves on.
  }
}

/** Timestamps and offsets of the records of an uncompressed v2 batch (stops at the first malformed record). */
export function* uncompressedRecordTimestamps(batch: Buffer): Generator<{ timestampMs: number; offset: number }> {
  const base = readInt64(batch, 0);
  const baseTs = readInt64(batch, 27);
  const count = batch.readInt32BE(57);
  const f = new RecordFields();
  let at = RECORD_BATCH_OVERHEAD;
  for (let i = 0; i < count; i++) {
    at = readRecordQuick(batch, at, batch.length, f);
    if (at < 0) return;
    yield { timestampMs: baseTs + f.timestampDelta, offset: base + f.offsetDelta };
  }
}

/** The whole entries at the start of `bytes` (read at `position`), none at or after `maxOffset`. */
function wholeBatches(bytes: Buffer, position: number, maxOffset: number): Buffer {
  let whole = 0;
  while (whole + MIN_ENTRY_BYTES <= bytes.length) {
    if (bytes.readInt8(whole + MAGIC_OFFSET) >= 2 && whole + HEADER_BYTES > bytes.length) break;
    const info = parseBatchInfo(bytes, whole, position + whole);
    if (info.size < MIN_ENTRY_BYTES || whole + info.size > bytes.length || info.baseOffset >= maxOffset) break;
    whole += info.size;
  }
  return bytes.subarray(0, whole);
}
