/**
 * Read-only views of one log entry for dump-log: the batch-level fields Kafka prints
 * (for record batch v2 and for legacy v0/v1 messages) and the records inside, decoded
 * with every length checked against the bytes left. Nothing here writes to a log.
 */
import { crc32 } from '@node-rs/crc32';
import * as H from '../records/batch-header.js';
import { compressionName, decompress } from '../records/compression/index.js';
import { ByteCursor } from '../records/varint.js';
import { CorruptDataError } from '../util/errors.js';
import type { LogEntry } from './log-scan.js';
import { decodeKraftControl } from './decoders/kraft-control.js';
import type { Json } from './decoders/schema-reader.js';

export type TimestampTypeName = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

export interface BatchInfo {
  position: number;
  size: number;
  magic: number;
  baseOffset: number;
  lastOffset: number;
  /** Records in the batch; null for legacy entries (Kafka's `countOrNull`). */
  count: number | null;
  baseSequence: number;
  lastSequence: number;
  producerId: number;
  producerEpoch: number;
  partitionLeaderEpoch: number;
  isTransactional: boolean;
  isControl: boolean;
  /** Set when the delete-horizon attribute bit is on (BaseTimestamp then holds it). */
  deleteHorizonMs: number | null;
  timestampType: TimestampTypeName;
  maxTimestamp: number;
  compressionType: number;
  compression: string;
  crc: number;
  isValid: boolean;
}

export type ControlInfo =
  | { kind: 'endTxn'; controlType: 'ABORT' | 'COMMIT'; coordinatorEpoch: number }
  | { kind: 'kraft'; controlType: string; typeId: number; label: string; data: Record<string, Json> }
  | { kind: 'other'; controlType: string; typeId: number };

export interface RecordInfo {
  offset: number;
  timestamp: number;
  keySize: number;
  valueSize: number;
  key: Buffer | null;
  value: Buffer | null;
  /** v2 only. */
  sequence?: number;
  headerKeys?: string[];
  /** Legacy only: the message's own CRC-32 and whether it matches. */
  legacy?: { isValid: boolean; crc: number };
  control?: ControlInfo;
}

const NO_TIMESTAMP = -1;
const INT32_MAX = 2147483647;
const LEGACY_KEY_OFFSET_V0 = 18;
const LEGACY_KEY_OFFSET_V1 = 26;

export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** Last offset of an entry from its header alone (no CRC, no records). */
export function entryLastOffset(e: LogEntry): number {
  if (e.magic >= 2 && e.size >= H.RECORD_BATCH_OVERHEAD) return H.lastOffset(e.buf, e.at);
  return H.readInt64(e.buf, e.at);
}

/**
 * Batch-level fields of an entry. `checksum` is the CRC computed elsewhere for an
 * incomplete (oversized) entry, whose bytes are not all in memory.
 */
export function decodeBatchInfo(entry: LogEntry, checksum?: number): BatchInfo {
  if (!entry.complete && checksum === undefined) throw new Error('an oversized entry needs its checksum computed from the file');
  return entry.magic >= 2 ? v2Info(entry, checksum) : legacyInfo(entry, checksum);
}

function v2Info(e: LogEntry, checksum: number | undefined): BatchInfo {
  const { buf, at } = e;
  if (e.size < H.RECORD_BATCH_OVERHEAD) {
    throw new CorruptDataError(`record batch of ${e.size} bytes is smaller than its ${H.RECORD_BATCH_OVERHEAD} byte header`, e.position);
  }
  const attributes = H.attributes(buf, at);
  const baseOffset = H.baseOffset(buf, at);
  const lastOffsetDelta = H.lastOffsetDelta(buf, at);
  const baseSequence = H.baseSequence(buf, at);
  const crc = H.storedCrc(buf, at);
  const codec = attributes & H.ATTR_COMPRESSION_MASK;
  return {
    position: e.position,
    size: e.size,
    magic: e.magic,
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    count: H.recordsCount(buf, at),
    baseSequence,
    lastSequence: baseSequence === -1 ? -1 : incrementSequence(baseSequence, lastOffsetDelta),
    producerId: H.producerId(buf, at),
    producerEpoch: H.producerEpoch(buf, at),
    partitionLeaderEpoch: H.partitionLeaderEpoch(buf, at),
    isTransactional: (attributes & H.ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & H.ATTR_CONTROL) !== 0,
    deleteHorizonMs: (attributes & H.ATTR_DELETE_HORIZON) !== 0 ? H.baseTimestamp(buf, at) : null,
    timestampType: (attributes & H.ATTR_TIMESTAMP_TYPE) !== 0 ? 'LogAppendTime' : 'CreateTime',
    maxTimestamp: H.maxTimestamp(buf, at),
    compressionType: codec,
    compression: compressionName(codec),
    crc,
    isValid: (checksum ?? H.computeBatchCrc(buf, at)) === crc,
  };
}

