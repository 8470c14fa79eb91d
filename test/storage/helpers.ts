/**
 * Test helpers for storage: a small hand-written record batch v2 encoder (uncompressed)
 * and temp log dirs cleaned up by tap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../../src/records/crc32c.js';
import { writeInt64 } from '../../src/records/batch-header.js';
import { KafkaError } from '../../src/protocol/errors.js';

function zigzagVarint(n: number): Buffer {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export interface TestRecord {
  key?: string | null;
  value: string | Buffer;
  timestampMs?: number;
}

export interface TestBatchOptions {
  baseOffset?: number;
  timestampMs?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  attributes?: number;
  partitionLeaderEpoch?: number;
}

function encodeRecord(r: TestRecord, index: number, baseTs: number): Buffer {
  const key = r.key === undefined || r.key === null ? null : Buffer.from(r.key);
  const value = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  const body = Buffer.concat([
    Buffer.from([0]),
    zigzagVarint((r.timestampMs ?? baseTs) - baseTs),
    zigzagVarint(index),
    key ? Buffer.concat([zigzagVarint(key.length), key]) : zigzagVarint(-1),
    zigzagVarint(value.length),
    value,
    zigzagVarint(0),
  ]);
  return Buffer.concat([zigzagVarint(body.length), body]);
}

/** A record batch v2 with the given records, CRC computed. */
export function makeBatch(records: TestRecord[], opts: TestBatchOptions = {}): Buffer {
  const baseTs = opts.timestampMs ?? records[0]?.timestampMs ?? Date.now();
  const encoded = records.map((r, i) => encodeRecord(r, i, baseTs));
  const maxTs = Math.max(...records.map((r) => r.timestampMs ?? baseTs));
  const head = Buffer.alloc(61);
  writeInt64(head, 0, opts.baseOffset ?? 0);
  const total = 61 + encoded.reduce((n, b) => n + b.length, 0);
  head.writeInt32BE(total - 12, 8);
  head.writeInt32BE(opts.partitionLeaderEpoch ?? -1, 12);
  head.writeInt8(2, 16);
  let attrs = opts.attributes ?? 0;
  if (opts.transactional) attrs |= 0x10;
  if (opts.control) attrs |= 0x20;
  head.writeInt16BE(attrs, 21);
  head.writeInt32BE(records.length - 1, 23);
  writeInt64(head, 27, baseTs);
  writeInt64(head, 35, maxTs);
  writeInt64(head, 43, opts.producerId ?? -1);
  head.writeInt16BE(opts.producerEpoch ?? -1, 51);
  head.writeInt32BE(opts.baseSequence ?? -1, 53);
  head.writeInt32BE(records.length, 57);
  const batch = Buffer.concat([head, ...encoded]);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

/** A batch of `count` records with values `v<i>` and one timestamp. */
export function simpleBatch(count: number, opts: TestBatchOptions & { valueBytes?: number } = {}): Buffer {
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    records.push({ key: null, value: opts.valueBytes ? Buffer.alloc(opts.valueBytes, i % 256) : `v${i}` });
  }
  return makeBatch(records, opts);
}

/** A control batch (transaction marker) as the coordinator writes it. */
export function markerBatch(commit: boolean, producerId: number, producerEpoch: number, coordinatorEpoch: number, timestampMs = Date.now()): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  const body = Buffer.concat([Buffer.from([0]), zigzagVarint(0), zigzagVarint(0), zigzagVarint(4), key, zigzagVarint(6), value, zigzagVarint(0)]);
  const record = Buffer.concat([zigzagVarint(body.length), body]);
  const head = Buffer.alloc(61);
  head.writeInt32BE(61 + record.length - 12, 8);
  head.writeInt32BE(-1, 12);
  head.writeInt8(2, 16);
  head.writeInt16BE(0x30, 21);
  head.writeInt32BE(0, 23);
  writeInt64(head, 27, timestampMs);
  writeInt64(head, 35, timestampMs);
  writeInt64(head, 43, producerId);
  head.writeInt16BE(producerEpoch, 51);
  head.writeInt32BE(-1, 53);
  head.writeInt32BE(1, 57);
  const batch = Buffer.concat([head, record]);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

export function tempDir(t: { teardown: (fn: () => void) => void }, prefix = 'kts-storage-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The Kafka error code `fn` throws (as a KafkaError), or undefined when it returns. */
export function kafkaCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.errorCode;
    throw err;
  }
  return undefined;
}
