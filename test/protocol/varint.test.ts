import t from 'tap';
import { ByteCursor, sizeOfUnsignedVarint, sizeOfVarint, sizeOfVarlong, writeUnsignedVarint, writeVarint, writeVarlong } from '../../src/protocol/varint.js';
import { CorruptDataError } from '../../src/util/errors.js';
import { prng } from '../records/helpers.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);

t.test('zig-zag varints: known encodings', async (t) => {
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [value, enc] of cases) {
    const buf = Buffer.alloc(enc.length);
    t.equal(writeVarint(buf, 0, value), enc.length);
    t.same([...buf], enc, `write ${value}`);
    t.equal(sizeOfVarint(value), enc.length);
    t.equal(new ByteCursor(bytes(...enc)).readVarint(), value, `read ${value}`);
  }
  t.throws(() => writeVarint(Buffer.alloc(8), 0, 2 ** 31));
});

t.test('varlongs round-trip timestamps and large offsets', async (t) => {
  const rnd = prng(11);
  const values = [0, -1, 1, 1_700_000_000_000, -1_700_000_000_000, 2 ** 51, -(2 ** 51)];
  for (let i = 0; i < 2000; i++) values.push(Math.floor((rnd() - 0.5) * 2 ** (1 + Math.floor(rnd() * 52))));
  for (const v of values) {
    const buf = Buffer.alloc(10);
    const end = writeVarlong(buf, 0, v);
    t.equal(end, sizeOfVarlong(v));
    const c = new ByteCursor(buf, 0, end);
    if (c.readVarlong() !== v || c.pos !== end) t.fail(`varlong ${v}`);
  }
  // -1_700_000_000_000 as written by Java's ByteUtils.writeVarlong (zig-zag 3_399_999_999_999, LEB128 by hand).
  const buf = Buffer.alloc(10);
  const n = writeVarlong(buf, 0, -1_700_000_000_000);
  t.same([...buf.subarray(0, n)], [0xff, 0x9f, 0xab, 0xfe, 0xf9, 0x62]);
  t.throws(() => writeVarlong(buf, 0, 2 ** 53));
});

t.test('unsigned varints', async (t) => {
  const buf = Buffer.alloc(5);
  t.equal(writeUnsignedVarint(buf, 0, 0xffffffff), 5);
  t.same([...buf], [0xff, 0xff, 0xff, 0xff, 0x0f]);
  t.equal(new ByteCursor(buf).readUnsignedVarint(), 0xffffffff);
  t.equal(sizeOfUnsignedVarint(127), 1);
  t.equal(sizeOfUnsignedVarint(128), 2);
});

t.test('bad varints raise CorruptDataError with the start position', async (t) => {
  const tooLong = new ByteCursor(bytes(9, 9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 2);
  const e1 = t.throws(() => tooLong.readVarint()) as CorruptDataError;
  t.ok(e1 instanceof CorruptDataError);
  t.equal(e1.position, 2);
  t.throws(() => new ByteCursor(bytes(0xff, 0xff, 0xff, 0xff, 0x1f)).readVarint(), /varint too long/);
  const truncated = new ByteCursor(bytes(0x80, 0x80), 0, 2, 1000);
  const e2 = t.throws(() => truncated.readVarint()) as CorruptDataError;
  t.equal(e2.position, 1000);
  t.match(e2.message, /truncated varint/);
  t.throws(() => new ByteCursor(Buffer.alloc(11, 0x80)).readVarlong(), /varlong too long/);
  t.throws(() => new ByteCursor(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02)).readVarlong(), /varlong too long/);
  t.throws(() => new ByteCursor(bytes(0x80)).readVarlong(), /truncated varlong/);
  t.throws(() => new ByteCursor(Buffer.alloc(0)).readInt32(), CorruptDataError);
});

t.test('length-prefixed bytes: null, empty, negative and oversized lengths', async (t) => {
  t.equal(new ByteCursor(bytes(0x01)).readVarintBytes('key'), null);
  t.equal(new ByteCursor(bytes(0x00)).readVarintBytes('key')!.length, 0);
  t.throws(() => new ByteCursor(bytes(0x03)).readVarintBytes('key'), /negative length -2/);
  t.throws(() => new ByteCursor(bytes(0xfe, 0xff, 0xff, 0xff, 0x0f, 1, 2)).readVarintBytes('key'), /exceeds the 2 bytes left/);
});

t.test('the quick readers (records/record-walk.ts) agree with ByteCursor, and give up where it would fail', async (t) => {
  // quickVarintEnd is a live binding: read through the namespace after each call.
  const walk = await import('../../src/protocol/varint.js');
  const { quickVarint, quickVarlong } = walk;
  const values = [0, 1, -1, 63, -64, 64, 8191, -8192, 8192, 2 ** 20, -(2 ** 27), 2 ** 31 - 1, -(2 ** 31)];
  for (const v of values) {
    const buf = Buffer.alloc(10);
    const end = writeVarint(buf, 0, v);
    t.equal(quickVarint(buf, 0, end), v, `varint ${v}`);
    t.equal(walk.quickVarintEnd, end);
    quickVarint(buf, 0, end - 1);
    if (end > 1) t.equal(walk.quickVarintEnd, -1, `truncated varint ${v}`);
  }
  for (const v of [...values, 2 ** 40, -(2 ** 45), 2 ** 51 - 1]) {
    const buf = Buffer.alloc(10);
    const end = writeVarlong(buf, 0, v);
    t.equal(quickVarlong(buf, 0, end), new ByteCursor(buf, 0, end).readVarlong(), `varlong ${v}`);
    t.equal(walk.quickVarintEnd, end);
  }
  // Ten bytes: both read it (one implementation behind both).
  const ten = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  t.equal(quickVarlong(ten, 0, ten.length), new ByteCursor(ten).readVarlong());
  t.equal(walk.quickVarintEnd, 10);
  quickVarlong(Buffer.from([...ten.subarray(0, 9), 0x02]), 0, 10);
  t.equal(walk.quickVarintEnd, -1, 'an 11th bit in the 10th byte is too long');
});
