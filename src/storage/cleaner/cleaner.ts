/**
 * The log cleaner (Kafka's LogCleaner, one thread's worth, on the event loop): for a
 * `cleanup.policy=compact` log it builds a bounded key → latest offset map over the dirty
 * part, then rewrites the closed segments from the log start up to the map's end in groups
 * of at most `segment.bytes`, keeping the latest record per key. Offsets never change;
 * untouched batches are copied byte for byte, others re-encoded with the same offsets,
 * producer fields and codec; a batch emptied of records is kept (empty) only when it is
 * the last batch of a live producer. Aborted transactional data is dropped; transaction
 * markers and tombstones go only after `delete.retention.ms` (the delete horizon stamped
 * in their batch, as Kafka). Work is chunked: the cleaner yields to the event loop every
 * `chunkBytes` or 4 ms and pauses to honour the IO rate, and re-checks after every pause
 * that the segments it works on are still the log's (retention may have deleted them).
 */
import { closeSync, fsync, openSync, writeFileSync, writeSync } from 'node:fs';
import {
  ATTRIBUTES_OFFSET, ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_DELETE_HORIZON, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BASE_TIMESTAMP_OFFSET, TimestampType, readInt64, type CompressionType,
} from '../../records/batch-header.js';
import { type KafkaRecord, encodeRecordBatch, iterateRecords } from '../../records/record-batch.js';
import { OffsetIndex, TimeIndex } from '../index-file.js';
import { type PartitionLog, parseControlMarker } from '../partition-log.js';
import { type BatchInfo, type LogSegment, parseBatchInfo } from '../segment.js';
import { TxnIndex, type AbortedTxn } from '../txn-index.js';
import { BoundedOffsetMap } from './offset-map.js';
import { CLEANED_SUFFIX, cleanedToSwap, crashPoint, discardCleaned, segmentFile, swapToFinal } from './swap.js';
import { Throttler } from './throttle.js';

export interface LogCleanerOptions {
  /** `log.cleaner.dedupe.buffer.size` (default 128 MiB). */
  dedupeBufferBytes?: number;
  /** `log.cleaner.io.max.bytes.per.second` (default unlimited). */
  ioMaxBytesPerSecond?: number;
  /** Bytes read between two yields to the event loop (default 256 KiB; it also yields every 4 ms). */
  chunkBytes?: number;
  /** A step name of CLEANER_STEPS where the process kills itself (default env KTS_CLEANER_CRASH_AT). */
  crashAt?: string;
}

export interface CleanStats {
  topic: string;
  partition: number;
  /** The cleaned part ends here (the new cleaner checkpoint). */
  endOffset: number;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRemoved: number;
  /** False when the log changed under the cleaner and the pass was given up. */
  completed: boolean;
}

/** Why and how much a log would be cleaned now. */
export interface Cleanable {
  firstDirtyOffset: number;
  /** First offset the cleaner must not touch (LSO, active segment, min.compaction.lag.ms). */
  firstUncleanableOffset: number;
  cleanBytes: number;
  dirtyBytes: number;
  dirtyRatio: number;
  /** max.compaction.lag.ms passed for the oldest dirty record. */
  overdue: boolean;
}

const DEFAULT_DEDUPE_BYTES = 128 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 256 * 1024;
const INT32_MAX = 0x7fffffff;
/** Longest the cleaner keeps the event loop between two yields (a slow disk or a busy CPU make chunks slow). */
const MAX_SLICE_MS = 4;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The part of a compacted log the cleaner may work on now, or undefined when it has none. */
export function cleanableOf(log: PartitionLog, nowMs: number): Cleanable | undefined {
  if (!log.config.cleanupPolicy.includes('compact') || log.isClosed) return undefined;
  const closed = log.closedSegments();
  if (closed.length === 0) return undefined;
  const firstDirtyOffset = Math.max(log.cleanerOffset, log.logStartOffset, closed[0]!.baseOffset);
  const bases = log.segmentBaseOffsets();
  let firstUncleanableOffset = Math.min(log.lastStableOffset, bases.at(-1)!);
  for (const s of closed) {
    if (s.baseOffset >= firstUncleanableOffset) break;
    if (s.baseOffset >= firstDirtyOffset && nowMs - s.largestTimestamp() < log.config.minCompactionLagMs) {
      firstUncleanableOffset = s.baseOffset;
      break;
    }
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtyTimestamp = Number.POSITIVE_INFINITY;
  closed.forEach((s, i) => {
    const next = bases[i + 1]!;
    if (next > firstUncleanableOffset) return;
    if (next <= firstDirtyOffset) cleanBytes += s.size;
    else {
      dirtyBytes += s.size;
      if (!Number.isFinite(firstDirtyTimestamp)) firstDirtyTimestamp = s.batchAt(0)?.maxTimestampMs ?? s.largestTimestamp();
    }
  });
  if (dirtyBytes === 0) return undefined;
  const dirtyRatio = dirtyBytes / (cleanBytes + dirtyBytes);
  const overdue = nowMs - firstDirtyTimestamp > log.config.maxCompactionLagMs;
  return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, dirtyBytes, dirtyRatio, overdue };
}

