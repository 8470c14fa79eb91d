/**
 * Log compaction for `cleanup.policy=compact` (a simplified Kafka LogCleaner): builds the
 * key → latest offset map over the dirty part of the closed segments, then rewrites each
 * closed segment keeping only the latest record per key. Offsets never change; batches
 * whose records all survive are copied byte for byte, others are re-encoded with the same
 * base offset, last offset delta, producer fields and codec; an emptied batch is kept
 * only if it carries producer state. Tombstones go once their batch is older than
 * `delete.retention.ms`. Control batches are kept. A segment is swapped in crash-safely:
 * `.cleaned` written and fsynced, indexes removed (rebuilt on load if a crash follows),
 * then renamed over the `.log`.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, TimestampType, type CompressionType } from '../records/batch-header.js';
import { type KafkaRecord, iterateRecords, encodeRecordBatch } from '../records/record-batch.js';
import { type BatchInfo, type LogSegment, filenamePrefixFromOffset } from './segment.js';

export const CLEANED_SUFFIX = '.cleaned';

export interface CleanResult {
  segmentsCleaned: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
}

const keyOf = (r: KafkaRecord): string | undefined => (r.key === null ? undefined : r.key.toString('latin1'));

/** The records of a batch; a batch that does not decode is kept whole by the caller. */
function recordsOf(bytes: Buffer): KafkaRecord[] | undefined {
  try {
    return [...iterateRecords(bytes, 0, { verifyCrc: false })];
  } catch {
    return undefined;
  }
}

/** key → offset of its latest record in [fromOffset, toOffset) over `segments`. */
export function buildOffsetMap(segments: readonly LogSegment[], fromOffset: number, toOffset: number): Map<string, number> {
  const map = new Map<string, number>();
  for (const s of segments) {
    for (const b of s.batchesFrom(s.offsetIndex.lookup(fromOffset).position)) {
      if (b.lastOffset < fromOffset || b.baseOffset >= toOffset || b.magic < 2 || (b.attributes & ATTR_CONTROL) !== 0) continue;
      for (const r of recordsOf(s.readBytes(b.position, b.size)) ?? []) {
        const key = keyOf(r);
        if (key !== undefined && r.offset < toOffset) map.set(key, r.offset);
      }
    }
  }
  return map;
}

/** The bytes a batch becomes after cleaning (possibly unchanged, possibly nothing). */
function cleanBatch(bytes: Buffer, b: BatchInfo, map: Map<string, number>, dropTombstones: boolean, stats: CleanResult): Buffer | undefined {
  if (b.magic < 2 || (b.attributes & ATTR_CONTROL) !== 0) return bytes;
  const records = recordsOf(bytes);
  if (!records) return bytes;
  const kept = records.filter((r) => {
    const key = keyOf(r);
    if (key === undefined) return false;
    const latest = map.get(key);
    if (latest !== undefined && r.offset < latest) return false;
    return !(r.value === null && dropTombstones);
  });
  stats.recordsRemoved += records.length - kept.length;
  if (kept.length === records.length) return bytes;
  if (kept.length === 0 && b.producerId < 0) return undefined;
  const logAppendTime = (b.attributes & ATTR_TIMESTAMP_TYPE) !== 0;
  const out = encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: (b.attributes & ATTR_COMPRESSION_MASK) as CompressionType,
    timestampType: logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    logAppendTimeMs: logAppendTime ? b.maxTimestampMs : undefined,
    transactional: (b.attributes & ATTR_TRANSACTIONAL) !== 0,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    lastOffsetDelta: b.lastOffset - b.baseOffset,
    records: kept.map((r) => ({ offsetDelta: r.offsetDelta, timestampMs: r.timestampMs, key: r.key, value: r.value, headers: r.headers })),
  });
  return out;
}

/**
 * Write the cleaned copy of `segment` to `<base>.log.cleaned`. Returns its path and size,
 * or undefined when nothing would change.
 */
export function writeCleanedSegment(segment: LogSegment, map: Map<string, number>, nowMs: number, deleteRetentionMs: number, stats: CleanResult): { path: string; bytes: number } | undefined {
  const path = join(segment.dir, filenamePrefixFromOffset(segment.baseOffset) + '.log' + CLEANED_SUFFIX);
  const fd = openSync(path, 'w');
  let written = 0;
  let changed = false;
  try {
    for (const b of segment.batchesFrom(0)) {
      const bytes = segment.readBytes(b.position, b.size);
      const dropTombstones = nowMs - b.maxTimestampMs > deleteRetentionMs;
      const out = cleanBatch(bytes, b, map, dropTombstones, stats);
      if (out !== bytes) changed = true;
      if (!out) continue;
      let done = 0;
      while (done < out.length) done += writeSync(fd, out, done, out.length - done, written + done);
      written += out.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (!changed) {
    rmSync(path, { force: true });
    return undefined;
  }
  return { path, bytes: written };
}

/** Swap the cleaned file in: indexes removed first (rebuilt if a crash follows), then the rename. */
export function swapCleanedSegment(segment: LogSegment, cleanedPath: string): void {
  segment.close();
  rmSync(segment.offsetIndex.path, { force: true });
  rmSync(segment.timeIndex.path, { force: true });
  renameSync(cleanedPath, segment.path);
}
