import t from 'tap';
import { gzipSync } from 'node:zlib';
import { crc32 } from 'node:zlib';
import { CompressionType, TimestampType } from '../../src/records/batch-header.js';
import { decodeLegacyEntry, encodeLegacyMessageSet, iterateLegacyMessages, NO_TIMESTAMP, type LegacyMessage } from '../../src/records/legacy.js';
import { xxhash32 } from '../../src/records/compression/xxhash32.js';
import { CorruptDataError } from '../../src/util/errors.js';
import { outcome, prng, sampleData } from './helpers.js';
import { kjsDecodeMessageSet, kjsEncodeMessageSet } from './kafkajs.js';

const T0 = 1_600_000_000_000;
const messages = Array.from({ length: 12 }, (_, i) => ({
  timestampMs: T0 + i * 10,
  key: i % 4 === 0 ? null : Buffer.from(`k${i}`),
  value: i === 5 ? null : sampleData(30 + i * 7, i),
}));

function allMessages(set: Buffer): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  for (let pos = 0; pos < set.length; ) {
    out.push(...iterateLegacyMessages(set, pos));
    pos += 12 + set.readInt32BE(pos + 8);
  }
  return out;
}

t.test('a magic 0 message, every byte written out by hand', async (t) => {
  const set = encodeLegacyMessageSet({ magic: 0, baseOffset: 3, messages: [{ key: null, value: Buffer.from('hi') }] });
  const body = [0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x68, 0x69]; // magic, attrs, null key, value "hi"
  const crc = crc32(Buffer.from(body)) >>> 0;
  t.same([...set], [0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 16, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff, ...body]);
  const m = decodeLegacyEntry(set);
  t.equal(m.offset, 3);
  t.equal(m.timestampMs, NO_TIMESTAMP);
  t.equal(m.value!.toString(), 'hi');
});

t.test('uncompressed v0/v1 bytes equal kafkajs', async (t) => {
  for (const magic of [0, 1] as const) {
    const ours = encodeLegacyMessageSet({ magic, baseOffset: 0, messages: messages.map((m) => ({ ...m, offset: -1 })) });
    const theirs = kjsEncodeMessageSet(magic, messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestampMs })));
    t.ok(ours.equals(theirs), `magic ${magic}`);
  }
});

t.test('gzip wrappers: bytes equal kafkajs (v1) and both sides decode each other', async (t) => {
  // kafkajs writes inner offsets 0..n-1 and leaves the wrapper to its caller; compare the inner set and codec.
  const inner = kjsEncodeMessageSet(1, messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestampMs })), CompressionType.Gzip);
  const ours = encodeLegacyMessageSet({ magic: 1, baseOffset: 0, messages, compression: CompressionType.Gzip });
  t.ok(decodeLegacyEntry(ours).value!.equals(gzipSync(inner)), 'wrapper value is gzip of the kafkajs inner set');
  const decoded = await kjsDecodeMessageSet(ours);
  t.equal(decoded.length, 12);
  t.same(decoded.map((m) => m.offset), messages.map((_, i) => String(i)));
  t.same(decoded.map((m) => m.value), messages.map((m) => m.value));
});

t.test('we decode kafkajs message sets', async (t) => {
  for (const magic of [0, 1] as const) {
    const theirs = kjsEncodeMessageSet(magic, messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestampMs })));
    const out = allMessages(theirs);
    t.equal(out.length, 12);
    t.same(out.map((m) => m.key), messages.map((m) => m.key));
    t.same(out.map((m) => m.value), messages.map((m) => m.value));
    t.same(out.map((m) => m.timestampMs), messages.map((m) => (magic === 1 ? m.timestampMs : NO_TIMESTAMP)));
  }
});

t.test('compressed wrappers round-trip with absolute offsets (relative in v1, absolute in v0)', async (t) => {
  for (const magic of [0, 1] as const) {
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4]) {
      const set = encodeLegacyMessageSet({ magic, baseOffset: 1000, messages, compression });
      const wrapper = decodeLegacyEntry(set);
      t.equal(wrapper.offset, 1011, 'wrapper offset is the last inner offset');
      t.equal(wrapper.compression, compression);
      const out = allMessages(set);
      t.same(out.map((m) => m.offset), messages.map((_, i) => 1000 + i), `magic ${magic} codec ${compression}`);
      t.same(out.map((m) => m.value), messages.map((m) => m.value));
      if (magic === 1) t.equal(wrapper.timestampMs, T0 + 110, 'wrapper timestamp is the max');
      if (compression === CompressionType.Lz4) {
        const frame = wrapper.value!;
        const expected = (xxhash32(frame, magic === 0 ? 0 : 4, 6) >>> 8) & 0xff;
        t.equal(frame[6], expected, `lz4 header checksum ${magic === 0 ? 'over magic (broken)' : 'correct'}`);
      }
    }
  }
});