/** Whether the cleaner should clean the log now (dirty enough, or overdue). */
export function needsCleaning(log: PartitionLog, nowMs: number): Cleanable | undefined {
  const c = cleanableOf(log, nowMs);
  return c && (c.dirtyRatio >= log.config.minCleanableDirtyRatio || c.overdue) ? c : undefined;
}

/** Per-producer transaction state while walking the log in offset order (Kafka's CleanedTransactionMetadata). */
class TransactionTracker {
  private next = 0;
  private readonly aborted = new Set<number>();
  /** Producers whose current transaction kept at least one record. */
  private readonly retained = new Set<number>();

  constructor(private readonly abortedTxns: AbortedTxn[]) {
    abortedTxns.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** True when the data batch belongs to an aborted transaction. */
  isAborted(b: BatchInfo): boolean {
    this.advance(b);
    return (b.attributes & ATTR_TRANSACTIONAL) !== 0 && this.aborted.has(b.producerId);
  }

  /** Aborted transactions begun by `b` become ongoing (every batch, markers too, passes here first). */
  private advance(b: BatchInfo): void {
    while (this.next < this.abortedTxns.length && this.abortedTxns[this.next]!.firstOffset <= b.baseOffset) this.aborted.add(this.abortedTxns[this.next++]!.producerId);
  }

  keptData(producerId: number): void {
    this.retained.add(producerId);
  }

  /** A marker ends its producer's transaction; true when the marker may go (nothing of the transaction left). */
  endTransaction(marker: BatchInfo, isAbort: boolean): boolean {
    this.advance(marker);
    if (isAbort) this.aborted.delete(marker.producerId);
    const hadData = this.retained.delete(marker.producerId);
    return !hadData;
  }
}

interface PassContext {
  log: PartitionLog;
  map: BoundedOffsetMap;
  txns: TransactionTracker;
  nowMs: number;
  stats: CleanStats;
}

export class LogCleaner {
  private readonly dedupeBufferBytes: number;
  private readonly throttler: Throttler;
  private readonly chunkBytes: number;
  private readonly crashAt: string | undefined;
  private sinceYield = 0;
  private lastYieldMs = performance.now();
  private stopped = false;

  constructor(opts: LogCleanerOptions = {}) {
    this.dedupeBufferBytes = opts.dedupeBufferBytes ?? DEFAULT_DEDUPE_BYTES;
    this.throttler = new Throttler(opts.ioMaxBytesPerSecond ?? Number.POSITIVE_INFINITY);
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.crashAt = opts.crashAt ?? process.env['KTS_CLEANER_CRASH_AT'];
  }

  /** Make a pass in progress give up at its next pause (its files are discarded). */
  stop(): void {
    this.stopped = true;
  }

  /** Clean `log` if it needs it; undefined when it did not. */
  async cleanIfNeeded(log: PartitionLog, nowMs: number): Promise<CleanStats | undefined> {
    const c = needsCleaning(log, nowMs);
    return c ? this.clean(log, c, nowMs) : undefined;
  }

  /** Clean the dirtiest log that needs it (overdue ones first). */
  async cleanDirtiest(logs: Iterable<PartitionLog>, nowMs: number): Promise<CleanStats | undefined> {
    let best: { log: PartitionLog; c: Cleanable } | undefined;
    for (const log of logs) {
      const c = needsCleaning(log, nowMs);
      if (!c) continue;
      if (!best || (c.overdue && !best.c.overdue) || (c.overdue === best.c.overdue && c.dirtyRatio > best.c.dirtyRatio)) best = { log, c };
    }
    return best ? this.clean(best.log, best.c, nowMs) : undefined;
  }

