// Decoding the records of a Fetch response: read_committed skips aborted transactions
// and control batches, a truncated last batch is left for the next fetch, records before
// the fetch offset are dropped, legacy message sets decode, corrupt bytes throw.
import t from 'tap';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { encodeEndTransactionMarkerBatch } from '../../src/records/control.js';
import { encodeLegacyMessageSet } from '../../src/records/legacy.js';
import { CompressionType } from '../../src/records/batch-header.js';
import { CorruptRecordsError, decodeFetchedRecords } from '../../src/client/fetch-decoder.js';
import { CorruptDataError } from '../../src/util/errors.js';

const rec = (v: string, ts = 1000) => ({ timestampMs: ts, key: null, value: Buffer.from(v) });

function txnBatch(baseOffset: number, producerId: number, values: string[]): Buffer {
  return encodeRecordBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, transactional: true, records: values.map((v) => rec(v)) });
}

function marker(baseOffset: number, producerId: number, commit: boolean): Buffer {
  return encodeEndTransactionMarkerBatch({ baseOffset, producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, timestampMs: 1000 });
}

// offsets: 0-1 pid 7 (aborted), 2-3 pid 8 (committed), 4 abort marker pid 7, 5 commit marker pid 8, 6 plain
const log = Buffer.concat([
  txnBatch(0, 7, ['a0', 'a1']),
  txnBatch(2, 8, ['c2', 'c3']),
  marker(4, 7, false),
  marker(5, 8, true),
  encodeRecordBatch({ baseOffset: 6, records: [rec('p6')] }),
]);

t.test('read_committed drops aborted transactions and control records', async (t) => {
  const d = decodeFetchedRecords('t', 0, log, {
    fetchOffset: 0,
    readCommitted: true,
    abortedTransactions: [{ producerId: 7, firstOffset: 0 }],
    verifyCrc: true,
  });
  t.same(d.records.map((r) => r.value?.toString()), ['c2', 'c3', 'p6']);
  t.equal(d.nextOffset, 7);
});

t.test('read_uncommitted keeps aborted data but never control records', async (t) => {
  const d = decodeFetchedRecords('t', 0, log, { fetchOffset: 0, readCommitted: false, abortedTransactions: [], verifyCrc: true });
  t.same(d.records.map((r) => r.value?.toString()), ['a0', 'a1', 'c2', 'c3', 'p6']);
  t.same(d.records.map((r) => r.offset), [0, 1, 2, 3, 6]);
});

t.test('records before the fetch offset are skipped; a truncated last batch waits', async (t) => {
  const full = Buffer.concat([
    encodeRecordBatch({ baseOffset: 10, compression: CompressionType.Gzip, records: ['x10', 'x11', 'x12'].map((v) => rec(v)) }),
    encodeRecordBatch({ baseOffset: 13, records: [rec('x13')] }),
  ]);
  const cut = full.subarray(0, full.length - 5);
  const d = decodeFetchedRecords('t', 0, cut, { fetchOffset: 11, readCommitted: false, abortedTransactions: [], verifyCrc: true });
  t.same(d.records.map((r) => r.offset), [11, 12]);
  t.equal(d.nextOffset, 13, 'the next fetch starts at the truncated batch');
});

t.test('legacy v0/v1 message sets decode with their timestamp types', async (t) => {
  const v1 = encodeLegacyMessageSet({ magic: 1, baseOffset: 0, messages: [{ timestampMs: 5, key: Buffer.from('k'), value: Buffer.from('v1') }] });
  const v0 = encodeLegacyMessageSet({ magic: 0, baseOffset: 1, compression: CompressionType.Gzip, messages: [{ key: null, value: Buffer.from('v0a') }, { key: null, value: Buffer.from('v0b') }] });
  const d = decodeFetchedRecords('t', 0, Buffer.concat([v1, v0]), { fetchOffset: 0, readCommitted: false, abortedTransactions: [], verifyCrc: true });
  t.same(
    d.records.map((r) => [r.offset, r.value?.toString(), r.timestampType, r.timestampMs, r.leaderEpoch]),
    [
      [0, 'v1', 'CreateTime', 5, null],
      [1, 'v0a', 'NoTimestampType', -1, null],
      [2, 'v0b', 'NoTimestampType', -1, null],
    ],
  );
  t.equal(d.nextOffset, 3);
});

t.test('corrupt bytes are reported (partition, offset, what is wrong) or raise CorruptDataError, never a crash', async (t) => {
  const good = encodeRecordBatch({ baseOffset: 0, records: [rec('ok')] });
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1]! ^= 0xff;
  const options = { fetchOffset: 0, readCommitted: false, abortedTransactions: [], verifyCrc: true };
  const crc = decodeFetchedRecords('t', 0, flipped, options);
  t.same([crc.records.length, crc.nextOffset, crc.corrupt?.offset, crc.corrupt?.skipTo], [0, 0, 0, 1]);
  t.match(crc.corrupt?.message, 'CRC mismatch');
  const badMagic = Buffer.from(good);
  badMagic[16] = 9;
  t.ok(decodeFetchedRecords('t', 0, badMagic, options).corrupt instanceof CorruptRecordsError);
  const before = encodeRecordBatch({ baseOffset: 0, records: [rec('a'), rec('b')] });
  const after = encodeRecordBatch({ baseOffset: 3, records: [rec('d')] });
  const bad = Buffer.from(encodeRecordBatch({ baseOffset: 2, records: [rec('c')] }));
  bad[bad.length - 1]! ^= 0xff;
  const middle = decodeFetchedRecords('t', 0, Buffer.concat([before, bad, after]), options);
  t.same(middle.records.map((r) => r.value?.toString()), ['a', 'b'], 'the records before the bad batch');
  t.same([middle.nextOffset, middle.corrupt?.offset, middle.corrupt?.skipTo], [2, 2, 3]);
  const past = decodeFetchedRecords('t', 0, Buffer.concat([before, bad, after]), { ...options, fetchOffset: 3 });
  t.same([past.records.map((r) => r.value?.toString()), past.corrupt], [['d'], null], 'a bad batch before the fetch offset is passed over');
  for (let i = 0; i < 300; i++) {
    const junk = Buffer.from(good);
    junk[(i * 7) % junk.length] = (i * 31) & 0xff;
    try {
      decodeFetchedRecords('t', 0, junk, { fetchOffset: 0, readCommitted: false, abortedTransactions: [], verifyCrc: i % 2 === 0 });
    } catch (err) {
      if (!(err instanceof CorruptDataError) && !(err instanceof CorruptRecordsError)) t.fail(`unexpected ${String(err)}`);
    }
  }
});
