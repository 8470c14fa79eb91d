/**
 * Record batch v2 (magic 2): encode a batch from plain records, decode its header, and
 * walk its records one at a time (decompressing the records section once). Records are
 * returned with `key`/`value`/header values as views into the batch (or into the
 * decompressed buffer), never copies. Layout: ../shared/reference/log-format.md §3.1.
 */
import { CorruptDataError } from '../util/errors.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  CompressionType,
  computeBatchCrc,
  CRC_OFFSET,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  readInt64,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TimestampType,
  writeInt64,
} from './batch-header.js';
import { compress, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from './compression/index.js';
import { crc32c } from './crc32c.js';
import { ByteCursor, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from '../protocol/varint.js';

export const MAGIC_V2 = 2;
/** Largest per-record overhead (DefaultRecord.MAX_RECORD_OVERHEAD). */
export const MAX_RECORD_OVERHEAD = 21;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
}

export interface RecordBatchInput {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** gzip/zstd level (see compression/index.ts CodecOptions.level). */
  compressionLevel?: number;
  timestampType?: TimestampType;
  transactional?: boolean;
  control?: boolean;
  /** Sets the delete-horizon bit; BaseTimestamp then holds this value. */
  deleteHorizonMs?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** MaxTimestamp for LogAppendTime batches; defaults to the largest record timestamp. */
  logAppendTimeMs?: number;
  /** Only for batches emptied by compaction: the last offset delta they kept. */
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

export interface RecordBatchHeader {
  baseOffset: number;
  /** The Length field: bytes after it (total batch size is LOG_OVERHEAD + this). */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export interface KafkaRecord {
  offset: number;
  offsetDelta: number;
  timestampMs: number;
  timestampDelta: number;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Encoded size of the record, including its length varint. */
  sizeInBytes: number;
}

function headerKeyBytes(h: RecordHeader): number {
  return Buffer.byteLength(h.key, 'utf8');
}

function recordBodySize(r: RecordInput, offsetDelta: number, timestampDelta: number): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  size += r.key === null ? 1 : sizeOfVarint(r.key.length) + r.key.length;
  size += r.value === null ? 1 : sizeOfVarint(r.value.length) + r.value.length;
  const headers = r.headers ?? [];
  size += sizeOfVarint(headers.length);
  for (const h of headers) {
    const k = headerKeyBytes(h);
    size += sizeOfVarint(k) + k;
    size += h.value === null ? 1 : sizeOfVarint(h.value.length) + h.value.length;
  }
  return size;
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, bytes.length);
  return pos + bytes.copy(buf, pos);
}

function writeRecord(buf: Buffer, pos: number, r: RecordInput, bodySize: number, offsetDelta: number, timestampDelta: number): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0;
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeNullableBytes(buf, pos, r.key);
  pos = writeNullableBytes(buf, pos, r.value);
  const headers = r.headers ?? [];
  pos = writeVarint(buf, pos, headers.length);
  for (const h of headers) {
    pos = writeVarint(buf, pos, headerKeyBytes(h));
    pos += buf.write(h.key, pos, 'utf8');
    pos = writeNullableBytes(buf, pos, h.value);
  }
  return pos;
}

/** Encode the records section (uncompressed) of a batch whose deltas are relative to `baseTimestamp`. */
function encodeRecords(records: readonly RecordInput[], baseTimestamp: number): Buffer {
  const sizes = new Array<number>(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const body = recordBodySize(r, r.offsetDelta ?? i, r.timestampMs - baseTimestamp);
    sizes[i] = body;
    total += sizeOfVarint(body) + body;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeRecord(buf, pos, r, sizes[i]!, r.offsetDelta ?? i, r.timestampMs - baseTimestamp);
  }
  return buf;
}

function batchAttributes(input: RecordBatchInput): number {
  let attrs = (input.compression ?? CompressionType.None) & ATTR_COMPRESSION_MASK;
  if (input.timestampType === TimestampType.LogAppendTime) attrs |= ATTR_TIMESTAMP_TYPE;
  if (input.transactional === true) attrs |= ATTR_TRANSACTIONAL;
  if (input.control === true) attrs |= ATTR_CONTROL;
  if (input.deleteHorizonMs !== undefined) attrs |= ATTR_DELETE_HORIZON;
  return attrs;
}

