/**
 * A quick walk over the records of a v2 batch for dump-log's deep iteration: each
 * record's fields read straight from the bytes into one reused RecordFields, the checks
 * of the records module (record-batch.ts readRecordFields and its ByteCursor) done as
 * plain comparisons. It vouches only for records that module reads the same way: at the
 * first thing it is not sure of (a bad or unusually long varint, a size that does not fit,
 * a record count that does not match, records that do not decompress) it stops and says
 * how many records it handed over. The caller then lets the records module walk the batch
 * again, skipping those, so faults are found and worded exactly as there.
 */
import { ATTR_COMPRESSION_MASK, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, attributes } from '../records/batch-header.js';
import { decompress } from '../records/compression/index.js';
import type { RecordFields } from '../records/record-batch.js';

/** walkV2Records's answer when every record was handed over and the batch checked out. */
export const WALK_COMPLETE = -1;

/** Position after the last varint read, -1 when it was truncated or too long. */
let next = 0;

/** Unsigned LEB128 of at most `maxBytes` bytes (5 for int32, as the records module reads them). */
function unsignedVarint(d: Buffer, p: number, end: number, maxBytes: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (p >= end) return fail();
    const b = d[p++]!;
    value |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      next = p;
      return value;
    }
  }
  if (maxBytes < 5 || p >= end) return fail();
  const b = d[p++]!;
  if (b > 0x0f) return fail();
  next = p;
  return value + b * 268435456;
}

function fail(): number {
  next = -1;
  return 0;
}

/** Zig-zag int32 varint; one and two bytes (record lengths up to 8 KiB) read here. */
function varint(d: Buffer, p: number, end: number): number {
  let u: number;
  const b = p < end ? d[p]! : 0x80;
  if (b < 0x80) {
    next = p + 1;
    u = b;
  } else if (p + 1 < end && d[p + 1]! < 0x80) {
    next = p + 2;
    u = (b & 0x7f) | (d[p + 1]! << 7);
  } else {
    u = unsignedVarint(d, p, end, 5);
  }
  return (u >>> 1) ^ -(u & 1);
}

/** Zig-zag varlong of at most 4 bytes (28 bits: deltas up to 1.5 days); longer ones are left to the records module. */
function shortVarlong(d: Buffer, p: number, end: number): number {
  const u = p < end && d[p]! < 0x80 ? ((next = p + 1), d[p]!) : unsignedVarint(d, p, end, 4);
  return (u >>> 1) ^ -(u & 1);
}

/**
 * Hand each record of the complete v2 entry at `buf[at]` to `onRecord`, as `f` (positions
 * in the data passed along: `buf`, or the decompressed records). Returns WALK_COMPLETE,
 * or the number of records handed over before it stopped short.
 */
export function walkV2Records(buf: Buffer, at: number, maxDecompressedBytes: number, f: RecordFields, onRecord: (f: RecordFields, data: Buffer) => void): number {
  if (buf.length - at < RECORD_BATCH_OVERHEAD || buf[at + MAGIC_OFFSET] !== 2) return 0;
  const batchLength = buf.readInt32BE(at + 8);
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD || batchLength > buf.length - at - LOG_OVERHEAD) return 0;
  const count = buf.readInt32BE(at + RECORDS_COUNT_OFFSET);
  if (count < 0) return 0;
  let data = buf;
  let p = at + RECORD_BATCH_OVERHEAD;
  let end = at + LOG_OVERHEAD + batchLength;
  const codec = attributes(buf, at) & ATTR_COMPRESSION_MASK;
  if (codec !== 0) {
    try {
      data = decompress(codec, buf.subarray(p, end), maxDecompressedBytes);
    } catch {
      return 0;
    }
    p = 0;
    end = data.length;
  }
  if (count > (end - p) / 7 + 1) return 0;
  for (let i = 0; i < count; i++) {
    p = readRecord(data, p, end, f);
    if (p < 0) return i;
    onRecord(f, data);
  }
  return p === end ? WALK_COMPLETE : count;
}

/** The record at `d[p]` into `f`; the position after it, or -1 where the records module should look. */
function readRecord(d: Buffer, p: number, end: number, f: RecordFields): number {
  const start = p;
  const length = varint(d, p, end);
  if (next < 0 || length < 0 || length > end - next) return -1;
  p = next;
  const recordEnd = p + length;
  if (p >= recordEnd) return -1;
  f.start = start;
  f.end = recordEnd;
  f.attributes = (d[p++]! << 24) >> 24;
  f.timestampDelta = shortVarlong(d, p, recordEnd);
  if (next < 0) return -1;
  f.offsetDelta = varint(d, next, recordEnd);
  if (next < 0) return -1;
  const keySize = varint(d, next, recordEnd);
  if (next < 0 || keySize < -1 || keySize > recordEnd - next) return -1;
  p = keySize < 0 ? next : next + keySize;
  f.keySize = keySize;
  f.keyStart = keySize < 0 ? p : p - keySize;
  const valueSize = varint(d, p, recordEnd);
  if (next < 0 || valueSize < -1 || valueSize > recordEnd - next) return -1;
  p = valueSize < 0 ? next : next + valueSize;
  f.valueSize = valueSize;
  f.valueStart = valueSize < 0 ? p : p - valueSize;
  const headerCount = varint(d, p, recordEnd);
  if (next < 0 || headerCount < 0 || headerCount * 2 > recordEnd - next) return -1;
  p = next;
  f.headerCount = headerCount;
  if (headerCount > 0) {
    p = readHeaders(d, p, recordEnd, headerCount, f.headerSpans);
    if (p < 0) return -1;
  }
  return p === recordEnd ? p : -1;
}

/** Header key and value spans, as the records module lists them; -1 on anything odd. */
function readHeaders(d: Buffer, p: number, end: number, count: number, spans: number[]): number {
  spans.length = 0;
  for (let i = 0; i < count; i++) {
    const keySize = varint(d, p, end);
    if (next < 0 || keySize < 0 || keySize > end - next) return -1;
    p = next + keySize;
    spans.push(p - keySize, keySize);
    const valueSize = varint(d, p, end);
    if (next < 0 || valueSize < -1 || valueSize > end - next) return -1;
    p = valueSize < 0 ? next : next + valueSize;
    spans.push(valueSize < 0 ? p : p - valueSize, valueSize);
  }
  return p;
}
