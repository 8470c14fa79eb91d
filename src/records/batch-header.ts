/**
 * Record batch v2 header: field offsets and zero-copy accessors. The broker keeps
 * batches as opaque bytes; this is all it reads of them on the hot path.
 * Layout: ../shared/reference/log-format.md §3.1.
 */
import { crc32c } from './crc32c.js';

export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
/** Bytes before the first record (`RECORD_BATCH_OVERHEAD`). */
export const RECORD_BATCH_OVERHEAD = 61;
/** BaseOffset + Length: the bytes of every log entry that precede what Length counts. */
export const LOG_OVERHEAD = 12;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** int64 as a JS number; offsets, timestamps and producer ids stay far below 2^53. */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * 4294967296, pos + 4);
}

/** Total size of the batch starting at `pos` (LOG_OVERHEAD + Length). */
export function batchSize(buf: Buffer, pos = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + LENGTH_OFFSET);
}

export const baseOffset = (b: Buffer, p = 0): number => readInt64(b, p + BASE_OFFSET_OFFSET);
export const partitionLeaderEpoch = (b: Buffer, p = 0): number => b.readInt32BE(p + PARTITION_LEADER_EPOCH_OFFSET);
export const magic = (b: Buffer, p = 0): number => b.readInt8(p + MAGIC_OFFSET);
export const storedCrc = (b: Buffer, p = 0): number => b.readUInt32BE(p + CRC_OFFSET);
export const attributes = (b: Buffer, p = 0): number => b.readInt16BE(p + ATTRIBUTES_OFFSET);
export const lastOffsetDelta = (b: Buffer, p = 0): number => b.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET);
export const baseTimestamp = (b: Buffer, p = 0): number => readInt64(b, p + BASE_TIMESTAMP_OFFSET);
export const maxTimestamp = (b: Buffer, p = 0): number => readInt64(b, p + MAX_TIMESTAMP_OFFSET);
export const producerId = (b: Buffer, p = 0): number => readInt64(b, p + PRODUCER_ID_OFFSET);
export const producerEpoch = (b: Buffer, p = 0): number => b.readInt16BE(p + PRODUCER_EPOCH_OFFSET);
export const baseSequence = (b: Buffer, p = 0): number => b.readInt32BE(p + BASE_SEQUENCE_OFFSET);
export const recordsCount = (b: Buffer, p = 0): number => b.readInt32BE(p + RECORDS_COUNT_OFFSET);

export const compressionType = (b: Buffer, p = 0): number => attributes(b, p) & ATTR_COMPRESSION_MASK;
export const isTransactional = (b: Buffer, p = 0): boolean => (attributes(b, p) & ATTR_TRANSACTIONAL) !== 0;
export const isControl = (b: Buffer, p = 0): boolean => (attributes(b, p) & ATTR_CONTROL) !== 0;
export const timestampType = (b: Buffer, p = 0): TimestampType =>
  (attributes(b, p) & ATTR_TIMESTAMP_TYPE) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
export const lastOffset = (b: Buffer, p = 0): number => baseOffset(b, p) + lastOffsetDelta(b, p);

/** CRC-32C over attributes..end of the batch at `pos`, as stored in the CRC field. */
export function computeBatchCrc(buf: Buffer, pos = 0): number {
  return crc32c(buf, pos + ATTRIBUTES_OFFSET, pos + batchSize(buf, pos));
}

export function isCrcValid(buf: Buffer, pos = 0): boolean {
  return computeBatchCrc(buf, pos) === storedCrc(buf, pos);
}

/** Patch the base offset in place; the CRC does not cover it. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + BASE_OFFSET_OFFSET, offset);
}

/** Patch the partition leader epoch in place; the CRC does not cover it. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH_OFFSET);
}

/** LogAppendTime: set the timestamp-type bit and MaxTimestamp, then recompute the CRC (covered fields changed). */
export function setLogAppendTime(buf: Buffer, pos: number, timestampMs: number): void {
  buf.writeInt16BE(attributes(buf, pos) | ATTR_TIMESTAMP_TYPE, pos + ATTRIBUTES_OFFSET);
  writeInt64(buf, pos + MAX_TIMESTAMP_OFFSET, timestampMs);
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + CRC_OFFSET);
}

const INT32_MAX = 2147483647;

/** Producer sequences wrap from Int32.MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** The inverse of incrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}
