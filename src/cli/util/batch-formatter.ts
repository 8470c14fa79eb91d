/**
 * The console consumer's byte path for Kafka's DefaultMessageFormatter without
 * deserializers: walks the fetched batches with the consumer's own walk
 * (walkFetchedEntries: same control, aborted-transaction and fetch-offset rules) and copies
 * each record's fields from the batch bytes into large output chunks, without a record
 * object, a Buffer per field or a concat per line. It prints exactly what formatRecord
 * prints for the same records (the tests compare both on varied batches); legacy (magic
 * 0/1) entries go through formatRecord itself.
 */
import type { Writable } from 'node:stream';
import { CorruptRecordsError, fromLegacyMessage, walkFetchedEntries, type FetchedRecords } from '../../client/fetch-decoder.js';
import { CompressionType, RECORD_BATCH_OVERHEAD, TimestampType } from '../../records/batch-header.js';
import { decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from '../../records/compression/index.js';
import type { LegacyMessage } from '../../records/legacy.js';
import type { LogEntry } from '../../records/log-entries.js';
import { forEachRecordFields, type RecordBatchHeader, RecordFields } from '../../records/record-batch.js';
import { readRecordQuick } from '../../records/record-walk.js';
import { type FormatterConfig, formatRecord } from './message-formatter.js';
import { OutputClosed, drained, type StopSignal } from './output.js';

const CHUNK_BYTES = 1024 * 1024;
/** Chunks kept for reuse at most (the writes in flight on an fd-backed stream). */
const MAX_SPARE_CHUNKS = 8;
/** Below this many bytes a loop copies faster than TypedArray#set (which needs a view per call). */
const SMALL_COPY = 16;
/** The fewest bytes a v2 record takes with an empty value: length, attributes, deltas, key and value lengths, header count. */
const MIN_RECORD_BYTES = 7;

/**
 * Output bytes gathered in large chunks and handed to the stream in few writes. Bytes
 * handed over are never written again; a chunk is reused only on a stream over a file
 * descriptor once every write of it is done (other streams, e.g. a test's PassThrough,
 * may keep the chunk itself).
 */
export class OutputChunks {
  buf: Buffer;
  /** Bytes of `buf` in use; [start, used) is not handed over yet. */
  used = 0;
  private start = 0;
  /** Pieces to write at the next flush, each with the chunk it is a view of. */
  private readonly ready: { chunk: Buffer; piece: Buffer }[] = [];
  private readonly spare: Buffer[] = [];
  /** Per chunk: its pieces queued in `ready` or being written. */
  private readonly busy = new Map<Buffer, number>();
  private readonly reuses: boolean;

  constructor(private readonly stream: Writable) {
    this.reuses = typeof (stream as Writable & { fd?: unknown }).fd === 'number';
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
  }

  /** Room for `n` more bytes at `used`; returns the chunk to write into. */
  ensure(n: number): Buffer {
    if (this.buf.length - this.used < n) this.nextChunk(n);
    return this.buf;
  }

  append(bytes: Buffer): void {
    const buf = this.ensure(bytes.length);
    this.used += bytes.copy(buf, this.used);
  }

  /** Where the output is now, to go back to with rewind() (before the next flush). */
  mark(): OutputMark {
    return { buf: this.buf, start: this.start, used: this.used, ready: this.ready.length };
  }

  /** Forget what was written since `m`. */
  rewind(m: OutputMark): void {
    const dropped = this.buf;
    // The marked chunk is current again before pieces are released, so it is not taken for reuse.
    this.buf = m.buf;
    this.start = m.start;
    this.used = m.used;
    for (const { chunk } of this.ready.splice(m.ready)) this.release(chunk);
    if (dropped !== m.buf && !this.busy.has(dropped)) this.keep(dropped);
  }

  /** Drop what was written since the last flush. */
  discard(): void {
    for (const { chunk } of this.ready.splice(0)) this.release(chunk);
    this.used = this.start;
  }

  /** Write what is pending to the stream, waiting while it is full; OutputClosed when it closes or we stop. */
  async flush(stop: StopSignal): Promise<void> {
    this.queueCurrent();
    for (const { chunk, piece } of this.ready.splice(0)) {
      if (this.stream.destroyed || this.stream.writableEnded || stop.stopped) throw new OutputClosed();
      const more = this.reuses ? this.stream.write(piece, () => this.release(chunk)) : this.stream.write(piece);
      if (!more) await drained(this.stream, stop);
    }
  }

  private queueCurrent(): void {
    if (this.used === this.start) return;
    this.ready.push({ chunk: this.buf, piece: this.buf.subarray(this.start, this.used) });
    this.busy.set(this.buf, (this.busy.get(this.buf) ?? 0) + 1);
    this.start = this.used;
  }

  /** A piece of `chunk` is written (or dropped): once none is left and it is retired, reuse it. */
  private release(chunk: Buffer): void {
    const left = (this.busy.get(chunk) ?? 1) - 1;
    if (left > 0) {
      this.busy.set(chunk, left);
      return;
    }
    this.busy.delete(chunk);
    if (chunk !== this.buf) this.keep(chunk);
  }

  private keep(chunk: Buffer): void {
    if (this.reuses && chunk.length === CHUNK_BYTES && this.spare.length < MAX_SPARE_CHUNKS) this.spare.push(chunk);
  }

  private nextChunk(n: number): void {
    this.queueCurrent();
    const old = this.buf;
    this.buf = n <= CHUNK_BYTES ? (this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)) : Buffer.allocUnsafe(n);
    this.start = 0;
    this.used = 0;
    if (!this.busy.has(old)) this.keep(old);
  }
}

