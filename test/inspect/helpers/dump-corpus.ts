/**
 * The golden corpus for dump-log's record-level output: small segments exercising every
 * line shape (keys, headers, nulls, empty values, multi-byte and invalid UTF-8, every
 * codec, control and transactional batches, LogAppendTime, delete horizon, sequence wrap,
 * legacy v0/v1 sets with wrappers, internal-topic records, a KRaft snapshot, a CRC
 * mismatch, undecodable records, gaps between offsets, a torn tail). The bytes are
 * committed under test/inspect/golden/ together with the output they must print; this
 * module regenerates them (`npx tsx test/inspect/helpers/dump-corpus.ts <dir>`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { encodeRecordBatch, type RecordInput } from '../../../src/records/record-batch.js';
import { encodeLegacyMessageSet } from '../../../src/records/legacy.js';
import { CompressionType } from '../../../src/records/batch-header.js';
import { handBatch, handMessage, handRecord, zigzagVarint, type HandRecord } from '../fixtures.js';

const TS = 1739569505569;
const SEG = '00000000000000000000';

function i16(v: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; }
function i32(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }
function i64(v: number): Buffer { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); return b; }
function str(s: string | null): Buffer { return s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]); }

/** Values whose text rendering differs most: escapes, multi-byte, invalid UTF-8. */
const ODD_VALUES: (Buffer | null)[] = [
  Buffer.from('plain ascii'),
  Buffer.alloc(0),
  null,
  Buffer.from('tab\there "quote" back\\slash\nnewline\r\u0001ctl\u007f'),
  Buffer.from('héllo wörld ✓ 日本 😀'),
  Buffer.from([0xff, 0xfe, 0x41, 0xc0, 0x80, 0x42]),
  Buffer.from([0xed, 0xa0, 0x80, 0x43, 0xe2, 0x82]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from([0xe2, 0x82, 0xac, 0x00, 0x7f, 0x80]),
  i32(-123456),
  i64(-9007199254740991),
  Buffer.from('{"a": 1, "b": [true, null]}'),
];

function oddRecords(): HandRecord[] {
  return ODD_VALUES.map((value, i) => ({
    offsetDelta: i,
    timestampDelta: i * 1000,
    key: i % 3 === 0 ? null : i % 3 === 1 ? Buffer.from(`key-${i}`) : Buffer.from([0xc3, 0x28, 0x6b]),
    value,
    headers: i % 4 === 0 ? [] : i % 4 === 1 ? [['h', null]] : i % 4 === 2 ? [['trace-id', Buffer.from('x')], ['ünï', Buffer.from('y')]] : [['', Buffer.alloc(0)], ['a,b', null], ['c]', Buffer.from('z')]],
  }));
}

function handOf(records: HandRecord[], fields: Omit<Parameters<typeof handBatch>[0], 'records' | 'count' | 'lastOffsetDelta'>): Buffer {
  return handBatch({ ...fields, count: records.length, lastOffsetDelta: records.length - 1, records: Buffer.concat(records.map(handRecord)) });
}

function encodedRecords(n: number, base: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    timestampMs: base + i * 37,
    key: i % 2 === 0 ? null : Buffer.from(`k${i}`),
    value: i % 5 === 4 ? null : Buffer.from(`value ${i} ✓`),
    headers: i % 3 === 0 ? [] : [{ key: `hdr${i}`, value: Buffer.from('v') }],
  }));
}

