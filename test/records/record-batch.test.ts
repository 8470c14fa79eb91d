import t from 'tap';
import { CompressionType, isCrcValid, TimestampType } from '../../src/records/batch-header.js';
import {
  ControlRecordType,
  controlRecordTypeName,
  decodeControlRecordKey,
  decodeEndTransactionMarker,
  encodeEndTransactionMarkerBatch,
} from '../../src/records/control.js';
import {
  decodeBatchHeader, decodeRecordBatch, encodeRecordBatch, forEachRecordFields, iterateRecords, recordHeaderKeys, type RecordFields, type RecordInput,
} from '../../src/records/record-batch.js';
import { CorruptDataError } from '../../src/util/errors.js';
import { outcome, prng, sampleData, slowCrc32c } from './helpers.js';
import { kjsDecodeBatch, kjsEncodeBatch, kjsRecord, long } from './kafkajs.js';

const T0 = 1_700_000_000_000;

function sampleRecords(n: number, seed = 3): RecordInput[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    timestampMs: T0 + Math.floor(rnd() * 100_000) - 50_000,
    key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 7 === 0 ? null : sampleData(20 + Math.floor(rnd() * 300), i),
    headers: i % 3 === 0 ? [] : [{ key: 'trace', value: Buffer.from(`t${i}`) }, { key: 'ünïcode', value: Buffer.from('x') }],
  }));
}

/** The same records through kafkajs's own encoder. */
async function kafkajsBatch(records: RecordInput[], compression: number, baseOffset: number): Promise<Buffer> {
  const first = records[0]!.timestampMs;
  return kjsEncodeBatch({
    compression,
    firstOffset: long(baseOffset),
    firstTimestamp: first,
    maxTimestamp: Math.max(...records.map((r) => r.timestampMs)),
    partitionLeaderEpoch: 7,
    lastOffsetDelta: records.length - 1,
    producerId: long(-1),
    producerEpoch: -1,
    firstSequence: -1,
    records: records.map((r, i) =>
      kjsRecord({
        offsetDelta: i,
        timestampDelta: r.timestampMs - first,
        key: r.key,
        value: r.value,
        headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value!])),
      }),
    ),
  });
}

t.test('a one-record batch, every byte written out by hand', async (t) => {
  const batch = encodeRecordBatch({
    baseOffset: 5,
    partitionLeaderEpoch: 1,
    records: [{ timestampMs: 1000, key: Buffer.from('k'), value: Buffer.from('v') }],
  });
  const record = [0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00]; // length 8 (zig-zag 16), attrs, ts/offset deltas 0, key "k", value "v", 0 headers
  const headerAfterCrc = [
    0x00, 0x00, // attributes
    0x00, 0x00, 0x00, 0x00, // last offset delta
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, // base timestamp 1000
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, // max timestamp 1000
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producer id -1
    0xff, 0xff, // producer epoch -1
    0xff, 0xff, 0xff, 0xff, // base sequence -1
    0x00, 0x00, 0x00, 0x01, // records count
  ];
  const crc = slowCrc32c(Buffer.from([...headerAfterCrc, ...record]));
  const expected = Buffer.from([
    0, 0, 0, 0, 0, 0, 0, 5, // base offset
    0x00, 0x00, 0x00, 0x3a, // length 58
    0x00, 0x00, 0x00, 0x01, // partition leader epoch
    0x02, // magic
    crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff,
    ...headerAfterCrc,
    ...record,
  ]);
  t.same([...batch], [...expected]);
  const decoded = decodeRecordBatch(batch);
  t.equal(decoded.sizeInBytes, 70);
  t.equal(decoded.records[0]!.offset, 5);
  t.equal(decoded.records[0]!.timestampMs, 1000);
  t.equal(decoded.records[0]!.key!.toString(), 'k');
});

