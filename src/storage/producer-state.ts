/**
 * Idempotent/transactional producer state of one partition, after Kafka's
 * ProducerStateManager: per producer id the epoch, the last 5 batches' sequence ranges
 * and offsets, the coordinator epoch and the first offset of an open transaction.
 * Validates sequences of appended batches and detects duplicates; persists to
 * `<20-digit offset>.snapshot` files (ProducerSnapshot version 1, CRC32C).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { decrementSequence, incrementSequence, readInt64, writeInt64 } from '../records/batch-header.js';
import { crc32c } from '../records/crc32c.js';
import { CorruptDataError } from '../util/errors.js';
import { writeFileAtomic } from './checkpoint.js';
import { filenamePrefixFromOffset } from './segment.js';

export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;
const NO_EPOCH = -1;
const SNAPSHOT_VERSION = 1;
const SNAPSHOT_HEADER_BYTES = 10;
const SNAPSHOT_ENTRY_BYTES = 46;
export const SNAPSHOT_SUFFIX = '.snapshot';

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestampMs: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first; at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  coordinatorEpoch: number;
  /** First offset of the open transaction, or -1. */
  currentTxnFirstOffset: number;
  lastTimestampMs: number;
}

/** What the log needs of a batch to validate and record its producer state. */
export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  maxTimestampMs: number;
  isTransactional: boolean;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

const lastSeqOf = (b: ProducerBatchInfo): number => incrementSequence(b.baseSequence, b.lastOffsetDelta);

export class ProducerStateManager {
  private readonly state = new Map<number, ProducerStateEntry>();
  /** A snapshot at the log end found at load, read on first use of the state (an idle partition's never is). */
  private unreadSnapshot: { offset: number; nowMs: number } | undefined;
  /** Set by the log: rebuilds the state from its batches when a snapshot read on first use is corrupt. */
  rebuildFromLog: (() => void) | undefined;
  /** Offset up to which the state is built (exclusive). */
  mapEndOffset = 0;
  /** The newest snapshot file's offset (-1: none), known since the last listing; undefined: list again. */
  private latestSnapshotOffset: number | undefined;

  constructor(
    readonly partitionDir: string,
    public producerIdExpirationMs: number,
  ) {}

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** The original batch if `b` repeats one of the producer's last 5 batches. */
  findDuplicate(b: ProducerBatchInfo): BatchMetadata | undefined {
    const entry = this.producers.get(b.producerId);
    if (!entry || entry.producerEpoch !== b.producerEpoch) return undefined;
    const lastSeq = lastSeqOf(b);
    return entry.batches.find((m) => m.firstSeq === b.baseSequence && m.lastSeq === lastSeq);
  }

