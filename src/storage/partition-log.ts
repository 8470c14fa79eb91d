/**
 * One partition's log (Kafka's UnifiedLog + LocalLog): an ordered list of segments in
 * `<topic>-<partition>/`, offsets, high watermark, last stable offset, leader epoch cache
 * and producer state. Appends validate batches as Kafka's LogValidator does (without
 * decoding records), assign offsets by patching headers in place and roll segments;
 * reads return whole stored batches; retention deletes whole segments; loading recovers
 * the log after a crash.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import {
  ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD,
  computeBatchCrc, recordsCount, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch, storedCrc,
} from '../records/batch-header.js';
import { partitionMetadataText, readPartitionMetadata, writeFileAtomic } from './checkpoint.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { type LogConfig, mergeLogConfig, parseTopicConfigs } from './log-config.js';
import { type ProducerBatchInfo, type ProducerStateEntry, ProducerStateManager, snapshotOffsetsIn } from './producer-state.js';
import { type BatchInfo, type DroppedTail, DELETED_SUFFIX, LogSegment, checkEntry, filenamePrefixFromOffset, parseBatchInfo } from './segment.js';
import type { AbortedTxn } from './txn-index.js';
import { type FileReads, fileReads } from './file-reads.js';
import { needsRecompression, recompressBatches, targetCompression } from './recompress.js';
import { RecordFields, iterateRecords, readRecordFields } from '../records/record-batch.js';
import { readRecordQuick } from '../records/record-walk.js';
import { ByteCursor } from '../protocol/varint.js';
import { CorruptDataError } from '../util/errors.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX, completeInterruptedSwaps } from './cleaner/swap.js';
import type { AppendResult, EpochEndOffset, ReadOptions, ReadResult, TimestampOffset } from './types.js';

const EMPTY_RECORDS = Buffer.alloc(0);

export const PARTITION_METADATA_FILE = 'partition.metadata';
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

/** Who is appending: producers' batches are validated strictly; coordinators may write control batches. */
export type AppendOrigin = 'client' | 'coordinator';

export interface PartitionLogContext {
  nowMs: () => number;
  producerIdExpirationMs: number;
  /** Called with files renamed to `.deleted`, to be removed after `file.delete.delay.ms`. */
  scheduleDelete: (paths: string[], deleteAfterMs: number) => void;
  /** On one node the high watermark follows the log end offset after every append. */
  highWatermarkFollowsLeo: boolean;
  /** Broker defaults that topic overrides apply on top of. */
  defaultConfig: LogConfig;
  /** Called before any change to a log's files (the log manager removes the clean-shutdown marker). */
  beforeWrite: () => void;
}

export interface LoadOptions {
  recoveryPoint: number;
  logStartOffset: number;
  highWatermark: number;
  hadCleanShutdown: boolean;
  /** From `cleaner-offset-checkpoint`: where the uncleaned part of a compacted log starts. */
  cleanerOffset: number;
}

/** `<topic>-<partition>` → [topic, partition], or undefined for other directory names. */
export function parseTopicPartitionDir(name: string): [string, number] | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const partition = name.slice(dash + 1);
  if (!/^\d+$/.test(partition)) return undefined;
  return [name.slice(0, dash), Number(partition)];
}

export class PartitionLog {
  private segments: LogSegment[] = [];
  private nextOffset = 0;
  private hw = 0;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private currentLeaderEpoch: number;
  logStartOffset = 0;
  recoveryPoint = 0;
  /** First offset not yet compacted (Kafka's cleaner checkpoint); 0 for logs never cleaned. */
  cleanerOffset = 0;
  readonly epochCache: LeaderEpochCache;
  readonly producerState: ProducerStateManager;
  private closed = false;
  /** Whether this process changed the log's files (close() then snapshots the producer state). */
  private written = false;
  /** A topic id assigned to an old Kafka partition, not yet in its partition.metadata. */
  private topicIdUnsaved = false;
  /** The topic's config overrides by Kafka name (`retention.ms`), as given. */
  configOverrides: Record<string, string> = {};
  /** Bytes cut off the log by recovery when it was loaded (a torn or corrupt tail). */
  recoveryTruncatedBytes = 0;
  /** The tails recovery cut at load, for the WARN naming the offsets dropped. */
  readonly recoveryDroppedTails: DroppedTail[] = [];

  private constructor(
    public dir: string,
    readonly topic: string,
    readonly partition: number,
    private id: string,
    public config: LogConfig,
    private readonly ctx: PartitionLogContext,
  ) {
    this.epochCache = new LeaderEpochCache(dir);
    this.producerState = new ProducerStateManager(dir, ctx.producerIdExpirationMs);
    this.producerState.rebuildFromLog = () => {
      this.producerState.mapEndOffset = this.segments[0]!.baseOffset;
      this.replayProducerState(this.segments[0]!.baseOffset);
    };
    this.lastFlushMs = ctx.nowMs();
    this.currentLeaderEpoch = Math.max(0, this.epochCache.latestEpoch);
  }

