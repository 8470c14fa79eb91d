/**
 * LZ4 as Kafka frames it: the LZ4 frame format (magic 0x184D2204) written by the Java
 * client's KafkaLZ4BlockOutputStream (version 01, independent blocks, 64 KiB max block,
 * no block/content checksum). Old brokers computed the header checksum over the magic
 * too; Kafka keeps that "broken" variant for magic 0 message sets, so we read both and
 * write either. Blocks are compressed by lz4-napi (native). To decompress we first walk
 * the block headers, which bounds the output (block count x block size, and 255:1 per
 * block): within `maxBytes`, lz4-napi's native frame decoder runs; otherwise (or for
 * the legacy checksum, which it rejects) our own block decoder writes into one buffer
 * capped at `maxBytes`. Either way a hostile frame cannot make us allocate past the limit.
 */
import { compressSync as lz4CompressBlock, decompressFrameSync as lz4NativeDecompressFrame } from 'lz4-napi';
import { CorruptDataError, errorMessage } from '../../util/errors.js';
import { xxhash32 } from './xxhash32.js';

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_64KB = 0x40;
const BLOCK_UNCOMPRESSED = 0x80000000;
const WRITE_BLOCK_BYTES = 64 * 1024;

export interface Lz4FrameOptions {
  /** Header checksum over magic+descriptor, as Kafka writes for magic 0 message sets. */
  brokenHeaderChecksum?: boolean;
}

function headerChecksum(frame: Buffer, descriptorStart: number, descriptorEnd: number, broken: boolean): number {
  return (xxhash32(frame, broken ? descriptorStart - 4 : descriptorStart, descriptorEnd) >>> 8) & 0xff;
}