interface LegacyHeader {
  offset: number;
  crc: number;
  magic: number;
  attributes: number;
  timestamp: number;
  isValid: boolean;
}

/** The message at `buf[at]` (offset + size + message) of `size` bytes in all. */
function legacyHeader(buf: Buffer, at: number, size: number, position: number, checksum?: number): LegacyHeader {
  const magic = buf.readInt8(at + H.MAGIC_OFFSET);
  const keyOffset = magic === 0 ? LEGACY_KEY_OFFSET_V0 : LEGACY_KEY_OFFSET_V1;
  if (size < keyOffset + 8) throw new CorruptDataError(`v${magic} message of ${size} bytes is smaller than its header`, position);
  const crc = buf.readUInt32BE(at + 12);
  return {
    offset: H.readInt64(buf, at),
    crc,
    magic,
    attributes: buf.readInt8(at + 17),
    timestamp: magic === 0 ? NO_TIMESTAMP : H.readInt64(buf, at + 18),
    isValid: (checksum ?? crc32(buf.subarray(at + H.MAGIC_OFFSET, at + size)) >>> 0) === crc,
  };
}

function legacyTimestampType(h: LegacyHeader): TimestampTypeName {
  if (h.magic === 0) return 'NoTimestampType';
  return (h.attributes & H.ATTR_TIMESTAMP_TYPE) !== 0 ? 'LogAppendTime' : 'CreateTime';
}

function legacyInfo(e: LogEntry, checksum: number | undefined): BatchInfo {
  const h = legacyHeader(e.buf, e.at, e.size, e.position, checksum);
  const codec = h.attributes & H.ATTR_COMPRESSION_MASK;
  return {
    position: e.position,
    size: e.size,
    magic: e.magic,
    baseOffset: h.offset,
    lastOffset: h.offset,
    count: null,
    baseSequence: -1,
    lastSequence: -1,
    producerId: -1,
    producerEpoch: -1,
    partitionLeaderEpoch: -1,
    isTransactional: false,
    isControl: false,
    deleteHorizonMs: null,
    timestampType: legacyTimestampType(h),
    maxTimestamp: h.timestamp,
    compressionType: codec,
    compression: compressionName(codec),
    crc: h.crc,
    isValid: h.isValid,
  };
}

export interface DecodeLimits {
  maxDecompressedBytes: number;
  /** False when only sizes are needed: keys and values are then left null (saves a view per field). */
  payloads?: boolean;
}

/** Every record of the entry, in order. Throws CorruptDataError (with a file position) on bad bytes. */
/**
 * Hand every record of the entry to `onRecord`, in order, one at a time (a batch of tiny
 * records would otherwise become millions of objects at once). Returns the count. Throws
 * CorruptDataError (with a file position) on bad bytes; records before the fault were handed over.
 */
export function decodeRecords(entry: LogEntry, info: BatchInfo, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  if (!entry.complete) {
    throw new CorruptDataError(`the ${entry.size} byte entry is larger than the inspector decodes at once; its records are not read`, entry.position);
  }
  return entry.magic >= 2 ? v2Records(entry, info, limits, onRecord) : legacyRecords(entry, info, limits, onRecord);
}

function v2Records(e: LogEntry, info: BatchInfo, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  const start = e.at + H.RECORD_BATCH_OVERHEAD;
  const end = e.at + e.size;
  let r: RecordReader;
  if (info.compressionType === 0) {
    r = new RecordReader(e.buf, start, end, e.position - e.at);
  } else {
    let plain: Buffer;
    try {
      plain = decompress(info.compressionType, e.buf.subarray(start, end), limits.maxDecompressedBytes);
    } catch (err) {
      throw new CorruptDataError(`cannot decompress ${info.compression} records: ${(err as Error).message}`, e.position + H.RECORD_BATCH_OVERHEAD);
    }
    // Positions inside a decompressed payload have no file position: report the payload start.
    r = new RecordReader(plain, 0, plain.length, e.position + H.RECORD_BATCH_OVERHEAD);
    r.inPayload = true;
  }
  const count = info.count ?? 0;
  if (count < 0) throw new CorruptDataError(`negative record count ${count}`, e.position + H.RECORDS_COUNT_OFFSET);
  const baseTimestamp = H.baseTimestamp(e.buf, e.at);
  const payloads = limits.payloads !== false;
  for (let i = 0; i < count; i++) onRecord(v2Record(r, info, baseTimestamp, payloads));
  if (r.pos < r.end) r.fail(`${r.end - r.pos} bytes left after the batch's ${count} records`);
  return count;
}

