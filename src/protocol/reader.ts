/**
 * Reader: decodes Kafka's wire primitives from a Buffer, bounds-checked.
 * Every length or count is checked against the bytes left before anything is allocated,
 * and every failure is a ProtocolDecodeError carrying the absolute byte position, so
 * hostile frames cannot crash the broker or make it allocate unboundedly.
 * Byte fields are returned as views into the frame (no copy).
 */
import { CorruptDataError } from '../util/errors.js';
import { quickUnsignedVarint, quickVarintEnd, quickVarlong, varintRunsPastEnd } from './varint.js';

export class ProtocolDecodeError extends CorruptDataError {
  constructor(message: string, position: number) {
    super(message, position);
    this.name = 'ProtocolDecodeError';
  }
}

const TWO_32 = 4294967296;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export class Reader {
  readonly buf: Buffer;
  position: number;
  readonly end: number;

  constructor(buf: Buffer, position = 0, end = buf.length) {
    this.buf = buf;
    this.position = position;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  fail(message: string, position = this.position): never {
    throw new ProtocolDecodeError(message, position);
  }

  /** Reserves n bytes and returns their start; throws if fewer are left. */
  take(n: number, what: string): number {
    const p = this.position;
    if (n > this.end - p) this.fail(`${what}: need ${n} bytes, ${this.end - p} left`);
    this.position = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }
  int16(): number {
    const p = this.take(2, 'int16');
    const b = this.buf;
    return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }
  int32(): number {
    const p = this.take(4, 'int32');
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }
  int64(): number {
    const p = this.take(8, 'int64');
    const b = this.buf;
    const hi = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    return hi * TWO_32 + lo;
  }
  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }
  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }

  /** Unsigned varint (Kafka's: at most 5 bytes, 32 bits): every length, count and tag of a flexible version. */
  uvarint(): number {
    const start = this.position;
    const value = quickUnsignedVarint(this.buf, start, this.end);
    if (quickVarintEnd < 0) this.fail(varintRunsPastEnd(this.buf, start, this.end, 5) ? 'varint runs past the end' : 'varint longer than 5 bytes (over 32 bits)', start);
    this.position = quickVarintEnd;
    return value;
  }
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }
  varlong(): number {
    const start = this.position;
    const value = quickVarlong(this.buf, start, this.end);
    if (quickVarintEnd < 0) this.fail(varintRunsPastEnd(this.buf, start, this.end, 10) ? 'varlong runs past the end' : 'varlong longer than 10 bytes (over 64 bits)', start);
    this.position = quickVarintEnd;
    return value;
  }
  uuid(): string {
    const p = this.take(16, 'uuid');
    return this.buf.toString('base64url', p, p + 16);
  }

  private stringOfLength(len: number, start: number): string {
    if (len > this.end - this.position) this.fail(`string length ${len} exceeds the ${this.end - this.position} bytes left`, start);
    const p = this.position;
    this.position = p + len;
    return this.buf.toString('utf8', p, p + len);
  }
  string(): string {
    const start = this.position;
    const len = this.int16();
    if (len < 0) this.fail(`non-nullable string has length ${len}`, start);
    return this.stringOfLength(len, start);
  }
  nullableString(): string | null {
    const start = this.position;
    const len = this.int16();
    if (len < -1) this.fail(`string has length ${len}`, start);
    return len === -1 ? null : this.stringOfLength(len, start);
  }
  compactString(): string {
    const start = this.position;
    const n = this.uvarint();
    if (n === 0) this.fail('non-nullable compact string is null', start);
    return this.stringOfLength(n - 1, start);
  }
  compactNullableString(): string | null {
    const start = this.position;
    const n = this.uvarint();
    return n === 0 ? null : this.stringOfLength(n - 1, start);
  }

  private bytesOfLength(len: number, start: number): Buffer {
    if (len > this.end - this.position) this.fail(`bytes length ${len} exceeds the ${this.end - this.position} bytes left`, start);
    const p = this.position;
    this.position = p + len;
    return this.buf.subarray(p, p + len);
  }
  bytes(): Buffer {
    const start = this.position;
    const len = this.int32();
    if (len < 0) this.fail(`non-nullable bytes have length ${len}`, start);
    return this.bytesOfLength(len, start);
  }
  nullableBytes(): Buffer | null {
    const start = this.position;
    const len = this.int32();
    if (len < -1) this.fail(`bytes have length ${len}`, start);
    return len === -1 ? null : this.bytesOfLength(len, start);
  }
  compactBytes(): Buffer {
    const start = this.position;
    const n = this.uvarint();
    if (n === 0) this.fail('non-nullable compact bytes are null', start);
    return this.bytesOfLength(n - 1, start);
  }
  compactNullableBytes(): Buffer | null {
    const start = this.position;
    const n = this.uvarint();
    return n === 0 ? null : this.bytesOfLength(n - 1, start);
  }

  /**
   * Reads an array length (int32, or compact uvarint N+1) and checks that `count`
   * elements of at least `minElementBytes` each can still fit. Returns -1 for null.
   */
  arrayLength(compact: boolean, minElementBytes: number): number {
    const start = this.position;
    let count: number;
    if (compact) {
      count = this.uvarint() - 1;
    } else {
      count = this.int32();
      if (count < -1) this.fail(`array has length ${count}`, start);
    }
    if (count > 0 && count * Math.max(1, minElementBytes) > this.end - this.position) {
      this.fail(`array of ${count} elements cannot fit in the ${this.end - this.position} bytes left`, start);
    }
    return count;
  }

  skip(n: number): void {
    this.take(n, 'skip');
  }
}

export { ZERO_UUID };
