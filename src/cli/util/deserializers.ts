/**
 * Kafka's built-in deserializers (org.apache.kafka.common.serialization.*) for the console
 * consumer's key.deserializer / value.deserializer / headers.deserializer: each turns the raw
 * bytes into the text Java's toString() of the deserialized object prints.
 */
import { KtsError, UsageError } from '../../util/errors.js';

/** Raw bytes → printed bytes; null stays null (the formatter prints null.literal). */
export type Deserializer = (bytes: Buffer | null) => Buffer | null;

const PACKAGE = 'org.apache.kafka.common.serialization.';

function sizeCheck(name: string, bytes: Buffer, size: number): void {
  if (bytes.length !== size) throw new KtsError('KTS_DESERIALIZE', `Size of data received by ${name} is not ${size}`);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Java's Bytes.toString(): printable ASCII as is, everything else (and `\`) as \xHH. */
export function bytesToString(b: Buffer): string {
  let out = '';
  for (const ch of b) out += ch >= 0x20 && ch <= 0x7e && ch !== 0x5c ? String.fromCharCode(ch) : `\\x${ch.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Java's Double.toString / Float.toString layout around the shortest digits `shortest` finds. */
function javaFloating(value: number, shortest: (v: number) => string): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  const s = shortest(value);
  if (abs >= 1e-3 && abs < 1e7) {
    // JavaScript writes this range without an exponent, as Java does.
    return s.includes('.') ? s : s + '.0';
  }
  const [mantissa, exp] = Number(s).toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : mantissa + '.0'}E${Number(exp)}`;
}

/** The fewest significant digits that read back as the same float32. */
function shortestFloat(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

export function javaDoubleString(v: number): string {
  return javaFloating(v, (x) => String(x));
}

export function javaFloatString(v: number): string {
  return javaFloating(Math.fround(v), shortestFloat);
}

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const DESERIALIZERS: Record<string, Deserializer> = {
  StringDeserializer: (b) => (b === null ? null : text(b.toString('utf8'))),
  // Java would print the array's identity ("[B@1b6d3586"); the bytes themselves are what a reader wants.
  ByteArrayDeserializer: (b) => b,
  ByteBufferDeserializer: (b) => b,
  BytesDeserializer: (b) => (b === null ? null : text(bytesToString(b))),
  IntegerDeserializer: (b) => (b === null ? null : (sizeCheck('IntegerDeserializer', b, 4), text(String(b.readInt32BE(0))))),
  LongDeserializer: (b) => (b === null ? null : (sizeCheck('LongDeserializer', b, 8), text(String(b.readBigInt64BE(0))))),
  ShortDeserializer: (b) => (b === null ? null : (sizeCheck('ShortDeserializer', b, 2), text(String(b.readInt16BE(0))))),
  DoubleDeserializer: (b) => (b === null ? null : (sizeCheck('DoubleDeserializer', b, 8), text(javaDoubleString(b.readDoubleBE(0))))),
  FloatDeserializer: (b) => (b === null ? null : (sizeCheck('FloatDeserializer', b, 4), text(javaFloatString(b.readFloatBE(0))))),
  UUIDDeserializer: (b) => {
    if (b === null) return null;
    const s = b.toString('utf8');
    if (!UUID_TEXT.test(s)) throw new KtsError('KTS_DESERIALIZE', 'Error parsing data into UUID');
    return text(s.toLowerCase());
  },
  VoidDeserializer: (b) => {
    if (b !== null) throw new KtsError('KTS_DESERIALIZE', 'Data should be null for a VoidDeserializer.');
    return null;
  },
};

export const SUPPORTED_DESERIALIZERS: readonly string[] = Object.keys(DESERIALIZERS).map((n) => PACKAGE + n);

/** The deserializer for a class name (fully qualified, or the bare class name). */
export function deserializerFor(className: string, what: string): Deserializer {
  const bare = className.startsWith(PACKAGE) ? className.slice(PACKAGE.length) : className;
  const d = Object.hasOwn(DESERIALIZERS, bare) ? DESERIALIZERS[bare] : undefined;
  if (d === undefined) {
    throw new UsageError(`${what}: unsupported deserializer class '${className}'`, `supported: ${SUPPORTED_DESERIALIZERS.join(', ')}`);
  }
  return d;
}
