/**
 * The client's bridge to records/: a producer batch is encoded as records arrive (as in
 * Kafka's MemoryRecordsBuilder), so a buffered record costs its bytes and nothing more; the
 * 61-byte batch v2 header (producer id, epoch, base sequence, CRC) is written when the batch
 * is sent, so a retry under a new producer id re-encodes only the header. Also estimates a
 * record's size for batch.size and buffer.memory accounting.
 */
import {
  ATTR_COMPRESSION_MASK,
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  type CompressionType,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  writeInt64,
} from '../records/batch-header.js';
import { compress } from '../records/compression/index.js';
import { sizeOfVarlong, writeUnsignedVarint, writeZigZag } from '../protocol/varint.js';
import { crc32c } from '../records/crc32c.js';
import { MAX_RECORD_OVERHEAD } from '../records/record-batch.js';
import type { RecordHeader } from './types.js';

export interface BatchIdentity {
  compression: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Sets the transactional attribute bit (a batch inside a transaction). */
  transactional?: boolean;
}

const MAGIC_V2 = 2;
const ATTR_TRANSACTIONAL = 0x10;
const MIN_CAPACITY = 1024;
const EMPTY = Buffer.alloc(0);

/** The records section of one batch, encoded record by record into a growing buffer. */
export class RecordsBuilder {
  /** The first RECORD_BATCH_OVERHEAD bytes are left for the header (uncompressed batches go out in place). */
  private buf: Buffer;
  private pos = RECORD_BATCH_OVERHEAD;
  count = 0;
  /** What the last appendValues() took, in the producer's size estimate. */
  lastEstimateBytes = 0;
  private baseTimestamp = -1;
  private maxTimestamp = -1;

  /** The batch's size so far: header and records (uncompressed). */
  get sizeInBytes(): number {
    return this.pos;
  }

  /** `spare`: a buffer from an earlier batch to encode into, when it is at least the expected size. */
  constructor(expectedBytes: number, spare?: Buffer) {
    const capacity = Math.max(MIN_CAPACITY, RECORD_BATCH_OVERHEAD + expectedBytes);
    this.buf = spare !== undefined && spare.length >= capacity ? spare : Buffer.allocUnsafe(capacity);
  }

  /** The buffer, for a later builder; this builder and batches it made must not be used after. */
  takeBuffer(): Buffer {
    const buf = this.buf;
    this.buf = EMPTY;
    this.pos = 0;
    return buf;
  }

