/**
 * The dump-log engine: reads each file in bounded windows and emits DumpEvents in the
 * order Kafka's DumpLogSegments prints its lines, collects the mismatch reports Kafka
 * prints at the end, and records kts's corruption findings (with byte positions) and
 * per-file summaries. Read-only: no file is ever opened for writing.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorMessage } from '../util/errors.js';
import { decodeBatchInfo, decodeRecords, entryLastOffset, forEachV2RecordFields, type BatchInfo, type RecordInfo } from './batch.js';
import type { RecordDecoders, RecordTextWriter } from './record-text.js';
import type { RecordParser } from './decoders/internal-topics.js';
import { RecordFields } from '../records/record-batch.js';
import { WALK_COMPLETE, walkV2Records } from './record-walk.js';
import { recordEvent, type DumpEvent, type DumpSink, type ProblemKind, type ReportKind } from './events.js';
import { DEFAULT_WINDOW_BYTES, FileWindow } from './file-window.js';
import { baseOffsetOf, fileKind, type FileKind } from './files.js';
import * as I from './index-files.js';
import { ENTRY_HEADER_BYTES, LogScanner, type LogEntry } from './log-scan.js';
import { ATTRIBUTES_OFFSET, MAGIC_OFFSET, baseTimestamp, incrementSequence } from '../records/batch-header.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '../records/compression/index.js';
import { SummaryBuilder } from './summary.js';
import { decodeCheckpoint } from './checkpoint.js';

export const INT32_MAX = 2147483647;

export interface DumpOptions {
  printDataLog: boolean;
  deepIteration: boolean;
  skipRecordMetadata: boolean;
  verifyIndexOnly: boolean;
  indexSanityCheck: boolean;
  /** Bytes read after an index entry's position to find its batch. */
  maxMessageSize: number;
  /** Bytes of a .log read at most; INT32_MAX means the whole file. */
  maxBytes: number;
  parser: RecordParser;
  /**
   * The key and value decoders when `parser` is nothing more than them (not the internal
   * topic decoders): text output then prints v2 data records straight from their bytes.
   */
  decoders?: RecordDecoders;
  cwd: string;
  windowBytes?: number;
  maxDecompressedBytes?: number;
  onProgress?: (path: string, position: number, size: number) => void;
  /** Entries above this size are checksummed from the file but not decoded (memory bound). */
  maxEntryBytes?: number;
  /** Polled between entries: true stops the dump early (Ctrl-C, stdout closed). */
  shouldStop?: () => boolean;
}

/** Pairs kept per report and file; Kafka keeps all, which a compacted segment makes huge. */
export const MAX_REPORT_PAIRS = 100_000;

/** The order Kafka prints its end-of-run reports in. */
const REPORT_ORDER: readonly ReportKind[] = ['indexMismatch', 'timeIndexMismatch', 'timeIndexOutOfOrder', 'indexedOffsetNotFound', 'nonConsecutiveOffsets'];
/** Reports Kafka builds by prepending to a list, so it prints them newest first. */
const PREPENDED: ReadonlySet<ReportKind> = new Set(['indexMismatch', 'nonConsecutiveOffsets']);

interface ScanState {
  lastRecordOffset: number;
  prevBatch: BatchInfo | null;
}

interface FileContext {
  path: string;
  absolutePath: string;
  summary: SummaryBuilder;
}

export class Dumper {
  private readonly opts: DumpOptions;
  private readonly sink: DumpSink;
  private readonly reports = new Map<ReportKind, Map<string, [number, number][]>>();
  private readonly reportOverflow = new Map<string, number>();
  /** Problems of severity error (corruption); `warningCount` counts the rest. */
  problemCount = 0;
  warningCount = 0;
  errorCount = 0;
  /** Files given that are not Kafka log dir files (shown as "Ignoring unknown file"). */
  ignoredCount = 0;
  /**
   * Set while checking entry 0 of an index that is still preallocated (a live active
   * segment): Kafka reports its zero entry, but it is not corruption.
   */
  private quietProblems = false;
  /** Reused by every record of the quick walk. */
  private readonly fields = new RecordFields();

  private get maxDecompressedBytes(): number {
    return this.opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  }

  constructor(opts: DumpOptions, sink: DumpSink) {
    this.opts = opts;
    this.sink = sink;
  }

