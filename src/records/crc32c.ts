/**
 * CRC-32C (Castagnoli), the checksum of record batch v2 and producer snapshots.
 * Uses @node-rs/crc32's SIMD implementation: the broker checksums every produced batch.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return nativeCrc32c(view) >>> 0;
}
