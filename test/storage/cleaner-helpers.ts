/**
 * Helpers for the log cleaner tests: read a whole partition back as records, and compute
 * what compaction must keep.
 */
import type { PartitionLog } from '../../src/storage/index.js';
import { ATTR_CONTROL, batchSize, isCrcValid, baseOffset, lastOffset } from '../../src/records/batch-header.js';
import { encodeRecordBatch, iterateRecords } from '../../src/records/record-batch.js';
import { CompressionType } from '../../src/records/batch-header.js';

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  control: boolean;
}

/** Every record from the log start to the LEO, checking CRCs and increasing offsets. */
export function readAll(log: PartitionLog): { records: ReadRecord[]; batches: Array<[number, number]> } {
  const records: ReadRecord[] = [];
  const batches: Array<[number, number]> = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const buf = log.read(next, 1 << 22, { minOneMessage: true, maxOffset: Number.POSITIVE_INFINITY }).records;
    if (buf.length === 0) break;
    for (let at = 0; at < buf.length; at += batchSize(buf, at)) {
      const batch = buf.subarray(at, at + batchSize(buf, at));
      if (!isCrcValid(batch)) throw new Error(`bad CRC at offset ${baseOffset(batch)}`);
      if (batches.length > 0 && baseOffset(batch) <= batches.at(-1)![1]) throw new Error(`offsets go backwards at ${baseOffset(batch)}`);
      batches.push([baseOffset(batch), lastOffset(batch)]);
      const control = (batch.readInt16BE(21) & ATTR_CONTROL) !== 0;
      for (const r of iterateRecords(batch)) {
        records.push({ offset: r.offset, key: r.key === null ? null : r.key.toString(), value: r.value === null ? null : r.value.toString(), control });
      }
      next = lastOffset(batch) + 1;
    }
  }
  return { records, batches };
}

/** Offsets compaction keeps below `endOffset` (latest per key; tombstones only if `keepTombstones`); all at and above it. */
export function expectedOffsets(written: ReadonlyArray<{ offset: number; key: string; value: string | null }>, endOffset: number, keepTombstones: boolean): number[] {
  const latest = new Map<string, number>();
  for (const w of written) if (w.offset < endOffset) latest.set(w.key, w.offset);
  return written
    .filter((w) => w.offset >= endOffset || (latest.get(w.key) === w.offset && (keepTombstones || w.value !== null)))
    .map((w) => w.offset);
}

export interface Written { offset: number; key: string; value: string | null }

/** Deterministic updates over `keys` keys with tombstones, some batches gzip, some with several records. */
export function writeUpdates(log: PartitionLog, count: number, keys: number, ts: number, seed = 7): Written[] {
  const written: Written[] = [];
  let x = seed;
  const rand = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor(x / 65536) % n;
  };
  let i = 0;
  while (i < count) {
    const n = 1 + rand(3);
    const recs = [];
    for (let j = 0; j < n; j++, i++) {
      const key = `k${rand(keys)}`;
      const value = rand(10) === 0 ? null : `v${i}-${'x'.repeat(rand(40))}`;
      recs.push({ key, value });
    }
    const batch = encodeRecordBatch({
      compression: rand(2) === 0 ? CompressionType.Gzip : CompressionType.None,
      records: recs.map((r) => ({ timestampMs: ts, key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })),
    });
    const res = log.appendAsLeader(batch, 0);
    recs.forEach((r, j) => written.push({ offset: res.baseOffset + j, ...r }));
  }
  return written;
}