/**
 * Encode a complete batch (BaseOffset through the last record), CRC included. As in
 * Kafka's MemoryRecordsBuilder, BaseTimestamp is the first record's timestamp (or the
 * delete horizon) and MaxTimestamp the largest record timestamp (or the append time).
 */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  const compression = input.compression ?? CompressionType.None;
  const first = records[0];
  const baseTimestamp = input.deleteHorizonMs ?? (first === undefined ? -1 : first.timestampMs);
  let maxTimestamp = -1;
  for (const r of records) if (r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs;
  if (input.timestampType === TimestampType.LogAppendTime && input.logAppendTimeMs !== undefined) maxTimestamp = input.logAppendTimeMs;
  const last = records[records.length - 1];
  const lastOffsetDelta = input.lastOffsetDelta ?? (last === undefined ? 0 : (last.offsetDelta ?? records.length - 1));

  const plain = encodeRecords(records, baseTimestamp);
  const codecOptions = input.compressionLevel === undefined ? {} : { level: input.compressionLevel };
  const body = compression === CompressionType.None ? plain : compress(compression, plain, codecOptions);
  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
  writeInt64(out, 0, input.baseOffset ?? 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, 12);
  out.writeInt8(MAGIC_V2, 16);
  out.writeInt16BE(batchAttributes(input), ATTRIBUTES_OFFSET);
  out.writeInt32BE(lastOffsetDelta, 23);
  writeInt64(out, 27, baseTimestamp);
  writeInt64(out, 35, maxTimestamp);
  writeInt64(out, 43, input.producerId ?? NO_PRODUCER_ID);
  out.writeInt16BE(input.producerEpoch ?? NO_PRODUCER_EPOCH, 51);
  out.writeInt32BE(input.baseSequence ?? NO_SEQUENCE, 53);
  out.writeInt32BE(records.length, RECORDS_COUNT_OFFSET);
  body.copy(out, RECORD_BATCH_OVERHEAD);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
  return out;
}

/**
 * Decode and check the 61-byte header of the batch at `pos`: enough bytes, magic 2, a
 * Length that fits the buffer and the header. Does not check the CRC (see verifyRecordBatch).
 */
