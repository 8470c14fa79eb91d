/** Reader and Writer: every primitive round-trips, edge values, and bad bytes give a positioned ProtocolDecodeError. */
import t from 'tap';
import { Reader, ProtocolDecodeError } from '../../src/protocol/reader.js';
import { Writer, ProtocolEncodeError } from '../../src/protocol/writer.js';
import { CorruptDataError } from '../../src/util/errors.js';

function bytesOf(fill: (w: Writer) => void): Buffer {
  const w = new Writer(4);
  fill(w);
  return w.toBuffer();
}

t.test('fixed-width integers, float, bool, uuid', async (t) => {
  const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');
  const buf = bytesOf((w) => {
    w.int8(-128); w.int16(-32768); w.uint16(65535); w.int32(-2147483648); w.uint32(4294967295);
    w.int64(-1); w.int64(Number.MAX_SAFE_INTEGER); w.int64(-Number.MAX_SAFE_INTEGER); w.int64(1700000000000);
    w.float64(0.1); w.bool(true); w.bool(false); w.uuid(uuid);
  });
  t.equal(buf.subarray(13, 21).toString('hex'), 'ffffffffffffffff', 'int64 -1 is all ones');
  const r = new Reader(buf);
  t.equal(r.int8(), -128);
  t.equal(r.int16(), -32768);
  t.equal(r.uint16(), 65535);
  t.equal(r.int32(), -2147483648);
  t.equal(r.uint32(), 4294967295);
  t.equal(r.int64(), -1);
  t.equal(r.int64(), Number.MAX_SAFE_INTEGER);
  t.equal(r.int64(), -Number.MAX_SAFE_INTEGER);
  t.equal(r.int64(), 1700000000000);
  t.equal(r.float64(), 0.1);
  t.equal(r.bool(), true);
  t.equal(r.bool(), false);
  t.equal(r.uuid(), uuid);
  t.equal(r.remaining, 0);
  t.equal(new Reader(Buffer.alloc(16)).uuid(), 'AAAAAAAAAAAAAAAAAAAAAA', 'zero uuid');
});

t.test('varints match Kafka encodings', async (t) => {
  t.equal(bytesOf((w) => w.uvarint(300)).toString('hex'), 'ac02');
  t.equal(bytesOf((w) => w.varint(-1)).toString('hex'), '01');
  t.equal(bytesOf((w) => w.varint(1)).toString('hex'), '02');
  t.equal(bytesOf((w) => w.varint(-2147483648)).toString('hex'), 'ffffffff0f');
  t.equal(bytesOf((w) => w.varlong(-1)).toString('hex'), '01');
  for (const v of [0, 1, -1, 63, -64, 64, 2147483647, -2147483648]) t.equal(new Reader(bytesOf((w) => w.varint(v))).varint(), v, `varint ${v}`);
  for (const v of [0, -1, 1, 2 ** 40, -(2 ** 40), 2 ** 52, -(2 ** 52), Number.MAX_SAFE_INTEGER]) {
    t.equal(new Reader(bytesOf((w) => w.varlong(v))).varlong(), v, `varlong ${v}`);
  }
  for (const v of [0, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 - 1]) t.equal(new Reader(bytesOf((w) => w.uvarint(v))).uvarint(), v, `uvarint ${v}`);
  // Kafka's unsigned varints (lengths, counts, tags) are 32 bits, at most 5 bytes, as ByteUtils reads them.
  t.throws(() => bytesOf((w) => w.uvarint(2 ** 32)), /uvarint value 4294967296 out of range/);
  t.throws(() => new Reader(Buffer.from('8080808010', 'hex')).uvarint(), /varint longer than 5 bytes/);
  t.throws(() => new Reader(Buffer.from('8080', 'hex')).uvarint(), /varint runs past the end/);
});

t.test('strings and bytes, classic and compact, nullable', async (t) => {
  const buf = bytesOf((w) => {
    w.string('héllo'); w.nullableString(null); w.compactString(''); w.compactNullableString(null); w.compactString('ü');
    w.bytes(Buffer.from([1, 2])); w.nullableBytes(null); w.compactBytes(Buffer.alloc(0)); w.compactNullableBytes(null);
  });
  const r = new Reader(buf);
  t.equal(r.string(), 'héllo');
  t.equal(r.nullableString(), null);
  t.equal(r.compactString(), '');
  t.equal(r.compactNullableString(), null);
  t.equal(r.compactString(), 'ü');
  t.same(r.bytes(), Buffer.from([1, 2]));
  t.equal(r.nullableBytes(), null);
  t.same(r.compactBytes(), Buffer.alloc(0));
  t.equal(r.compactNullableBytes(), null);
  t.equal(r.remaining, 0);
});

t.test('bad bytes: typed error with the position', async (t) => {
  const cases: [string, Buffer, (r: Reader) => unknown, number][] = [
    ['short int32', Buffer.from([0, 1]), (r) => r.int32(), 0],
    ['string longer than buffer', Buffer.from([0, 50, 65]), (r) => r.string(), 0],
    ['negative string length', Buffer.from([0xff, 0xfe]), (r) => r.string(), 0],
    ['null non-nullable string', Buffer.from([0xff, 0xff]), (r) => r.string(), 0],
    ['huge bytes length', Buffer.from([0x7f, 0xff, 0xff, 0xff]), (r) => r.bytes(), 0],
    ['compact null in non-nullable', Buffer.from([0]), (r) => r.compactString(), 0],
    ['unterminated varint', Buffer.from([0x80, 0x80]), (r) => r.uvarint(), 0],
    ['overlong varint', Buffer.alloc(12, 0xff), (r) => r.uvarint(), 0],
    ['huge array count', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]), (r) => r.arrayLength(false, 4), 0],
  ];
  for (const [name, buf, read, position] of cases) {
    try {
      read(new Reader(buf));
      t.fail(`${name}: no error`);
    } catch (err) {
      t.ok(err instanceof ProtocolDecodeError && err instanceof CorruptDataError, `${name}: ProtocolDecodeError`);
      t.equal((err as ProtocolDecodeError).position, position, `${name}: position`);
    }
  }
  const r = new Reader(Buffer.from([0, 0, 0, 1, 0, 0]));
  r.int32();
  try {
    r.int32();
    t.fail('no error');
  } catch (err) {
    t.equal((err as ProtocolDecodeError).position, 4, 'position is absolute');
  }
});

t.test('writer refuses values it cannot encode', async (t) => {
  const w = new Writer();
  t.throws(() => w.int64(2 ** 60), ProtocolEncodeError);
  t.throws(() => w.uuid('not-a-uuid'), ProtocolEncodeError);
  t.throws(() => w.string('x'.repeat(40000)), ProtocolEncodeError);
});

t.test('writer grows without copying and keeps large buffers by reference', async (t) => {
  const big = Buffer.alloc(5000, 1);
  const w = new Writer(8);
  for (let i = 0; i < 100; i++) w.int32(i);
  w.bytes(big);
  w.int16(7);
  t.equal(w.length, 400 + 4 + 5000 + 2);
  const chunks = w.toChunks();
  t.ok(chunks.includes(big), 'record buffer passed by reference');
  const all = Buffer.concat(chunks);
  const r = new Reader(all);
  for (let i = 0; i < 100; i++) t.equal(r.int32(), i);
  t.ok(r.bytes().equals(big));
  t.equal(r.int16(), 7);
  // the writer is reusable after handing out its bytes
  w.int8(5);
  t.same(w.toBuffer(), Buffer.from([5]));
  t.equal(all.length, 5406, 'earlier chunks untouched by reuse');
});