  private emit(event: DumpEvent): void {
    this.sink.emit(event);
  }

  private problem(ctx: FileContext, kind: ProblemKind, position: number | null, message: string, severity: 'error' | 'warning' = 'error'): void {
    if (this.quietProblems) return;
    if (severity === 'error') this.problemCount++;
    else this.warningCount++;
    ctx.summary.s.problems++;
    this.emit({ type: 'problem', path: ctx.path, severity, kind, position, message });
  }

  private error(ctx: FileContext, message: string): void {
    this.errorCount++;
    this.emit({ type: 'error', path: ctx.path, message });
  }

  private report(kind: ReportKind, absolutePath: string, pair: [number, number]): void {
    let byFile = this.reports.get(kind);
    if (byFile === undefined) this.reports.set(kind, (byFile = new Map()));
    let pairs = byFile.get(absolutePath);
    if (pairs === undefined) byFile.set(absolutePath, (pairs = []));
    // A compacted segment has a gap per removed record: keep memory bounded.
    if (pairs.length < MAX_REPORT_PAIRS) pairs.push(pair);
    else this.reportOverflow.set(`${kind}\0${absolutePath}`, (this.reportOverflow.get(`${kind}\0${absolutePath}`) ?? 0) + 1);
  }

  async dumpFile(path: string): Promise<void> {
    const kind = fileKind(path);
    const absolutePath = resolve(this.opts.cwd, path);
    const ctx: FileContext = { path, absolutePath, summary: new SummaryBuilder(kind, 0) };
    this.emit({ type: 'file', path, kind });
    try {
      await this.dumpByKind(ctx, kind);
    } catch (err) {
      this.error(ctx, `Cannot read ${path}: ${errorMessage(err)}`);
      this.problem(ctx, 'unreadable', null, errorMessage(err));
    }
    this.emit({ type: 'summary', path, ...ctx.summary.s });
    await this.sink.drain();
  }

  private async dumpByKind(ctx: FileContext, kind: FileKind): Promise<void> {
    switch (kind) {
      case 'log':
      case 'kraft-snapshot':
        return this.dumpLog(ctx, kind);
      case 'index':
        return this.dumpIndex(ctx);
      case 'timeindex':
        return this.dumpTimeIndex(ctx);
      case 'txnindex':
        return this.dumpTxnIndex(ctx);
      case 'snapshot':
        return this.dumpProducerSnapshot(ctx);
      case 'checkpoint':
        return this.dumpCheckpoint(ctx);
      case 'unknown':
        // Kafka's tool exits 0 here; a file named on purpose that is not a Kafka file is a mistake worth the exit code.
        this.ignoredCount++;
        this.emit({ type: 'ignored', path: ctx.path });
    }
  }

  /** Emit Kafka's reports (stderr in text mode) once every file is done. */
  finish(): void {
    for (const kind of REPORT_ORDER) {
      for (const [path, pairs] of this.reports.get(kind) ?? []) {
        const more = this.reportOverflow.get(`${kind}\0${path}`) ?? 0;
        this.emit({ type: 'report', report: kind, path, pairs: PREPENDED.has(kind) ? [...pairs].reverse() : pairs, more });
      }
    }
  }

  private logHeader(ctx: FileContext, kind: FileKind): void {
    const name = basename(ctx.path);
    if (kind === 'log') {
      const base = baseOffsetOf(name);
      if (base === null) this.error(ctx, `Cannot take a base offset from the file name ${name}`);
      else this.emit({ type: 'logStart', path: ctx.path, baseOffset: base });
      return;
    }
    if (name === 'bootstrap.checkpoint') {
      this.emit({ type: 'bootstrapSnapshot', path: ctx.path });
      return;
    }
    const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
    if (m === null) this.error(ctx, `${name} is not named <20-digit end offset>-<10-digit epoch>.checkpoint`);
    else this.emit({ type: 'snapshotStart', path: ctx.path, endOffset: Number(m[1]), epoch: Number(m[2]) });
  }

  private async dumpLog(ctx: FileContext, kind: FileKind): Promise<void> {
    this.logHeader(ctx, kind);
    const win = await FileWindow.open(ctx.absolutePath, this.opts.windowBytes ?? DEFAULT_WINDOW_BYTES, true);
    try {
      await this.scanLog(ctx, win);
    } finally {
      await win.close();
    }
  }