  /** One cleaning pass over `log`. */
  async clean(log: PartitionLog, c: Cleanable, nowMs: number): Promise<CleanStats> {
    const closed = [...log.closedSegments()];
    const stats: CleanStats = { topic: log.topic, partition: log.partition, endOffset: c.firstDirtyOffset, segmentsBefore: 0, segmentsAfter: 0, bytesRead: 0, bytesWritten: 0, recordsRemoved: 0, completed: false };
    const map = new BoundedOffsetMap(this.dedupeBufferBytes);
    const endOffset = await this.buildOffsetMap(log, closed, c, map, stats);
    if (endOffset === undefined) return stats;
    const toClean = closed.filter((s) => s.baseOffset < endOffset);
    const ctx: PassContext = { log, map, nowMs, stats, txns: new TransactionTracker(log.collectAbortedTxns(log.logStartOffset, endOffset)) };
    const groups = groupSegments(toClean, log.segmentBaseOffsets(), log.config.segmentBytes);
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      stats.segmentsBefore += group.length;
      const ok = await this.cleanGroup(ctx, group, groups.slice(g + 1).flat());
      if (!ok) return stats;
      stats.segmentsAfter++;
    }
    log.cleanerOffset = Math.max(log.cleanerOffset, endOffset);
    stats.endOffset = endOffset;
    stats.completed = true;
    return stats;
  }

  /** Yield when a chunk is done, pause for the IO rate; false when `segments` are no longer the log's. */
  private async pace(log: PartitionLog, bytes: number, segments: readonly LogSegment[]): Promise<boolean> {
    this.sinceYield += bytes;
    const delayMs = this.throttler.delayFor(bytes);
    if (delayMs <= 0 && this.sinceYield < this.chunkBytes && performance.now() - this.lastYieldMs < MAX_SLICE_MS) return true;
    this.sinceYield = 0;
    await (delayMs > 0 ? sleep(delayMs) : yieldToEventLoop());
    this.lastYieldMs = performance.now();
    if (log.isClosed || this.stopped) return false;
    const current = new Set(log.closedSegments());
    return segments.every((s) => current.has(s));
  }

  /** Map the dirty range; returns where the map stops (exclusive), or undefined if the log changed. */
  private async buildOffsetMap(log: PartitionLog, closed: LogSegment[], c: Cleanable, map: BoundedOffsetMap, stats: CleanStats): Promise<number | undefined> {
    const txns = new TransactionTracker(log.collectAbortedTxns(c.firstDirtyOffset, c.firstUncleanableOffset));
    const dirty = closed.filter((s, i) => (closed[i + 1]?.baseOffset ?? log.segmentBaseOffsets().at(-1)!) > c.firstDirtyOffset && s.baseOffset < c.firstUncleanableOffset);
    for (const s of dirty) {
      for (const b of s.batchesFrom(s.offsetIndex.lookup(c.firstDirtyOffset).position)) {
        if (b.baseOffset >= c.firstUncleanableOffset) return c.firstUncleanableOffset;
        if (b.lastOffset < c.firstDirtyOffset) continue;
        const bytes = s.readBytes(b.position, b.size);
        stats.bytesRead += bytes.length;
        if (!this.mapBatch(b, bytes, txns, map, c.firstDirtyOffset)) return b.baseOffset > c.firstDirtyOffset ? b.baseOffset : b.lastOffset + 1;
        if (!(await this.pace(log, bytes.length, closed))) return undefined;
      }
    }
    return c.firstUncleanableOffset;
  }

  /** Put a batch's keys in the map; false when the map is full (the batch is then only partly mapped). */
  private mapBatch(b: BatchInfo, bytes: Buffer, txns: TransactionTracker, map: BoundedOffsetMap, fromOffset: number): boolean {
    if (b.magic < 2) return true;
    if ((b.attributes & ATTR_CONTROL) !== 0) {
      const marker = parseControlMarker(bytes, 0);
      txns.endTransaction(b, marker?.type === 0);
      return true;
    }
    if (txns.isAborted(b)) return true;
    for (const r of decodeRecords(bytes) ?? []) {
      if (r.key === null || r.offset < fromOffset) continue;
      if (!map.put(r.key, r.offset) && map.size > 0) return false;
    }
    return true;
  }