function v2Segment(): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer, count: number): void => {
    parts.push(b);
    offset += count;
  };
  const odd = oddRecords();
  push(handOf(odd, { baseOffset: offset, baseTimestamp: TS, maxTimestamp: TS + 11000 }), odd.length);
  for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) push(encodeRecordBatch({ baseOffset: offset, compression, partitionLeaderEpoch: compression, records: encodedRecords(7, TS + compression) }), 7);
  // Idempotent batch whose sequence wraps past INT32_MAX.
  push(encodeRecordBatch({ baseOffset: offset, producerId: 4242, producerEpoch: 3, baseSequence: 2147483646, records: encodedRecords(4, TS) }), 4);
  // Transactional data, then its COMMIT and an ABORT marker, and an unknown control type.
  push(encodeRecordBatch({ baseOffset: offset, producerId: 77, producerEpoch: 1, baseSequence: 0, transactional: true, compression: 1, records: encodedRecords(3, TS) }), 3);
  const marker = (type: number, epoch: number): RecordInput => ({ timestampMs: TS + 50, key: Buffer.from([0, 0, 0, type]), value: Buffer.concat([i16(0), i32(epoch)]) });
  push(encodeRecordBatch({ baseOffset: offset, producerId: 77, producerEpoch: 1, transactional: true, control: true, records: [marker(1, 12)] }), 1);
  push(encodeRecordBatch({ baseOffset: offset, producerId: 78, producerEpoch: 0, transactional: true, control: true, records: [marker(0, 13)] }), 1);
  push(encodeRecordBatch({ baseOffset: offset, control: true, records: [{ timestampMs: TS, key: Buffer.from([0, 0, 0, 9]), value: Buffer.from([1, 2]) }] }), 1);
  // LogAppendTime, and a batch with the delete horizon set.
  push(encodeRecordBatch({ baseOffset: offset, timestampType: 1, logAppendTimeMs: TS + 999, records: encodedRecords(3, TS) }), 3);
  push(encodeRecordBatch({ baseOffset: offset, deleteHorizonMs: TS + 86400000, records: encodedRecords(2, TS) }), 2);
  // Timestamps around the six-digit split and below zero; offsets far above 2^32.
  const stamps = [-1, 0, 999999, 1000000, 1000001, 1700000000000, 1700000099999, 1700000100000, 2251799813685247];
  push(handOf(stamps.map((s, i) => ({ offsetDelta: i, timestampDelta: s - -1, key: null, value: Buffer.from(String(s)) })), { baseOffset: offset, baseTimestamp: -1, maxTimestamp: 2251799813685247 }), stamps.length);
  offset = 5_000_000_000_000;
  push(encodeRecordBatch({ baseOffset: offset, records: encodedRecords(3, TS) }), 3);
  // A gap in offsets (Kafka's non-consecutive report) and a batch with offset deltas skipping.
  offset += 10;
  push(handOf([0, 2, 5].map((d) => ({ offsetDelta: d, timestampDelta: d, key: null, value: Buffer.from(`gap ${d}`) })), { baseOffset: offset, baseTimestamp: TS, maxTimestamp: TS + 5 }), 6);
  // A CRC mismatch: dump-log still prints its records.
  const bad = encodeRecordBatch({ baseOffset: offset, records: encodedRecords(2, TS) });
  bad[bad.length - 1] ^= 0x01;
  push(bad, 2);
  // An empty batch (compaction left none of its records).
  push(encodeRecordBatch({ baseOffset: offset, lastOffsetDelta: 4, records: [] }), 5);
  // Records that cannot be decoded: a record count above what the bytes hold.
  const undecodable = encodeRecordBatch({ baseOffset: offset, records: encodedRecords(2, TS) });
  undecodable.writeInt32BE(3, 57);
  push(undecodable, 3);
  push(encodeRecordBatch({ baseOffset: offset, records: encodedRecords(2, TS) }), 2);
  parts.push(Buffer.from([0, 0, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

function legacySegment(): Buffer {
  const v0 = handMessage({ offset: 0, magic: 0, key: Buffer.from('k'), value: Buffer.from('v0 ✓') });
  const v1 = handMessage({ offset: 1, magic: 1, timestamp: 1500, key: null, value: Buffer.from([0xff, 0x41]) });
  const inner1 = handMessage({ offset: 0, magic: 1, timestamp: 1000, key: null, value: Buffer.from('a') });
  const inner2 = handMessage({ offset: 1, magic: 1, timestamp: 2000, key: Buffer.from('kb'), value: null });
  const wrapper = handMessage({ offset: 3, magic: 1, attributes: 1, timestamp: 2000, key: null, value: gzipSync(Buffer.concat([inner1, inner2])) });
  const msgs = [{ key: null, value: Buffer.from('x') }, { key: Buffer.from('y'), value: Buffer.alloc(0) }];
  const snappy = encodeLegacyMessageSet({ magic: 1, baseOffset: 4, compression: 2, messages: msgs.map((m, i) => ({ ...m, timestampMs: 3000 + i })) });
  const lz4 = encodeLegacyMessageSet({ magic: 1, baseOffset: 6, compression: 3, timestampType: 1, logAppendTimeMs: 5000, messages: msgs });
  const v0gzip = encodeLegacyMessageSet({ magic: 0, baseOffset: 8, compression: 1, messages: msgs });
  const corrupt = handMessage({ offset: 10, magic: 0, key: null, value: Buffer.from('bad crc') });
  corrupt[corrupt.length - 1] ^= 0x20;
  return Buffer.concat([v0, v1, wrapper, snappy, lz4, v0gzip, corrupt]);
}

/** Bytes of a record body (after its length) as the format lays it out, for records no encoder would write. */
function rawRecord(body: Buffer, length = body.length): Buffer {
  return Buffer.concat([zigzagVarint(length), body]);
}

/**
 * Batches whose records go wrong after two good ones, each in its own way (the records
 * module's checks, one by one), plus oddities that are valid: a 5-byte varint offset
 * delta and a timestamp delta needing more than 4 varlong bytes.
 */
function corruptSegment(): Buffer {
  const good = (i: number): Buffer => handRecord({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [['h', Buffer.from('x')]] });
  const body = (...parts: (number[] | Buffer)[]): Buffer => Buffer.concat(parts.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(x))));
  const v = zigzagVarint;
  const third: Buffer[] = [
    rawRecord(body([0], v(0), v(2), v(-1), v(-1), v(0)), 200),
    zigzagVarint(0),
    rawRecord(body([0], v(0), [0x80, 0x80])),
    rawRecord(body([0], v(0), [0xff, 0xff, 0xff, 0xff, 0x7f], v(-1), v(-1), v(0))),
    rawRecord(body([0], v(0), v(2), v(-2), v(-1), v(0))),
    rawRecord(body([0], v(0), v(2), v(50), [1, 2], v(-1), v(0))),
    rawRecord(body([0], v(0), v(2), v(-1), v(-1), v(1), v(-1), v(-1))),
    rawRecord(body([0], v(0), v(2), v(-1), v(-1), v(40), [1, 2])),
    rawRecord(body([0], v(0), v(2), v(-1), v(-1), v(0), [7, 7])),
    rawRecord(body([0], v(-5), v(2), v(-1), v(1), [0x41], v(0))),
  ];
  const batches: Buffer[] = [];
  let offset = 0;
  for (const bad of third) {
    batches.push(handBatch({ baseOffset: offset, lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count: 3, records: Buffer.concat([good(0), good(1), bad]) }));
    offset += 3;
  }
  const records = Buffer.concat([good(0), good(1), good(2)]);
  const withCount = (count: number, attributes = 0, data = records): Buffer =>
    handBatch({ baseOffset: (offset += 3) - 3, attributes, lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count, records: data });
  batches.push(withCount(2), withCount(4), withCount(1000), withCount(-1));
  batches.push(withCount(3, 1, Buffer.from('not gzip at all')), withCount(3, 5), withCount(3, 2, Buffer.alloc(0)));
  const magic3 = withCount(3);
  magic3[16] = 3;
  batches.push(magic3);
  // Valid, but outside the quick walk: it hands over two records, then the records module goes on.
  batches.push(handBatch({ baseOffset: offset, lastOffsetDelta: 1073741824, baseTimestamp: TS, maxTimestamp: TS, count: 3, records: Buffer.concat([
    good(0), good(1), handRecord({ offsetDelta: 1073741824, timestampDelta: 2 ** 40, key: null, value: Buffer.from('far') }),
  ]) }));
  return Buffer.concat(batches);
}

function segmentOf(records: { key: Buffer | null; value: Buffer | null }[]): Buffer {
  return handOf(records.map((r, i) => ({ offsetDelta: i, timestampDelta: 0, key: r.key, value: r.value })), { baseOffset: 0, baseTimestamp: TS, maxTimestamp: TS });
}

function offsetsSegment(): Buffer {
  const commitKey = Buffer.concat([i16(1), str('g'), str('t'), i32(0)]);
  const commitValue = Buffer.concat([i16(3), i64(42), i32(5), str('meta "q"'), i64(TS)]);
  const groupKey = Buffer.concat([i16(2), str('g')]);
  const groupValue = Buffer.concat([i16(3), str('consumer'), i32(4), str('range'), str(null), i64(TS), i32(0)]);
  return segmentOf([
    { key: commitKey, value: commitValue },
    { key: groupKey, value: groupValue },
    { key: commitKey, value: null },
    { key: Buffer.concat([i16(9), str('x')]), value: null },
    { key: Buffer.from([0]), value: Buffer.from([1]) },
  ]);
}

function transactionSegment(): Buffer {
  const key = Buffer.concat([i16(0), str('my-txn')]);
  const value = Buffer.concat([i16(0), i64(1000), i16(2), i32(60000), Buffer.from([1]), i32(1), str('t'), i32(2), i32(0), i32(1), i64(TS + 1), i64(TS)]);
  return segmentOf([{ key, value }, { key, value: null }, { key: Buffer.from([0, 0]), value: Buffer.from([0]) }]);
}

function kraftSnapshot(): Buffer {
  const control = (type: number, value: Buffer, baseOffset: number): Buffer =>
    handOf([{ offsetDelta: 0, timestampDelta: 0, key: Buffer.from([0, 0, 0, type]), value }], { baseOffset, attributes: 0x20, baseTimestamp: TS, maxTimestamp: TS });
  const header = Buffer.alloc(11);
  header.writeBigInt64BE(1700000000000n, 2);
  const data = encodeRecordBatch({ baseOffset: 1, records: [{ timestampMs: TS, key: null, value: Buffer.from([1, 2, 3]) }] });
  return Buffer.concat([control(3, header, 0), data, control(2, Buffer.from([0, 0, 0, 0, 0, 1, 1, 1, 0]), 2), control(4, Buffer.from([0, 0, 0]), 3)]);
}

/** Write the corpus under `root`; returns the files, relative to `root`. */
export function writeCorpus(root: string): string[] {
  const files: [string, Buffer][] = [
    [`t-0/${SEG}.log`, v2Segment()],
    [`legacy-0/${SEG}.log`, legacySegment()],
    [`corrupt-0/${SEG}.log`, corruptSegment()],
    [`__consumer_offsets-0/${SEG}.log`, offsetsSegment()],
    [`__transaction_state-0/${SEG}.log`, transactionSegment()],
    ['__cluster_metadata-0/00000000000000000004-0000000001.checkpoint', kraftSnapshot()],
  ];
  for (const [name, bytes] of files) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), bytes);
  }
  return files.map(([name]) => name);
}