  private async scanLog(ctx: FileContext, win: FileWindow): Promise<void> {
    const summary = ctx.summary;
    summary.s.bytes = win.size;
    const end = Math.min(this.opts.maxBytes, win.size);
    const scanner = new LogScanner(win, 0, end, this.opts.maxEntryBytes);
    const state: ScanState = { lastRecordOffset: -1, prevBatch: null };
    let sinceProgress = 0;
    for (let entry = await scanner.next(); entry !== null; entry = await scanner.next()) {
      if (this.opts.shouldStop?.() === true) return;
      if (entry.complete) this.logEntry(ctx, entry, state);
      else await this.oversizedEntry(ctx, win, entry, state);
      sinceProgress += entry.size;
      if (sinceProgress >= 4 * 1024 * 1024) {
        sinceProgress = 0;
        this.opts.onProgress?.(ctx.path, entry.position + entry.size, win.size);
        await this.sink.drain();
      } else if (this.sink.behind === true) {
        // Compressed batches can print far more than they take on disk: wait for the reader.
        await this.sink.drain();
      }
    }
    const validBytes = scanner.nextPosition;
    summary.s.validBytes = validBytes - summary.s.corruptBatchBytes;
    summary.s.invalidBytes = end - validBytes + summary.s.corruptBatchBytes;
    const stop = scanner.stop;
    if (stop.kind === 'corrupt') {
      this.error(ctx, `${stop.reason} in file ${ctx.path} (at byte ${stop.position}).`);
      this.problem(ctx, 'corrupt-entry', stop.position, stop.reason);
    } else if (stop.kind === 'torn' && end === win.size) {
      this.problem(ctx, 'torn-tail', stop.position, stop.reason);
    }
    if (end - validBytes > 0 && this.opts.maxBytes === INT32_MAX) {
      this.emit({ type: 'invalidBytes', path: ctx.path, name: basename(ctx.path), position: validBytes, count: end - validBytes });
    }
  }

  /** An entry too large to hold: its header is copied out, its CRC streamed from the file. */
  private async oversizedEntry(ctx: FileContext, win: FileWindow, entry: LogEntry, state: ScanState): Promise<void> {
    const header = Buffer.from(entry.buf.subarray(entry.at, entry.at + ENTRY_HEADER_BYTES));
    const detached: LogEntry = { ...entry, buf: header, at: 0 };
    const from = entry.position + (entry.magic >= 2 ? ATTRIBUTES_OFFSET : MAGIC_OFFSET);
    const checksum = await win.checksum(from, entry.position + entry.size, entry.magic >= 2 ? 'crc32c' : 'crc32');
    this.logEntry(ctx, detached, state, checksum);
  }

  private logEntry(ctx: FileContext, entry: LogEntry, state: ScanState, checksum?: number): void {
    let info: BatchInfo;
    try {
      info = decodeBatchInfo(entry, checksum);
    } catch (err) {
      this.error(ctx, errorMessage(err));
      this.problem(ctx, 'corrupt-entry', entry.position, errorMessage(err));
      return;
    }
    this.emit({ type: 'batch', path: ctx.path, ...info });
    ctx.summary.batch(info);
    this.checkBatch(ctx, info, state.prevBatch);
    state.prevBatch = info;
    if (!this.opts.deepIteration) return;
    const text = this.sink.recordText;
    const decoders = this.opts.printDataLog ? this.opts.decoders : null;
    if (text !== undefined && decoders !== undefined && info.magic >= 2 && !info.isControl) {
      this.v2RecordText(ctx, entry, info, state, text, decoders);
      return;
    }
    const onRecord = (rec: RecordInfo): void => {
      if (state.lastRecordOffset !== -1 && rec.offset !== state.lastRecordOffset + 1) {
        this.report('nonConsecutiveOffsets', ctx.absolutePath, [state.lastRecordOffset, rec.offset]);
      }
      state.lastRecordOffset = rec.offset;
      ctx.summary.recordTimestamp(rec.timestamp);
      this.emitRecord(ctx, info, rec);
    };
    try {
      const n = decodeRecords(entry, info, { maxDecompressedBytes: this.maxDecompressedBytes, payloads: this.opts.printDataLog }, onRecord);
      if (info.magic < 2) ctx.summary.innerRecords(n);
    } catch (err) {
      this.error(ctx, `Cannot decode the records of the batch at position ${info.position}: ${errorMessage(err)}`);
      this.problem(ctx, 'decode-error', info.position, errorMessage(err));
    }
  }

