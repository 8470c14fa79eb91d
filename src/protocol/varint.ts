/**
 * The one varint codec of kts: zig-zag varints (int32) and varlongs (int64 as a JS number),
 * plus unsigned varints, as used by record batch v2, flexible protocol versions and snappy.
 * The lowest layer that reads them (protocol/) holds it; records/ and the rest import it. Reads go through a
 * `ByteCursor` so a decoder walks a buffer without allocating per field; every read is
 * bounds-checked and bad bytes raise CorruptDataError with the byte position.
 */
import { CorruptDataError } from '../util/errors.js';

const TWO_POW_32 = 4294967296;

/** A read position over `buf[pos, end)`. Positions in errors are `buf` offsets plus `basePosition`. */
export class ByteCursor {
  buf: Buffer;
  pos: number;
  end: number;
  /** Added to positions in error messages (e.g. the file position of `buf[0]`). */
  basePosition: number;
  /** Prefix for error messages, saying what `buf` is when positions are not file positions. */
  context: string;

  constructor(buf: Buffer, pos = 0, end = buf.length, basePosition = 0, context = '') {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.basePosition = basePosition;
    this.context = context;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw new CorruptDataError(this.context + message, this.basePosition + at);
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) this.fail(`${what}: needs ${n} bytes, ${this.end - this.pos} left`);
  }

  readInt8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  readInt16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(): number {
    this.need(8, 'int64');
    const v = this.buf.readInt32BE(this.pos) * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  readBytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** Unsigned LEB128 up to 32 bits (at most 5 bytes). */
  readUnsignedVarint(): number {
    const p = this.pos;
    // Most varints in a record (attributes aside) are one byte: keep that path tiny.
    if (p < this.end) {
      const b = this.buf[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    const value = quickUnsignedVarint(this.buf, p, this.end);
    if (quickVarintEnd < 0) this.failVarint(p, 5, 'truncated varint', 'varint too long (over 5 bytes or 32 bits)');
    this.pos = quickVarintEnd;
    return value;
  }

  /** Zig-zag int32 varint. */
  readVarint(): number {
    const u = this.readUnsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag int64 varlong (at most 10 bytes), exact while |value| < 2^52. */
  readVarlong(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.buf[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return (b >>> 1) ^ -(b & 1);
      }
    }
    const value = quickVarlong(this.buf, p, this.end);
    if (quickVarintEnd < 0) this.failVarint(p, 10, 'truncated varlong', 'varlong too long (over 10 bytes or 64 bits)');
    this.pos = quickVarintEnd;
    return value;
  }

  private failVarint(start: number, maxBytes: number, truncated: string, tooLong: string): never {
    return this.fail(varintRunsPastEnd(this.buf, start, this.end, maxBytes) ? truncated : tooLong, start);
  }

  /** Varint length then bytes; length -1 means null. Other negative lengths are corrupt. */
  readVarintBytes(what: string): Buffer | null {
    const len = this.skipVarintBytes(what);
    return len < 0 ? null : this.buf.subarray(this.pos - len, this.pos);
  }

  /** Like readVarintBytes, but only moves past the bytes: their length, -1 for null. */
  skipVarintBytes(what: string): number {
    const at = this.pos;
    const len = this.readVarint();
    if (len === -1) return -1;
    if (len < -1) this.fail(`${what}: negative length ${len}`, at);
    if (len > this.end - this.pos) this.fail(`${what}: length ${len} exceeds the ${this.end - this.pos} bytes left`, at);
    this.pos += len;
    return len;
  }
}

/** Zig-zag encoding of a signed integer (exact while |value| < 2^52). */
export function zigZag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Size in bytes of an unsigned varint/varlong (value ≥ 0, < 2^53). */
export function sizeOfUnsignedVarint(u: number): number {
  let size = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(zigZag(value));
}

export function sizeOfVarlong(value: number): number {
  return sizeOfUnsignedVarint(zigZag(value));
}

/** Write an unsigned varint at `pos`; returns the position after it. The caller sized `buf`. */
export function writeUnsignedVarint(buf: Buffer, pos: number, u: number): number {
  if (u < 0x80000000) {
    // The common case (every length and delta of a record): int32 shifts.
    while (u >= 128) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

export function writeVarint(buf: Buffer, pos: number, value: number): number {
  if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw new RangeError(`varint out of int32 range: ${value}`);
  }
  return writeUnsignedVarint(buf, pos, zigZag(value));
}

export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  // Zig-zag doubles the magnitude: stay where that is still exact.
  if (!Number.isInteger(value) || Math.abs(value) >= 2 ** 52) throw new RangeError(`varlong out of range: ${value}`);
  return writeUnsignedVarint(buf, pos, zigZag(value));
}

/** writeVarlong without its range check, for encoders whose values are known to fit (|v| < 2^52). */
export function writeZigZag(buf: Buffer, pos: number, value: number): number {
  return writeUnsignedVarint(buf, pos, zigZag(value));
}

/** Convenience for one-off reads: decode a zig-zag varint at `pos`. */
export function readVarintAt(buf: Buffer, pos: number): { value: number; next: number } {
  const c = new ByteCursor(buf, pos);
  const value = c.readVarint();
  return { value, next: c.pos };
}

// ---- quick reads: the one varint decoder --------------------------------------------
// No exception and no object: a read that is truncated or too long sets quickVarintEnd to
// -1. Hot loops (records/record-walk.ts) call them directly and fall back to ByteCursor for
// its error message; ByteCursor and the protocol's Reader wrap them with their errors.

/** Position after the last quick varint read; -1 when it was truncated or too long. */
export let quickVarintEnd = 0;

/** Unsigned LEB128 of at most `maxBytes` (4 or 5) bytes at `d[p]`, as ByteCursor reads int32 ones. */
export function quickUnsignedVarint(d: Uint8Array, p: number, end: number, maxBytes = 5): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (p >= end) return fail();
    const b = d[p++]!;
    value |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      quickVarintEnd = p;
      return value;
    }
  }
  if (maxBytes < 5 || p >= end) return fail();
  const b = d[p++]!;
  if (b > 0x0f) return fail();
  quickVarintEnd = p;
  return value + b * 268435456;
}