export interface OutputMark {
  buf: Buffer;
  start: number;
  used: number;
  ready: number;
}


/** Whether the byte path prints what formatRecord would for this configuration. */
export function batchFormatterFits(cfg: FormatterConfig): boolean {
  return cfg.keyDeserializer === null && cfg.valueDeserializer === null && cfg.headersDeserializer === null;
}

/** Records printed from one FetchedRecords, and the offset of the last one (-1: none). */
export interface PrintedRange {
  count: number;
  lastOffset: number;
  /** The corrupt entry that stopped the walk; what came before it is printed. */
  corrupt: CorruptRecordsError | null;
}

/** Counters of what went which way, for the KTS_DEBUG report and tests. */
export interface BatchFormatterStats {
  /** v2 batches printed from their bytes. */
  byteBatches: number;
  /** Legacy entries printed through formatRecord. */
  legacyEntries: number;
  /** v2 batches the value-only loop handed to the careful walk (odd or corrupt bytes). */
  recheckedBatches: number;
}

/**
 * DefaultMessageFormatter over fetched bytes. One instance per command run: it keeps the
 * separators and per-run counters.
 */
export class BatchFormatter {
  readonly stats: BatchFormatterStats = { byteBatches: 0, legacyEntries: 0, recheckedBatches: 0 };
  private readonly cfg: FormatterConfig;
  private readonly valueOnly: boolean;
  private readonly sepBytes: Uint8Array;
  private readonly headersSepBytes: Uint8Array;
  // The walk's state for the current FetchedRecords (fields, not closures: one shape per run).
  private out!: OutputChunks;
  private header!: RecordBatchHeader;
  private partition = 0;
  private fetchOffset = 0;
  private endOffset = 0;
  private left = 0;
  private count = 0;
  private lastOffset = -1;
  /** The record readRecordQuick read last. */
  private readonly fields = new RecordFields();
  /** Whether a record's output fits in its own bytes: a record takes at least 7 bytes besides its value. */
  private readonly inPlace: boolean;
  private readonly lineBytes: Uint8Array;
  private readonly nullBytes: Uint8Array;
  private viewed: Buffer | null = null;
  private view: Uint8Array = new Uint8Array(0);
  private viewed2: Buffer | null = null;
  private view2: Uint8Array = new Uint8Array(0);
  private readonly onRecord: (f: RecordFields, data: Buffer) => void;

