import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, decodeProducerSnapshot, encodeProducerSnapshot, decodeAbortedTxns } from '../../src/storage/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { crc32c } from '../../src/records/crc32c.js';
import { kafkaCode, markerBatch, simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const PID = 4000;

function idem(count: number, seq: number, epoch = 0, extra: { transactional?: boolean; timestampMs?: number } = {}): Buffer {
  return simpleBatch(count, { producerId: PID, producerEpoch: epoch, baseSequence: seq, timestampMs: Date.now(), ...extra });
}

t.test('sequence rules follow Kafka: in order, duplicates, out of order, epochs', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('t', 0, TOPIC_ID);
  t.same([log.appendAsLeader(idem(3, 0), 0).baseOffset, log.appendAsLeader(idem(2, 3), 0).baseOffset], [0, 3]);
  const dup = log.appendAsLeader(idem(3, 0), 0);
  t.same([dup.baseOffset, dup.lastOffset, dup.duplicate], [0, 2, true], 'duplicate returns the original offsets');
  t.equal(log.logEndOffset, 5, 'a duplicate writes nothing');
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 9), 0)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 4), 0)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'overlapping but not identical');
  t.equal(log.appendAsLeader(idem(1, 0, 1), 0).baseOffset, 5, 'a new epoch starts at sequence 0');
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 5, 0), 0)), ErrorCode.INVALID_PRODUCER_EPOCH);
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 3, 2), 0)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a bumped epoch must start at 0');
  // Only the last 5 batches are remembered.
  for (let s = 1; s <= 6; s++) log.appendAsLeader(idem(1, s, 1), 0);
  t.equal(log.appendAsLeader(idem(1, 3, 1), 0).duplicate, true, 'within the last 5 batches');
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 1, 1), 0)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'older than the last 5');
  // A producer the log has never seen may start at any sequence (state lost to retention).
  t.equal(log.appendAsLeader(simpleBatch(1, { producerId: 77, producerEpoch: 0, baseSequence: 42 }), 0).duplicate, false);
  t.equal(kafkaCode(() => log.appendAsLeader(simpleBatch(1, { producerId: 78, producerEpoch: 0 }), 0)), ErrorCode.INVALID_RECORD, 'idempotent batch without a sequence');
});

t.test('producer state survives a restart through .snapshot files', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  let log = mgr.createLog('t', 0, TOPIC_ID, { 'segment.bytes': '400' });
  for (let s = 0; s < 20; s += 2) log.appendAsLeader(idem(2, s), 0);
  t.ok(log.segmentCount > 1);
  mgr.close();
  const snap = join(dir, 't-0', '00000000000000000020.snapshot');
  t.ok(existsSync(snap), 'snapshot at the LEO on close');
  const entries = decodeProducerSnapshot(readFileSync(snap));
  t.same(entries.map((e) => [e.producerId, e.producerEpoch, e.batches[0]?.lastSeq, e.batches[0]?.lastOffset, e.currentTxnFirstOffset]), [[PID, 0, 19, 19, -1]]);
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  log = mgr.getLog('t', 0)!;
  t.equal(log.appendAsLeader(idem(2, 18), 0).duplicate, true, 'last batch still deduplicated');
  t.equal(kafkaCode(() => log.appendAsLeader(idem(1, 25), 0)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(log.appendAsLeader(idem(1, 20), 0).baseOffset, 20);
});

t.test('state is rebuilt from the log when the snapshot is missing', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  let log = mgr.createLog('t', 0, TOPIC_ID);
  for (let s = 0; s < 6; s += 2) log.appendAsLeader(idem(2, s), 0);
  mgr.close();
  const { rmSync, readdirSync } = await import('node:fs');
  for (const f of readdirSync(join(dir, 't-0'))) if (f.endsWith('.snapshot')) rmSync(join(dir, 't-0', f));
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  log = mgr.getLog('t', 0)!;
  t.equal(log.appendAsLeader(idem(2, 2), 0).duplicate, true);
  t.equal(log.appendAsLeader(idem(2, 6), 0).baseOffset, 6);
});