  /**
   * Deep iteration of a v2 data batch for a text sink: the same bookkeeping as logEntry's
   * onRecord, with each line written from the record's bytes (`text` null: no lines).
   */
  private v2RecordText(ctx: FileContext, entry: LogEntry, info: BatchInfo, state: ScanState, text: RecordTextWriter | null, decoders: RecordDecoders | null): void {
    const { baseOffset, baseSequence, maxTimestamp } = info;
    const logAppendTime = info.timestampType === 'LogAppendTime';
    const firstTimestamp = baseTimestamp(entry.buf, entry.at);
    const summary = ctx.summary;
    text?.beginBatch(info.timestampType, decoders);
    let last = state.lastRecordOffset;
    const onRecord = (f: RecordFields, data: Buffer): void => {
      const offset = baseOffset + f.offsetDelta;
      if (last !== -1 && offset !== last + 1) this.report('nonConsecutiveOffsets', ctx.absolutePath, [last, offset]);
      last = offset;
      const timestamp = logAppendTime ? maxTimestamp : firstTimestamp + f.timestampDelta;
      summary.recordTimestamp(timestamp);
      text?.v2Record(f, data, offset, timestamp, baseSequence === -1 ? -1 : incrementSequence(baseSequence, f.offsetDelta));
    };
    try {
      this.walkV2(entry, onRecord);
    } catch (err) {
      this.error(ctx, `Cannot decode the records of the batch at position ${info.position}: ${errorMessage(err)}`);
      this.problem(ctx, 'decode-error', info.position, errorMessage(err));
    } finally {
      state.lastRecordOffset = last;
    }
  }

  /** The quick walk, and the records module's for what it leaves (see record-walk.ts). */
  private walkV2(entry: LogEntry, onRecord: (f: RecordFields, data: Buffer) => void): void {
    const maxDecompressedBytes = this.maxDecompressedBytes;
    const handed = entry.complete ? walkV2Records(entry.buf, entry.at, maxDecompressedBytes, this.fields, onRecord) : 0;
    if (handed === WALK_COMPLETE) return;
    let skip = handed;
    forEachV2RecordFields(entry, { maxDecompressedBytes }, (f, data) => {
      if (skip > 0) skip--;
      else onRecord(f, data);
    });
  }

  private checkBatch(ctx: FileContext, info: BatchInfo, prev: BatchInfo | null): void {
    if (!info.isValid) {
      this.problem(ctx, 'crc-mismatch', info.position, `stored crc ${info.crc} does not match the ${info.magic >= 2 ? 'CRC-32C' : 'CRC-32'} of the batch`);
      // A batch whose CRC fails is not valid data, wherever it sits in the file.
      ctx.summary.s.corruptBatchBytes += info.size;
    }
    if (prev === null) {
      this.checkSegmentName(ctx, info.baseOffset, info.position);
      return;
    }
    if (info.baseOffset <= prev.lastOffset) {
      this.problem(ctx, 'offset-regression', info.position, `base offset ${info.baseOffset} is not above the previous batch's last offset ${prev.lastOffset}`);
    }
    if (info.maxTimestamp >= 0 && info.maxTimestamp < prev.maxTimestamp && !info.isControl && !prev.isControl) {
      // Producers choose CreateTime, so it may go back legitimately; LogAppendTime may not.
      const severity = info.timestampType === 'LogAppendTime' && prev.timestampType === 'LogAppendTime' ? 'error' : 'warning';
      this.problem(ctx, 'timestamp-regression', info.position, `max timestamp ${info.maxTimestamp} is below the previous batch's ${prev.maxTimestamp}`, severity);
    }
  }

  private emitRecord(ctx: FileContext, info: BatchInfo, rec: RecordInfo): void {
    let key: string | undefined;
    let payload: string | undefined;
    if (this.opts.printDataLog && !info.isControl) {
      try {
        const parsed = this.opts.parser(rec);
        key = parsed.key;
        payload = parsed.payload;
      } catch (err) {
        this.error(ctx, errorMessage(err));
      }
    }
    if (this.sink.record !== undefined) this.sink.record(ctx.path, info, rec, key, payload);
    else this.emit(recordEvent(ctx.path, info, rec, key, payload));
  }