  /** Clean one group into `<base>.*.cleaned`, then swap it in. False when the pass must stop. */
  private async cleanGroup(ctx: PassContext, group: LogSegment[], later: LogSegment[]): Promise<boolean> {
    const { log } = ctx;
    const base = group[0]!.baseOffset;
    const writer = new CleanedSegmentWriter(log.dir, base, log.config.segmentIndexBytes, log.config.indexIntervalBytes);
    let ok = true;
    const watched = [...group, ...later];
    try {
      for (const s of group) {
        for (const b of s.batchesFrom(0)) {
          const bytes = s.readBytes(b.position, b.size);
          ctx.stats.bytesRead += bytes.length;
          const out = this.cleanBatch(ctx, b, bytes);
          if (out) writer.append(out, out === bytes ? b : parseBatchInfo(out, 0, 0));
          if (!(await this.pace(log, bytes.length, watched))) {
            ok = false;
            break;
          }
        }
        if (!ok) break;
        crashPoint('cleaned-partial', this.crashAt);
      }
      for (const s of group) writer.copyAbortedTxns(s.txnIndex.entries);
      await writer.finish();
    } catch (err) {
      writer.abandon();
      discardCleaned(log.dir, base);
      throw err;
    }
    if (!ok) {
      discardCleaned(log.dir, base);
      return false;
    }
    ctx.stats.bytesWritten += writer.bytes;
    crashPoint('cleaned', this.crashAt);
    const replaced = log.replaceSegments(group, {
      prepare: () => cleanedToSwap(log.dir, base, this.crashAt),
      install: () => {
        crashPoint('old-deleted', this.crashAt);
        swapToFinal(log.dir, base, this.crashAt);
        crashPoint('swapped', this.crashAt);
      },
    });
    if (!replaced) discardCleaned(log.dir, base);
    return replaced;
  }

  /**
   * The bytes a batch becomes (the same buffer when unchanged), or undefined to drop it.
   * Tombstones and markers follow Kafka's delete horizon (KIP-534): the first pass that
   * keeps them stamps `now + delete.retention.ms` in the batch; a pass after it drops them.
   */
  private cleanBatch(ctx: PassContext, b: BatchInfo, bytes: Buffer): Buffer | undefined {
    if (b.magic < 2) return bytes;
    const horizonMs = deleteHorizonOf(bytes);
    const pastHorizon = horizonMs !== undefined && ctx.nowMs > horizonMs;
    const newHorizonMs = ctx.nowMs + ctx.log.config.deleteRetentionMs;
    if ((b.attributes & ATTR_CONTROL) !== 0) {
      const marker = parseControlMarker(bytes, 0);
      const nothingLeft = ctx.txns.endTransaction(b, marker?.type === 0);
      if (nothingLeft && pastHorizon) return undefined;
      const records = horizonMs === undefined ? decodeRecords(bytes) : undefined;
      return records ? reencode(b, records, newHorizonMs) : bytes;
    }
    const aborted = ctx.txns.isAborted(b);
    const records = decodeRecords(bytes);
    if (!records) return bytes;
    const kept = aborted ? [] : records.filter((r) => {
      if (r.key === null) return false;
      if (ctx.map.get(r.key) > r.offset) return false;
      return !(r.value === null && pastHorizon);
    });
    ctx.stats.recordsRemoved += records.length - kept.length;
    if (kept.length > 0 && (b.attributes & ATTR_TRANSACTIONAL) !== 0) ctx.txns.keptData(b.producerId);
    const stampHorizon = horizonMs === undefined && kept.some((r) => r.value === null);
    if (kept.length === records.length && !stampHorizon) return bytes;
    // As Kafka: an emptied batch stays (header only) when it is its producer's last, so
    // the producer's sequence and epoch survive the records.
    if (kept.length === 0 && ctx.log.producerState.lastEntry(b.producerId)?.batches.at(-1)?.lastOffset !== b.lastOffset) return undefined;
    return reencode(b, kept, stampHorizon ? newHorizonMs : horizonMs);
  }
}

/** The delete horizon stamped in a batch (BaseTimestamp when the attribute bit is set). */
function deleteHorizonOf(bytes: Buffer): number | undefined {
  return (bytes.readInt16BE(ATTRIBUTES_OFFSET) & ATTR_DELETE_HORIZON) !== 0 ? readInt64(bytes, BASE_TIMESTAMP_OFFSET) : undefined;
}

function decodeRecords(bytes: Buffer): KafkaRecord[] | undefined {
  try {
    return [...iterateRecords(bytes, 0, { verifyCrc: false })];
  } catch {
    return undefined;
  }
}

