/**
 * Writer: encodes Kafka's wire primitives into a growable buffer.
 * Growth never copies what was written: a full segment is kept as a chunk and writing
 * continues in a new one. Large byte fields (record batches) are kept by reference as
 * their own chunk, so a Fetch response can be written with writev without copying the
 * records. `toChunks()` hands out the chunks, `toBuffer()` one contiguous Buffer; both
 * detach the writer's memory so the writer can be reused for the next message.
 */
import { KtsError } from '../util/errors.js';
import { writeUnsignedVarint, zigZag } from './varint.js';

const TWO_32 = 4294967296;
/** Byte fields at least this long are referenced instead of copied. */
const BY_REFERENCE_MIN_BYTES = 1024;

/** A value that cannot be put on the wire (wrong type, null where not nullable, out of range). */
export class ProtocolEncodeError extends KtsError {
  constructor(message: string) {
    super('KTS_PROTOCOL_ENCODE', message);
    this.name = 'ProtocolEncodeError';
  }
}

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private segmentStart = 0;
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;
  private readonly initialBytes: number;

  constructor(initialBytes = 512) {
    this.initialBytes = initialBytes;
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunkedBytes + this.pos - this.segmentStart;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.closeSegment();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2, this.initialBytes));
    this.pos = 0;
    this.segmentStart = 0;
  }

  private closeSegment(): void {
    if (this.pos > this.segmentStart) {
      const seg = this.buf.subarray(this.segmentStart, this.pos);
      this.chunks.push(seg);
      this.chunkedBytes += seg.length;
    }
    this.segmentStart = this.pos;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }
  int16(v: number): void {
    // out of range is refused; a fraction is truncated, as Buffer.writeInt16BE does
    if (!(v >= -32768 && v <= 32767)) throw new ProtocolEncodeError(`int16 value ${v} out of range`);
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }
  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  int32(v: number): void {
    if (!(v >= -2147483648 && v <= 2147483647)) throw new ProtocolEncodeError(`int32 value ${v} out of range`);
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >> 24;
    b[p + 1] = v >> 16;
    b[p + 2] = v >> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }
  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }
  int64(v: number): void {
    if (!Number.isSafeInteger(v)) {
      v = Math.trunc(v);
      if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`int64 value ${v} is not a safe integer`);
    }
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    const b = this.buf;
    const p = this.pos;
    b[p] = hi >> 24;
    b[p + 1] = hi >> 16;
    b[p + 2] = hi >> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
  }
  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }
  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  uvarint(v: number): void {
    // Kafka's unsigned varints (lengths, counts, tags) are 32 bits.
    if (!(v >= 0 && v <= 0xffffffff) || !Number.isInteger(v)) throw new ProtocolEncodeError(`uvarint value ${v} out of range`);
    this.ensure(10);
    this.pos = writeUnsignedVarint(this.buf, this.pos, v);
  }
  varint(v: number): void {
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new ProtocolEncodeError(`varint value ${v} out of int32 range`);
    this.uvarint(zigZag(v));
  }
  /** Zigzag int64; exact for |v| <= 2^52 (zigzag doubles the magnitude). */
  varlong(v: number): void {
    if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`varlong value ${v} is not a safe integer`);
    this.ensure(10);
    this.pos = writeUnsignedVarint(this.buf, this.pos, zigZag(v));
  }

  uuid(v: string): void {
    this.ensure(16);
    const n = this.buf.write(v, this.pos, 16, 'base64url');
    if (n !== 16 || v.length !== 22) throw new ProtocolEncodeError(`uuid ${JSON.stringify(v)} is not 22 base64url characters`);
    this.pos += 16;
  }

  private utf8(v: string, len: number): void {
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
  }
  string(v: string): void {
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes is too long for an int16 length`);
    this.int16(len);
    this.utf8(v, len);
  }
  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }
  compactString(v: string): void {
    const len = Buffer.byteLength(v, 'utf8');
    this.uvarint(len + 1);
    this.utf8(v, len);
  }
  compactNullableString(v: string | null): void {
    if (v === null) this.uvarint(0);
    else this.compactString(v);
  }

  /** Appends bytes; large buffers are kept by reference (do not mutate them before sending). */
  raw(v: Buffer): void {
    if (v.length >= BY_REFERENCE_MIN_BYTES) {
      this.closeSegment();
      this.chunks.push(v);
      this.chunkedBytes += v.length;
      return;
    }
    this.ensure(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
  }
  bytes(v: Buffer): void {
    this.int32(v.length);
    this.raw(v);
  }
  nullableBytes(v: Buffer | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }
  compactBytes(v: Buffer): void {
    this.uvarint(v.length + 1);
    this.raw(v);
  }
  compactNullableBytes(v: Buffer | null): void {
    if (v === null) this.uvarint(0);
    else this.compactBytes(v);
  }

  /** Reserves 4 bytes for a size prefix; fill it with `patchInt32`. */
  reserveInt32(): { buf: Buffer; at: number } {
    this.ensure(4);
    const slot = { buf: this.buf, at: this.pos };
    this.pos += 4;
    return slot;
  }
  static patchInt32(slot: { buf: Buffer; at: number }, v: number): void {
    slot.buf.writeInt32BE(v, slot.at);
  }

  /** The written bytes as chunks (records by reference); detaches them from the writer. */
  toChunks(): Buffer[] {
    this.closeSegment();
    const out = this.chunks;
    this.detach();
    return out;
  }

  /** The written bytes as one Buffer; detaches it from the writer. */
  toBuffer(): Buffer {
    const out = this.chunks.length === 0 ? this.buf.subarray(this.segmentStart, this.pos) : Buffer.concat(this.toChunksNoDetach());
    this.detach();
    return out;
  }

  private toChunksNoDetach(): Buffer[] {
    this.closeSegment();
    return this.chunks;
  }

  private detach(): void {
    this.chunks = [];
    this.chunkedBytes = 0;
    // Keep the unused tail of the current buffer for the next message.
    if (this.buf.length - this.pos >= 64) {
      this.segmentStart = this.pos;
    } else {
      this.buf = Buffer.allocUnsafe(this.initialBytes);
      this.pos = 0;
      this.segmentStart = 0;
    }
  }
}