/** The runs whose output is pinned: [name, dump-log arguments after --files]. */
export const GOLDEN_RUNS: readonly [string, string[]][] = [
  ['batches', []],
  ['deep', ['--deep-iteration']],
  ['data', ['--print-data-log']],
  ['data-skip', ['--print-data-log', '--skip-record-metadata']],
  ['deep-skip', ['--deep-iteration', '--skip-record-metadata']],
  ['json-deep', ['--json', '--deep-iteration']],
  ['json-data', ['--json', '--print-data-log']],
  ['hex-base64', ['--key-decoder-class', 'hex', '--value-decoder-class', 'base64']],
  ['int', ['--value-decoder-class', 'org.apache.kafka.tools.api.IntegerDecoder']],
  ['long', ['--key-decoder-class', 'long', '--value-decoder-class', 'long']],
  ['json-decoder', ['--value-decoder-class', 'json']],
  ['offsets', ['--offsets-decoder']],
  ['txn', ['--transaction-log-decoder']],
  ['summary', ['--summary', '--deep-iteration']],
  ['check', ['--check', '--deep-iteration']],
  ['small-window', ['--print-data-log', '--window-bytes', '4096']],
  ['max-bytes', ['--print-data-log', '--max-bytes', '700']],
];

if (process.argv[1]?.endsWith('dump-corpus.ts') === true && process.argv[2] !== undefined) {
  console.log(writeCorpus(process.argv[2]).join('\n'));
}