  private siblingPath(ctx: FileContext, suffix: string): string {
    return join(dirname(ctx.absolutePath), `${basename(ctx.absolutePath).split('.')[0]}${suffix}`);
  }

  private async readSideFile(path: string): Promise<Buffer | null> {
    return readFile(path).catch(() => null);
  }

  private async openLog(ctx: FileContext): Promise<FileWindow | null> {
    try {
      return await FileWindow.open(this.siblingPath(ctx, '.log'), this.opts.windowBytes ?? DEFAULT_WINDOW_BYTES);
    } catch (err) {
      this.error(ctx, `Cannot open the log segment of ${ctx.path} to verify it against: ${errorMessage(err)}`);
      return null;
    }
  }

  private segmentBase(ctx: FileContext): number {
    const base = baseOffsetOf(ctx.path);
    if (base === null) throw new Error(`cannot take a base offset from the file name ${basename(ctx.path)}`);
    return base;
  }

  private async dumpIndex(ctx: FileContext): Promise<void> {
    const base = this.segmentBase(ctx);
    const buf = await readFile(ctx.absolutePath);
    ctx.summary.s.bytes = buf.length;
    const entries = Math.floor(buf.length / I.OFFSET_INDEX_ENTRY_BYTES);
    if (entries === 0) {
      this.emit({ type: 'indexEmpty', path: ctx.path });
      return;
    }
    if (this.opts.indexSanityCheck) return this.sanity(ctx, I.offsetIndexSanityError(buf, base, ctx.absolutePath));
    const opened = await this.openLog(ctx);
    const log = opened !== null && (await this.indexFitsLog(ctx, opened)) ? opened : null;
    try {
      let prevOffset = -1;
      for (let i = 0; i < entries; i++) {
        const entry = I.offsetIndexEntry(buf, i, base);
        // Indexes are preallocated: the first zeroed entry after the first marks the end.
        if ((entry.offset === base && i > 0) || this.opts.shouldStop?.() === true) break;
        ctx.summary.s.entries++;
        if (entry.offset <= prevOffset) {
          this.problem(ctx, 'index-not-monotonic', i * I.OFFSET_INDEX_ENTRY_BYTES, `entry ${i} offset ${entry.offset} is not above the previous ${prevOffset}`);
        }
        prevOffset = entry.offset;
        this.quietProblems = i === 0 && unusedPreallocated(buf, I.OFFSET_INDEX_ENTRY_BYTES);
        if (log !== null) await this.verifyIndexEntry(ctx, log, entry, i);
        this.quietProblems = false;
        if (!this.opts.verifyIndexOnly) this.emit({ type: 'indexEntry', path: ctx.path, ...entry });
      }
    } finally {
      await opened?.close();
    }
  }

  private async verifyIndexEntry(ctx: FileContext, log: FileWindow, entry: I.OffsetIndexEntry, i: number): Promise<void> {
    const where = i * I.OFFSET_INDEX_ENTRY_BYTES;
    if (entry.position < 0 || entry.position >= log.size) {
      this.report('indexMismatch', ctx.absolutePath, [entry.offset, -1]);
      this.problem(ctx, 'index-entry-out-of-range', where, `entry ${i} (offset ${entry.offset}) points at position ${entry.position}, outside the ${log.size} byte log`);
      return;
    }
    const scanner = new LogScanner(log, entry.position, entry.position + this.opts.maxMessageSize);
    const first = await scanner.next();
    const lastOffset = first === null ? -1 : entryLastOffset(first);
    if (lastOffset !== entry.offset) {
      // Kafka's own tool compares with the last offset and reports the rest.
      this.report('indexMismatch', ctx.absolutePath, [entry.offset, lastOffset]);
      // Kafka 1.x indexed a batch's base offset (later versions its last offset): not a problem.
      const baseOffset = first !== null && first.magic >= 2 ? Number(first.buf.readBigInt64BE(first.at)) : lastOffset;
      if (baseOffset !== entry.offset) {
        this.problem(ctx, 'index-mismatch', where, `entry ${i} maps offset ${entry.offset} to position ${entry.position}, where the batch's last offset is ${lastOffset}`);
      }
    }
  }