export function decodeBatchHeader(buf: Buffer, pos = 0, basePosition = 0): RecordBatchHeader {
  const at = basePosition + pos;
  if (buf.length - pos < RECORD_BATCH_OVERHEAD) {
    throw new CorruptDataError(`record batch header needs ${RECORD_BATCH_OVERHEAD} bytes, ${Math.max(0, buf.length - pos)} left`, at);
  }
  const magic = buf.readInt8(pos + 16);
  if (magic !== MAGIC_V2) throw new CorruptDataError(`record batch magic ${magic}, expected 2`, at + 16);
  const batchLength = buf.readInt32BE(pos + 8);
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
    throw new CorruptDataError(`record batch length ${batchLength} is below the header size`, at + 8);
  }
  if (batchLength > buf.length - pos - LOG_OVERHEAD) {
    throw new CorruptDataError(`record batch length ${batchLength} runs past the ${buf.length - pos - LOG_OVERHEAD} bytes left`, at + 8);
  }
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const recordsCount = buf.readInt32BE(pos + RECORDS_COUNT_OFFSET);
  if (recordsCount < 0) throw new CorruptDataError(`negative record count ${recordsCount}`, at + RECORDS_COUNT_OFFSET);
  return {
    baseOffset: readInt64(buf, pos),
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic,
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes,
    compression: attributes & ATTR_COMPRESSION_MASK,
    timestampType: (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    hasDeleteHorizon: (attributes & ATTR_DELETE_HORIZON) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: readInt64(buf, pos + 27),
    maxTimestamp: readInt64(buf, pos + 35),
    producerId: readInt64(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount,
  };
}

/** Header checks plus the CRC-32C; throws CorruptDataError on the first problem. */
export function verifyRecordBatch(buf: Buffer, pos = 0, basePosition = 0): RecordBatchHeader {
  const header = decodeBatchHeader(buf, pos, basePosition);
  const computed = computeBatchCrc(buf, pos);
  if (computed !== header.crc) {
    throw new CorruptDataError(
      `record batch CRC mismatch: stored 0x${header.crc.toString(16)}, computed 0x${computed.toString(16)}`,
      basePosition + pos + CRC_OFFSET,
    );
  }
  return header;
}

export interface DecodeOptions {
  /** Check the CRC-32C before decoding (default true). */
  verifyCrc?: boolean;
  /** Bound on the decompressed records section. */
  maxDecompressedBytes?: number;
  /** File (or stream) position of `buf[0]`, for error positions. */
  basePosition?: number;
}

/** The records section of the batch at `pos`, decompressed, as a cursor over its bytes. */
function recordsCursor(buf: Buffer, pos: number, header: RecordBatchHeader, options: DecodeOptions): ByteCursor {
  const basePosition = options.basePosition ?? 0;
  const start = pos + RECORD_BATCH_OVERHEAD;
  const end = pos + LOG_OVERHEAD + header.batchLength;
  if (header.compression === CompressionType.None) return new ByteCursor(buf, start, end, basePosition);
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  let plain: Buffer;
  try {
    plain = decompress(header.compression, buf.subarray(start, end), maxBytes);
  } catch (err) {
    if (err instanceof CorruptDataError) {
      throw new CorruptDataError(`record batch records section: ${err.message}`, basePosition + start, { cause: err });
    }
    throw err;
  }
  // Positions inside decompressed data have no file meaning: say so in the message.
  return new ByteCursor(plain, 0, plain.length, 0, `in the decompressed records of the batch at byte ${basePosition + pos}: `);
}

/**
 * One record's fields, filled in place by `readRecordFields`: sizes and positions in the
 * cursor's buffer rather than views, so a reader that needs only some of them (dump-log's
 * deep iteration) allocates nothing per record.
 */
export class RecordFields {
  /** Position of the record's length varint, and of the byte after the record. */
  start = 0;
  end = 0;
  attributes = 0;
  timestampDelta = 0;
  offsetDelta = 0;
  /** -1 for a null key; its bytes are [keyStart, keyStart + keySize). */
  keySize = -1;
  keyStart = 0;
  valueSize = -1;
  valueStart = 0;
  headerCount = 0;
  /** Per header: key start, key size, value start, value size (-1: null). */
  readonly headerSpans: number[] = [];
}

/** Decode the next record at the cursor into `f`; every length is checked against the record's bytes. */
export function readRecordFields(c: ByteCursor, f: RecordFields): void {
  const start = c.pos;
  const length = c.readVarint();
  if (length < 0 || length > c.remaining) c.fail(`record length ${length} does not fit the ${c.remaining} bytes left`, start);
  const recordEnd = c.pos + length;
  const outerEnd = c.end;
  c.end = recordEnd;
  f.start = start;
  f.end = recordEnd;
  f.attributes = c.readInt8();
  f.timestampDelta = c.readVarlong();
  f.offsetDelta = c.readVarint();
  const keySize = c.skipVarintBytes('record key');
  f.keySize = keySize;
  f.keyStart = keySize < 0 ? c.pos : c.pos - keySize;
  const valueSize = c.skipVarintBytes('record value');
  f.valueSize = valueSize;
  f.valueStart = valueSize < 0 ? c.pos : c.pos - valueSize;
  const headerCount = c.readVarint();
  // Each header takes at least 2 bytes: a count larger than that is corrupt, not a reason to allocate.
  if (headerCount < 0 || headerCount * 2 > c.remaining) c.fail(`record header count ${headerCount} does not fit`, c.pos);
  f.headerCount = headerCount;
  if (headerCount > 0) readHeaderSpans(c, headerCount, f.headerSpans);
  if (c.pos !== recordEnd) c.fail(`record has ${recordEnd - c.pos} bytes beyond its fields`, c.pos);
  c.end = outerEnd;
}

function readHeaderSpans(c: ByteCursor, count: number, spans: number[]): void {
  spans.length = 0;
  for (let i = 0; i < count; i++) {
    const keySize = c.skipVarintBytes('header key');
    if (keySize < 0) c.fail('null header key');
    spans.push(c.pos - keySize, keySize);
    const valueSize = c.skipVarintBytes('header value');
    spans.push(valueSize < 0 ? c.pos : c.pos - valueSize, valueSize);
  }
}

/** The header keys of a record read by readRecordFields, as strings. */
export function recordHeaderKeys(data: Buffer, f: RecordFields): string[] {
  const keys: string[] = [];
  const spans = f.headerSpans;
  for (let i = 0; i < f.headerCount; i++) keys.push(data.toString('utf8', spans[4 * i]!, spans[4 * i]! + spans[4 * i + 1]!));
  return keys;
}

function view(data: Buffer, start: number, size: number): Buffer | null {
  return size < 0 ? null : data.subarray(start, start + size);
}

/** The record read into `f` as a KafkaRecord (views into `data`, the cursor's buffer). */
function toKafkaRecord(data: Buffer, f: RecordFields, header: RecordBatchHeader): KafkaRecord {
  const headers: RecordHeader[] = [];
  const spans = f.headerSpans;
  for (let i = 0; i < f.headerCount; i++) {
    const k = 4 * i;
    headers.push({ key: data.toString('utf8', spans[k]!, spans[k]! + spans[k + 1]!), value: view(data, spans[k + 2]!, spans[k + 3]!) });
  }
  const timestampMs =
    header.timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : header.baseTimestamp + f.timestampDelta;
  return {
    offset: header.baseOffset + f.offsetDelta,
    offsetDelta: f.offsetDelta,
    timestampMs,
    timestampDelta: f.timestampDelta,
    attributes: f.attributes,
    key: view(data, f.keyStart, f.keySize),
    value: view(data, f.valueStart, f.valueSize),
    headers,
    sizeInBytes: f.end - f.start,
  };
}

/** Header (CRC checked unless `verifyCrc: false`) and a cursor over the batch's records, their count checked against its bytes. */
function openRecords(buf: Buffer, pos: number, options: DecodeOptions): { header: RecordBatchHeader; c: ByteCursor } {
  const basePosition = options.basePosition ?? 0;
  const header = options.verifyCrc === false ? decodeBatchHeader(buf, pos, basePosition) : verifyRecordBatch(buf, pos, basePosition);
  const c = recordsCursor(buf, pos, header, options);
  // Every record takes at least 7 bytes; a larger count is corrupt.
  if (header.recordsCount > c.remaining / 7 + 1) {
    throw new CorruptDataError(`record count ${header.recordsCount} cannot fit in ${c.remaining} bytes`, basePosition + pos + RECORDS_COUNT_OFFSET);
  }
  return { header, c };
}

function readNext(c: ByteCursor, header: RecordBatchHeader, i: number, f: RecordFields): void {
  if (c.remaining === 0) c.fail(`batch declares ${header.recordsCount} records, holds ${i}`);
  readRecordFields(c, f);
}

function checkRecordsEnd(c: ByteCursor, header: RecordBatchHeader): void {
  if (c.remaining !== 0) c.fail(`${c.remaining} bytes after the last of ${header.recordsCount} records`);
}

/**
 * Iterate the records of the batch at `buf[pos]` without materialising them all: the
 * records section is decompressed once, then each record is decoded when asked for.
 * Checks the CRC first (unless `verifyCrc: false`), the record count, and that the
 * records fill the section exactly.
 */
export function* iterateRecords(buf: Buffer, pos = 0, options: DecodeOptions = {}): Generator<KafkaRecord, void, undefined> {
  const { header, c } = openRecords(buf, pos, options);
  const f = new RecordFields();
  for (let i = 0; i < header.recordsCount; i++) {
    readNext(c, header, i, f);
    yield toKafkaRecord(c.buf, f, header);
  }
  checkRecordsEnd(c, header);
}

/**
 * The same walk and checks as iterateRecords, for readers that want fields rather than
 * KafkaRecords: `onRecord` gets one reused RecordFields and the buffer its positions
 * refer to (the batch, or its decompressed records section). Records before a fault have
 * been handed over when the CorruptDataError is thrown. Returns the batch header.
 */
export function forEachRecordFields(
  buf: Buffer,
  pos: number,
  options: DecodeOptions,
  onRecord: (f: RecordFields, data: Buffer) => void,
): RecordBatchHeader {
  const { header, c } = openRecords(buf, pos, options);
  const f = new RecordFields();
  for (let i = 0; i < header.recordsCount; i++) {
    readNext(c, header, i, f);
    onRecord(f, c.buf);
  }
  checkRecordsEnd(c, header);
  return header;
}

export interface DecodedRecordBatch {
  header: RecordBatchHeader;
  records: KafkaRecord[];
  /** Total bytes of the batch (LOG_OVERHEAD + Length). */
  sizeInBytes: number;
}

/** Decode a whole batch: header and every record. */
export function decodeRecordBatch(buf: Buffer, pos = 0, options: DecodeOptions = {}): DecodedRecordBatch {
  const records = [...iterateRecords(buf, pos, options)];
  const header = decodeBatchHeader(buf, pos, options.basePosition ?? 0);
  return { header, records, sizeInBytes: LOG_OVERHEAD + header.batchLength };
}
