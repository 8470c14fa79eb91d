/**
 * Legacy message sets, magic 0 and 1 (Kafka < 0.11). A log entry is Offset int64,
 * Size int32, then one message: CRC-32 (over magic..end), Magic, Attributes (codec bits,
 * timestamp-type bit in v1), Timestamp int64 (v1 only), Key and Value as int32-length
 * bytes. A compressed set is one wrapper message whose value is a compressed inner
 * message set; inner offsets are absolute in v0 and relative (0..n-1) in v1, where the
 * wrapper's offset is the absolute offset of the last inner message.
 */
import { crc32 } from 'node:zlib';
import { CorruptDataError } from '../util/errors.js';
import { CompressionType, LOG_OVERHEAD, readInt64, TimestampType, writeInt64 } from './batch-header.js';
import { compress, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from './compression/index.js';

export const MAGIC_V0 = 0;
export const MAGIC_V1 = 1;
export const HEADER_SIZE_V0 = 6;
export const HEADER_SIZE_V1 = 14;
/** Message overhead after LOG_OVERHEAD: CRC + header + two int32 lengths. */
export const RECORD_OVERHEAD_V0 = 14;
export const RECORD_OVERHEAD_V1 = 22;
export const NO_TIMESTAMP = -1;
/** Timestamp type of a magic 0 message: it has none. */
export const NO_TIMESTAMP_TYPE = -1;
export type LegacyTimestampType = TimestampType | typeof NO_TIMESTAMP_TYPE;

const ATTR_CODEC_MASK = 0x07;
const ATTR_TIMESTAMP_TYPE = 0x08;

export interface LegacyMessageInput {
  /** Absolute offset; defaults to baseOffset + index. */
  offset?: number;
  /** Magic 1 only; defaults to NO_TIMESTAMP (-1). */
  timestampMs?: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageSetInput {
  magic: 0 | 1;
  baseOffset?: number;
  compression?: CompressionType;
  /** Magic 1 only: LogAppendTime sets the wrapper's timestamp-type bit and timestamp. */
  timestampType?: TimestampType;
  logAppendTimeMs?: number;
  messages: readonly LegacyMessageInput[];
}

export interface LegacyMessage {
  offset: number;
  magic: number;
  attributes: number;
  compression: number;
  timestampType: LegacyTimestampType;
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
  /** Entry size: LOG_OVERHEAD + message size. */
  sizeInBytes: number;
  /** With `verifyCrc: 'report'`: whether the CRC matches (the message is decoded either way). */
  isValid?: boolean;
}

function messageSize(magic: number, key: Buffer | null, value: Buffer | null): number {
  return (magic === 0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1) + (key?.length ?? 0) + (value?.length ?? 0);
}

function writeBytes32(out: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    out.writeInt32BE(-1, pos);
    return pos + 4;
  }
  out.writeInt32BE(bytes.length, pos);
  return pos + 4 + bytes.copy(out, pos + 4);
}

/** Write one entry (offset, size, message) at `pos`; returns the position after it. */
function writeEntry(
  out: Buffer,
  pos: number,
  offset: number,
  magic: number,
  attributes: number,
  timestampMs: number,
  key: Buffer | null,
  value: Buffer | null,
): number {
  const size = messageSize(magic, key, value);
  writeInt64(out, pos, offset);
  out.writeInt32BE(size, pos + 8);
  const crcAt = pos + LOG_OVERHEAD;
  let p = crcAt + 4;
  out.writeInt8(magic, p++);
  out.writeInt8(attributes, p++);
  if (magic === 1) {
    writeInt64(out, p, timestampMs);
    p += 8;
  }
  p = writeBytes32(out, p, key);
  p = writeBytes32(out, p, value);
  out.writeUInt32BE(crc32(out.subarray(crcAt + 4, p)) >>> 0, crcAt);
  return p;
}

function encodePlainSet(
  magic: number,
  entries: readonly { offset: number; timestampMs: number; key: Buffer | null; value: Buffer | null }[],
  attributes = 0,
): Buffer {
  let total = 0;
  for (const e of entries) total += LOG_OVERHEAD + messageSize(magic, e.key, e.value);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const e of entries) pos = writeEntry(out, pos, e.offset, magic, attributes, e.timestampMs, e.key, e.value);
  return out;
}

/**
 * Encode a message set. Uncompressed: one entry per message. Compressed: one wrapper
 * entry, as Kafka's producer/broker wrote it for the given magic (LZ4 with the broken
 * header checksum for magic 0).
 */