  constructor(cfg: FormatterConfig) {
    if (!batchFormatterFits(cfg)) throw new Error('BatchFormatter needs a configuration without deserializers');
    this.cfg = cfg;
    this.valueOnly = cfg.printValue && !cfg.printTimestamp && !cfg.printPartition && !cfg.printOffset && !cfg.printEpoch && !cfg.printHeaders && !cfg.printKey;
    this.sepBytes = new Uint8Array(cfg.keySeparator);
    this.headersSepBytes = new Uint8Array(cfg.headersSeparator);
    this.lineBytes = new Uint8Array(cfg.lineSeparator);
    this.nullBytes = new Uint8Array(cfg.nullLiteral);
    this.inPlace = cfg.lineSeparator.length <= MIN_RECORD_BYTES && cfg.nullLiteral.length + cfg.lineSeparator.length <= MIN_RECORD_BYTES;
    this.onRecord = (f, data) => this.record(f, data);
  }

  /**
   * Print the records of `f` at offsets below `endOffset`, at most `maxRecords`, into `out`.
   * A corrupt entry stops the walk: the records before it stay printed, and it is returned
   * in `corrupt`, as the record path returns the records before it and then fails.
   */
  print(f: FetchedRecords, out: OutputChunks, maxRecords: number, endOffset: number): PrintedRange {
    this.out = out;
    this.partition = f.partition;
    this.fetchOffset = f.fetchOffset;
    this.endOffset = endOffset;
    this.left = maxRecords;
    this.count = 0;
    this.lastOffset = -1;
    let corrupt: CorruptRecordsError | null = null;
    try {
      this.walk(f);
    } catch (err) {
      if (!(err instanceof CorruptRecordsError)) throw err;
      corrupt = err;
    }
    return { count: this.count, lastOffset: this.lastOffset, corrupt };
  }

  private walk(f: FetchedRecords): void {
    walkFetchedEntries(f, f.bytes, f, (entry, decoded) => {
      if (this.left <= 0 || entry.lastOffset < this.fetchOffset) return;
      if (decoded.magic === 2) {
        if (this.endOffset <= entry.baseOffset) return;
        this.header = decoded.header;
        this.stats.byteBatches++;
        if (this.tightBatch(entry)) return;
        forEachRecordFields(entry.bytes, 0, { verifyCrc: false, basePosition: entry.position }, this.onRecord);
      } else {
        this.stats.legacyEntries++;
        this.legacy(f, decoded.messages);
      }
    });
  }

  /**
   * Walk a v2 batch in one tight loop (readRecordQuick instead of the records module's cursor).
   * It accepts only what forEachRecordFields accepts; on anything else (odd varints, bad
   * lengths, a count that does not match) it undoes its output and returns false, and
   * forEachRecordFields walks the batch again (printing, or throwing its CorruptDataError).
   */
  private tightBatch(entry: LogEntry): boolean {
    const h = this.header;
    let data = entry.bytes;
    let pos = RECORD_BATCH_OVERHEAD;
    let end = entry.size;
    if (h.compression !== CompressionType.None) {
      try {
        data = decompress(h.compression, data.subarray(pos, end), DEFAULT_MAX_DECOMPRESSED_BYTES);
      } catch {
        return false;
      }
      pos = 0;
      end = data.length;
    }
    const out = this.out;
    const mark = out.mark();
    const saved = { left: this.left, count: this.count, lastOffset: this.lastOffset };
    if (this.valueOnly && this.inPlace ? this.valuesInPlace(data, pos, end) : this.recordsOf(data, pos, end)) return true;
    out.rewind(mark);
    this.stats.recheckedBatches++;
    this.left = saved.left;
    this.count = saved.count;
    this.lastOffset = saved.lastOffset;
    return false;
  }