/**
 * The record fields of one batch, read with a one-byte fast path for varints (most
 * lengths and deltas fit in one byte): deep iteration spends its time here.
 */
class RecordReader {
  pos: number;
  end: number;
  inPayload = false;
  constructor(
    readonly buf: Buffer,
    start: number,
    end: number,
    private readonly basePosition: number,
  ) {
    this.pos = start;
    this.end = end;
  }

  fail(message: string, at = this.pos): never {
    throw new CorruptDataError(this.inPayload ? `${message} (at byte ${at} of the decompressed records)` : message, this.inPayload ? this.basePosition : this.basePosition + at);
  }

  /** Unsigned varint as a number (up to 10 bytes; exact below 2^53). */
  private unsigned(maxBytes: number): number {
    const buf = this.buf;
    const first = this.pos;
    if (first >= this.end) this.fail('truncated varint');
    const b0 = buf[first]!;
    if (b0 < 0x80) {
      this.pos = first + 1;
      return b0;
    }
    let value = b0 & 0x7f;
    let scale = 128;
    for (let i = 1; i < maxBytes; i++) {
      const at = first + i;
      if (at >= this.end) this.fail('truncated varint', first);
      const b = buf[at]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = at + 1;
        return value;
      }
      scale *= 128;
    }
    return this.fail('varint too long', first);
  }

  varint(): number {
    const u = this.unsigned(5);
    if (u > 0xffffffff) this.fail('varint over 32 bits');
    return (u >>> 1) ^ -(u & 1);
  }

  varlong(): number {
    const u = this.unsigned(10);
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  int8(): number {
    if (this.pos >= this.end) this.fail('truncated record attributes');
    return this.buf.readInt8(this.pos++);
  }

  /** Skip a varint-length field; its length (-1 for null). */
  skip(what: string): number {
    const at = this.pos;
    const len = this.varint();
    if (len === -1) return -1;
    if (len < -1) this.fail(`${what}: negative length ${len}`, at);
    if (len > this.end - this.pos) this.fail(`${what}: length ${len} exceeds the ${this.end - this.pos} bytes left`, at);
    this.pos += len;
    return len;
  }

  bytes(what: string): Buffer | null {
    const len = this.skip(what);
    return len < 0 ? null : this.buf.subarray(this.pos - len, this.pos);
  }
}

/** Shared by every record without headers; never mutated. */
const NO_HEADER_KEYS: string[] = [];

function v2Record(r: RecordReader, info: BatchInfo, baseTimestamp: number, payloads: boolean): RecordInfo {
  const at = r.pos;
  const length = r.varint();
  if (length < 0 || length > r.end - r.pos) r.fail(`record length ${length} overruns the batch (${r.end - r.pos} bytes left)`, at);
  const recordEnd = r.pos + length;
  const saved = r.end;
  r.end = recordEnd;
  r.int8();
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  // Control records always need their key and value (marker type, coordinator epoch).
  const keep = payloads || info.isControl;
  const keySize = r.skip('record key');
  const valueStart = r.pos;
  const valueSize = r.skip('record value');
  const key = keep && keySize >= 0 ? r.buf.subarray(valueStart - keySize, valueStart) : null;
  const value = keep && valueSize >= 0 ? r.buf.subarray(r.pos - valueSize, r.pos) : null;
  const headerCount = r.varint();
  if (headerCount < 0 || headerCount > r.end - r.pos) r.fail(`header count ${headerCount} is invalid`);
  const headerKeys: string[] = headerCount === 0 ? NO_HEADER_KEYS : [];
  for (let h = 0; h < headerCount; h++) {
    const k = r.bytes('header key');
    if (k === null) r.fail('null header key');
    headerKeys.push(k.toString('utf8'));
    r.bytes('header value');
  }
  if (r.pos !== recordEnd) r.fail(`record declares ${length} bytes but its fields end ${recordEnd - r.pos} bytes early`, at);
  r.end = saved;
  const rec: RecordInfo = {
    offset: info.baseOffset + offsetDelta,
    timestamp: info.timestampType === 'LogAppendTime' ? info.maxTimestamp : baseTimestamp + timestampDelta,
    keySize,
    valueSize,
    key,
    value,
    sequence: info.baseSequence === -1 ? -1 : incrementSequence(info.baseSequence, offsetDelta),
    headerKeys,
  };
  if (info.isControl) rec.control = controlInfo(key, value);
  return rec;
}