export function encodeLegacyMessageSet(input: LegacyMessageSetInput): Buffer {
  const { magic } = input;
  const baseOffset = input.baseOffset ?? 0;
  const compression = input.compression ?? CompressionType.None;
  if (compression === CompressionType.Zstd) throw new CorruptDataError('zstd is not allowed in magic 0/1 message sets', 0);
  const absolute = input.messages.map((m, i) => ({
    offset: m.offset ?? baseOffset + i,
    timestampMs: magic === 0 ? NO_TIMESTAMP : (m.timestampMs ?? NO_TIMESTAMP),
    key: m.key,
    value: m.value,
  }));
  const logAppend = magic === 1 && input.timestampType === TimestampType.LogAppendTime;
  if (compression === CompressionType.None) {
    // Uncompressed v1 with LogAppendTime: every message carries the bit and the append time.
    if (!logAppend) return encodePlainSet(magic, absolute);
    const appendTime = input.logAppendTimeMs ?? maxTimestamp(absolute);
    return encodePlainSet(magic, absolute.map((m) => ({ ...m, timestampMs: appendTime })), ATTR_TIMESTAMP_TYPE);
  }
  const first = absolute[0]?.offset ?? baseOffset;
  const inner = magic === 1 ? absolute.map((m) => ({ ...m, offset: m.offset - first })) : absolute;
  const compressed = compress(compression, encodePlainSet(magic, inner), { lz4BrokenHeaderChecksum: magic === 0 });
  const lastOffset = absolute[absolute.length - 1]?.offset ?? baseOffset;
  let wrapperTimestamp = NO_TIMESTAMP;
  if (magic === 1) wrapperTimestamp = logAppend && input.logAppendTimeMs !== undefined ? input.logAppendTimeMs : maxTimestamp(absolute);
  const attributes = compression | (logAppend ? ATTR_TIMESTAMP_TYPE : 0);
  const out = Buffer.allocUnsafe(LOG_OVERHEAD + messageSize(magic, null, compressed));
  writeEntry(out, 0, lastOffset, magic, attributes, wrapperTimestamp, null, compressed);
  return out;
}

function maxTimestamp(messages: readonly { timestampMs: number }[]): number {
  let max = NO_TIMESTAMP;
  for (const m of messages) if (m.timestampMs > max) max = m.timestampMs;
  return max;
}

export interface LegacyDecodeOptions {
  /** Check each message's CRC-32 (default true); 'report' sets `isValid` instead of throwing. */
  verifyCrc?: boolean | 'report';
  maxDecompressedBytes?: number;
  /** Position of `buf[0]` in the file, for error positions. */
  basePosition?: number;
  /**
   * Refuse inner messages whose magic differs from the wrapper's. Kafka enforces this
   * when validating produced data; readers of stored data (and Kafka's) accept the mix.
   */
  ensureMatchingMagic?: boolean;
}

function readBytes32(buf: Buffer, pos: number, end: number, what: string, at: number): { bytes: Buffer | null; next: number } {
  if (end - pos < 4) throw new CorruptDataError(`${what}: truncated length`, at + pos);
  const len = buf.readInt32BE(pos);
  if (len === -1) return { bytes: null, next: pos + 4 };
  if (len < 0 || len > end - pos - 4) throw new CorruptDataError(`${what}: length ${len} does not fit the ${end - pos - 4} bytes left`, at + pos);
  return { bytes: buf.subarray(pos + 4, pos + 4 + len), next: pos + 4 + len };
}