t.test('a record with a header and negative deltas, by hand', async (t) => {
  const batch = encodeRecordBatch({
    records: [
      { timestampMs: 10, key: null, value: Buffer.from('a') },
      { offsetDelta: 1, timestampMs: 9, key: null, value: null, headers: [{ key: 'h', value: null }] },
    ],
  });
  // Second record: attrs 0, ts delta -1 → 01, offset delta 1 → 02, key null 01, value null 01, 1 header → 02, key "h" 02 68, value null 01
  const second = [0x12, 0x00, 0x01, 0x02, 0x01, 0x01, 0x02, 0x02, 0x68, 0x01];
  t.same([...batch.subarray(batch.length - second.length)], second);
  t.equal(decodeBatchHeader(batch).maxTimestamp, 10);
  const [, r2] = decodeRecordBatch(batch).records;
  t.equal(r2!.timestampMs, 9);
  t.same(r2!.headers, [{ key: 'h', value: null }]);
});

t.test('bytes equal kafkajs, uncompressed and gzip', async (t) => {
  for (const compression of [CompressionType.None, CompressionType.Gzip]) {
    const records = sampleRecords(40);
    const ours = encodeRecordBatch({ baseOffset: 12345, partitionLeaderEpoch: 7, compression, records });
    const theirs = await kafkajsBatch(records, compression, 12345);
    t.ok(ours.equals(theirs), `compression ${compression}: ${ours.length} bytes equal`);
  }
});

t.test('we decode kafkajs-encoded batches, and kafkajs decodes ours', async (t) => {
  const records = sampleRecords(25, 9);
  for (const compression of [CompressionType.None, CompressionType.Gzip]) {
    const theirs = await kafkajsBatch(records, compression, 100);
    const decoded = decodeRecordBatch(theirs);
    t.equal(decoded.records.length, 25);
    decoded.records.forEach((r, i) => {
      t.equal(r.offset, 100 + i);
      t.equal(r.timestampMs, records[i]!.timestampMs);
      t.same(r.key, records[i]!.key);
      t.same(r.value, records[i]!.value);
      t.same(r.headers.map((h) => h.key), (records[i]!.headers ?? []).map((h) => h.key));
    });
  }
  const ours = encodeRecordBatch({ baseOffset: 50, records, compression: CompressionType.Gzip, transactional: true, producerId: 9, producerEpoch: 2, baseSequence: 11 });
  const k = await kjsDecodeBatch(ours);
  t.equal(k.records.length, 25);
  t.equal(k.records[3]!.offset, '53');
  t.equal(k.records[3]!.timestamp, String(records[3]!.timestampMs));
  t.equal(k['inTransaction'], true);
  t.equal(k['producerId'], '9');
  t.equal(k['firstSequence'], 11);
});

t.test('every codec and every attribute round-trips', async (t) => {
  const records = sampleRecords(60, 5);
  for (const compression of [0, 1, 2, 3, 4] as const) {
    const batch = encodeRecordBatch({
      baseOffset: 2 ** 40,
      compression,
      records,
      producerId: 2 ** 45,
      producerEpoch: 3,
      baseSequence: 2_000_000_000,
      transactional: true,
      partitionLeaderEpoch: 12,
    });
    t.ok(isCrcValid(batch));
    const { header, records: out } = decodeRecordBatch(batch);
    t.equal(header.compression, compression);
    t.equal(header.isTransactional, true);
    t.equal(header.producerId, 2 ** 45);
    t.equal(header.lastOffsetDelta, 59);
    t.equal(header.recordsCount, 60);
    t.equal(header.maxTimestamp, Math.max(...records.map((r) => r.timestampMs)));
    t.equal(out[59]!.offset, 2 ** 40 + 59);
    t.same(out.map((r) => [r.timestampMs, r.key, r.value]), records.map((r) => [r.timestampMs, r.key, r.value]), `codec ${compression}`);
  }
});

