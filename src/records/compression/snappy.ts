/**
 * Snappy as Kafka carries it. The Java client writes xerial framing (magic
 * `\x82SNAPPY\0`, int32 version, int32 min-compatible version, then repeated int32 length +
 * raw snappy block); librdkafka writes one raw snappy block. We read both and write the
 * xerial form with 32 KiB blocks, as Java does. Each raw block states its uncompressed
 * size in a varint preamble, which we check against the byte budget before decoding.
 */
import { compressSync as snappyCompressRaw, uncompressSync as snappyUncompressRaw } from 'snappy';
import { CorruptDataError, errorMessage } from '../../util/errors.js';
import { quickUnsignedVarint, quickVarintEnd, varintRunsPastEnd } from '../../protocol/varint.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPAT_VERSION = 1;
/** SnappyOutputStream's default block size in snappy-java. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

export function isXerialFramed(input: Buffer): boolean {
  return input.length >= XERIAL_HEADER_BYTES && XERIAL_MAGIC.equals(input.subarray(0, 8));
}

export function snappyCompressXerial(input: Buffer): Buffer {
  const blocks: Buffer[] = [];
  let total = XERIAL_HEADER_BYTES;
  for (let pos = 0; pos < input.length; pos += XERIAL_BLOCK_BYTES) {
    const block = snappyCompressRaw(input.subarray(pos, Math.min(input.length, pos + XERIAL_BLOCK_BYTES)));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_COMPAT_VERSION, 12);
  let pos = XERIAL_HEADER_BYTES;
  for (const block of blocks) {
    out.writeInt32BE(block.length, pos);
    pos += 4 + block.copy(out, pos + 4);
  }
  return out;
}

/** One raw snappy block, exactly as librdkafka writes it. */
export function snappyCompressRawBlock(input: Buffer): Buffer {
  return snappyCompressRaw(input);
}

/** Uncompressed length from a raw block's varint preamble, validated against `budget`. */
function rawLength(input: Buffer, start: number, end: number, budget: number): number {
  const value = quickUnsignedVarint(input, start, end);
  if (quickVarintEnd < 0) {
    throw new CorruptDataError(varintRunsPastEnd(input, start, end, 5) ? 'snappy: truncated length preamble' : 'snappy: length preamble longer than 5 bytes', start);
  }
  if (value > budget) throw new CorruptDataError(`snappy: block declares ${value} bytes, above the ${budget} byte limit`, start);
  // Snappy cannot expand more than ~6x per literal/copy element byte; reject absurd claims cheaply.
  if (value > (end - quickVarintEnd + 1) * 64 + 64) throw new CorruptDataError(`snappy: block declares ${value} bytes from ${end - start} input bytes`, start);
  return value;
}

function uncompressRaw(input: Buffer, start: number, end: number, budget: number): Buffer {
  const expected = rawLength(input, start, end, budget);
  let out: Buffer;
  try {
    out = snappyUncompressRaw(input.subarray(start, end), { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new CorruptDataError(`snappy: ${errorMessage(err)}`, start);
  }
  if (out.length !== expected) throw new CorruptDataError(`snappy: block decoded to ${out.length} bytes, declared ${expected}`, start);
  return out;
}

/** Decompress xerial-framed or raw snappy, producing at most `maxBytes`. */
export function snappyDecompress(input: Buffer, maxBytes: number): Buffer {
  if (!isXerialFramed(input)) return uncompressRaw(input, 0, input.length, maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_BYTES;
  while (pos < input.length) {
    if (input.length - pos < 4) throw new CorruptDataError('snappy: truncated xerial block length', pos);
    const len = input.readInt32BE(pos);
    if (len < 0 || len > input.length - pos - 4) throw new CorruptDataError(`snappy: xerial block length ${len} runs past the input`, pos);
    const block = uncompressRaw(input, pos + 4, pos + 4 + len, maxBytes - total);
    parts.push(block);
    total += block.length;
    pos += 4 + len;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