  /**
   * Value-only: the records section is copied into the output chunk in one piece, then each
   * value moves down to where the output has got to (copyWithin: no view per record). The
   * output of a record never outgrows the record (inPlace), so writing never reaches bytes
   * not read yet. Returns whether the walk reached the end of the section as it should.
   */
  private valuesInPlace(src: Buffer, pos: number, end: number): boolean {
    const out = this.out;
    const size = end - pos;
    const buf = out.ensure(size);
    const bytes = this.viewOf(buf);
    const start = out.used;
    bytes.set(this.viewOf(src).subarray(pos, end), start);
    const stop = start + size;
    const f = this.fields;
    const base = this.header.baseOffset;
    const count = this.header.recordsCount;
    const line = this.lineBytes;
    const nullLiteral = this.nullBytes;
    let r = start;
    let w = start;
    let n = 0;
    for (; n < count && r < stop; n++) {
      if (readRecordQuick(bytes, r, stop, f) < 0) break;
      r = f.end;
      const offset = base + f.offsetDelta;
      if (offset < this.fetchOffset || offset >= this.endOffset || this.left <= 0) continue;
      this.took(offset);
      const valueSize = f.valueSize;
      if (valueSize < 0) {
        w = put(bytes, w, nullLiteral);
      } else if (valueSize < SMALL_COPY) {
        for (let i = f.valueStart, e = i + valueSize; i < e; i++) bytes[w++] = bytes[i]!;
      } else {
        bytes.copyWithin(w, f.valueStart, f.valueStart + valueSize);
        w += valueSize;
      }
      w = put(bytes, w, line);
    }
    out.used = w;
    return n === count && r === stop;
  }

  /** Each record's fields copied from the section to the output. */
  private recordsOf(data: Buffer, pos: number, end: number): boolean {
    const f = this.fields;
    const count = this.header.recordsCount;
    const view = this.viewOf(data);
    let n = 0;
    for (; n < count && pos < end; n++) {
      if (readRecordQuick(view, pos, end, f) < 0) break;
      pos = f.end;
      this.record(f, data);
    }
    return n === count && pos === end;
  }

  /** A plain Uint8Array over `b` (element access and subarray are faster than on a Buffer); the last two are kept. */
  private viewOf(b: Buffer): Uint8Array {
    if (b === this.viewed) return this.view;
    if (b === this.viewed2) return this.view2;
    this.viewed2 = this.viewed;
    this.view2 = this.view;
    this.viewed = b;
    this.view = new Uint8Array(b.buffer, b.byteOffset, b.length);
    return this.view;
  }

  private legacy(f: FetchedRecords, messages: Iterable<LegacyMessage>): void {
    for (const m of messages) {
      if (m.offset < this.fetchOffset || m.offset >= this.endOffset || this.left <= 0) continue;
      const r = fromLegacyMessage(f.topic, f.partition, m);
      this.out.append(formatRecord(this.cfg, { ...r, leaderEpoch: r.leaderEpoch ?? -1 }));
      this.took(m.offset);
    }
  }

  private took(offset: number): void {
    this.left--;
    this.count++;
    this.lastOffset = offset;
  }

  /** One record read into `f` (positions in `data`), if it is in range: its line. */
  private record(f: RecordFields, data: Buffer): void {
    const offset = this.header.baseOffset + f.offsetDelta;
    if (offset < this.fetchOffset || offset >= this.endOffset || this.left <= 0) return;
    this.took(offset);
    if (this.valueOnly) {
      this.bytesOrNull(data, f.valueStart, f.valueSize);
      this.put(this.lineBytes);
      return;
    }
    this.line(f, data, offset);
  }

  /** Every field the configuration asks for, in Kafka's order, separated by key.separator. */
  private line(f: RecordFields, data: Buffer, offset: number): void {
    const cfg = this.cfg;
    let first = true;
    if (cfg.printTimestamp) {
      first = false;
      const h = this.header;
      if (h.timestampType === TimestampType.LogAppendTime) this.label(LOG_APPEND_TIME, h.maxTimestamp);
      else this.label(CREATE_TIME, h.baseTimestamp + f.timestampDelta);
    }
    if (cfg.printPartition) {
      if (!first) this.put(this.sepBytes);
      first = false;
      this.label(PARTITION, this.partition);
    }
    if (cfg.printOffset) {
      if (!first) this.put(this.sepBytes);
      first = false;
      this.label(OFFSET, offset);
    }
    if (cfg.printEpoch) {
      if (!first) this.put(this.sepBytes);
      first = false;
      const epoch = this.header.partitionLeaderEpoch;
      if (epoch >= 0) this.label(EPOCH, epoch);
      else this.put(NOT_PRESENT);
    }
    if (cfg.printHeaders) {
      if (!first) this.put(this.sepBytes);
      first = false;
      this.headers(f, data);
    }
    if (cfg.printKey) {
      if (!first) this.put(this.sepBytes);
      first = false;
      this.bytesOrNull(data, f.keyStart, f.keySize);
    }
    if (cfg.printValue) {
      if (!first) this.put(this.sepBytes);
      this.bytesOrNull(data, f.valueStart, f.valueSize);
    }
    this.put(this.lineBytes);
  }