t.test('LogAppendTime, delete horizon and empty compacted batches', async (t) => {
  const records = sampleRecords(3);
  const lat = decodeRecordBatch(encodeRecordBatch({ records, timestampType: TimestampType.LogAppendTime, logAppendTimeMs: T0 + 5 }));
  t.equal(lat.header.timestampType, TimestampType.LogAppendTime);
  t.same(lat.records.map((r) => r.timestampMs), [T0 + 5, T0 + 5, T0 + 5]);
  const dh = decodeRecordBatch(encodeRecordBatch({ records, deleteHorizonMs: T0 - 1000 }));
  t.equal(dh.header.hasDeleteHorizon, true);
  t.equal(dh.header.baseTimestamp, T0 - 1000);
  t.same(dh.records.map((r) => r.timestampMs), records.map((r) => r.timestampMs));
  const empty = decodeRecordBatch(encodeRecordBatch({ baseOffset: 10, records: [], lastOffsetDelta: 4 }));
  t.equal(empty.records.length, 0);
  t.equal(empty.header.lastOffsetDelta, 4);
});

t.test('the iterator decodes lazily', async (t) => {
  const batch = encodeRecordBatch({ records: sampleRecords(100), compression: CompressionType.Lz4 });
  const it = iterateRecords(batch);
  const first = it.next();
  t.equal(first.done, false);
  t.equal(first.value && first.value.offset, 0);
  let n = 1;
  for (const _ of it) n++;
  t.equal(n, 100);
});

t.test('transaction markers and control records', async (t) => {
  const marker = encodeEndTransactionMarkerBatch({ baseOffset: 77, producerId: 4000, producerEpoch: 5, coordinatorEpoch: 9, commit: true, timestampMs: T0 });
  const { header, records } = decodeRecordBatch(marker);
  t.ok(header.isControl && header.isTransactional);
  t.equal(header.producerId, 4000);
  t.equal(header.baseSequence, -1);
  t.equal(records.length, 1);
  const key = decodeControlRecordKey(records[0]!.key);
  t.same(key, { version: 0, type: ControlRecordType.Commit });
  t.equal(controlRecordTypeName(key.type), 'COMMIT');
  t.same(decodeEndTransactionMarker(records[0]!.value), { version: 0, coordinatorEpoch: 9 });
  t.same([...records[0]!.key!], [0, 0, 0, 1]);
  t.same([...records[0]!.value!], [0, 0, 0, 0, 0, 9]);
  const abort = decodeRecordBatch(encodeEndTransactionMarkerBatch({ producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, commit: false, timestampMs: 0 }));
  t.equal(decodeControlRecordKey(abort.records[0]!.key).type, ControlRecordType.Abort);
  t.equal(controlRecordTypeName(2), 'LEADER_CHANGE');
  t.equal(controlRecordTypeName(99), 'UNKNOWN');
  t.throws(() => decodeControlRecordKey(Buffer.from([0, 0])), CorruptDataError);
  t.throws(() => decodeEndTransactionMarker(null), CorruptDataError);
});

t.test('truncation at every byte position is a CorruptDataError', async (t) => {
  for (const compression of [CompressionType.None, CompressionType.Zstd]) {
    const batch = encodeRecordBatch({ records: sampleRecords(4), compression });
    for (let n = 0; n < batch.length; n++) {
      t.throws(() => decodeRecordBatch(batch.subarray(0, n)), CorruptDataError, `cut at ${n}`);
    }
    // Truncated records section inside a batch whose Length and CRC were fixed up to match.
    for (let n = 61; n < batch.length; n++) {
      const cut = Buffer.from(batch.subarray(0, n));
      cut.writeInt32BE(n - 12, 8);
      t.equal(outcome(() => decodeRecordBatch(cut, 0, { verifyCrc: false })), 'corrupt', `records cut at ${n}`);
    }
  }
});