function reencode(b: BatchInfo, kept: KafkaRecord[], deleteHorizonMs: number | undefined): Buffer {
  const logAppendTime = (b.attributes & ATTR_TIMESTAMP_TYPE) !== 0;
  return encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: (b.attributes & ATTR_COMPRESSION_MASK) as CompressionType,
    timestampType: logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    logAppendTimeMs: logAppendTime ? b.maxTimestampMs : undefined,
    transactional: (b.attributes & ATTR_TRANSACTIONAL) !== 0,
    control: (b.attributes & ATTR_CONTROL) !== 0,
    deleteHorizonMs,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    lastOffsetDelta: b.lastOffset - b.baseOffset,
    records: kept.map((r) => ({ offsetDelta: r.offsetDelta, timestampMs: r.timestampMs, key: r.key, value: r.value, headers: r.headers })),
  });
}

/**
 * Consecutive segments cleaned into one: at most `segmentBytes` together and offsets
 * relative to the first that fit an int32 (Kafka's groupSegmentsBySize).
 */
export function groupSegments(segments: readonly LogSegment[], bases: readonly number[], segmentBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let current: LogSegment[] = [];
  let size = 0;
  const nextBase = new Map(bases.map((b, i) => [b, bases[i + 1] ?? b]));
  for (const s of segments) {
    const next = nextBase.get(s.baseOffset) ?? s.baseOffset;
    const fits = current.length > 0 && size + s.size <= segmentBytes && next - 1 - current[0]!.baseOffset <= INT32_MAX;
    if (!fits && current.length > 0) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += s.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Writes `<base>.{log,index,timeindex,txnindex}.cleaned` with the indexes Kafka's append would build. */
class CleanedSegmentWriter {
  private readonly fd: number;
  private readonly offsetIndex: OffsetIndex;
  private readonly timeIndex: TimeIndex;
  private readonly txnIndex: TxnIndex;
  bytes = 0;
  private sinceIndexEntry = 0;
  private maxTimestampMs = -1;
  private offsetOfMaxTimestamp: number;
  private lastAbortedOffset = -1;
  private closed = false;

  constructor(private readonly dir: string, private readonly baseOffset: number, maxIndexBytes: number, private readonly indexIntervalBytes: number) {
    discardCleaned(dir, baseOffset);
    this.fd = openSync(segmentFile(dir, baseOffset, '.log' + CLEANED_SUFFIX), 'w');
    this.offsetIndex = new OffsetIndex(segmentFile(dir, baseOffset, '.index' + CLEANED_SUFFIX), baseOffset, maxIndexBytes);
    this.timeIndex = new TimeIndex(segmentFile(dir, baseOffset, '.timeindex' + CLEANED_SUFFIX), baseOffset, maxIndexBytes);
    // Always present, so a load can tell the new txn index from an old one (swap.ts).
    writeFileSync(segmentFile(dir, baseOffset, '.txnindex' + CLEANED_SUFFIX), '');
    this.txnIndex = new TxnIndex(segmentFile(dir, baseOffset, '.txnindex' + CLEANED_SUFFIX));
    this.offsetOfMaxTimestamp = baseOffset;
  }

  append(bytes: Buffer, b: BatchInfo): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.bytes + done);
    if (b.maxTimestampMs > this.maxTimestampMs) {
      this.maxTimestampMs = b.maxTimestampMs;
      this.offsetOfMaxTimestamp = b.lastOffset;
    }
    if (this.sinceIndexEntry > this.indexIntervalBytes && !this.offsetIndex.isFull() && !this.timeIndex.isFull()) {
      this.offsetIndex.append(b.lastOffset, this.bytes);
      this.timeIndex.maybeAppend(this.maxTimestampMs, this.offsetOfMaxTimestamp);
      this.sinceIndexEntry = 0;
    }
    this.bytes += bytes.length;
    this.sinceIndexEntry += bytes.length;
  }

  copyAbortedTxns(txns: readonly AbortedTxn[]): void {
    for (const t of txns) {
      if (t.lastOffset <= this.lastAbortedOffset) continue;
      this.txnIndex.append(t);
      this.lastAbortedOffset = t.lastOffset;
    }
  }

  /** Final index entries, everything fsynced (the log off the event loop: it can be large). */
  async finish(): Promise<void> {
    this.timeIndex.maybeAppend(this.maxTimestampMs, this.offsetOfMaxTimestamp, true);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
    this.offsetIndex.flush();
    this.timeIndex.flush();
    this.txnIndex.flush();
    await new Promise<void>((resolve, reject) => fsync(this.fd, (err) => (err ? reject(err) : resolve())));
    this.abandon();
  }

  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.offsetIndex.close();
    this.timeIndex.close();
    this.txnIndex.close();
  }
}
