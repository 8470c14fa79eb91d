/**
 * Golden bytes written by other Kafka clients' encoders.
 *
 * fixtures/java-snappy-batch.bin: a snappy (xerial-framed) record batch written by the
 * Java client (client id producer-1, one 7 KB record), cut out of a Produce v11 request
 * captured in the Tansu project's tests (tansu-sans-io/tests/snappy.rs, Apache-2.0).
 *
 * fixtures/librdkafka-{gzip,snappy,zstd}.log: one-segment logs holding the batch kcat
 * (librdkafka 2.0.2) produced with `-z <codec>` for 50 records
 * `k<i%5>` -> `librdkafka <codec> record <i> <"abc" x (i%20)>`, as a kts broker stored it.
 * librdkafka writes snappy as one raw block (no xerial framing).
 *
 * The legacy message vectors are the
 * test vectors of the Go client Sarama (IBM/sarama message_test.go): xerial snappy from
 * go-xerial-snappy, LZ4 frames (with content checksum) from pierrec/lz4, zstd from
 * klauspost/compress, gzip from Go's compress/gzip. They are bare messages: we prepend
 * the 12-byte log overhead (offset, size) to make log entries.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { CompressionType, isCrcValid } from '../../src/records/batch-header.js';
import { decompress } from '../../src/records/compression/index.js';
import { isXerialFramed } from '../../src/records/compression/snappy.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/records/record-batch.js';
import { decodeLogEntry, scanLogEntries } from '../../src/records/log-entries.js';
import { decodeLegacyEntry, iterateLegacyMessages } from '../../src/records/legacy.js';
import { CorruptDataError } from '../../src/util/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function entry(offset: number, message: Buffer): Buffer {
  const out = Buffer.alloc(12 + message.length);
  out.writeBigInt64BE(BigInt(offset), 0);
  out.writeInt32BE(message.length, 8);
  message.copy(out, 12);
  return out;
}

// Two inner v0 messages (offsets 0 and 1, null key, empty value) compressed four ways.
const bulkSnappy = hex(`
  b42f35d10002ffffffff0000002a82534e415050590000000001000000010000
  00163400001901100ee38a6876190f0d01080100003e1a00`);
const bulkGzip = hex(`
  8ba03f8d0001ffffffff000000271f8b080000000000000063608003beca708f
  070c0cff810021c8c088290300c7e29b4634000000`);
const bulkLz4 = hex(`
  f60cbc810103fffff9d1d4b549c9ffffffff0000004704224d186470b9340000
  8000000000000000000000000e795748e00000ffffffff000000000000000000
  0000010000000e795748e00000ffffffff00000000000000004781176f`);
const bulkZstd = hex(`
  cb97851c0104fffff9d1d4b549c9ffffffff0000002628b52ffd2434cd000078
  00000e795748e00000ffffffff000103003dbd003b15000bd234c178`);

t.test('golden compressed message sets from an independent encoder decode to two messages', async (t) => {
  const cases: [string, Buffer, number, number][] = [
    ['snappy (xerial, v0 wrapper)', bulkSnappy, CompressionType.Snappy, 0],
    ['gzip (v0 wrapper)', bulkGzip, CompressionType.Gzip, 0],
    ['lz4 frame with content checksum (v1 wrapper)', bulkLz4, CompressionType.Lz4, 1],
    ['zstd (v1 wrapper)', bulkZstd, CompressionType.Zstd, 1],
  ];
  for (const [name, message, codec, magic] of cases) {
    // v1 wrapper offset = absolute offset of the last inner message: put the set at 40..41.
    const e = entry(magic === 1 ? 41 : 1, message);
    const wrapper = decodeLegacyEntry(e);
    t.equal(wrapper.compression, codec, `${name}: codec`);
    t.equal(wrapper.magic, magic);
    const inner = [...iterateLegacyMessages(e)];
    t.same(inner.map((m) => m.offset), magic === 1 ? [40, 41] : [0, 1], `${name}: offsets`);
    t.ok(inner.every((m) => (m.key === null || m.key.length === 0) && m.value !== null && m.value.length === 0 && m.magic === 0), `${name}: empty messages`);
    const strict = (): unknown => [...iterateLegacyMessages(e, 0, { ensureMatchingMagic: true })];
    if (magic === 1) t.throws(strict, CorruptDataError, 'v0 inner messages in a v1 wrapper refused when asked');
    else t.doesNotThrow(strict);
  }
});

t.test('golden messages: CRC and layout', async (t) => {
  const empty = entry(0, hex('a7ec6803 00 00 ffffffff ffffffff'));
  const m = decodeLegacyEntry(empty);
  t.equal(m.key, null);
  t.equal(m.value, null);
  const emptyV1 = entry(0, hex('cc2f79d9 01 00 0000000000000000 ffffffff ffffffff'));
  t.equal(decodeLegacyEntry(emptyV1).timestampMs, 0);
  const bad = Buffer.from(empty);
  bad[12] ^= 1;
  t.throws(() => decodeLegacyEntry(bad), /CRC/);
});

t.test('a snappy batch written by the Java client', async (t) => {
  const batch = readFileSync(new URL('./fixtures/java-snappy-batch.bin', import.meta.url));
  t.equal(batch.length, 4620);
  t.ok(isCrcValid(batch));
  t.ok(isXerialFramed(batch.subarray(61)), 'Java writes xerial framing');
  const { header, records } = decodeRecordBatch(batch);
  t.match(header, { baseOffset: 0, compression: CompressionType.Snappy, producerId: 1, producerEpoch: 0, baseSequence: 0, recordsCount: 1, lastOffsetDelta: 0 });
  t.equal(records.length, 1);
  const [r] = records;
  t.equal(r!.sizeInBytes, 7125, 'record length varint 7123 + 2 bytes');
  t.equal(r!.key, null);
  t.equal(r!.value!.length, 7116);
  t.equal(r!.timestampMs, header.baseTimestamp);
  // Java's uncompressed records section equals ours for the same record.
  const javaRecords = decompress(CompressionType.Snappy, batch.subarray(61), 100_000);
  const ours = encodeRecordBatch({ records: [{ timestampMs: r!.timestampMs, key: null, value: r!.value }] });
  t.ok(ours.subarray(61).equals(javaRecords), 'record bytes identical to DefaultRecord.writeTo');
  // Re-encoded with our snappy writer it decodes to the same record.
  const again = encodeRecordBatch({ baseOffset: 0, producerId: 1, producerEpoch: 0, baseSequence: 0, compression: CompressionType.Snappy, records: [{ timestampMs: r!.timestampMs, key: null, value: r!.value }] });
  t.same(decodeRecordBatch(again).records[0]!.value, r!.value);
});

t.test('batches written by librdkafka (kcat -z gzip|snappy|zstd)', async (t) => {
  for (const [codec, type] of [['gzip', CompressionType.Gzip], ['snappy', CompressionType.Snappy], ['zstd', CompressionType.Zstd]] as const) {
    const segment = readFileSync(new URL(`./fixtures/librdkafka-${codec}.log`, import.meta.url));
    const scan = scanLogEntries(segment);
    const entries = [...scan];
    t.equal(scan.stop!.kind, 'complete');
    t.equal(entries.length, 1);
    const decoded = decodeLogEntry(entries[0]!);
    if (decoded.magic !== 2) throw new Error('expected a v2 batch');
    t.equal(decoded.header.compression, type, codec);
    if (type === CompressionType.Snappy) t.notOk(isXerialFramed(entries[0]!.bytes.subarray(61)), 'raw snappy block');
    const records = [...decoded.records];
    t.same(
      records.map((r) => `${r.offset} ${r.key!.toString()}:${r.value!.toString()}`),
      Array.from({ length: 50 }, (_, i) => `${i} k${i % 5}:librdkafka ${codec} record ${i} ${'abc'.repeat(i % 20)}`),
      `${codec}: every record`,
    );
  }
});