  private headers(f: RecordFields, data: Buffer): void {
    if (f.headerCount === 0) {
      this.put(NO_HEADERS);
      return;
    }
    const spans = f.headerSpans;
    for (let i = 0; i < f.headerCount; i++) {
      if (i > 0) this.put(this.headersSepBytes);
      this.headerKey(data, spans[4 * i]!, spans[4 * i + 1]!);
      this.put(COLON);
      this.bytesOrNull(data, spans[4 * i + 2]!, spans[4 * i + 3]!);
    }
  }

  /** The record path decodes header keys to strings: bytes that are not UTF-8 print as U+FFFD, as there. */
  private headerKey(data: Buffer, start: number, size: number): void {
    const view = this.viewOf(data);
    for (let i = start; i < start + size; i++) {
      if (view[i]! >= 0x80) {
        this.put(Buffer.from(data.toString('utf8', start, start + size), 'utf8'));
        return;
      }
    }
    this.copy(data, start, size, 0);
  }

  /** `size` bytes of `data` at `start`, or null.literal for size -1. */
  private bytesOrNull(data: Buffer, start: number, size: number): void {
    if (size < 0) this.put(this.nullBytes);
    else this.copy(data, start, size, this.lineBytes.length);
  }

  /** `size` bytes of `data` at `start`; `extra`: room to reserve after them. */
  private copy(data: Buffer, start: number, size: number, extra: number): void {
    const out = this.out;
    const target = this.viewOf(out.ensure(size + extra));
    const source = this.viewOf(data);
    let at = out.used;
    if (size < SMALL_COPY) {
      for (let i = start, end = start + size; i < end; i++) target[at++] = source[i]!;
    } else {
      target.set(source.subarray(start, start + size), at);
      at += size;
    }
    out.used = at;
  }

  /** Small bytes (separators, labels). */
  private put(b: Uint8Array): void {
    const out = this.out;
    out.used = put(this.viewOf(out.ensure(b.length)), out.used, b);
  }

  /** A label and a number, e.g. Offset:42. */
  private label(prefix: Uint8Array, n: number): void {
    const out = this.out;
    if (!Number.isSafeInteger(n)) {
      // Timestamps from odd deltas: String() is what the record path prints.
      this.put(prefix);
      this.put(ascii(String(n)));
      return;
    }
    const bytes = this.viewOf(out.ensure(prefix.length + MAX_NUMBER_CHARS));
    out.used = putNumber(bytes, put(bytes, out.used, prefix), n);
  }
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const CREATE_TIME = ascii('CreateTime:');
const LOG_APPEND_TIME = ascii('LogAppendTime:');
const PARTITION = ascii('Partition:');
const OFFSET = ascii('Offset:');
const EPOCH = ascii('Epoch:');
const NOT_PRESENT = ascii('NOT_PRESENT');
const NO_HEADERS = ascii('NO_HEADERS');
const COLON = ascii(':');
/** A safe integer in decimal, sign included, takes at most this many characters. */
const MAX_NUMBER_CHARS = 17;

/** `n` (a safe integer) in decimal at `w`, as String(n) writes it; returns the position after it. */
function putNumber(bytes: Uint8Array, w: number, n: number): number {
  if (n < 0) {
    bytes[w++] = 0x2d;
    n = -n;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  const end = w + digits;
  let p = end;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    bytes[--p] = 0x30 + (n - q * 10);
    n = q;
  }
  bytes[--p] = 0x30 + n;
  return end;
}

/** Write the small `b` at `w`; returns the position after it. */
function put(bytes: Uint8Array, w: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) bytes[w++] = b[i]!;
  return w;
}