t.test('snapshot bytes match ProducerSnapshot v1 computed by hand', async (t) => {
  const bytes = encodeProducerSnapshot([
    { producerId: 7, producerEpoch: 2, batches: [{ firstSeq: 10, lastSeq: 14, firstOffset: 100, lastOffset: 104, timestampMs: 1700000000123 }], coordinatorEpoch: 3, currentTxnFirstOffset: 90, lastTimestampMs: 1700000000123 },
  ]);
  const body = Buffer.from(
    '00000001' + // count
    '0000000000000007' + '0002' + '0000000e' + '0000000000000068' + '00000004' + '0000018bcfe5687b' + '00000003' + '000000000000005a',
    'hex',
  );
  const expected = Buffer.concat([Buffer.from('0001', 'hex'), Buffer.alloc(4), body]);
  expected.writeUInt32BE(crc32c(expected, 6), 2);
  t.same(bytes, expected);
  t.same(decodeProducerSnapshot(bytes)[0], { producerId: 7, producerEpoch: 2, batches: [{ firstSeq: 10, lastSeq: 14, firstOffset: 100, lastOffset: 104, timestampMs: 1700000000123 }], coordinatorEpoch: 3, currentTxnFirstOffset: 90, lastTimestampMs: 1700000000123 });
  const bad = Buffer.from(bytes);
  bad[bad.length - 1] ^= 1;
  t.throws(() => decodeProducerSnapshot(bad), /CRC/);
  t.throws(() => decodeProducerSnapshot(bytes.subarray(0, 20)), /CRC/);
  const short = Buffer.from(bytes.subarray(0, 20));
  short.writeUInt32BE(crc32c(short, 6), 2);
  t.throws(() => decodeProducerSnapshot(short), /entries/);
});

t.test('transactions: LSO, abort markers in .txnindex, aborted transactions for fetch', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('t', 0, TOPIC_ID);
  log.appendAsLeader(simpleBatch(2), 0);
  log.appendAsLeader(idem(3, 0, 0, { transactional: true }), 0);
  t.equal(log.lastStableOffset, 2, 'LSO stops at the open transaction');
  t.equal(log.highWatermark, 5);
  t.equal(kafkaCode(() => log.appendAsLeader(markerBatch(false, PID, 0, 1), 0)), ErrorCode.INVALID_RECORD, 'producers cannot write markers');
  log.appendAsLeader(markerBatch(false, PID, 0, 1), 0, 'coordinator');
  t.equal(log.lastStableOffset, 6);
  t.same(log.collectAbortedTxns(0, 6), [{ producerId: PID, firstOffset: 2, lastOffset: 5, lastStableOffset: 6 }]);
  t.same(decodeAbortedTxns(readFileSync(join(dir, 't-0', '00000000000000000000.txnindex'))), [{ producerId: PID, firstOffset: 2, lastOffset: 5, lastStableOffset: 6 }]);
  log.appendAsLeader(idem(1, 3, 0, { transactional: true }), 0);
  log.appendAsLeader(markerBatch(true, PID, 0, 1), 0, 'coordinator');
  t.equal(log.lastStableOffset, 8);
  t.equal(log.collectAbortedTxns(6, 8).length, 0, 'commits are not indexed');
});

t.test('idle producers expire after producer.id.expiration.ms', async (t) => {
  const clock = { now: 1700000000000 };
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, producerIdExpirationMs: 1000, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('t', 0, TOPIC_ID);
  log.appendAsLeader(idem(1, 0, 0, { timestampMs: clock.now }), 0);
  clock.now += 999;
  mgr.runRetention(clock.now);
  t.ok(log.producerState.lastEntry(PID));
  clock.now += 1;
  mgr.runRetention(clock.now);
  t.notOk(log.producerState.lastEntry(PID), 'expired');
});

t.test('replaying markers after a restart does not index an aborted transaction twice', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  let log = mgr.createLog('t', 0, TOPIC_ID);
  log.appendAsLeader(idem(2, 0, 0, { transactional: true }), 0);
  log.appendAsLeader(markerBatch(false, PID, 0, 4), 0, 'coordinator');
  log.appendAsLeader(idem(1, 2, 0, { transactional: true }), 0);
  mgr.close();
  const { rmSync, readdirSync } = await import('node:fs');
  for (const f of readdirSync(join(dir, 't-0'))) if (f.endsWith('.snapshot')) rmSync(join(dir, 't-0', f));
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  log = mgr.getLog('t', 0)!;
  t.same(log.collectAbortedTxns(0, 10), [{ producerId: PID, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 }]);
  t.equal(log.lastStableOffset, 3, 'the transaction still open after the restart holds the LSO');
  t.equal(log.producerState.lastEntry(PID)?.coordinatorEpoch, 4);
});

t.test('markers from an older producer or coordinator epoch are fenced', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('t', 0, TOPIC_ID);
  log.appendAsLeader(idem(1, 0, 2, { transactional: true }), 0);
  log.appendAsLeader(markerBatch(true, PID, 2, 5), 0, 'coordinator');
  t.equal(kafkaCode(() => log.appendAsLeader(markerBatch(true, PID, 1, 5), 0, 'coordinator')), ErrorCode.INVALID_PRODUCER_EPOCH);
  t.equal(kafkaCode(() => log.appendAsLeader(markerBatch(false, PID, 2, 4), 0, 'coordinator')), ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  t.equal(log.logEndOffset, 2);
});
