/**
 * The compression codecs of Kafka's record formats behind one pair of functions:
 * `compress(type, buf)` writes what the Java client writes; `decompress(type, buf,
 * maxBytes)` reads what any real client writes and never produces (or allocates much)
 * more than `maxBytes`, raising CorruptDataError instead.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { CorruptDataError, errorMessage, KtsError } from '../../util/errors.js';
import { CompressionType } from '../batch-header.js';
import { lz4CompressFrame, lz4DecompressFrame, type Lz4FrameOptions } from './lz4.js';
import { snappyCompressXerial, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

export { CompressionType } from '../batch-header.js';

/** Default bound on decompressed bytes: above Kafka's largest sane fetch/batch sizes. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const NAMES: Record<number, string> = { 0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' };

export function compressionName(type: number): string {
  return NAMES[type] ?? `unknown(${type})`;
}

/** Parse a Kafka `compression.type` name ("none", "gzip", ...). */
export function compressionTypeFromName(name: string): CompressionType | undefined {
  const entry = Object.entries(NAMES).find(([, n]) => n === name.toLowerCase());
  return entry === undefined ? undefined : (Number(entry[0]) as CompressionType);
}

export interface CodecOptions {
  /** LZ4 only: the legacy header checksum Kafka uses for magic 0 message sets. */
  lz4BrokenHeaderChecksum?: boolean;
  /**
   * Compression level, as Kafka's compression.gzip.level (1..9, default 6) and
   * compression.zstd.level (-131072..22, default 3). Refused for snappy (which has none)
   * and lz4 (lz4-napi only offers the fast level, not Kafka's HC levels).
   */
  level?: number;
}

export const GZIP_LEVEL_RANGE = [1, 9] as const;
export const ZSTD_LEVEL_RANGE = [-131072, 22] as const;

function checkLevel(type: CompressionType, level: number | undefined): void {
  if (level === undefined || type === CompressionType.None) return;
  const range = type === CompressionType.Gzip ? GZIP_LEVEL_RANGE : type === CompressionType.Zstd ? ZSTD_LEVEL_RANGE : null;
  if (range === null) {
    throw new KtsError('KTS_UNSUPPORTED', `${compressionName(type)} compression levels are not supported`, 'omit the level for snappy and lz4');
  }
  if (!Number.isInteger(level) || level < range[0] || level > range[1]) {
    throw new KtsError('KTS_UNSUPPORTED', `${compressionName(type)} level ${level} is outside ${range[0]}..${range[1]}`);
  }
}

function checkType(type: number): void {
  if (!(type in NAMES)) throw new CorruptDataError(`unknown compression type ${type}`, 0);
}

export function compress(type: CompressionType, input: Buffer, options: CodecOptions = {}): Buffer {
  checkType(type);
  checkLevel(type, options.level);
  switch (type) {
    case CompressionType.None:
      return input;
    case CompressionType.Gzip:
      // Level 6 is java.util.zip's default too; header bytes match GZIPOutputStream's except OS.
      return gzipSync(input, { level: options.level ?? 6 });
    case CompressionType.Snappy:
      return snappyCompressXerial(input);
    case CompressionType.Lz4:
      return lz4CompressFrame(input, { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum === true });
    case CompressionType.Zstd:
      return zstdCompress(input, options.level);
  }
}

export function decompress(type: number, input: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES, options: CodecOptions = {}): Buffer {
  checkType(type);
  switch (type) {
    case CompressionType.Gzip:
      return gunzip(input, maxBytes);
    case CompressionType.Snappy:
      return snappyDecompress(input, maxBytes);
    case CompressionType.Lz4: {
      const lz4Options: Lz4FrameOptions =
        options.lz4BrokenHeaderChecksum === undefined ? {} : { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum };
      return lz4DecompressFrame(input, maxBytes, lz4Options);
    }
    case CompressionType.Zstd:
      return zstdDecompress(input, maxBytes);
    default:
      if (input.length > maxBytes) throw new CorruptDataError(`${input.length} bytes exceed the ${maxBytes} byte limit`, 0);
      return input;
  }
}

function gunzip(input: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(input, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new CorruptDataError(`gzip: output exceeds the ${maxBytes} byte limit`, 0);
    throw new CorruptDataError(`gzip: ${errorMessage(err)}`, 0);
  }
}