  /**
   * Kafka's ProducerAppendInfo checks for a client append. `pending` holds the state already
   * updated by earlier batches of the same request.
   */
  validate(b: ProducerBatchInfo, pending: ProducerStateEntry | undefined): void {
    const current = pending ?? this.producers.get(b.producerId);
    const currentEpoch = current?.producerEpoch ?? NO_EPOCH;
    if (b.producerEpoch < currentEpoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `epoch ${b.producerEpoch} of producer ${b.producerId} is older than the current epoch ${currentEpoch}`);
    }
    if (b.producerEpoch !== currentEpoch) {
      if (b.baseSequence !== 0 && currentEpoch !== NO_EPOCH) {
        throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `invalid sequence ${b.baseSequence} for new epoch ${b.producerEpoch} of producer ${b.producerId}: expected 0`);
      }
      return;
    }
    const last = current?.batches[current.batches.length - 1];
    if (!inSequence(last ? last.lastSeq : -1, b.baseSequence)) {
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `out of order sequence ${b.baseSequence} for producer ${b.producerId} at epoch ${b.producerEpoch}: expected ${last ? incrementSequence(last.lastSeq, 1) : 0}`);
    }
  }

  /** Record an appended batch (already validated, or replayed from the log). */
  update(b: ProducerBatchInfo, firstOffset: number, pending?: Map<number, ProducerStateEntry>): ProducerStateEntry {
    const base = pending?.get(b.producerId) ?? this.producers.get(b.producerId);
    const entry: ProducerStateEntry = base
      ? { ...base, batches: [...base.batches] }
      : { producerId: b.producerId, producerEpoch: b.producerEpoch, batches: [], coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestampMs: -1 };
    if (entry.producerEpoch !== b.producerEpoch) {
      entry.producerEpoch = b.producerEpoch;
      entry.batches = [];
    }
    if (b.baseSequence >= 0) {
      entry.batches.push({ firstSeq: b.baseSequence, lastSeq: lastSeqOf(b), firstOffset, lastOffset: firstOffset + b.lastOffsetDelta, timestampMs: b.maxTimestampMs });
      if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
    }
    if (b.isTransactional && entry.currentTxnFirstOffset < 0) entry.currentTxnFirstOffset = firstOffset;
    entry.lastTimestampMs = b.maxTimestampMs;
    if (pending) pending.set(b.producerId, entry);
    else this.producers.set(b.producerId, entry);
    return entry;
  }

  commit(pending: Map<number, ProducerStateEntry>, endOffset: number): void {
    for (const [pid, entry] of pending) this.producers.set(pid, entry);
    this.mapEndOffset = endOffset;
  }

  /** A transaction marker ended the producer's open transaction. */
  completeTxn(producerId: number, producerEpoch: number, coordinatorEpoch: number): number {
    const entry = this.producers.get(producerId) ?? { producerId, producerEpoch, batches: [], coordinatorEpoch, currentTxnFirstOffset: -1, lastTimestampMs: -1 };
    const first = entry.currentTxnFirstOffset;
    this.producers.set(producerId, { ...entry, producerEpoch, coordinatorEpoch, currentTxnFirstOffset: -1 });
    return first;
  }

  /** Smallest first offset of an open transaction, or -1. */
  firstUnstableOffset(): number {
    let first = -1;
    for (const e of this.producers.values()) {
      if (e.currentTxnFirstOffset >= 0 && (first < 0 || e.currentTxnFirstOffset < first)) first = e.currentTxnFirstOffset;
    }
    return first;
  }

  /** Kafka's removeExpiredProducers: idle producers without an open transaction. */
  removeExpiredProducers(nowMs: number): void {
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestampMs >= this.producerIdExpirationMs) this.producers.delete(pid);
    }
  }

  /** The producers' states (a snapshot left unread at load is read now). */
  get producers(): Map<number, ProducerStateEntry> {
    if (this.unreadSnapshot !== undefined) this.readUnreadSnapshot();
    return this.state;
  }

  /**
   * Forget state above `offset` (the log was truncated) by reloading from an older snapshot.
   * `listed`: the snapshot offsets present, when the caller listed the directory already.
   * `lazy`: a snapshot at the log end (nothing to replay after it) is read on first use.
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, nowMs: number, listed: readonly number[] = this.snapshotOffsets(), lazy = false): void {
    const kept: number[] = [];
    for (const off of listed) {
      if (off > logEndOffset || off < logStartOffset) rmSync(this.snapshotPath(off), { force: true });
      else kept.push(off);
    }
    this.unreadSnapshot = undefined;
    this.state.clear();
    this.mapEndOffset = logStartOffset;
    const latest = kept.at(-1);
    this.latestSnapshotOffset = latest ?? -1;
    if (latest !== undefined && lazy && latest === logEndOffset) {
      this.unreadSnapshot = { offset: latest, nowMs };
      this.mapEndOffset = latest;
    } else if (latest !== undefined) {
      this.loadSnapshot(latest, nowMs);
    }
  }

  /** A corrupt snapshot is removed and the state rebuilt from the log, as Kafka does at load. */
  private readUnreadSnapshot(): void {
    const { offset, nowMs } = this.unreadSnapshot!;
    this.unreadSnapshot = undefined;
    try {
      this.fillFromSnapshot(offset, nowMs);
    } catch (err) {
      if (!(err instanceof CorruptDataError) || this.rebuildFromLog === undefined) throw err;
      this.state.clear();
      rmSync(this.snapshotPath(offset), { force: true });
      this.latestSnapshotOffset = undefined;
      this.rebuildFromLog();
    }
  }

  snapshotPath(offset: number): string {
    return join(this.partitionDir, filenamePrefixFromOffset(offset) + SNAPSHOT_SUFFIX);
  }

  /** Offsets of the snapshot files present, ascending. */
  snapshotOffsets(): number[] {
    if (!existsSync(this.partitionDir)) return [];
    return snapshotOffsetsIn(readdirSync(this.partitionDir));
  }

  /** As Kafka: only when the state has moved past the latest snapshot. */
  takeSnapshot(): void {
    // Closing 10,000 idle partitions should not list 10,000 directories.
    const latest = this.latestSnapshotOffset ?? this.snapshotOffsets().at(-1) ?? -1;
    if (latest >= this.mapEndOffset) return;
    writeFileAtomic(this.snapshotPath(this.mapEndOffset), encodeProducerSnapshot([...this.producers.values()]));
    this.latestSnapshotOffset = this.mapEndOffset;
  }

  loadSnapshot(offset: number, nowMs: number): void {
    this.unreadSnapshot = undefined;
    this.state.clear();
    this.fillFromSnapshot(offset, nowMs);
    this.mapEndOffset = offset;
  }

  private fillFromSnapshot(offset: number, nowMs: number): void {
    for (const e of decodeProducerSnapshot(readFileSync(this.snapshotPath(offset)))) {
      if (e.currentTxnFirstOffset >= 0 || nowMs - e.lastTimestampMs < this.producerIdExpirationMs) this.state.set(e.producerId, e);
    }
  }

  /** Keep at most the newest `keep` snapshots and none below `logStartOffset`'s segment. */
  deleteSnapshotsBefore(offset: number): void {
    for (const off of this.snapshotOffsets()) if (off < offset) rmSync(this.snapshotPath(off), { force: true });
    if (this.latestSnapshotOffset !== undefined && this.latestSnapshotOffset < offset) this.latestSnapshotOffset = -1;
  }
}