/** Compress `input` into one LZ4 frame laid out as Kafka's Java client writes it. */
export function lz4CompressFrame(input: Buffer, options: Lz4FrameOptions = {}): Buffer {
  const blocks: Buffer[] = [];
  let total = 7 + 4;
  for (let pos = 0; pos < input.length; pos += WRITE_BLOCK_BYTES) {
    const chunk = input.subarray(pos, Math.min(input.length, pos + WRITE_BLOCK_BYTES));
    // lz4-napi prefixes the raw block with its uncompressed size (4 bytes LE).
    const compressed = lz4CompressBlock(chunk).subarray(4);
    // Like Kafka's writer: a block that does not shrink is stored as is, flagged uncompressed.
    const shrank = compressed.length < chunk.length;
    const body = shrank ? compressed : chunk;
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(shrank ? body.length : (body.length | BLOCK_UNCOMPRESSED) >>> 0, 0);
    blocks.push(head, body);
    total += 4 + body.length;
  }
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(MAGIC, 0);
  out[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENCE;
  out[5] = BD_64KB;
  out[6] = headerChecksum(out, 4, 6, options.brokenHeaderChecksum === true);
  let pos = 7;
  for (const b of blocks) pos += b.copy(out, pos);
  out.writeUInt32LE(0, pos);
  return out;
}

interface FrameHeader {
  flags: number;
  /** The header checksum is the standard one (not Kafka's legacy "broken" form). */
  standardChecksum: boolean;
  blockMaxBytes: number;
  dataStart: number;
  contentSize: number | null;
}

function readFrameHeader(frame: Buffer, start: number, options: Lz4FrameOptions): FrameHeader {
  const fail = (msg: string, at: number): never => {
    throw new CorruptDataError(`lz4: ${msg}`, at);
  };
  if (frame.length - start < 7) fail('truncated frame header', start);
  const magic = frame.readUInt32LE(start);
  if (magic !== MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`, start);
  const flags = frame[start + 4]!;
  const bd = frame[start + 5]!;
  if ((flags & FLG_VERSION_MASK) !== FLG_VERSION) fail(`unsupported frame version in FLG 0x${flags.toString(16)}`, start + 4);
  if ((flags & FLG_RESERVED) !== 0 || (bd & 0x8f) !== 0) fail('reserved descriptor bits set', start + 4);
  if ((flags & FLG_DICT_ID) !== 0) fail('dictionary frames are not supported', start + 4);
  const sizeCode = (bd >> 4) & 0x07;
  if (sizeCode < 4) fail(`bad block size code ${sizeCode}`, start + 5);
  let end = start + 6;
  let contentSize: number | null = null;
  if ((flags & FLG_CONTENT_SIZE) !== 0) {
    if (frame.length - end < 9) fail('truncated frame header', start);
    contentSize = frame.readUInt32LE(end + 4) * 4294967296 + frame.readUInt32LE(end);
    end += 8;
  }
  const hc = frame[end]!;
  const correct = headerChecksum(frame, start + 4, end, false);
  const broken = headerChecksum(frame, start + 4, end, true);
  // Accept either form unless the caller pinned one: old data in the wild has both.
  const ok = options.brokenHeaderChecksum === undefined ? hc === correct || hc === broken : hc === (options.brokenHeaderChecksum ? broken : correct);
  if (!ok) fail('frame header checksum mismatch', end);
  return { flags, standardChecksum: hc === correct, blockMaxBytes: 1 << (8 + 2 * sizeCode), dataStart: end + 1, contentSize };
}

/**
 * Decompress one or more concatenated LZ4 frames. Throws CorruptDataError (position in
 * `input`) on bad framing, bad block data, checksum mismatch or output above `maxBytes`.
 */
export function lz4DecompressFrame(input: Buffer, maxBytes: number, options: Lz4FrameOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (pos < input.length) {
    if (input.length - pos >= 8 && (input.readUInt32LE(pos) & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      const skip = input.readUInt32LE(pos + 4);
      if (skip > input.length - pos - 8) throw new CorruptDataError('lz4: truncated skippable frame', pos);
      pos += 8 + skip;
      continue;
    }
    const frame = decodeOneFrame(input, pos, maxBytes - total, options);
    parts.push(frame.data);
    total += frame.data.length;
    pos = frame.end;
  }
  if (parts.length === 0) throw new CorruptDataError('lz4: no frame', 0);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/**
 * Walk the block headers: validates framing and bounds the output before allocating it.
 * Returns the bound and the position just after the frame (end mark and checksum).
 */
function frameExtent(input: Buffer, header: FrameHeader): { bound: number; end: number } {
  let bound = 0;
  let pos = header.dataStart;
  const checksumBytes = (header.flags & FLG_BLOCK_CHECKSUM) !== 0 ? 4 : 0;
  for (;;) {
    if (input.length - pos < 4) throw new CorruptDataError('lz4: truncated block header', pos);
    const word = input.readUInt32LE(pos);
    if (word === 0) break;
    const len = word & 0x7fffffff;
    if (len > header.blockMaxBytes) throw new CorruptDataError(`lz4: block of ${len} bytes exceeds the frame's ${header.blockMaxBytes}`, pos);
    if (len + checksumBytes > input.length - pos - 4) throw new CorruptDataError(`lz4: block of ${len} bytes runs past the input`, pos);
    const stored = (word & BLOCK_UNCOMPRESSED) !== 0;
    // LZ4 expands at most ~255:1; a block never exceeds the frame's block size.
    bound += stored ? len : Math.min(header.blockMaxBytes, len * 255 + 16);
    pos += 4 + len + checksumBytes;
  }
  pos += 4;
  if ((header.flags & FLG_CONTENT_CHECKSUM) !== 0) {
    if (input.length - pos < 4) throw new CorruptDataError('lz4: truncated content checksum', pos);
    pos += 4;
  }
  return { bound, end: pos };
}

function decodeOneFrame(input: Buffer, start: number, budget: number, options: Lz4FrameOptions): { data: Buffer; end: number } {
  const header = readFrameHeader(input, start, options);
  if ((header.flags & FLG_BLOCK_INDEPENDENCE) === 0) {
    // Kafka's Java client and librdkafka always write independent blocks.
    throw new CorruptDataError('lz4: linked-block frames are not supported', start + 4);
  }
  const extent = frameExtent(input, header);
  const cap = Math.min(extent.bound, budget, header.contentSize ?? Infinity);
  if (extent.bound <= budget && header.standardChecksum) {
    // Safe to hand to the native decoder: no frame with these block headers can exceed the budget.
    return { data: nativeFrame(input, start, extent.end, header), end: extent.end };
  }
  const out = Buffer.allocUnsafe(Math.max(0, cap));
  let d = 0;
  let pos = header.dataStart;
  for (;;) {
    const word = input.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const len = word & 0x7fffffff;
    const blockLimit = Math.min(out.length, d + header.blockMaxBytes);
    if ((word & BLOCK_UNCOMPRESSED) !== 0) {
      if (len > blockLimit - d) throw tooBig(budget, pos);
      input.copy(out, d, pos, pos + len);
      d += len;
    } else {
      d = lz4DecompressBlockInto(input, pos, pos + len, out, d, blockLimit, budget);
    }
    pos += len;
    if ((header.flags & FLG_BLOCK_CHECKSUM) !== 0) {
      if (input.readUInt32LE(pos) !== xxhash32(input, pos - len, pos)) throw new CorruptDataError('lz4: block checksum mismatch', pos);
      pos += 4;
    }
  }
  const data = out.subarray(0, d);
  if ((header.flags & FLG_CONTENT_CHECKSUM) !== 0) {
    if (input.readUInt32LE(pos) !== xxhash32(data)) throw new CorruptDataError('lz4: content checksum mismatch', pos);
    pos += 4;
  }
  if (header.contentSize !== null && header.contentSize !== d) {
    throw new CorruptDataError(`lz4: frame declares ${header.contentSize} bytes, holds ${d}`, start + 6);
  }
  return { data, end: pos };
}

function nativeFrame(input: Buffer, start: number, end: number, header: FrameHeader): Buffer {
  let data: Buffer;
  try {
    data = lz4NativeDecompressFrame(input.subarray(start, end));
  } catch (err) {
    throw new CorruptDataError(`lz4: ${errorMessage(err)}`, start);
  }
  if (header.contentSize !== null && header.contentSize !== data.length) {
    throw new CorruptDataError(`lz4: frame declares ${header.contentSize} bytes, holds ${data.length}`, start + 6);
  }
  return data;
}

function tooBig(budget: number, at: number): CorruptDataError {
  return new CorruptDataError(`lz4: output exceeds the ${budget} byte limit`, at);
}

/**
 * Decode one raw LZ4 block `src[start, end)` into `out` from `outPos`, writing no further
 * than `outLimit`. Returns the position after the decoded bytes.
 */
export function lz4DecompressBlockInto(src: Buffer, start: number, end: number, out: Buffer, outPos: number, outLimit: number, budget = outLimit): number {
  const blockStart = outPos;
  let s = start;
  let d = outPos;
  const bad = (msg: string): never => {
    throw new CorruptDataError(`lz4: ${msg}`, s);
  };
  while (s < end) {
    const token = src[s++]!;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (s >= end) bad('truncated literal length');
        b = src[s++]!;
        litLen += b;
      } while (b === 255);
    }
    if (litLen > end - s) bad('literals run past the block');
    if (litLen > outLimit - d) throw tooBig(budget, s);
    if (litLen < 16) {
      for (let i = 0; i < litLen; i++) out[d + i] = src[s + i]!;
    } else {
      src.copy(out, d, s, s + litLen);
    }
    s += litLen;
    d += litLen;
    if (s === end) break; // the last sequence has literals only
    if (end - s < 2) bad('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d - blockStart) bad(`match offset ${offset} outside the block`);
    let matchLen = (token & 0x0f) + 4;
    if ((token & 0x0f) === 15) {
      let b: number;
      do {
        if (s >= end) bad('truncated match length');
        b = src[s++]!;
        matchLen += b;
      } while (b === 255);
    }
    if (matchLen > outLimit - d) throw tooBig(budget, s);
    let m = d - offset;
    if (offset >= matchLen && matchLen >= 32) {
      out.copy(out, d, m, m + matchLen);
      d += matchLen;
    } else {
      // Overlapping copy: byte by byte repeats the pattern, as LZ4 intends.
      for (let i = 0; i < matchLen; i++) out[d++] = out[m++]!;
    }
  }
  return d;
}
