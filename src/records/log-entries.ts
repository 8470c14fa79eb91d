/**
 * Walk the entries of a log segment: a sequence of record batches (magic 2) and legacy
 * messages (magic 0/1), each starting with BaseOffset/Offset int64 + Length/Size int32
 * and with the magic byte at offset 16 in every format.
 *
 * `scanLogEntries(buf)` reads a window of a segment held in memory; it only looks at
 * entry headers, so it is cheap. The scan stops cleanly at the first entry that is not
 * wholly inside the window ("partial": a truncated tail if the window is the end of the
 * file, or just the window edge when reading a file piecewise) or whose header cannot be
 * an entry ("invalid": bad size or magic); `scan.stop` says which, where, and how many
 * bytes were left. `readLogEntries(file)` does the same over a file in bounded windows.
 * `decodeLogEntry(entry)` decodes the records of one entry; `verifyLogEntry` checks CRCs.
 */
import type { FileHandle } from 'node:fs/promises';
import { CorruptDataError } from '../util/errors.js';
import { LOG_OVERHEAD, readInt64, RECORD_BATCH_OVERHEAD } from './batch-header.js';
import { decodeLegacyEntry, iterateLegacyMessages, type LegacyDecodeOptions, type LegacyMessage, RECORD_OVERHEAD_V0, RECORD_OVERHEAD_V1 } from './legacy.js';
import { type DecodeOptions, decodeBatchHeader, iterateRecords, type KafkaRecord, type RecordBatchHeader, verifyRecordBatch } from './record-batch.js';

/** Bytes of an entry up to and including the magic byte. */
export const HEADER_SIZE_UP_TO_MAGIC = 17;

export interface LogEntry {
  /** Position of the entry in the file (window base position + offset in the window). */
  position: number;
  /** Total bytes: LOG_OVERHEAD + Length. */
  size: number;
  magic: number;
  /**
   * v2: BaseOffset. Legacy: the entry's offset field, which for a compressed wrapper is
   * the offset of its last inner message (decode the entry for the first one).
   */
  baseOffset: number;
  /** v2: BaseOffset + LastOffsetDelta. Legacy: the entry's offset field. */
  lastOffset: number;
  /** The entry's bytes: a view into the scanned buffer. */
  bytes: Buffer;
}

export type ScanStop =
  | { kind: 'complete'; position: number }
  | { kind: 'partial'; position: number; bytesLeft: number; neededBytes: number }
  | { kind: 'invalid'; position: number; bytesLeft: number; reason: string };

export interface ScanOptions {
  /** File position of `buf[0]`. */
  basePosition?: number;
  /** Entries larger than this are invalid (Kafka: max.message.bytes plus overhead). */
  maxEntryBytes?: number;
}

function minimumSize(magic: number): number {
  return magic === 2 ? RECORD_BATCH_OVERHEAD : LOG_OVERHEAD + (magic === 0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1);
}

/** Iterable over the complete entries of a window; `stop` is set once iteration ends. */
export class LogEntryScan implements Iterable<LogEntry> {
  readonly buf: Buffer;
  readonly basePosition: number;
  readonly maxEntryBytes: number;
  stop: ScanStop | null = null;
  /** Bytes of complete, well-formed entries from the start of the window. */
  validBytes = 0;

  constructor(buf: Buffer, options: ScanOptions = {}) {
    this.buf = buf;
    this.basePosition = options.basePosition ?? 0;
    this.maxEntryBytes = options.maxEntryBytes ?? 0x7fffffff;
  }

  *[Symbol.iterator](): Iterator<LogEntry> {
    const { buf } = this;
    let pos = 0;
    for (;;) {
      const left = buf.length - pos;
      const position = this.basePosition + pos;
      if (left === 0) return this.finish({ kind: 'complete', position }, pos);
      if (left < HEADER_SIZE_UP_TO_MAGIC) return this.finish({ kind: 'partial', position, bytesLeft: left, neededBytes: HEADER_SIZE_UP_TO_MAGIC }, pos);
      const length = buf.readInt32BE(pos + 8);
      const magic = buf.readInt8(pos + 16);
      if (magic < 0 || magic > 2) return this.finish({ kind: 'invalid', position, bytesLeft: left, reason: `unknown magic ${magic}` }, pos);
      const size = LOG_OVERHEAD + length;
      if (length < 0 || size < minimumSize(magic)) {
        return this.finish({ kind: 'invalid', position, bytesLeft: left, reason: `entry size ${size} is below the minimum ${minimumSize(magic)} for magic ${magic}` }, pos);
      }
      if (size > this.maxEntryBytes) {
        return this.finish({ kind: 'invalid', position, bytesLeft: left, reason: `entry size ${size} exceeds the maximum ${this.maxEntryBytes}` }, pos);
      }
      if (size > left) return this.finish({ kind: 'partial', position, bytesLeft: left, neededBytes: size }, pos);
      const offset = readInt64(buf, pos);
      const lastOffset = magic === 2 ? offset + buf.readInt32BE(pos + 23) : offset;
      yield { position, size, magic, baseOffset: offset, lastOffset, bytes: buf.subarray(pos, pos + size) };
      pos += size;
    }
  }