function fail(): number {
  quickVarintEnd = -1;
  return 0;
}

/** Why a quick read refused the varint at `start`: true when it ran past `end` (truncated), false when it is too long. */
export function varintRunsPastEnd(d: Uint8Array, start: number, end: number, maxBytes: number): boolean {
  if (end - start >= maxBytes) return false;
  for (let p = start; p < end; p++) if (d[p]! < 0x80) return false;
  return true;
}

/** Zig-zag int32 varint; one and two bytes (record lengths up to 8 KiB) read inline. */
export function quickVarint(d: Uint8Array, p: number, end: number): number {
  let u: number;
  const b = p < end ? d[p]! : 0x80;
  if (b < 0x80) {
    quickVarintEnd = p + 1;
    u = b;
  } else if (p + 1 < end && d[p + 1]! < 0x80) {
    quickVarintEnd = p + 2;
    u = (b & 0x7f) | (d[p + 1]! << 7);
  } else {
    u = quickUnsignedVarint(d, p, end, 5);
  }
  return (u >>> 1) ^ -(u & 1);
}

/** Zig-zag varlong of at most 10 bytes (64 bits), exact while |value| < 2^52. */
export function quickVarlong(d: Uint8Array, p: number, end: number): number {
  // Most timestamp deltas of a batch are small: one byte.
  const first = p < end ? d[p]! : 0x80;
  if (first < 0x80) {
    quickVarintEnd = p + 1;
    return (first >>> 1) ^ -(first & 1);
  }
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return fail();
    const b = d[p++]!;
    if (i === 9 && b > 0x01) return fail();
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      quickVarintEnd = p;
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    scale *= 128;
  }
  return fail();
}