  /**
   * A segment's batches start at or above the base offset its name gives (compaction may
   * leave the first ones out); below it, the file was renamed or copied under another name,
   * and the offsets its indexes store relative to that name are all off: said once per file.
   */
  private checkSegmentName(ctx: FileContext, firstOffset: number, position: number | null): boolean {
    const base = baseOffsetOf(ctx.path);
    if (base === null || firstOffset >= base) return true;
    const name = basename(ctx.path);
    this.problem(ctx, 'segment-name-mismatch', position, `the file name gives base offset ${base} but the log's first batch starts at offset ${firstOffset}: a renamed or copied segment?${/\.log/.test(name) ? '' : ' Its entries are not checked against the log.'}`);
    return false;
  }

  /** Whether the log's first batch fits the index's name (else one problem, and its entries go unchecked). */
  private async indexFitsLog(ctx: FileContext, log: FileWindow): Promise<boolean> {
    const first = await new LogScanner(log, 0).next();
    if (first === null) return true;
    return this.checkSegmentName(ctx, Number(first.buf.readBigInt64BE(first.at)), null);
  }

  private sanity(ctx: FileContext, error: string | null): void {
    if (error === null) {
      this.emit({ type: 'sanityPassed', path: ctx.path });
      return;
    }
    this.error(ctx, error);
    this.problem(ctx, 'sanity-check-failed', null, error);
  }

  private async dumpTimeIndex(ctx: FileContext): Promise<void> {
    const base = this.segmentBase(ctx);
    const buf = await readFile(ctx.absolutePath);
    ctx.summary.s.bytes = buf.length;
    if (this.opts.indexSanityCheck) return this.sanity(ctx, I.timeIndexSanityError(buf, base, ctx.absolutePath));
    const offsetIndex = await this.readSideFile(this.siblingPath(ctx, '.index'));
    const entries = Math.floor(buf.length / I.TIME_INDEX_ENTRY_BYTES);
    const opened = entries > 0 ? await this.openLog(ctx) : null;
    const log = opened !== null && (await this.indexFitsLog(ctx, opened)) ? opened : null;
    try {
      let prevTimestamp = -1;
      for (let i = 0; i < entries; i++) {
        const entry = I.timeIndexEntry(buf, i, base);
        if ((entry.offset === base && i > 0) || this.opts.shouldStop?.() === true) break;
        ctx.summary.s.entries++;
        if (log !== null) {
          const position = I.lookupPosition(offsetIndex, base, entry.offset);
          this.quietProblems = i === 0 && unusedPreallocated(buf, I.TIME_INDEX_ENTRY_BYTES);
          await this.verifyTimeIndexEntry(ctx, log, position, entry, prevTimestamp, i);
          this.quietProblems = false;
        }
        if (!this.opts.verifyIndexOnly) this.emit({ type: 'timeIndexEntry', path: ctx.path, ...entry });
        prevTimestamp = entry.timestamp;
      }
    } finally {
      await opened?.close();
    }
  }

  private async verifyTimeIndexEntry(
    ctx: FileContext,
    log: FileWindow,
    position: number,
    entry: I.TimeIndexEntry,
    prevTimestamp: number,
    i: number,
  ): Promise<void> {
    const where = i * I.TIME_INDEX_ENTRY_BYTES;
    const scanner = new LogScanner(log, Math.min(position, log.size));
    let found: LogEntry | null = null;
    let prevLast = -1;
    for (let e = await scanner.next(); e !== null; e = await scanner.next()) {
      if (entryLastOffset(e) >= entry.offset) {
        found = e;
        break;
      }
      prevLast = entryLastOffset(e);
    }
    // Kafka indexes the offset of the record with the largest timestamp so far: a record
    // inside a batch (Kafka 1.x) or an earlier batch's last offset when timestamps tie.
    // Kafka's tool reports what is not a batch's last offset and max timestamp (kept for
    // its output); --check counts only what no Kafka version writes.
    const base = found === null ? -1 : found.magic >= 2 ? Number(found.buf.readBigInt64BE(found.at)) : prevLast + 1;
    const logOffset = found === null ? -1 : entryLastOffset(found);
    if (logOffset !== entry.offset) this.report('indexedOffsetNotFound', ctx.absolutePath, [entry.offset, logOffset]);
    if (found === null || (base > entry.offset && prevLast >= 0)) {
      this.problem(ctx, 'time-index-mismatch', where, `entry ${i} offset ${entry.offset} is in no batch of the log (next batch ends at ${logOffset})`);
      return;
    }
    const timestamps = this.recordTimestamps(ctx, found, entry.offset);
    if (timestamps !== null && entry.timestamp !== timestamps.max) {
      if (logOffset === entry.offset) this.report('timeIndexMismatch', ctx.absolutePath, [entry.timestamp, timestamps.max]);
      if (entry.timestamp !== timestamps.atOffset) {
        this.problem(ctx, 'time-index-mismatch', where, `entry ${i} timestamp ${entry.timestamp} is neither the timestamp of offset ${entry.offset} nor its batch's max ${timestamps.max}`);
      }
    }
    if (prevTimestamp >= entry.timestamp) {
      this.report('timeIndexOutOfOrder', ctx.absolutePath, [entry.timestamp, prevTimestamp]);
      this.problem(ctx, 'index-not-monotonic', where, `entry ${i} timestamp ${entry.timestamp} is not above the previous ${prevTimestamp}`);
    }
  }