  private finish(stop: ScanStop, pos: number): undefined {
    this.stop = stop;
    this.validBytes = pos;
    return undefined;
  }
}

/** Scan the entries of a window of a segment. */
export function scanLogEntries(buf: Buffer, options: ScanOptions = {}): LogEntryScan {
  return new LogEntryScan(buf, options);
}

export interface FileScanOptions {
  /** Where to start (default 0). */
  position?: number;
  /** Where to stop (default: the file size at the start). */
  end?: number;
  /** Read size; grows to hold any single entry up to maxEntryBytes. Default 1 MiB. */
  windowBytes?: number;
  /** Larger entries are invalid: bounds what a corrupt length can make us allocate. Default 128 MiB. */
  maxEntryBytes?: number;
}

export const DEFAULT_FILE_MAX_ENTRY_BYTES = 128 * 1024 * 1024;

/**
 * Scan a segment file in bounded windows. Entries are views into the current window:
 * copy one if you keep it past the next iteration. After iteration `stop` tells whether
 * the file ended on an entry boundary, with a truncated tail, or at invalid bytes.
 */
export class LogFileScan implements AsyncIterable<LogEntry> {
  stop: ScanStop | null = null;
  private readonly file: FileHandle;
  private readonly options: FileScanOptions;

  constructor(file: FileHandle, options: FileScanOptions = {}) {
    this.file = file;
    this.options = options;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LogEntry> {
    const end = this.options.end ?? (await this.file.stat()).size;
    const maxEntryBytes = this.options.maxEntryBytes ?? DEFAULT_FILE_MAX_ENTRY_BYTES;
    let windowBytes = this.options.windowBytes ?? 1024 * 1024;
    let position = this.options.position ?? 0;
    for (;;) {
      const want = Math.min(windowBytes, end - position);
      const buf = Buffer.allocUnsafe(Math.max(0, want));
      const { bytesRead } = want > 0 ? await this.file.read(buf, 0, want, position) : { bytesRead: 0 };
      const atEnd = position + bytesRead >= end || bytesRead < want;
      const scan = new LogEntryScan(buf.subarray(0, bytesRead), { basePosition: position, maxEntryBytes });
      for (const entry of scan) yield entry;
      const stop = scan.stop!;
      // A window that ends on an entry boundary or mid-entry just means: read on,
      // unless the entry cannot fit in what is left of the file (a truncated tail).
      const truncated = stop.kind === 'partial' && stop.position + stop.neededBytes > end;
      if (stop.kind === 'invalid' || atEnd || truncated) {
        // Report what is left of the file, not of the window.
        this.stop = stop.kind === 'complete' ? stop : { ...stop, bytesLeft: end - stop.position };
        return;
      }
      if (stop.kind === 'partial' && stop.position === position && stop.neededBytes > windowBytes) windowBytes = stop.neededBytes;
      position = stop.position;
    }
  }
}

export function readLogEntries(file: FileHandle, options: FileScanOptions = {}): LogFileScan {
  return new LogFileScan(file, options);
}

export type DecodedLogEntry =
  | { magic: 2; header: RecordBatchHeader; records: Iterable<KafkaRecord> }
  | { magic: 0 | 1; wrapper: LegacyMessage; messages: Iterable<LegacyMessage> };

export type EntryDecodeOptions = Pick<DecodeOptions, 'verifyCrc' | 'maxDecompressedBytes'>;

/**
 * Decode one entry: its header and a lazy iterable of its records (v2) or messages
 * (legacy, inner messages of a wrapper with absolute offsets). Checks the CRC unless
 * `verifyCrc: false`. Errors carry file positions.
 */
export function decodeLogEntry(entry: LogEntry, options: EntryDecodeOptions = {}): DecodedLogEntry {
  const basePosition = entry.position;
  if (entry.magic === 2) {
    const header = options.verifyCrc === false ? decodeBatchHeader(entry.bytes, 0, basePosition) : verifyRecordBatch(entry.bytes, 0, basePosition);
    const records: Iterable<KafkaRecord> = {
      [Symbol.iterator]: () => iterateRecords(entry.bytes, 0, { ...options, verifyCrc: false, basePosition }),
    };
    return { magic: 2, header, records };
  }
  if (entry.magic === 0 || entry.magic === 1) {
    const legacyOptions: LegacyDecodeOptions = { ...options, basePosition };
    const wrapper = decodeLegacyEntry(entry.bytes, 0, legacyOptions);
    const messages: Iterable<LegacyMessage> = {
      [Symbol.iterator]: () => iterateLegacyMessages(entry.bytes, 0, legacyOptions),
    };
    return { magic: entry.magic, wrapper, messages };
  }
  throw new CorruptDataError(`unknown magic ${entry.magic}`, entry.position + 16);
}

/** Check an entry's checksum (CRC-32C for v2, CRC-32 for legacy); throws CorruptDataError. */
export function verifyLogEntry(entry: LogEntry): void {
  if (entry.magic === 2) verifyRecordBatch(entry.bytes, 0, entry.position);
  else decodeLegacyEntry(entry.bytes, 0, { basePosition: entry.position, verifyCrc: true });
}
