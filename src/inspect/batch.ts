/**
 * Read-only views of one log entry for dump-log: the batch-level fields Kafka prints
 * (for record batch v2 and for legacy v0/v1 messages, read from the header alone, so an
 * entry too large to hold in memory still has them) and the records inside, decoded by
 * the records module. Nothing here writes to a log.
 */
import { crc32 } from '@node-rs/crc32';
import * as H from '../records/batch-header.js';
import { compressionName } from '../records/compression/index.js';
import { iterateLegacyMessages } from '../records/legacy.js';
import { type RecordFields, forEachRecordFields, recordHeaderKeys } from '../records/record-batch.js';
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
const LEGACY_KEY_OFFSET_V0 = 18;
const LEGACY_KEY_OFFSET_V1 = 26;

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
    lastSequence: baseSequence === -1 ? -1 : H.incrementSequence(baseSequence, lastOffsetDelta),
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

/**
 * Hand every record of the entry to `onRecord`, in order, one at a time (a batch of tiny
 * records would otherwise become millions of objects at once), decoded by the records
 * module. Returns the count. Throws CorruptDataError (with a file position) on bad bytes;
 * records before the fault were handed over.
 */
export function decodeRecords(entry: LogEntry, info: BatchInfo, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  checkComplete(entry);
  return entry.magic >= 2 ? v2Records(entry, info, limits, onRecord) : legacyRecords(entry, limits, onRecord);
}

function checkComplete(entry: LogEntry): void {
  if (!entry.complete) {
    throw new CorruptDataError(`the ${entry.size} byte entry is larger than the inspector decodes at once; its records are not read`, entry.position);
  }
}

/**
 * The records of a v2 entry as the records module reads them: one reused RecordFields
 * (positions in `data`, the batch or its decompressed records) per record, nothing
 * allocated per record. Same checks, errors and count as decodeRecords.
 */
export function forEachV2RecordFields(entry: LogEntry, limits: DecodeLimits, onRecord: (f: RecordFields, data: Buffer) => void): number {
  checkComplete(entry);
  const options = { verifyCrc: false, maxDecompressedBytes: limits.maxDecompressedBytes, basePosition: entry.position - entry.at };
  return forEachRecordFields(entry.buf, entry.at, options, onRecord).recordsCount;
}

function v2Records(e: LogEntry, info: BatchInfo, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  const baseTimestamp = H.baseTimestamp(e.buf, e.at);
  // Control records always need their key and value (marker type, coordinator epoch).
  const payloads = limits.payloads !== false || info.isControl;
  // The CRC was checked for BatchInfo.isValid: dump-log shows the records of a bad batch too.
  const options = { verifyCrc: false, maxDecompressedBytes: limits.maxDecompressedBytes, basePosition: e.position - e.at };
  const header = forEachRecordFields(e.buf, e.at, options, (f, data) => onRecord(v2Record(f, data, info, baseTimestamp, payloads)));
  return header.recordsCount;
}

/** Shared by every record without headers; never mutated. */
const NO_HEADER_KEYS: string[] = [];

function v2Record(f: RecordFields, data: Buffer, info: BatchInfo, baseTimestamp: number, payloads: boolean): RecordInfo {
  const key = payloads && f.keySize >= 0 ? data.subarray(f.keyStart, f.keyStart + f.keySize) : null;
  const value = payloads && f.valueSize >= 0 ? data.subarray(f.valueStart, f.valueStart + f.valueSize) : null;
  const rec: RecordInfo = {
    offset: info.baseOffset + f.offsetDelta,
    timestamp: info.timestampType === 'LogAppendTime' ? info.maxTimestamp : baseTimestamp + f.timestampDelta,
    keySize: f.keySize,
    valueSize: f.valueSize,
    key,
    value,
    sequence: info.baseSequence === -1 ? -1 : H.incrementSequence(info.baseSequence, f.offsetDelta),
    headerKeys: f.headerCount === 0 ? NO_HEADER_KEYS : recordHeaderKeys(data, f),
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

/** A legacy entry's messages (the inner ones of a compressed wrapper), each with its own CRC check. */
function legacyRecords(e: LogEntry, limits: DecodeLimits, onRecord: (r: RecordInfo) => void): number {
  const options = { verifyCrc: 'report' as const, maxDecompressedBytes: limits.maxDecompressedBytes, basePosition: e.position - e.at };
  let n = 0;
  for (const m of iterateLegacyMessages(e.buf, e.at, options)) {
    onRecord({
      offset: m.offset,
      timestamp: m.timestampMs,
      keySize: m.key === null ? -1 : m.key.length,
      valueSize: m.value === null ? -1 : m.value.length,
      key: m.key,
      value: m.value,
      legacy: { isValid: m.isValid === true, crc: m.crc },
    });
    n++;
  }
  return n;
}
