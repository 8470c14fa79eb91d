/**
 * Hand-built segment bytes for dump-log tests, written field by field from the format
 * description (log-format.md §3.1-3.4), independent of src/records' encoders, plus
 * small helpers to lay files out in a temporary partition directory.
 */
import { crc32, crc32c } from '@node-rs/crc32';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function zigzagVarint(value: number): Buffer {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}
function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

function varBytes(b: Buffer | null): Buffer {
  return b === null ? zigzagVarint(-1) : Buffer.concat([zigzagVarint(b.length), b]);
}

export interface HandRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: [string, Buffer | null][];
}

export function handRecord(r: HandRecord): Buffer {
  const headers = r.headers ?? [];
  const body = Buffer.concat([
    Buffer.from([0]),
    zigzagVarint(r.timestampDelta),
    zigzagVarint(r.offsetDelta),
    varBytes(r.key),
    varBytes(r.value),
    zigzagVarint(headers.length),
    ...headers.flatMap(([k, v]) => [varBytes(Buffer.from(k)), varBytes(v)]),
  ]);
  return Buffer.concat([zigzagVarint(body.length), body]);
}

export interface HandBatch {
  baseOffset: number;
  partitionLeaderEpoch?: number;
  attributes?: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  count: number;
  /** Bytes after RecordsCount (compressed or not). */
  records: Buffer;
}

/** A v2 record batch; CRC-32C over attributes..end as the format says. */
export function handBatch(b: HandBatch): Buffer {
  const afterCrc = Buffer.concat([
    int16(b.attributes ?? 0),
    int32(b.lastOffsetDelta),
    int64(b.baseTimestamp),
    int64(b.maxTimestamp),
    int64(b.producerId ?? -1),
    int16(b.producerEpoch ?? -1),
    int32(b.baseSequence ?? -1),
    int32(b.count),
    b.records,
  ]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(afterCrc) >>> 0);
  const length = 4 + 1 + 4 + afterCrc.length;
  return Buffer.concat([int64(b.baseOffset), int32(length), int32(b.partitionLeaderEpoch ?? 0), Buffer.from([2]), crc, afterCrc]);
}

export function storedCrc(batch: Buffer): number {
  return batch.readUInt32BE(17);
}

export interface HandMessage {
  offset: number;
  magic: 0 | 1;
  attributes?: number;
  timestamp?: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** A legacy v0/v1 log entry: offset, size, then the message with its CRC-32 over magic..end. */
export function handMessage(m: HandMessage): Buffer {
  const bytes = (b: Buffer | null): Buffer => (b === null ? int32(-1) : Buffer.concat([int32(b.length), b]));
  const body = Buffer.concat([
    Buffer.from([m.magic, m.attributes ?? 0]),
    m.magic === 1 ? int64(m.timestamp ?? -1) : Buffer.alloc(0),
    bytes(m.key),
    bytes(m.value),
  ]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([int64(m.offset), int32(body.length + 4), crc, body]);
}

export function messageCrc(entry: Buffer): number {
  return entry.readUInt32BE(12);
}

export interface TempDir {
  dir: string;
  write(name: string, data: Buffer | string): string;
  cleanup(): void;
}

export function tempPartitionDir(name = 'topic-0'): TempDir {
  const root = mkdtempSync(join(tmpdir(), 'kts-dump-log-'));
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    write(file, data) {
      const p = join(dir, file);
      writeFileSync(p, data);
      return p;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const SEG = '00000000000000000000';