const CONTROL_TYPES = ['ABORT', 'COMMIT', 'LEADER_CHANGE', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS'];

function controlInfo(key: Buffer | null, value: Buffer | null): ControlInfo {
  const typeId = key !== null && key.length >= 4 ? key.readInt16BE(2) : -1;
  if ((typeId === 0 || typeId === 1) && value !== null && value.length >= 6) {
    return { kind: 'endTxn', controlType: typeId === 0 ? 'ABORT' : 'COMMIT', coordinatorEpoch: value.readInt32BE(2) };
  }
  const controlType = CONTROL_TYPES[typeId] ?? 'UNKNOWN';
  const kraft = decodeKraftControl(typeId, value);
  if (kraft !== null) return { kind: 'kraft', controlType, typeId, ...kraft };
  return { kind: 'other', controlType, typeId };
}

interface LegacyMessage {
  header: LegacyHeader;
  key: Buffer | null;
  value: Buffer | null;
}

function legacyMessage(buf: Buffer, at: number, size: number, position: number): LegacyMessage {
  const header = legacyHeader(buf, at, size, position);
  const c = new ByteCursor(buf, at + (header.magic === 0 ? LEGACY_KEY_OFFSET_V0 : LEGACY_KEY_OFFSET_V1), at + size, position - at);
  const key = legacyBytes(c, 'key');
  const value = legacyBytes(c, 'value');
  if (c.remaining !== 0) c.fail(`${c.remaining} unexpected bytes after the message value`);
  return { header, key, value };
}

function legacyBytes(c: ByteCursor, what: string): Buffer | null {
  const len = c.readInt32();
  if (len < 0) return null;
  return c.readBytes(len, what);
}

function legacyRecord(m: LegacyMessage, offset: number, timestamp: number): RecordInfo {
  return {
    offset,
    timestamp,
    keySize: m.key === null ? -1 : m.key.length,
    valueSize: m.value === null ? -1 : m.value.length,
    key: m.key,
    value: m.value,
    legacy: { isValid: m.header.isValid, crc: m.header.crc },
  };
}

function legacyRecords(e: LogEntry, info: BatchInfo, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  const outer = legacyMessage(e.buf, e.at, e.size, e.position);
  if (info.compressionType === 0) {
    onRecord(legacyRecord(outer, outer.header.offset, outer.header.timestamp));
    return 1;
  }
  if (outer.value === null) throw new CorruptDataError('compressed wrapper message has a null value', e.position);
  let inner: Buffer;
  try {
    inner = decompress(info.compressionType, outer.value, limits.maxDecompressedBytes, { lz4BrokenHeaderChecksum: e.magic === 0 });
  } catch (err) {
    throw new CorruptDataError(`cannot decompress ${info.compression} wrapper: ${(err as Error).message}`, e.position);
  }
  // v1 wrappers hold relative inner offsets, made absolute from the last one; v0 wrappers hold absolute ones.
  const positions = innerPositions(inner, e.position);
  const lastInner = positions.length > 0 ? H.readInt64(inner, positions[positions.length - 1]!) : 0;
  for (let i = 0; i < positions.length; i++) {
    const at = positions[i]!;
    const end = i + 1 < positions.length ? positions[i + 1]! : inner.length;
    const m = legacyMessage(inner, at, end - at, e.position);
    const offset = e.magic === 0 ? m.header.offset : outer.header.offset - lastInner + m.header.offset;
    const timestamp = e.magic === 0 ? NO_TIMESTAMP : info.timestampType === 'LogAppendTime' ? outer.header.timestamp : m.header.timestamp;
    onRecord(legacyRecord(m, offset, timestamp));
  }
  return positions.length;
}

/** Start of each message in a decompressed inner message set (numbers only: 8 bytes per message at most). */
function innerPositions(inner: Buffer, wrapperPosition: number): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < inner.length) {
    if (pos + H.LOG_OVERHEAD > inner.length) throw new CorruptDataError('torn message inside a compressed wrapper', wrapperPosition);
    const size = H.LOG_OVERHEAD + inner.readInt32BE(pos + 8);
    if (size < H.LOG_OVERHEAD + 14 || pos + size > inner.length) {
      throw new CorruptDataError(`inner message size ${size - H.LOG_OVERHEAD} is invalid`, wrapperPosition);
    }
    out.push(pos);
    pos += size;
  }
  return out;
}