  /**
   * The batch's max record timestamp and the timestamp of the record at `offset`; null when
   * the batch does not decode (the .log's own check reports that: the index is not blamed).
   */
  private recordTimestamps(ctx: FileContext, entry: LogEntry, offset: number): { max: number; atOffset: number } | null {
    try {
      // Only timestamps matter here: an oversized entry's CRC is not needed (decodeRecords refuses it).
      const info = decodeBatchInfo(entry, entry.complete ? undefined : 0);
      let max = -1;
      let atOffset = -1;
      decodeRecords(entry, info, { maxDecompressedBytes: this.maxDecompressedBytes, payloads: false }, (r) => {
        if (r.timestamp > max) max = r.timestamp;
        if (r.offset === offset) atOffset = r.timestamp;
      });
      return { max, atOffset };
    } catch (err) {
      const logName = basename(ctx.path).replace(/\.timeindex$/, '.log');
      this.problem(ctx, 'decode-error', entry.position, `cannot check this entry: the batch of ${logName} at byte ${entry.position} does not decode (${errorMessage(err)}); see the .log's own check`, 'warning');
      return null;
    }
  }

  private async dumpTxnIndex(ctx: FileContext): Promise<void> {
    const buf = await readFile(ctx.absolutePath);
    ctx.summary.s.bytes = buf.length;
    const { entries, error } = I.decodeTxnIndex(buf, ctx.absolutePath);
    for (const txn of entries) this.emit({ type: 'abortedTxn', path: ctx.path, ...txn });
    ctx.summary.s.entries = entries.length;
    if (error !== null) {
      this.error(ctx, error);
      this.problem(ctx, 'corrupt-file', entries.length * I.TXN_INDEX_ENTRY_BYTES, error);
    }
  }

  private async dumpProducerSnapshot(ctx: FileContext): Promise<void> {
    const buf = await readFile(ctx.absolutePath);
    ctx.summary.s.bytes = buf.length;
    const { entries, error } = I.decodeProducerSnapshot(buf);
    for (const e of entries) this.emit({ type: 'producerState', path: ctx.path, ...e });
    ctx.summary.s.entries = entries.length;
    if (error !== null) {
      this.error(ctx, error);
      this.problem(ctx, 'corrupt-file', null, error);
    }
  }

  private async dumpCheckpoint(ctx: FileContext): Promise<void> {
    const text = await readFile(ctx.absolutePath, 'utf8');
    ctx.summary.s.bytes = Buffer.byteLength(text);
    const parsed = decodeCheckpoint(basename(ctx.path), text);
    if (parsed.header !== null) this.emit({ type: 'checkpointHeader', path: ctx.path, ...parsed.header });
    for (const fields of parsed.entries) this.emit({ type: 'checkpointEntry', path: ctx.path, fields });
    ctx.summary.s.entries = parsed.entries.length;
    if (parsed.error !== null) {
      this.error(ctx, parsed.error.message);
      this.problem(ctx, 'corrupt-file', parsed.error.position, parsed.error.message);
    }
  }
}

/** An index whose first two entries are all zero bytes: preallocated, nothing written yet. */
function unusedPreallocated(buf: Buffer, entryBytes: number): boolean {
  if (buf.length < 2 * entryBytes) return false;
  for (let i = 0; i < 2 * entryBytes; i++) if (buf[i] !== 0) return false;
  return true;
}
