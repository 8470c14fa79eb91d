/** Shared helpers for records tests: a seeded PRNG, sample data, and a corrupt-only assertion. */
import { CorruptDataError } from '../../src/util/errors.js';

/** mulberry32: small deterministic PRNG for fuzz loops. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Record-batch-like payload: JSON-ish values with repetition and some randomness. */
export function sampleData(bytes: number, seed = 1): Buffer {
  const rnd = prng(seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const s = `{"id":${i},"user":"user-${Math.floor(rnd() * 1000)}","event":"${['click', 'view', 'buy'][i % 3]}","ts":${1700000000000 + i * 17},"v":${rnd().toFixed(6)}}`;
    parts.push(s);
    size += s.length;
  }
  return Buffer.from(parts.join('\n')).subarray(0, bytes);
}

/** Run `fn`; return 'ok' or 'corrupt'; rethrow anything that is not a CorruptDataError. */
export function outcome(fn: () => unknown): 'ok' | 'corrupt' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof CorruptDataError) return 'corrupt';
    throw err;
  }
}

/** Bitwise CRC-32C, independent of the native implementation under test. */
export function slowCrc32c(buf: Buffer, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