  append(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestampMs: number): void {
    if (this.count === 0) this.baseTimestamp = timestampMs;
    if (timestampMs > this.maxTimestamp) this.maxTimestamp = timestampMs;
    const tsDelta = timestampMs - this.baseTimestamp;
    const offsetDelta = this.count;
    let body = 1 + sizeOfVarlong(tsDelta) + sizeOfVarlong(offsetDelta);
    body += key === null ? 1 : sizeOfVarlong(key.length) + key.length;
    body += value === null ? 1 : sizeOfVarlong(value.length) + value.length;
    const headerCount = headers === undefined ? 0 : headers.length;
    body += sizeOfVarlong(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i]!;
      const k = Buffer.byteLength(h.key, 'utf8');
      body += sizeOfVarlong(k) + k + (h.value === null ? 1 : sizeOfVarlong(h.value.length) + h.value.length);
    }
    this.ensure(sizeOfVarlong(body) + body);
    const buf = this.buf;
    let pos = writeZigZag(buf, this.pos, body);
    buf[pos++] = 0;
    pos = writeZigZag(buf, pos, tsDelta);
    pos = writeZigZag(buf, pos, offsetDelta);
    pos = writeBytes(buf, pos, key);
    pos = writeBytes(buf, pos, value);
    pos = writeZigZag(buf, pos, headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i]!;
      pos = writeZigZag(buf, pos, Buffer.byteLength(h.key, 'utf8'));
      pos += buf.write(h.key, pos, 'utf8');
      pos = writeBytes(buf, pos, h.value);
    }
    this.pos = pos;
    this.count++;
  }

  /**
   * Appends values `source[bounds[2i], bounds[2i+1])` from i = `from` (up to `to`) as records
   * with a null key, no headers and one CreateTime: the bulk path for plain input lines. It
   * takes values while their encoded records fit in `budgetBytes` (as Kafka's
   * MemoryRecordsBuilder.hasRoomFor checks exact sizes against batch.size), and the first
   * one regardless when `takeFirst`; returns the index after the last value taken, and in
   * `lastEstimateBytes` their size as the producer's buffer.memory accounting estimates it
   * (value + MAX_RECORD_OVERHEAD). No object per record: the source span is copied once into the
   * free end of the buffer, then each record is framed in place, moving its value down with
   * copyWithin (records are longer than their lines, so writing never overtakes reading).
   */
  appendValues(source: Uint8Array, bounds: Int32Array, from: number, to: number, timestampMs: number, budgetBytes = Infinity, takeFirst = true): number {
    this.lastEstimateBytes = 0;
    if (to <= from) return from;
    const tsDelta = timestampMs - (this.count === 0 ? timestampMs : this.baseTimestamp);
    const tsSize = sizeOfVarlong(tsDelta);
    // Sizes first: how many fit, where the span goes, whether gaps between values are small.
    let total = 0;
    let estimate = 0;
    let widestGap = 0;
    let end = from;
    for (let delta = this.count; end < to; end++, delta++) {
      const length = bounds[2 * end + 1]! - bounds[2 * end]!;
      const body = 1 + tsSize + sizeOfSmall(delta) + 1 + sizeOfSmall(length) + length + 1;
      const size = sizeOfSmall(body) + body;
      if (total + size > budgetBytes && (end > from || !takeFirst)) break;
      total += size;
      estimate += length + MAX_RECORD_OVERHEAD;
      // Values out of order or overlapping (one payload repeated) cannot be framed in place.
      if (end > from) widestGap = Math.max(widestGap, bounds[2 * end]! < bounds[2 * end - 1]! ? Infinity : bounds[2 * end]! - bounds[2 * end - 1]!);
    }
    if (end === from) return from;
    to = end;
    this.lastEstimateBytes = estimate;
    if (this.count === 0) this.baseTimestamp = timestampMs;
    if (timestampMs > this.maxTimestamp) this.maxTimestamp = timestampMs;
    const spanStart = bounds[2 * from]!;
    const spanEnd = bounds[2 * to - 1]!;
    this.ensure(total);
    const buf = this.buf;
    // A record's framing is at least 5 bytes: gaps up to that keep the writes behind the reads.
    const inPlace = widestGap <= 5;
    const shift = this.pos + total - spanEnd;
    if (inPlace) buf.set(source.subarray(spanStart, spanEnd), shift + spanStart);
    let pos = this.pos;
    let offsetDelta = this.count;
    // Lengths and offset deltas of a batch stay far below 2^30: varints with int32 shifts.
    const fixed = 1 + tsSize + 1 + 1; // attributes, timestamp delta, key, header count
    const tsZigZag = tsDelta >= 0 ? 2 * tsDelta : -2 * tsDelta - 1;
    for (let i = from; i < to; i++, offsetDelta++) {
      const start = bounds[2 * i]!;
      const length = bounds[2 * i + 1]! - start;
      pos = writeUnsignedVarint(buf, pos, 2 * (fixed + sizeOfSmall(offsetDelta) + sizeOfSmall(length) + length));
      buf[pos++] = 0;
      pos = tsSize === 1 ? ((buf[pos] = tsZigZag), pos + 1) : writeZigZag(buf, pos, tsDelta);
      pos = writeUnsignedVarint(buf, pos, 2 * offsetDelta);
      buf[pos++] = 1; // null key: zig-zag of -1
      pos = writeUnsignedVarint(buf, pos, 2 * length);
      if (inPlace) buf.copyWithin(pos, shift + start, shift + start + length);
      else buf.set(source.subarray(start, start + length), pos);
      pos += length;
      buf[pos++] = 0; // no headers
    }
    this.pos = pos;
    this.count += to - from;
    return to;
  }

  /**
   * The complete batch v2 (base offset 0), CRC included. Uncompressed, it shares the
   * builder's memory: a later call (a retry under a new producer id) rewrites its header.
   */
  toBatch(identity: BatchIdentity): Buffer {
    const codec = (identity.compression & ATTR_COMPRESSION_MASK) as CompressionType;
    let out: Buffer;
    if (codec === 0) {
      out = this.buf.subarray(0, this.pos);
    } else {
      const body = compress(codec, this.buf.subarray(RECORD_BATCH_OVERHEAD, this.pos));
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
      body.copy(out, RECORD_BATCH_OVERHEAD);
    }
    writeInt64(out, 0, 0);
    out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
    out.writeInt32BE(NO_PARTITION_LEADER_EPOCH, 12);
    out.writeInt8(MAGIC_V2, 16);
    out.writeInt16BE(codec | (identity.transactional ? ATTR_TRANSACTIONAL : 0), ATTRIBUTES_OFFSET);
    out.writeInt32BE(Math.max(0, this.count - 1), 23);
    writeInt64(out, 27, this.baseTimestamp);
    writeInt64(out, 35, this.maxTimestamp);
    writeInt64(out, 43, identity.producerId);
    out.writeInt16BE(identity.producerEpoch, 51);
    out.writeInt32BE(identity.baseSequence, 53);
    out.writeInt32BE(this.count, RECORDS_COUNT_OFFSET);
    out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
    return out;
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** sizeOfVarlong for a non-negative value, with the common small cases first. */
function sizeOfSmall(v: number): number {
  return v < 64 ? 1 : v < 8192 ? 2 : sizeOfVarlong(v);
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    buf[pos] = 1; // zig-zag of -1
    return pos + 1;
  }
  pos = writeZigZag(buf, pos, bytes.length);
  // TypedArray#set: far cheaper than Buffer#copy for record-sized pieces.
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/** Upper bound of a record's encoded size (Kafka's DefaultRecord.MAX_RECORD_OVERHEAD plus data). */
export function estimateRecordBytes(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[]): number {
  let n = MAX_RECORD_OVERHEAD + (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    n += 10 + Buffer.byteLength(h.key, 'utf8') + (h.value === null ? 0 : h.value.length);
  }
  return n;
}