/** Decode the single entry (message or wrapper, not its inner set) at `buf[pos]`. */
export function decodeLegacyEntry(buf: Buffer, pos = 0, options: LegacyDecodeOptions = {}): LegacyMessage {
  const base = options.basePosition ?? 0;
  if (buf.length - pos < LOG_OVERHEAD + RECORD_OVERHEAD_V0) {
    throw new CorruptDataError(`legacy message needs at least ${LOG_OVERHEAD + RECORD_OVERHEAD_V0} bytes, ${Math.max(0, buf.length - pos)} left`, base + pos);
  }
  const size = buf.readInt32BE(pos + 8);
  const magic = buf.readInt8(pos + 16);
  if (magic !== 0 && magic !== 1) throw new CorruptDataError(`legacy message magic ${magic}`, base + pos + 16);
  const minSize = magic === 0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1;
  if (size < minSize) throw new CorruptDataError(`legacy message size ${size} is below the minimum ${minSize}`, base + pos + 8);
  if (size > buf.length - pos - LOG_OVERHEAD) throw new CorruptDataError(`legacy message size ${size} runs past the ${buf.length - pos - LOG_OVERHEAD} bytes left`, base + pos + 8);
  const end = pos + LOG_OVERHEAD + size;
  const crc = buf.readUInt32BE(pos + 12);
  let isValid: boolean | undefined;
  if (options.verifyCrc !== false) {
    const computed = crc32(buf.subarray(pos + 16, end)) >>> 0;
    if (options.verifyCrc === 'report') isValid = computed === crc;
    else if (computed !== crc) throw new CorruptDataError(`legacy message CRC mismatch: stored 0x${crc.toString(16)}, computed 0x${computed.toString(16)}`, base + pos + 12);
  }
  const attributes = buf.readInt8(pos + 17);
  let p = pos + 18;
  let timestampMs = NO_TIMESTAMP;
  let timestampType: LegacyTimestampType = NO_TIMESTAMP_TYPE;
  if (magic === 1) {
    timestampMs = readInt64(buf, p);
    timestampType = (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    p += 8;
  }
  const key = readBytes32(buf, p, end, 'legacy message key', base);
  const value = readBytes32(buf, key.next, end, 'legacy message value', base);
  if (value.next !== end) throw new CorruptDataError(`legacy message has ${end - value.next} bytes beyond its value`, base + value.next);
  const message: LegacyMessage = {
    offset: readInt64(buf, pos),
    magic,
    attributes,
    compression: attributes & ATTR_CODEC_MASK,
    timestampType,
    timestampMs,
    key: key.bytes,
    value: value.bytes,
    crc,
    sizeInBytes: LOG_OVERHEAD + size,
  };
  if (isValid !== undefined) message.isValid = isValid;
  return message;
}

/**
 * The messages of the entry at `buf[pos]`: itself if uncompressed, else the inner
 * messages of the wrapper with absolute offsets (and the wrapper's timestamp when it is
 * LogAppendTime). Nested compression and empty wrappers are corrupt, as in Kafka.
 */
export function* iterateLegacyMessages(buf: Buffer, pos = 0, options: LegacyDecodeOptions = {}): Generator<LegacyMessage, void, undefined> {
  const wrapper = decodeLegacyEntry(buf, pos, options);
  if (wrapper.compression === CompressionType.None) {
    yield wrapper;
    return;
  }
  const base = (options.basePosition ?? 0) + pos;
  // zstd needs magic 2 on produce (the broker refuses it), but like Kafka's reader we decode what is there.
  if (wrapper.compression > CompressionType.Zstd) {
    throw new CorruptDataError(`unknown compression type ${wrapper.compression}`, base + 17);
  }
  if (wrapper.value === null) throw new CorruptDataError('compressed wrapper message has a null value', base);
  let inner: Buffer;
  try {
    inner = decompress(wrapper.compression, wrapper.value, options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  } catch (err) {
    if (err instanceof CorruptDataError) throw new CorruptDataError(`wrapper message value: ${err.message}`, base, { cause: err });
    throw err;
  }
  const innerOptions: LegacyDecodeOptions = { verifyCrc: options.verifyCrc ?? true, basePosition: 0 };
  if (inner.length === 0) throw new CorruptDataError('compressed wrapper message holds no inner messages', base);
  // v1 inner offsets are relative: the wrapper carries the absolute offset of the last one.
  const absoluteBase = wrapper.magic === 1 ? wrapper.offset - lastInnerOffset(inner) : 0;
  if (absoluteBase < 0) throw new CorruptDataError(`wrapper offset ${wrapper.offset} is below its inner relative offsets`, base);
  for (let p = 0; p < inner.length; ) {
    const m = decodeInner(inner, p, innerOptions, base);
    if (options.ensureMatchingMagic === true && m.magic !== wrapper.magic) {
      throw new CorruptDataError(`inner message magic ${m.magic} differs from wrapper magic ${wrapper.magic}`, base);
    }
    if (m.compression !== CompressionType.None) throw new CorruptDataError('nested compressed message', base);
    p += m.sizeInBytes;
    if (wrapper.magic === 1) {
      m.offset = absoluteBase + m.offset;
      if (m.magic === 1 && wrapper.timestampType === TimestampType.LogAppendTime) {
        m.timestampMs = wrapper.timestampMs;
        m.timestampType = TimestampType.LogAppendTime;
      }
    }
    yield m;
  }
}

/** An inner message; its faults are reported at the wrapper's position (inner positions are not file positions). */
function decodeInner(inner: Buffer, pos: number, options: LegacyDecodeOptions, wrapperPosition: number): LegacyMessage {
  try {
    return decodeLegacyEntry(inner, pos, options);
  } catch (err) {
    if (err instanceof CorruptDataError) throw new CorruptDataError(`in the decompressed wrapper: ${err.message}`, wrapperPosition, { cause: err });
    throw err;
  }
}

/** Offset field of the last entry of an inner set, found by walking entry sizes only. */
function lastInnerOffset(inner: Buffer): number {
  let last = 0;
  for (let p = 0; p + LOG_OVERHEAD <= inner.length; ) {
    last = readInt64(inner, p);
    const size = inner.readInt32BE(p + 8);
    if (size < 0) break;
    p += LOG_OVERHEAD + size;
  }
  return last;
}