/** Offsets of the snapshot files among a directory's names, ascending. */
export function snapshotOffsetsIn(names: Iterable<string>): number[] {
  const out: number[] = [];
  for (const f of names) if (/^\d{20}\.snapshot$/.test(f)) out.push(Number(f.slice(0, 20)));
  return out.sort((a, b) => a - b);
}

/** ProducerSnapshot v1: version, CRC32C of the rest, then the producer entries. */
export function encodeProducerSnapshot(entries: readonly ProducerStateEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => a.producerId - b.producerId);
  const buf = Buffer.alloc(SNAPSHOT_HEADER_BYTES + sorted.length * SNAPSHOT_ENTRY_BYTES);
  buf.writeInt16BE(SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(sorted.length, 6);
  let at = SNAPSHOT_HEADER_BYTES;
  for (const e of sorted) {
    const last = e.batches[e.batches.length - 1];
    writeInt64(buf, at, e.producerId);
    buf.writeInt16BE(e.producerEpoch, at + 8);
    buf.writeInt32BE(last ? last.lastSeq : -1, at + 10);
    writeInt64(buf, at + 14, last ? last.lastOffset : -1);
    buf.writeInt32BE(last ? last.lastOffset - last.firstOffset : 0, at + 22);
    writeInt64(buf, at + 26, e.lastTimestampMs);
    buf.writeInt32BE(e.coordinatorEpoch, at + 34);
    writeInt64(buf, at + 38, e.currentTxnFirstOffset);
    at += SNAPSHOT_ENTRY_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf, 6), 2);
  return buf;
}

/** The fields of one ProducerSnapshot v1 entry, as stored. */
export interface SnapshotEntryFields {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestampMs: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is ongoing. */
  currentTxnFirstOffset: number;
}

/**
 * What is wrong with a snapshot file (version, CRC-32C, entry count against its size),
 * worded as Kafka's CorruptSnapshotException; null when it is sound.
 */
export function snapshotProblem(buf: Buffer): string | null {
  if (buf.length < 2) return 'Snapshot failed schema validation: file is too short for a version';
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) return `Snapshot contained an unknown file version ${version}`;
  if (buf.length < SNAPSHOT_HEADER_BYTES) return 'Snapshot failed schema validation: file is too short for its header';
  const stored = buf.readUInt32BE(2);
  const computed = crc32c(buf, 6);
  if (stored !== computed) return `Snapshot is corrupt (CRC is no longer valid). Stored crc: ${stored}. Computed crc: ${computed}`;
  const count = buf.readInt32BE(6);
  const bodyBytes = buf.length - SNAPSHOT_HEADER_BYTES;
  if (count < 0 || count * SNAPSHOT_ENTRY_BYTES !== bodyBytes) return `Snapshot failed schema validation: ${count} entries do not fit ${bodyBytes} bytes`;
  return null;
}

/** The entries of a snapshot that snapshotProblem found sound. */
export function snapshotEntries(buf: Buffer): SnapshotEntryFields[] {
  const out: SnapshotEntryFields[] = [];
  for (let at = SNAPSHOT_HEADER_BYTES; at + SNAPSHOT_ENTRY_BYTES <= buf.length; at += SNAPSHOT_ENTRY_BYTES) {
    out.push({
      producerId: readInt64(buf, at),
      producerEpoch: buf.readInt16BE(at + 8),
      lastSequence: buf.readInt32BE(at + 10),
      lastOffset: readInt64(buf, at + 14),
      offsetDelta: buf.readInt32BE(at + 22),
      timestampMs: readInt64(buf, at + 26),
      coordinatorEpoch: buf.readInt32BE(at + 34),
      currentTxnFirstOffset: readInt64(buf, at + 38),
    });
  }
  return out;
}

/** A snapshot's producer states; CorruptDataError when snapshotProblem finds one. */
export function decodeProducerSnapshot(buf: Buffer): ProducerStateEntry[] {
  const problem = snapshotProblem(buf);
  if (problem !== null) throw new CorruptDataError(problem, 0);
  return snapshotEntries(buf).map((e) => ({
    producerId: e.producerId,
    producerEpoch: e.producerEpoch,
    batches: e.lastOffset >= 0 && e.lastSequence >= 0
      ? [{ firstSeq: decrementSequence(e.lastSequence, e.offsetDelta), lastSeq: e.lastSequence, firstOffset: e.lastOffset - e.offsetDelta, lastOffset: e.lastOffset, timestampMs: e.timestampMs }]
      : [],
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnFirstOffset: e.currentTxnFirstOffset,
    lastTimestampMs: e.timestampMs,
  }));
}