  /** Create a new, empty partition directory in `logDir`. */
  static create(logDir: string, topic: string, partition: number, topicId: string, config: LogConfig, ctx: PartitionLogContext): PartitionLog {
    const dir = join(logDir, `${topic}-${partition}`);
    ctx.beforeWrite();
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, PARTITION_METADATA_FILE), partitionMetadataText(topicId));
    const log = new PartitionLog(dir, topic, partition, topicId, config, ctx);
    log.written = true;
    // No leader-epoch-checkpoint yet: an absent file reads as an empty cache, and the first
    // epoch is written when the first batch is (two fsyncs fewer per created partition).
    log.segments.push(log.openSegment(0));
    return log;
  }

  /** Open an existing partition directory, recovering it as Kafka's LogLoader does. */
  static load(dir: string, topic: string, partition: number, config: LogConfig, ctx: PartitionLogContext, opts: LoadOptions): PartitionLog {
    const topicId = readPartitionMetadata(join(dir, PARTITION_METADATA_FILE)) ?? '';
    const log = new PartitionLog(dir, topic, partition, topicId, config, ctx);
    log.recover(opts);
    return log;
  }

  /** Kafka's topic id (base64 UUID); empty only for a dir without partition.metadata until one is assigned. */
  get topicId(): string {
    return this.id;
  }

  /**
   * Give a partition written without partition.metadata (Kafka before 2.8) its topic id. It
   * is written with the first change to the log: a dir opened only to read stays as Kafka
   * left it (a Kafka 2.8+ broker would refuse a partition.metadata that disagrees with its
   * own topic id).
   */
  assignTopicId(topicId: string): void {
    this.id = topicId;
    this.topicIdUnsaved = true;
    if (this.written) this.saveTopicId();
  }

  private saveTopicId(): void {
    if (!this.topicIdUnsaved) return;
    writeFileAtomic(join(this.dir, PARTITION_METADATA_FILE), partitionMetadataText(this.id));
    this.topicIdUnsaved = false;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** The broker moves the HW (replication); it is kept within [log start offset, LEO]. */
  set highWatermark(offset: number) {
    this.hw = Math.min(Math.max(offset, this.logStartOffset), this.nextOffset);
  }

  /** First offset of an open transaction, capped by the HW. */
  get lastStableOffset(): number {
    const unstable = this.producerState.firstUnstableOffset();
    return unstable >= 0 ? Math.min(unstable, this.hw) : this.hw;
  }

  get leaderEpoch(): number {
    return this.currentLeaderEpoch;
  }

  set leaderEpoch(epoch: number) {
    this.currentLeaderEpoch = epoch;
  }

  /** Total bytes of all segments. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  get firstSegmentBaseOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private openSegment(baseOffset: number, files?: ReadonlySet<string>, openNow?: boolean): LogSegment {
    const jitter = this.config.segmentJitterMs > 0 ? Math.floor(Math.random() * Math.min(this.config.segmentJitterMs, this.config.segmentMs)) : 0;
    return LogSegment.open(this.dir, baseOffset, {
      indexIntervalBytes: this.config.indexIntervalBytes,
      maxIndexBytes: this.config.segmentIndexBytes,
      rollJitterMs: jitter,
      nowMs: this.ctx.nowMs(),
      preallocateBytes: this.config.preallocate ? this.config.segmentBytes : undefined,
      files,
      openNow,
    });
  }

  // ---- append ------------------------------------------------------------------------

  /**
   * Validate and append the batches of one produce request as leader: offsets from the
   * LEO, `leaderEpoch` stamped into each batch, LogAppendTime if configured. A duplicate
   * of a recent idempotent batch returns the original offsets and writes nothing.
   * Batches are patched in place in `input`, unless the topic's compression.type makes
   * kts re-encode them.
   */
  appendAsLeader(input: Buffer, leaderEpoch: number, origin: AppendOrigin = 'client'): AppendResult {
    this.ensureOpen();
    const nowMs = this.ctx.nowMs();
    let records = input;
    let batches = this.validateBatches(records, origin, nowMs);
    const target = targetCompression(this.config.compressionType);
    if (needsRecompression(batches, target)) {
      records = recompressBatches(records, batches, target!, Math.max(this.config.maxMessageBytes * 64, 64 << 20));
      batches = this.validateBatches(records, origin, nowMs);
    }
    if (records.length > this.config.segmentBytes) {
      throw new KafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, `${records.length} bytes of batches exceed segment.bytes ${this.config.segmentBytes}`);
    }
    const pending = new Map<number, ProducerStateEntry>();
    for (const b of batches) {
      if (b.producerId >= 0 && (b.attributes & ATTR_CONTROL) !== 0) this.checkMarker(b, records);
      if (b.producerId < 0 || (b.attributes & ATTR_CONTROL) !== 0) continue;
      const info = producerInfo(b);
      const dup = this.producerState.findDuplicate(info);
      if (dup) {
        return { baseOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTimeMs: -1, logStartOffset: this.logStartOffset, batchCount: 0, duplicate: true };
      }
      // Kafka checks sequences only for client appends; a coordinator's (TxnOffsetCommit) carries none.
      if (origin === 'client' || info.baseSequence >= 0) this.producerState.validate(info, pending.get(b.producerId));
      this.producerState.update(info, 0, pending);
    }
    pending.clear();
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    const firstOffset = this.nextOffset;
    let next = firstOffset;
    let maxTimestampMs = -1;
    for (const b of batches) {
      const count = b.lastOffset - b.baseOffset;
      setBaseOffset(records, b.position, next);
      setPartitionLeaderEpoch(records, b.position, leaderEpoch);
      if (logAppendTime) {
        setLogAppendTime(records, b.position, nowMs);
        b.maxTimestampMs = nowMs;
        b.attributes |= ATTR_TIMESTAMP_TYPE;
      }
      b.baseOffset = next;
      b.lastOffset = next + count;
      b.partitionLeaderEpoch = leaderEpoch;
      maxTimestampMs = Math.max(maxTimestampMs, b.maxTimestampMs);
      next = b.lastOffset + 1;
    }
    this.beforeWrite();
    this.maybeRoll(records.length, maxTimestampMs, next - 1, nowMs);
    if (leaderEpoch > this.currentLeaderEpoch) this.currentLeaderEpoch = leaderEpoch;
    this.epochCache.assign(leaderEpoch, firstOffset);
    const segment = this.active;
    segment.append(records, batches);
    for (const b of batches) this.applyProducerState(b, records, b.position, segment, pending);
    this.producerState.commit(pending, next);
    this.nextOffset = next;
    if (this.ctx.highWatermarkFollowsLeo) this.hw = next;
    this.unflushedMessages += next - firstOffset;
    this.maybeFlush(nowMs);
    return { baseOffset: firstOffset, lastOffset: next - 1, logAppendTimeMs: logAppendTime ? nowMs : -1, logStartOffset: this.logStartOffset, batchCount: batches.length, duplicate: false };
  }

  /**
   * Append batches fetched from the partition leader as a follower (Kafka's appendAsFollower):
   * offsets and leader epochs are the leader's and stay as they are; the batches must start
   * at the log end offset and be in order. Legacy v0/v1 entries are accepted (a Kafka leader
   * may hold them). Producer state is rebuilt from the batches without sequence checks, and
   * each batch's partition leader epoch enters the epoch cache. Returns the last offset.
   */
  appendAsFollower(fetched: Buffer): AppendResult {
    let records = fetched;
    this.ensureOpen();
    const nowMs = this.ctx.nowMs();
    const { batches, validBytes } = this.followerBatches(records);
    records = records.subarray(0, validBytes);
    if (batches.length === 0) {
      return { baseOffset: this.nextOffset, lastOffset: this.nextOffset - 1, logAppendTimeMs: -1, logStartOffset: this.logStartOffset, batchCount: 0, duplicate: false };
    }
    const firstOffset = batches[0]!.magic >= 2 ? batches[0]!.baseOffset : this.nextOffset;
    const last = batches[batches.length - 1]!.lastOffset;
    let maxTimestampMs = -1;
    for (const b of batches) maxTimestampMs = Math.max(maxTimestampMs, b.maxTimestampMs);
    this.beforeWrite();
    this.maybeRoll(records.length, maxTimestampMs, last, nowMs);
    for (const b of batches) {
      if (b.magic >= 2 && b.partitionLeaderEpoch >= 0) {
        this.epochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
        if (b.partitionLeaderEpoch > this.currentLeaderEpoch) this.currentLeaderEpoch = b.partitionLeaderEpoch;
      }
    }
    const segment = this.active;
    segment.append(records, batches);
    const pending = new Map<number, ProducerStateEntry>();
    for (const b of batches) this.applyProducerState(b, records, b.position, segment, pending);
    this.producerState.commit(pending, last + 1);
    this.nextOffset = last + 1;
    this.unflushedMessages += last + 1 - firstOffset;
    this.maybeFlush(nowMs);
    return { baseOffset: firstOffset, lastOffset: last, logAppendTimeMs: -1, logStartOffset: this.logStartOffset, batchCount: batches.length, duplicate: false };
  }

  /** Headers of a follower fetch's batches, checked: whole, CRC-valid, offsets in order from the LEO. */
  private followerBatches(records: Buffer): { batches: BatchInfo[]; validBytes: number } {
    const out: BatchInfo[] = [];
    let pos = 0;
    let expected = this.nextOffset;
    while (pos + LOG_OVERHEAD <= records.length) {
      const size = LOG_OVERHEAD + records.readInt32BE(pos + 8);
      // A fetch response may end with a partial batch (max bytes): it is not appended.
      if (pos + size > records.length || size <= LOG_OVERHEAD) break;
      const problem = checkEntry(records, pos);
      if (problem) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `replicated batch at byte ${pos} of ${this.topic}-${this.partition}: ${problem}`);
      const b = parseBatchInfo(records, pos, pos);
      const first = b.magic >= 2 ? b.baseOffset : b.lastOffset;
      if (first < expected) {
        throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `replicated batch at offset ${first} of ${this.topic}-${this.partition} is below the log end offset ${expected}`);
      }
      expected = b.lastOffset + 1;
      out.push(b);
      pos += size;
    }
    return { batches: out, validBytes: pos };
  }

  /** Replace the whole log by an empty one starting at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    this.beforeWrite();
    for (const s of this.segments.splice(0)) s.deleteFiles();
    this.segments.push(this.openSegment(offset));
    this.nextOffset = offset;
    this.logStartOffset = offset;
    this.hw = offset;
    this.recoveryPoint = offset;
    this.epochCache.clear();
    this.producerState.truncateAndReload(offset, offset, this.ctx.nowMs());
  }

  /** Record a written batch in the producer state; a transaction marker completes its transaction. */
  private applyProducerState(b: BatchInfo, bytes: Buffer, at: number, segment: LogSegment, pending: Map<number, ProducerStateEntry>): void {
    if (b.producerId < 0 || b.magic < 2) return;
    if ((b.attributes & ATTR_CONTROL) === 0) {
      this.producerState.update(producerInfo(b), b.baseOffset, pending);
      return;
    }
    const marker = parseControlMarker(bytes, at);
    if (!marker || marker.type > 1) return;
    this.producerState.commit(pending, b.baseOffset);
    pending.clear();
    const firstOffset = this.producerState.completeTxn(b.producerId, b.producerEpoch, marker.coordinatorEpoch);
    const indexed = segment.txnIndex.entries.at(-1);
    // Replaying the log after a restart meets markers the index already holds.
    if (marker.type === 0 && (!indexed || indexed.lastOffset < b.lastOffset)) {
      const stillOpen = this.producerState.firstUnstableOffset();
      segment.txnIndex.append({
        producerId: b.producerId,
        firstOffset: firstOffset >= 0 ? firstOffset : b.baseOffset,
        lastOffset: b.lastOffset,
        lastStableOffset: stillOpen >= 0 ? stillOpen : b.lastOffset + 1,
      });
    }
  }

  /** Kafka's LogValidator checks, on batch headers only. Returns the batches' headers. */
  private validateBatches(records: Buffer, origin: AppendOrigin, nowMs: number): BatchInfo[] {
    const out: BatchInfo[] = [];
    let pos = 0;
    if (records.length === 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'no record batches');
    while (pos < records.length) {
      if (records.length - pos < MAGIC_OFFSET + 1) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `truncated batch header at byte ${pos}`);
      const magic = records.readInt8(pos + MAGIC_OFFSET);
      if (magic !== 2) throw new KafkaError(ErrorCode.INVALID_RECORD, `record batch magic ${magic} at byte ${pos}: produce accepts only magic 2`);
      const size = LOG_OVERHEAD + records.readInt32BE(pos + 8);
      if (size < RECORD_BATCH_OVERHEAD) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} is ${size} bytes, smaller than its header`);
      if (pos + size > records.length) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} claims ${size} bytes but ${records.length - pos} remain`);
      if (size > this.config.maxMessageBytes) {
        throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds max.message.bytes ${this.config.maxMessageBytes}`);
      }
      if (computeBatchCrc(records, pos) !== storedCrc(records, pos)) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `batch at byte ${pos} fails its CRC check`);
      const b = parseBatchInfo(records, pos, pos);
      this.validateBatch(b, records, origin, nowMs);
      out.push(b);
      pos += size;
    }
    return out;
  }

  private validateBatch(b: BatchInfo, records: Buffer, origin: AppendOrigin, nowMs: number): void {
    const delta = b.lastOffset - b.baseOffset;
    const count = recordsCount(records, b.position);
    const where = `batch at byte ${b.position}`;
    if (origin === 'client' && b.baseOffset !== 0) throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: base offset must be 0 in a produce request, not ${b.baseOffset}`);
    if (delta < 0 || count <= 0 || count !== delta + 1) throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: ${count} records do not match last offset delta ${delta}`);
    const control = (b.attributes & ATTR_CONTROL) !== 0;
    const transactional = (b.attributes & ATTR_TRANSACTIONAL) !== 0;
    if (control && origin === 'client') throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: producers may not write control batches`);
    if (transactional && b.producerId < 0) throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: transactional batch without a producer id`);
    if (origin === 'client' && b.producerId >= 0 && b.baseSequence < 0) throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: idempotent batch without a sequence number`);
    if (!control && this.config.cleanupPolicy.includes('compact')) this.requireKeys(b, records, where);
    if (this.config.messageTimestampType === 'CreateTime' && (b.attributes & ATTR_TIMESTAMP_TYPE) === 0 && b.maxTimestampMs >= 0) {
      if (nowMs - b.maxTimestampMs > this.config.messageTimestampBeforeMaxMs || b.maxTimestampMs - nowMs > this.config.messageTimestampAfterMaxMs) {
        throw new KafkaError(ErrorCode.INVALID_TIMESTAMP, `${where}: timestamp ${b.maxTimestampMs} is out of the range allowed by message.timestamp.before.max.ms/after.max.ms`);
      }
    }
  }

  /** Kafka's checks of a transaction marker: no older producer epoch, no older coordinator epoch. */
  private checkMarker(b: BatchInfo, records: Buffer): void {
    const marker = parseControlMarker(records, b.position);
    const entry = this.producerState.lastEntry(b.producerId);
    if (!marker || marker.type > 1 || !entry) return;
    if (b.producerEpoch < entry.producerEpoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `marker epoch ${b.producerEpoch} of producer ${b.producerId} is older than ${entry.producerEpoch}`);
    }
    if (marker.coordinatorEpoch < entry.coordinatorEpoch) {
      throw new KafkaError(ErrorCode.TRANSACTION_COORDINATOR_FENCED, `marker coordinator epoch ${marker.coordinatorEpoch} is older than ${entry.coordinatorEpoch} for producer ${b.producerId}`);
    }
  }

  /** Kafka refuses records without a key on a compacted topic (this decodes the batch). */
  private requireKeys(b: BatchInfo, records: Buffer, where: string): void {
    try {
      for (const r of iterateRecords(records.subarray(b.position, b.position + b.size), 0, { verifyCrc: false })) {
        if (r.key === null) throw new KafkaError(ErrorCode.INVALID_RECORD, `${where}: compacted topic cannot accept message without key in ${this.topic}-${this.partition}`);
      }
    } catch (err) {
      if (err instanceof KafkaError) throw err;
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${where}: records do not decode`);
    }
  }

  private maybeRoll(messagesBytes: number, maxTimestampMs: number, maxOffset: number, nowMs: number): void {
    const segment = this.active;
    const roll = segment.shouldRoll({ nowMs, maxTimestampMs, maxOffset, messagesBytes, segmentBytes: this.config.segmentBytes, segmentMs: this.config.segmentMs });
    if (roll && !(segment.size === 0 && segment.baseOffset === this.nextOffset)) this.roll();
  }

  /** Start a new active segment at the LEO (Kafka's roll): snapshot producer state, flush the old one. */
  roll(): void {
    const old = this.active;
    if (old.baseOffset === this.nextOffset && old.size === 0) return;
    this.beforeWrite();
    old.onBecomeInactive();
    this.producerState.mapEndOffset = this.nextOffset;
    this.producerState.takeSnapshot();
    this.segments.push(this.openSegment(this.nextOffset));
    // Kafka flushes the rolled segment in the background; once durable, recovery can start after it.
    const rollOffset = this.nextOffset;
    old.flushInBackground(() => {
      if (!this.closed && this.recoveryPoint < rollOffset && this.segments.includes(old)) this.recoveryPoint = rollOffset;
    });
  }

  private maybeFlush(nowMs: number): void {
    if (this.unflushedMessages >= this.config.flushMessages || nowMs - this.lastFlushMs >= this.config.flushMs) this.flush();
  }

  /** fsync everything written since the recovery point; the recovery point becomes the LEO. */
  flush(): void {
    this.ensureOpen();
    for (const s of this.segments) {
      const next = this.segments[this.segments.indexOf(s) + 1];
      if (next && next.baseOffset <= this.recoveryPoint) continue;
      s.flush();
    }
    this.epochCache.flushIfDirty();
    this.recoveryPoint = this.nextOffset;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.ctx.nowMs();
  }

  /** Flush when `flush.ms` has passed since the last flush (for the broker's scheduler). */
  flushIfDue(nowMs: number): void {
    if (this.recoveryPoint < this.nextOffset && nowMs - this.lastFlushMs >= this.config.flushMs) this.flush();
  }

  // ---- read --------------------------------------------------------------------------

  private checkFetchOffset(offset: number): void {
    if (offset < this.logStartOffset || offset > this.nextOffset) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside [${this.logStartOffset}, ${this.nextOffset}] of ${this.topic}-${this.partition}`);
    }
  }

  /** Index of the segment holding `offset` (the last one whose base offset is <= it). */
  private floorSegmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Whole batches from the one holding `fetchOffset`, at most `maxBytes` (or the first
   * batch whole with `minOneMessage`), none at or after `maxOffset` (default: the LEO).
   */
  read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    const { maxOffset, bound, minOneMessage } = this.startRead(fetchOffset, options);
    let records: Buffer = EMPTY_RECORDS;
    if (fetchOffset < maxOffset) {
      for (let i = this.floorSegmentIndex(fetchOffset); i < this.segments.length; i++) {
        const got = this.segments[i]!.read(fetchOffset, maxBytes, bound, minOneMessage);
        if (got !== undefined) {
          records = got;
          break;
        }
      }
    }
    return this.readResult(fetchOffset, records);
  }

  /**
   * read(), with the file bytes read on libuv's thread pool (`reads`: a bounded number in
   * flight), so a Fetch of a megabyte does not hold the event loop. The ends in the result
   * are taken when the bytes are in: an append landing meanwhile moves them on, as it
   * would between two fetches.
   */
  async readAsync(fetchOffset: number, maxBytes: number, options: ReadOptions = {}, reads: FileReads = fileReads): Promise<ReadResult> {
    const { maxOffset, bound, minOneMessage } = this.startRead(fetchOffset, options);
    let records: Buffer = EMPTY_RECORDS;
    if (fetchOffset < maxOffset) {
      for (let i = this.floorSegmentIndex(fetchOffset); i < this.segments.length; i++) {
        const got = await this.segments[i]!.readAsync(fetchOffset, maxBytes, bound, minOneMessage, reads, options.onEventLoop ?? false);
        if (got !== undefined) {
          records = got;
          break;
        }
      }
    }
    return this.readResult(fetchOffset, records);
  }

  private startRead(fetchOffset: number, options: ReadOptions): { maxOffset: number; bound: number; minOneMessage: boolean } {
    this.ensureOpen();
    this.checkFetchOffset(fetchOffset);
    const maxOffset = Math.min(options.maxOffset ?? this.nextOffset, this.nextOffset);
    // At the LEO the end of the file is the bound: no need to look the offset up.
    const bound = maxOffset >= this.nextOffset ? Number.POSITIVE_INFINITY : maxOffset;
    const minOneMessage = options.minOneMessage ?? false;
    return { maxOffset, bound, minOneMessage };
  }

  private readResult(fetchOffset: number, records: Buffer): ReadResult {
    return { records, fetchOffset, highWatermark: this.hw, lastStableOffset: this.lastStableOffset, logStartOffset: this.logStartOffset, logEndOffset: this.nextOffset };
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset), for read_committed fetches. */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.floorSegmentIndex(fetchOffset); i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.baseOffset >= upperBoundOffset) break;
      out.push(...s.txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset));
    }
    return out;
  }

  /** ListOffsets: a timestamp, or -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 latest tiered. */
  offsetForTimestamp(timestampMs: number): TimestampOffset {
    this.ensureOpen();
    if (timestampMs === EARLIEST_TIMESTAMP || timestampMs === EARLIEST_LOCAL_TIMESTAMP) {
      return { timestampMs: -1, offset: this.logStartOffset, leaderEpoch: this.epochCache.epochForOffset(this.logStartOffset) };
    }
    if (timestampMs === LATEST_TIMESTAMP) return { timestampMs: -1, offset: this.nextOffset, leaderEpoch: this.epochCache.latestEpoch };
    if (timestampMs === LATEST_TIERED_TIMESTAMP) return { timestampMs: -1, offset: -1, leaderEpoch: -1 };
    if (timestampMs === MAX_TIMESTAMP) return this.maxTimestampOffset();
    if (timestampMs < 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unsupported ListOffsets timestamp ${timestampMs}`);
    for (const s of this.segments) {
      if (s.maxTimestampSoFar < timestampMs) continue;
      const found = s.findOffsetByTimestamp(timestampMs, this.logStartOffset);
      if (found && found.offset < this.nextOffset) return { timestampMs: found.timestampMs, offset: found.offset, leaderEpoch: found.leaderEpoch };
    }
    return { timestampMs: -1, offset: -1, leaderEpoch: -1 };
  }

  private maxTimestampOffset(): TimestampOffset {
    let best: LogSegment | undefined;
    for (const s of this.segments) if (!best || s.maxTimestampSoFar > best.maxTimestampSoFar) best = s;
    const found = best?.offsetOfMaxTimestamp();
    return found ?? { timestampMs: -1, offset: -1, leaderEpoch: -1 };
  }

  /** OffsetForLeaderEpoch. */
  endOffsetForLeaderEpoch(epoch: number): EpochEndOffset {
    return this.epochCache.endOffsetFor(epoch, this.nextOffset);
  }

  // ---- retention, truncation, deletion -----------------------------------------------

  /** DeleteRecords: move the log start offset up to `offset` (-1: the HW). Returns the new log start offset. */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    const target = offset === -1 ? this.hw : offset;
    if (target < 0 || target > this.hw) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before ${offset}: the high watermark of ${this.topic}-${this.partition} is ${this.hw}`);
    }
    if (target > this.logStartOffset) {
      this.beforeWrite();
      this.logStartOffset = target;
      this.epochCache.truncateFromStart(target);
      this.deleteSegments((s, next) => next.baseOffset <= this.logStartOffset);
    }
    return this.logStartOffset;
  }

  /** Retention by time, size and log start offset (Kafka's deleteOldSegments). Returns segments deleted. */
  deleteOldSegments(nowMs: number): number {
    this.ensureOpen();
    let deleted = this.deleteSegments((s, next) => next.baseOffset <= this.logStartOffset);
    if (!this.config.cleanupPolicy.includes('delete')) return deleted;
    const retentionMs = this.config.retentionMs;
    if (retentionMs >= 0) deleted += this.deleteSegments((s) => nowMs - s.largestTimestamp() > retentionMs);
    const retentionBytes = this.config.retentionBytes;
    if (retentionBytes >= 0) {
      let diff = this.size - retentionBytes;
      deleted += this.deleteSegments((s) => {
        if (diff - s.size < 0) return false;
        diff -= s.size;
        return true;
      });
    }
    return deleted;
  }

  /** Delete the oldest segments while `predicate` holds; never the active one, never past the HW. */
  private deleteSegments(predicate: (s: LogSegment, next: LogSegment) => boolean): number {
    let n = 0;
    while (this.segments.length > 1) {
      const s = this.segments[0]!;
      const next = this.segments[1]!;
      if (next.baseOffset > this.hw || !predicate(s, next)) break;
      this.beforeWrite();
      this.segments.shift();
      this.ctx.scheduleDelete(s.renameToDeleted(), this.config.fileDeleteDelayMs);
      n++;
    }
    if (n > 0) {
      const first = this.segments[0]!.baseOffset;
      if (first > this.logStartOffset) {
        this.logStartOffset = first;
        this.epochCache.truncateFromStart(first);
      }
      this.producerState.deleteSnapshotsBefore(first);
    }
    return n;
  }

  /** Log-dir move hook (log-dir-move.ts): every segment, oldest first, the active one last. */
  allSegments(): readonly LogSegment[] {
    return this.closed ? [] : this.segments;
  }

  /** Log cleaner hook (cleaner/cleaner.ts): the closed segments, oldest first. */
  closedSegments(): readonly LogSegment[] {
    return this.closed ? [] : this.segments.slice(0, -1);
  }

  /**
   * Log cleaner hook: replace the consecutive closed segments `group` by their cleaned
   * copy. `prepare` makes the copy's `.swap` files, the old segments are renamed to
   * `.deleted`, `install` gives the copy its final names. False, with nothing done, when
   * the group is no longer the log's (retention, DeleteRecords, close ran meanwhile).
   */
  replaceSegments(group: readonly LogSegment[], steps: { prepare: () => void; install: () => void }): boolean {
    const at = this.closed ? -1 : this.segments.indexOf(group[0]!);
    if (at < 0 || at + group.length >= this.segments.length || group.some((s, i) => this.segments[at + i] !== s)) return false;
    this.beforeWrite();
    steps.prepare();
    const deleted = group.flatMap((s) => s.renameToDeleted());
    steps.install();
    this.segments.splice(at, group.length, this.openSegment(group[0]!.baseOffset));
    this.ctx.scheduleDelete(deleted, this.config.fileDeleteDelayMs);
    return true;
  }

  /** Remove everything at and after `offset` (a follower truncating, or a test). */
  truncateTo(offset: number): void {
    this.ensureOpen();
    if (offset >= this.nextOffset) return;
    this.beforeWrite();
    const target = Math.max(offset, this.logStartOffset);
    while (this.segments.length > 1 && this.active.baseOffset >= target) {
      this.segments.pop()!.deleteFiles();
    }
    this.active.truncateTo(target);
    this.active.resizeIndexes(this.config.segmentIndexBytes);
    this.nextOffset = Math.max(this.active.readNextOffset(), this.active.baseOffset);
    this.hw = Math.min(this.hw, this.nextOffset);
    this.recoveryPoint = Math.min(this.recoveryPoint, this.nextOffset);
    this.epochCache.truncateFromEnd(this.nextOffset);
    this.producerState.truncateAndReload(this.segments[0]!.baseOffset, this.nextOffset, this.ctx.nowMs());
    this.replayProducerState(this.producerState.mapEndOffset);
  }

  /**
   * Apply config overrides (Kafka names) live, on top of the broker defaults. Validates
   * (KafkaError INVALID_CONFIG). LogManager.updateTopicConfig also persists them.
   */
  updateConfig(overrides: Readonly<Record<string, string>>): void {
    const config = mergeLogConfig(this.ctx.defaultConfig, parseTopicConfigs(overrides));
    this.config = config;
    this.configOverrides = { ...overrides };
    for (const s of this.segments) s.indexIntervalBytes = config.indexIntervalBytes;
  }

  /** Idle producers expire after producer.id.expiration.ms. */
  removeExpiredProducers(nowMs: number): void {
    this.producerState.removeExpiredProducers(nowMs);
  }

  // ---- load and recovery -------------------------------------------------------------

  /**
   * Kafka's LogLoader. The directory is listed once and the listing serves every step (a
   * broker with 10,000 partitions starts in seconds only if each costs a few system calls):
   * segments are opened without reading their indexes; on a clean shutdown only the active
   * segment is checked (its indexes against its log, and that its batches end at the end of
   * the file), the others' indexes are checked when first used, as Kafka's lazy indexes.
   */
  private recover(opts: LoadOptions): void {
    let listed = readdirSync(this.dir);
    if (listed.some((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX))) {
      completeInterruptedSwaps(this.dir);
      listed = readdirSync(this.dir);
    }
    const files = new Set<string>();
    for (const f of listed) {
      if (f.endsWith(DELETED_SUFFIX) || f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX) || f.endsWith('.tmp')) rmSync(join(this.dir, f), { force: true });
      else files.add(f);
    }
    const bases = [...files].filter((f) => /^\d{20}\.log$/.test(f)).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
    const baseSet = new Set(bases);
    for (const f of files) {
      const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(f);
      if (m && !baseSet.has(Number(m[1]))) {
        rmSync(join(this.dir, f), { force: true });
        files.delete(f);
      }
    }
    if (bases.length === 0) bases.push(Math.max(0, opts.logStartOffset));
    const rebuild = new Set<number>();
    for (const base of bases) {
      const prefix = filenamePrefixFromOffset(base);
      if (!files.has(`${prefix}.index`) || !files.has(`${prefix}.timeindex`)) rebuild.add(base);
      // The active segment is read below in any case (its next offset); the others stay closed.
      this.segments.push(this.openSegment(base, files, base === bases[bases.length - 1]));
    }
    const recoveryFrom = opts.hadCleanShutdown ? Number.MAX_SAFE_INTEGER : this.segments[this.floorSegmentIndex(Math.max(0, opts.recoveryPoint))]!.baseOffset;
    if (this.active.baseOffset < recoveryFrom && !rebuild.has(this.active.baseOffset)) {
      try {
        this.active.sanityCheck();
      } catch {
        rebuild.add(this.active.baseOffset);
      }
    }
    this.recoverSegments(recoveryFrom, rebuild);
    this.active.resizeIndexes(this.config.segmentIndexBytes);
    this.nextOffset = Math.max(this.active.readNextOffset(), this.active.baseOffset);
    this.epochCache.truncateFromEnd(this.nextOffset);
    this.logStartOffset = Math.min(Math.max(opts.logStartOffset, this.segments[0]!.baseOffset), this.nextOffset);
    this.epochCache.truncateFromStart(this.logStartOffset);
    this.currentLeaderEpoch = Math.max(0, this.epochCache.latestEpoch);
    this.producerState.truncateAndReload(this.segments[0]!.baseOffset, this.nextOffset, this.ctx.nowMs(), snapshotOffsetsIn(files), true);
    this.replayProducerState(this.producerState.mapEndOffset);
    this.cleanerOffset = Math.min(Math.max(opts.cleanerOffset, 0), this.nextOffset);
    this.recoveryPoint = opts.hadCleanShutdown ? Math.min(Math.max(opts.recoveryPoint, 0), this.nextOffset) : this.nextOffset;
    this.hw = this.ctx.highWatermarkFollowsLeo ? this.nextOffset : Math.min(Math.max(opts.highWatermark, this.logStartOffset), this.nextOffset);
  }

  /** Validate segments from `fromBase` (and those in `rebuild`); a bad tail truncates the log there. */
  private recoverSegments(fromBase: number, rebuild: Set<number>): void {
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (s.baseOffset < fromBase && !rebuild.has(s.baseOffset)) continue;
      this.beforeWrite();
      const truncated = s.recover((b) => {
        if (b.magic >= 2 && b.partitionLeaderEpoch >= 0) this.epochCache.assign(b.partitionLeaderEpoch, b.baseOffset);
      });
      this.recoveryTruncatedBytes += truncated;
      if (s.lastDroppedTail) this.recoveryDroppedTails.push(s.lastDroppedTail);
      if (truncated > 0 || s !== this.active) s.flush();
      if (truncated > 0 && i < this.segments.length - 1) {
        for (const later of this.segments.splice(i + 1)) later.deleteFiles();
        break;
      }
    }
    // Drop empty segments left behind the active position (a crash right after a roll).
    while (this.segments.length > 1 && this.active.size === 0 && this.active.baseOffset > this.segments[this.segments.length - 2]!.readNextOffset()) {
      this.segments.pop()!.deleteFiles();
    }
  }

  /** Rebuild producer state from `fromOffset` to the LEO by reading batch headers. */
  private replayProducerState(fromOffset: number): void {
    const pending = new Map<number, ProducerStateEntry>();
    // From the log end (a snapshot there: every clean start) there is nothing to read.
    const first = fromOffset >= this.nextOffset ? this.segments.length : this.floorSegmentIndex(Math.max(fromOffset, this.segments[0]!.baseOffset));
    for (let i = first; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      for (const b of s.batchesFrom(s.offsetIndex.lookup(fromOffset).position)) {
        if (b.lastOffset < fromOffset || b.producerId < 0 || b.magic < 2) continue;
        if ((b.attributes & ATTR_CONTROL) !== 0) {
          this.applyProducerState(b, s.readBytes(b.position, b.size), 0, s, pending);
        } else {
          this.producerState.update(producerInfo(b), b.baseOffset, pending);
        }
      }
    }
    this.producerState.commit(pending, this.nextOffset);
  }

  // ---- lifecycle ---------------------------------------------------------------------

  private beforeWrite(): void {
    if (this.written) return;
    this.written = true;
    this.ctx.beforeWrite();
    this.saveTopicId();
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `log ${this.topic}-${this.partition} is closed`);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Flush, snapshot producer state, trim the active segment's indexes, close files. */
  close(): void {
    if (this.closed) return;
    // A log this process only read has nothing to fsync: its files are as the last flush or
    // recovery left them (a broker stopping with 10,000 idle partitions did 20,000 fsyncs).
    if (this.written) this.flush();
    // A log this process only read keeps its files as they were (Kafka writes a snapshot at
    // every close; without one at the log end the next load replays from an older one).
    if (this.written) {
      this.producerState.mapEndOffset = this.nextOffset;
      this.producerState.takeSnapshot();
    }
    for (const s of this.segments) {
      if (s === this.active) s.onBecomeInactive();
      s.close();
    }
    this.closed = true;
  }

  /** Close without flushing anything (the directory is about to be deleted). */
  closeForDelete(): void {
    if (this.closed) return;
    for (const s of this.segments) s.close();
    this.closed = true;
  }
}

function producerInfo(b: BatchInfo): ProducerBatchInfo {
  return {
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    lastOffsetDelta: b.lastOffset - b.baseOffset,
    maxTimestampMs: b.maxTimestampMs,
    isTransactional: (b.attributes & ATTR_TRANSACTIONAL) !== 0,
  };
}

/** Key type (0 abort, 1 commit, ...) and coordinator epoch of the control record in an uncompressed control batch. */
export function parseControlMarker(buf: Buffer, at: number): { type: number; coordinatorEpoch: number } | undefined {
  const end = Math.min(buf.length, at + LOG_OVERHEAD + buf.readInt32BE(at + 8));
  const first = at + RECORD_BATCH_OVERHEAD;
  const f = new RecordFields();
  if (readRecordQuick(buf, first, end, f) < 0) {
    try {
      readRecordFields(new ByteCursor(buf, first, end), f);
    } catch (err) {
      if (err instanceof CorruptDataError) return undefined;
      throw err;
    }
  }
  if (f.keySize < 4) return undefined;
  const type = buf.readInt16BE(f.keyStart + 2);
  const coordinatorEpoch = f.valueSize >= 6 ? buf.readInt32BE(f.valueStart + 2) : -1;
  return { type, coordinatorEpoch };
}
