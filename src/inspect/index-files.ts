/**
 * Read-only decoders for a segment's side files: the offset index (.index, 8-byte
 * entries), the time index (.timeindex, 12-byte entries), the transaction index
 * (.txnindex, 34-byte aborted transactions) and the producer state snapshot (.snapshot),
 * plus the broker-startup sanity checks Kafka runs on the two indexes.
 */
import { decrementSequence, readInt64 } from '../records/batch-header.js';
import { type SnapshotEntryFields, snapshotEntries, snapshotProblem } from '../storage/producer-state.js';
import { OFFSET_INDEX_ENTRY_SIZE as OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_SIZE as TIME_INDEX_ENTRY_BYTES } from '../storage/index-file.js';
import { type AbortedTxn as StoredAbortedTxn, ABORTED_TXN_SIZE as TXN_INDEX_ENTRY_BYTES, readAbortedTxn } from '../storage/txn-index.js';

/** Entry sizes of the three index files, as storage writes them. */
export { OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_BYTES, TXN_INDEX_ENTRY_BYTES };

export interface OffsetIndexEntry {
  offset: number;
  position: number;
}

export interface TimeIndexEntry {
  timestamp: number;
  offset: number;
}

export interface AbortedTxn extends StoredAbortedTxn {
  version: number;
}

/** Entry `i` of an offset index whose segment starts at `baseOffset`. */
export function offsetIndexEntry(buf: Buffer, i: number, baseOffset: number): OffsetIndexEntry {
  const at = i * OFFSET_INDEX_ENTRY_BYTES;
  return { offset: baseOffset + buf.readInt32BE(at), position: buf.readInt32BE(at + 4) };
}

export function timeIndexEntry(buf: Buffer, i: number, baseOffset: number): TimeIndexEntry {
  const at = i * TIME_INDEX_ENTRY_BYTES;
  return { timestamp: readInt64(buf, at), offset: baseOffset + buf.readInt32BE(at + 8) };
}

/** Kafka's OffsetIndex.sanityCheck: null when the index would be kept at broker startup. */
export function offsetIndexSanityError(buf: Buffer, baseOffset: number, absolutePath: string): string | null {
  const entries = Math.floor(buf.length / OFFSET_INDEX_ENTRY_BYTES);
  if (entries > 0) {
    const lastOffset = offsetIndexEntry(buf, entries - 1, baseOffset).offset;
    if (lastOffset < baseOffset) {
      return `Corrupt index found, index file (${absolutePath}) has non-zero size but the last offset is ${lastOffset} which is less than the base offset ${baseOffset}`;
    }
  }
  if (buf.length % OFFSET_INDEX_ENTRY_BYTES !== 0) {
    return `Index file ${absolutePath} is corrupt, found ${buf.length} bytes which is neither positive nor a multiple of ${OFFSET_INDEX_ENTRY_BYTES}`;
  }
  return null;
}

/** Kafka's TimeIndex.sanityCheck. */
export function timeIndexSanityError(buf: Buffer, baseOffset: number, absolutePath: string): string | null {
  const entries = Math.floor(buf.length / TIME_INDEX_ENTRY_BYTES);
  if (entries > 0) {
    const last = timeIndexEntry(buf, entries - 1, baseOffset);
    const firstTimestamp = timeIndexEntry(buf, 0, baseOffset).timestamp;
    if (last.timestamp < firstTimestamp) {
      return `Corrupt time index found, time index file (${absolutePath}) has non-zero size but the last timestamp is ${last.timestamp} which is less than the first timestamp ${firstTimestamp}`;
    }
    if (last.offset < baseOffset) {
      return `Corrupt time index found, time index file (${absolutePath}) has non-zero size but the last offset is ${last.offset} which is less than the first offset ${baseOffset}`;
    }
  }
  if (buf.length % TIME_INDEX_ENTRY_BYTES !== 0) {
    return `Time index file ${absolutePath} is corrupt, found ${buf.length} bytes which is not positive or not a multiple of ${TIME_INDEX_ENTRY_BYTES}.`;
  }
  return null;
}

/** Kafka's OffsetIndex.lookup: the position of the largest indexed offset <= target, else 0. */
export function lookupPosition(index: Buffer | null, baseOffset: number, targetOffset: number): number {
  if (index === null) return 0;
  let lo = 0;
  let hi = Math.floor(index.length / OFFSET_INDEX_ENTRY_BYTES) - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (offsetIndexEntry(index, mid, baseOffset).offset <= targetOffset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? 0 : offsetIndexEntry(index, found, baseOffset).position;
}

export interface TxnIndexResult {
  entries: AbortedTxn[];
  /** Set when the file does not end on an entry boundary or holds an unknown version. */
  error: string | null;
}

export function decodeTxnIndex(buf: Buffer, absolutePath: string): TxnIndexResult {
  const entries: AbortedTxn[] = [];
  for (let at = 0; at < buf.length; at += TXN_INDEX_ENTRY_BYTES) {
    if (at + TXN_INDEX_ENTRY_BYTES > buf.length) {
      return { entries, error: `Found ${buf.length - at} trailing bytes in transaction index ${absolutePath} that do not form an entry (at byte ${at})` };
    }
    const version = buf.readInt16BE(at);
    if (version > 0) {
      return { entries, error: `Unexpected aborted transaction version ${version} in transaction index ${absolutePath}, current version is 0 (at byte ${at})` };
    }
    entries.push({ version, ...readAbortedTxn(buf, at) });
  }
  return { entries, error: null };
}

export interface ProducerSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** null when no transaction is ongoing (stored as -1). */
  currentTxnFirstOffset: number | null;
  lastTimestamp: number;
  /** The last batch's metadata; absent when OffsetDelta is negative. */
  batch: { firstSequence: number; lastSequence: number; lastOffset: number; offsetDelta: number; timestamp: number } | null;
}

/** Decode a producer state snapshot; `error` carries Kafka's CorruptSnapshotException message. */
export function decodeProducerSnapshot(buf: Buffer): { entries: ProducerSnapshotEntry[]; error: string | null } {
  const error = snapshotProblem(buf);
  if (error !== null) return { entries: [], error };
  return { entries: snapshotEntries(buf).map(snapshotEntry), error: null };
}

function snapshotEntry(e: SnapshotEntryFields): ProducerSnapshotEntry {
  const { lastSequence, lastOffset, offsetDelta, timestampMs: timestamp } = e;
  return {
    producerId: e.producerId,
    producerEpoch: e.producerEpoch,
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnFirstOffset: e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : null,
    lastTimestamp: timestamp,
    batch:
      offsetDelta >= 0
        ? { firstSequence: decrementSequence(lastSequence, offsetDelta), lastSequence, lastOffset, offsetDelta, timestamp }
        : null,
  };
}