t.test('v1 LogAppendTime wrapper overrides inner timestamps', async (t) => {
  const set = encodeLegacyMessageSet({ magic: 1, messages, compression: CompressionType.Gzip, timestampType: TimestampType.LogAppendTime, logAppendTimeMs: T0 + 999 });
  const out = allMessages(set);
  t.ok(out.every((m) => m.timestampMs === T0 + 999 && m.timestampType === TimestampType.LogAppendTime));
  t.throws(() => encodeLegacyMessageSet({ magic: 1, messages, compression: CompressionType.Zstd }), /zstd/);
  const plain = allMessages(encodeLegacyMessageSet({ magic: 1, messages, timestampType: TimestampType.LogAppendTime, logAppendTimeMs: T0 + 7 }));
  t.ok(plain.every((m) => m.timestampMs === T0 + 7 && m.timestampType === TimestampType.LogAppendTime && (m.attributes & 0x08) !== 0), 'uncompressed: per message');
});

t.test('corrupt legacy entries are CorruptDataErrors', async (t) => {
  const plain = encodeLegacyMessageSet({ magic: 1, messages: messages.slice(0, 1) });
  for (let n = 0; n < plain.length; n++) t.throws(() => decodeLegacyEntry(plain.subarray(0, n)), CorruptDataError, `cut at ${n}`);
  const badCrc = Buffer.from(plain);
  badCrc[badCrc.length - 1]! ^= 1;
  t.throws(() => decodeLegacyEntry(badCrc), /CRC mismatch/);
  const badKey = Buffer.from(plain);
  badKey.writeInt32BE(0x7fffffff, 12 + 4 + 2 + 8);
  t.throws(() => decodeLegacyEntry(badKey, 0, { verifyCrc: false }), /does not fit/);
  const wrapped = encodeLegacyMessageSet({ magic: 1, messages, compression: CompressionType.Snappy });
  const rnd = prng(99);
  const counts = { ok: 0, corrupt: 0 };
  for (let i = 0; i < 2000; i++) {
    const m = Buffer.from(i % 2 === 0 ? wrapped : plain);
    for (let f = 0; f < 2; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    counts[outcome(() => [...iterateLegacyMessages(m, 0, { verifyCrc: false, maxDecompressedBytes: 100_000 })])]++;
  }
  t.equal(counts.ok + counts.corrupt, 2000, JSON.stringify(counts));
});

t.test("verifyCrc 'report': a bad CRC is reported per message, not thrown; inner faults point at the wrapper", async (t) => {
  const plain = encodeLegacyMessageSet({ magic: 1, messages: messages.slice(0, 1) });
  t.equal(decodeLegacyEntry(plain, 0, { verifyCrc: 'report' }).isValid, true);
  t.equal(decodeLegacyEntry(plain).isValid, undefined, 'only reported when asked');
  const bad = Buffer.from(plain);
  bad[bad.length - 1]! ^= 1;
  t.equal(decodeLegacyEntry(bad, 0, { verifyCrc: 'report' }).isValid, false);
  const inner = Buffer.from(encodeLegacyMessageSet({ magic: 1, messages: messages.slice(0, 2), baseOffset: 0 }));
  inner[inner.length - 1]! ^= 1;
  const wrapperAt = 100;
  const wrapper = encodeLegacyMessageSet({ magic: 1, messages: [{ offset: 1, timestampMs: T0, key: null, value: gzipSync(inner) }] });
  // Re-mark the outer message as a gzip wrapper (attributes byte) and fix its CRC.
  wrapper.writeInt8(CompressionType.Gzip, 17);
  wrapper.writeUInt32BE(crc32(wrapper.subarray(16)) >>> 0, 12);
  const file = Buffer.concat([Buffer.alloc(wrapperAt), wrapper]);
  const got = [...iterateLegacyMessages(file, wrapperAt, { verifyCrc: 'report', basePosition: 1000 })];
  t.same(got.map((m) => [m.offset, m.isValid]), [[0, true], [1, false]]);
  const cut = gzipSync(inner.subarray(0, inner.length - 3));
  const tornWrapper = encodeLegacyMessageSet({ magic: 1, messages: [{ offset: 1, timestampMs: T0, key: null, value: cut }] });
  tornWrapper.writeInt8(CompressionType.Gzip, 17);
  tornWrapper.writeUInt32BE(crc32(tornWrapper.subarray(16)) >>> 0, 12);
  const err = t.throws(() => [...iterateLegacyMessages(tornWrapper, 0, { verifyCrc: false, basePosition: 500 })], CorruptDataError) as CorruptDataError;
  t.equal(err.position, 500, 'inner faults are reported at the wrapper');
  t.match(err.message, /in the decompressed wrapper/);
});