t.test('bad CRC, magic, lengths and varints', async (t) => {
  const batch = encodeRecordBatch({ records: sampleRecords(3) });
  const badCrc = Buffer.from(batch);
  badCrc[batch.length - 1]! ^= 1;
  t.throws(() => decodeRecordBatch(badCrc), /CRC mismatch/);
  t.equal(decodeRecordBatch(badCrc, 0, { verifyCrc: false }).records.length, 3, 'decodable when the caller skips the CRC');
  const badMagic = Buffer.from(batch);
  badMagic[16] = 3;
  t.throws(() => decodeRecordBatch(badMagic), /magic 3/);
  const hugeLength = Buffer.from(batch);
  hugeLength.writeInt32BE(0x7fffffff, 8);
  t.throws(() => decodeRecordBatch(hugeLength), /runs past/);
  const hugeCount = Buffer.from(batch);
  hugeCount.writeInt32BE(0x7fffffff, 57);
  t.throws(() => decodeRecordBatch(hugeCount, 0, { verifyCrc: false }), /cannot fit/);
  const longVarint = Buffer.from(batch);
  longVarint.fill(0xff, 61, 67);
  t.throws(() => decodeRecordBatch(longVarint, 0, { verifyCrc: false }), /varint/);
  const absurdKey = encodeRecordBatch({ records: [{ timestampMs: 0, key: Buffer.from('k'), value: null }] });
  absurdKey[65] = 0xfe; // key length becomes a two-byte varint far larger than the record
  t.throws(() => decodeRecordBatch(absurdKey, 0, { verifyCrc: false }), CorruptDataError);
  t.throws(() => decodeRecordBatch(Buffer.alloc(0)), /needs 61 bytes/);
});

t.test('random mutations never crash the decoder', async (t) => {
  const rnd = prng(2024);
  const sources = [
    encodeRecordBatch({ records: sampleRecords(6) }),
    encodeRecordBatch({ records: sampleRecords(6), compression: CompressionType.Snappy }),
    encodeRecordBatch({ records: sampleRecords(6), compression: CompressionType.Lz4 }),
  ];
  const counts = { ok: 0, corrupt: 0 };
  for (let i = 0; i < 3000; i++) {
    const src = sources[i % sources.length]!;
    const m = Buffer.from(src);
    const flips = 1 + Math.floor(rnd() * 3);
    for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.2 ? m.subarray(0, Math.floor(rnd() * m.length)) : m;
    counts[outcome(() => decodeRecordBatch(cut, 0, { verifyCrc: false, maxDecompressedBytes: 1_000_000 }))]++;
  }
  t.equal(counts.ok + counts.corrupt, 3000, JSON.stringify(counts));
  t.ok(counts.corrupt > 0 && counts.ok > 0);
});

t.test('forEachRecordFields: the same records as iterateRecords, as positions in one reused object', async (t) => {
  const records: RecordInput[] = [
    { timestampMs: T0, key: null, value: Buffer.from('v0') },
    { timestampMs: T0 + 5, key: Buffer.from('k1'), value: null, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }] },
  ];
  for (const compression of [CompressionType.None, CompressionType.Gzip]) {
    const batch = encodeRecordBatch({ baseOffset: 40, compression, records });
    const want = [...iterateRecords(batch)];
    const seen: RecordFields[] = [];
    const got: Array<{ offsetDelta: number; key: string | null; value: string | null; headers: string[]; size: number }> = [];
    const header = forEachRecordFields(batch, 0, {}, (f, data) => {
      seen.push(f);
      got.push({
        offsetDelta: f.offsetDelta,
        key: f.keySize < 0 ? null : data.toString('utf8', f.keyStart, f.keyStart + f.keySize),
        value: f.valueSize < 0 ? null : data.toString('utf8', f.valueStart, f.valueStart + f.valueSize),
        headers: recordHeaderKeys(data, f),
        size: f.end - f.start,
      });
    });
    t.equal(header.recordsCount, 2);
    t.equal(seen[0], seen[1], 'one RecordFields for the batch');
    t.same(got, want.map((r) => ({
      offsetDelta: r.offsetDelta, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, headers: r.headers.map((h) => h.key), size: r.sizeInBytes,
    })));
    const short = Buffer.from(batch);
    short.writeInt32BE(3, 57);
    const handed: number[] = [];
    t.throws(() => forEachRecordFields(short, 0, { verifyCrc: false }, (f) => handed.push(f.offsetDelta)), CorruptDataError, 'a count above the records is corrupt');
    t.same(handed, [0, 1], 'records before the fault were handed over');
  }
});
