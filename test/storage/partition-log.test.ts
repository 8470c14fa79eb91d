import t from 'tap';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, type PartitionLog } from '../../src/storage/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { baseOffset, batchSize, lastOffset, maxTimestamp, partitionLeaderEpoch, isCrcValid, timestampType } from '../../src/records/batch-header.js';
import { kafkaCode, makeBatch, simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function open(t: { teardown: (fn: () => void) => void }, overrides: Record<string, string> = {}, clock?: { now: number }): { mgr: LogManager; log: PartitionLog; dir: string } {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: clock ? () => clock.now : undefined });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('t', 0, TOPIC_ID, overrides);
  return { mgr, log, dir };
}

/** Split a read result into its batches. */
function batches(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += batchSize(buf, at)) out.push(buf.subarray(at, at + batchSize(buf, at)));
  return out;
}

t.test('append assigns offsets, stamps the leader epoch and reads whole batches back', async (t) => {
  const { log } = open(t);
  const a = log.appendAsLeader(simpleBatch(3), 5);
  const b = log.appendAsLeader(simpleBatch(2), 5);
  t.same([a.baseOffset, a.lastOffset, b.baseOffset, b.lastOffset], [0, 2, 3, 4]);
  t.equal(a.logAppendTimeMs, -1);
  t.equal(log.logEndOffset, 5);
  t.equal(log.highWatermark, 5);
  t.equal(log.lastStableOffset, 5);
  t.equal(log.leaderEpoch, 5);
  const r = log.read(0, 1 << 20);
  const got = batches(r.records);
  t.equal(got.length, 2);
  t.same(got.map((g) => [baseOffset(g), lastOffset(g), partitionLeaderEpoch(g)]), [[0, 2, 5], [3, 4, 5]]);
  t.ok(got.every((g) => isCrcValid(g)), 'CRCs still valid after patching');
  // Fetching an offset in the middle of a batch returns that whole batch.
  t.same(batches(log.read(4, 1 << 20).records).map((g) => baseOffset(g)), [3]);
  t.equal(log.read(5, 100).records.length, 0, 'at the LEO: nothing');
  t.equal(kafkaCode(() => log.read(6, 100)), ErrorCode.OFFSET_OUT_OF_RANGE);
});

t.test('maxBytes, minOneMessage and maxOffset bound a read to whole batches', async (t) => {
  const { log } = open(t);
  const size = simpleBatch(2).length;
  for (let i = 0; i < 5; i++) log.appendAsLeader(simpleBatch(2), 0);
  t.equal(log.read(0, size * 2 + 5).records.length, size * 2, 'partial third batch left out');
  t.equal(log.read(0, 10).records.length, 0, 'first batch larger than maxBytes and not minOneMessage');
  t.equal(log.read(0, 10, { minOneMessage: true }).records.length, size, 'minOneMessage returns the first batch whole');
  t.equal(batches(log.read(0, 1 << 20, { maxOffset: 4 }).records).length, 2, 'maxOffset (HW) excludes batches at or past it');
});

t.test('segments roll on segment.bytes and reads cross segments', async (t) => {
  const { log, dir } = open(t, { 'segment.bytes': '500' });
  const size = simpleBatch(3).length;
  for (let i = 0; i < 20; i++) log.appendAsLeader(simpleBatch(3), 0);
  t.ok(log.segmentCount > 3, `rolled into ${log.segmentCount} segments`);
  const perSegment = Math.floor(500 / size);
  t.equal(log.segmentBaseOffsets()[1], perSegment * 3, 'roll happens when the next batch would not fit');
  for (let off = 0; off < 60; off += 7) {
    const first = batches(log.read(off, 1 << 20).records)[0]!;
    t.ok(baseOffset(first) <= off && lastOffset(first) >= off, `offset ${off} found`);
  }
  const files = readdirSync(join(dir, 't-0'));
  t.ok(files.includes('00000000000000000000.log'));
  t.ok(files.includes(`${String(perSegment * 3).padStart(20, '0')}.log`));
  // Rolled segments have trimmed indexes; the active one is preallocated (10 MiB default, 8-byte entries).
  t.equal(readFileSync(join(dir, 't-0', '00000000000000000000.index')).length % 8, 0);
  const active = String(log.segmentBaseOffsets().at(-1)).padStart(20, '0');
  t.equal(readFileSync(join(dir, 't-0', `${active}.index`)).length, 10485760);
  t.equal(readFileSync(join(dir, 't-0', `${active}.timeindex`)).length, 10485760 - (10485760 % 12));
});

t.test('segment.ms rolls by the batch timestamps; relative offset overflow is impossible', async (t) => {
  const { log } = open(t, { 'segment.ms': '1000' });
  log.appendAsLeader(simpleBatch(1, { timestampMs: Date.now() }), 0);
  log.appendAsLeader(simpleBatch(1, { timestampMs: Date.now() + 500 }), 0);
  t.equal(log.segmentCount, 1);
  log.appendAsLeader(simpleBatch(1, { timestampMs: Date.now() + 1500 }), 0);
  t.equal(log.segmentCount, 2);
});

t.test('the offset index gets an entry per index.interval.bytes as Kafka writes it', async (t) => {
  const { log, dir, mgr } = open(t, { 'index.interval.bytes': '100', 'segment.bytes': '100000' });
  const expected: Array<[number, number]> = [];
  let since = 0;
  let position = 0;
  let next = 0;
  for (let i = 0; i < 12; i++) {
    const batch = simpleBatch(1 + (i % 3));
    const count = 1 + (i % 3);
    if (since > 100) {
      expected.push([next + count - 1, position]);
      since = 0;
    }
    since += batch.length;
    position += batch.length;
    next += count;
    log.appendAsLeader(batch, 0);
  }
  log.roll();
  const idx = readFileSync(join(dir, 't-0', '00000000000000000000.index'));
  const got: Array<[number, number]> = [];
  for (let at = 0; at < idx.length; at += 8) got.push([idx.readInt32BE(at), idx.readInt32BE(at + 4)]);
  t.same(got, expected, 'last offset of the batch -> start position of the batch');
  t.ok(mgr);
});

t.test('timestamp lookups: exact record, max timestamp, earliest and latest', async (t) => {
  const { log } = open(t, { 'index.interval.bytes': '10' });
  const base = Date.now() - 10000;
  log.appendAsLeader(makeBatch([{ value: 'a', timestampMs: base }, { value: 'b', timestampMs: base + 10 }, { value: 'c', timestampMs: base + 20 }]), 0);
  log.appendAsLeader(makeBatch([{ value: 'd', timestampMs: base + 100 }, { value: 'e', timestampMs: base + 300 }, { value: 'f', timestampMs: base + 200 }]), 1);
  t.same(log.offsetForTimestamp(base + 5), { timestampMs: base + 10, offset: 1, leaderEpoch: 0 });
  t.same(log.offsetForTimestamp(base + 20), { timestampMs: base + 20, offset: 2, leaderEpoch: 0 });
  t.same(log.offsetForTimestamp(base + 150), { timestampMs: base + 300, offset: 4, leaderEpoch: 1 });
  t.same(log.offsetForTimestamp(base + 301), { timestampMs: -1, offset: -1, leaderEpoch: -1 });
  t.same(log.offsetForTimestamp(-3), { timestampMs: base + 300, offset: 4, leaderEpoch: 1 });
  t.same(log.offsetForTimestamp(-2), { timestampMs: -1, offset: 0, leaderEpoch: 0 });
  t.same(log.offsetForTimestamp(-1), { timestampMs: -1, offset: 6, leaderEpoch: 1 });
});

t.test('LogAppendTime stamps the batch and keeps the CRC valid', async (t) => {
  const clock = { now: 1800000000000 };
  const { log } = open(t, { 'message.timestamp.type': 'LogAppendTime' }, clock);
  const r = log.appendAsLeader(simpleBatch(2, { timestampMs: 1 }), 0);
  t.equal(r.logAppendTimeMs, clock.now);
  const b = log.read(0, 1000).records;
  t.equal(maxTimestamp(b), clock.now);
  t.equal(timestampType(b), 1);
  t.ok(isCrcValid(b));
});

t.test('validation errors carry Kafka error codes', async (t) => {
  const { log } = open(t, { 'max.message.bytes': '200', 'segment.bytes': '1000' });
  const corrupt = simpleBatch(2);
  corrupt[corrupt.length - 1] ^= 0xff;
  t.equal(kafkaCode(() => log.appendAsLeader(corrupt, 0)), ErrorCode.CORRUPT_MESSAGE);
  t.equal(kafkaCode(() => log.appendAsLeader(simpleBatch(2).subarray(0, 40), 0)), ErrorCode.CORRUPT_MESSAGE);
  t.equal(kafkaCode(() => log.appendAsLeader(simpleBatch(1, { valueBytes: 300 }), 0)), ErrorCode.MESSAGE_TOO_LARGE);
  const many = Buffer.concat(Array.from({ length: 12 }, () => simpleBatch(1, { valueBytes: 50 })));
  t.equal(kafkaCode(() => log.appendAsLeader(many, 0)), ErrorCode.RECORD_LIST_TOO_LARGE);
  const v1 = simpleBatch(1);
  v1.writeInt8(1, 16);
  t.equal(kafkaCode(() => log.appendAsLeader(v1, 0)), ErrorCode.INVALID_RECORD);
  t.equal(kafkaCode(() => log.appendAsLeader(simpleBatch(1, { baseOffset: 7 }), 0)), ErrorCode.INVALID_RECORD);
  t.equal(kafkaCode(() => log.appendAsLeader(simpleBatch(1, { timestampMs: Date.now() + 7200000 }), 0)), ErrorCode.INVALID_TIMESTAMP);
  const inconsistent = simpleBatch(2);
  inconsistent.writeInt32BE(5, 23);
  inconsistent.writeUInt32BE(0, 17);
  const { crc32c } = await import('../../src/records/crc32c.js');
  inconsistent.writeUInt32BE(crc32c(inconsistent, 21), 17);
  t.equal(kafkaCode(() => log.appendAsLeader(inconsistent, 0)), ErrorCode.INVALID_RECORD);
  t.equal(log.logEndOffset, 0, 'nothing was written');
});

t.test('retention by bytes and time deletes whole old segments, never the active one', async (t) => {
  const clock = { now: Date.now() };
  const { log, mgr, dir } = open(t, { 'segment.bytes': '300', 'file.delete.delay.ms': '1000' }, clock);
  for (let i = 0; i < 12; i++) log.appendAsLeader(simpleBatch(2, { timestampMs: clock.now - 100000 + i }), 0);
  const before = log.segmentCount;
  t.ok(before >= 4);
  mgr.updateTopicConfig('t', { 'segment.bytes': '300', 'file.delete.delay.ms': '1000', 'retention.bytes': '600' });
  t.ok(mgr.runRetention(clock.now) > 0);
  t.ok(log.size - log.segmentBaseOffsets().length * 0 <= 600 + 300);
  t.equal(log.logStartOffset, log.segmentBaseOffsets()[0]);
  const deleted = readdirSync(join(dir, 't-0')).filter((f) => f.endsWith('.deleted'));
  t.ok(deleted.length > 0, '.deleted files wait for file.delete.delay.ms');
  clock.now += 1001;
  mgr.runRetention(clock.now);
  t.equal(readdirSync(join(dir, 't-0')).filter((f) => f.endsWith('.deleted')).length, 0);
  mgr.updateTopicConfig('t', { 'segment.bytes': '300', 'file.delete.delay.ms': '0', 'retention.ms': '50000' });
  mgr.runRetention(clock.now);
  t.equal(log.segmentCount, 1, 'only the active segment survives time retention');
  t.equal(log.logStartOffset, log.segmentBaseOffsets()[0]);
  t.equal(kafkaCode(() => log.read(0, 100)), ErrorCode.OFFSET_OUT_OF_RANGE);
  const ckpt = readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8');
  t.equal(ckpt, '0\n0\n', 'a log start offset at a segment boundary is not checkpointed (as Kafka)');
  log.deleteRecordsBefore(log.logStartOffset + 1);
  mgr.checkpoint();
  t.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), `0\n1\nt 0 ${log.logStartOffset}\n`);
});

t.test('deleteRecordsBefore moves the log start offset and drops whole segments below it', async (t) => {
  const { log } = open(t, { 'segment.bytes': '300' });
  for (let i = 0; i < 12; i++) log.appendAsLeader(simpleBatch(2), 3);
  t.equal(log.deleteRecordsBefore(9), 9);
  t.equal(log.logStartOffset, 9);
  t.ok(log.segmentBaseOffsets()[0]! <= 9);
  t.ok(log.segmentBaseOffsets()[1] === undefined || log.segmentBaseOffsets()[1]! > 9);
  t.equal(kafkaCode(() => log.read(8, 100)), ErrorCode.OFFSET_OUT_OF_RANGE);
  t.equal(baseOffset(log.read(9, 1000).records), 8, 'the batch holding offset 9 starts at 8');
  t.same(log.offsetForTimestamp(-2).offset, 9);
  t.equal(kafkaCode(() => log.deleteRecordsBefore(100)), ErrorCode.OFFSET_OUT_OF_RANGE);
  t.equal(log.deleteRecordsBefore(-1), 24, '-1 means the high watermark');
});

t.test('leader epochs: cache, checkpoint file and OffsetForLeaderEpoch', async (t) => {
  const { log, dir } = open(t);
  log.appendAsLeader(simpleBatch(2), 1);
  log.appendAsLeader(simpleBatch(2), 1);
  log.appendAsLeader(simpleBatch(3), 3);
  log.appendAsLeader(simpleBatch(1), 4);
  t.equal(readFileSync(join(dir, 't-0', 'leader-epoch-checkpoint'), 'utf8'), '0\n3\n1 0\n3 4\n4 7\n');
  t.same(log.endOffsetForLeaderEpoch(1), { leaderEpoch: 1, endOffset: 4 });
  t.same(log.endOffsetForLeaderEpoch(2), { leaderEpoch: 1, endOffset: 4 });
  t.same(log.endOffsetForLeaderEpoch(3), { leaderEpoch: 3, endOffset: 7 });
  t.same(log.endOffsetForLeaderEpoch(4), { leaderEpoch: 4, endOffset: 8 });
  t.same(log.endOffsetForLeaderEpoch(0), { leaderEpoch: 0, endOffset: 0 });
  t.same(log.endOffsetForLeaderEpoch(9), { leaderEpoch: -1, endOffset: -1 });
});

t.test('truncateTo removes the tail and keeps the log appendable', async (t) => {
  const { log } = open(t, { 'segment.bytes': '300' });
  for (let i = 0; i < 10; i++) log.appendAsLeader(simpleBatch(2), i < 5 ? 1 : 2);
  log.truncateTo(7);
  t.equal(log.logEndOffset, 6, 'truncation keeps whole batches: the batch 6-7 goes');
  t.same(log.endOffsetForLeaderEpoch(1), { leaderEpoch: 1, endOffset: 6 });
  t.equal(log.appendAsLeader(simpleBatch(1), 3).baseOffset, 6);
  t.ok(existsSync(log.dir));
});

t.test('topic compression.type re-encodes batches; timestamp lookups see inside compressed batches', async (t) => {
  const { iterateRecords } = await import('../../src/records/record-batch.js');
  const { log } = open(t, { 'compression.type': 'gzip' });
  const base = Date.now() - 1000;
  const r = log.appendAsLeader(makeBatch([{ value: 'x', timestampMs: base }, { value: 'y', timestampMs: base + 50 }, { value: 'z', timestampMs: base + 100 }], { producerId: 5, producerEpoch: 0, baseSequence: 0 }), 2);
  t.same([r.baseOffset, r.lastOffset], [0, 2]);
  const stored = log.read(0, 1 << 20).records;
  t.equal(stored.readInt16BE(21) & 7, 1, 'stored gzip-compressed');
  t.ok(isCrcValid(stored));
  t.same([...iterateRecords(stored)].map((rec) => [rec.offset, rec.value?.toString()]), [[0, 'x'], [1, 'y'], [2, 'z']]);
  t.same(log.offsetForTimestamp(base + 20), { timestampMs: base + 50, offset: 1, leaderEpoch: 2 });
  t.equal(log.appendAsLeader(makeBatch([{ value: 'x', timestampMs: base }, { value: 'y', timestampMs: base + 50 }, { value: 'z', timestampMs: base + 100 }], { producerId: 5, producerEpoch: 0, baseSequence: 0 }), 2).duplicate, true, 'retries are still recognised');
});

t.test('preallocate=true creates segments at segment.bytes and trims them on roll and close', async (t) => {
  const { log, dir, mgr } = open(t, { preallocate: 'true', 'segment.bytes': '4000' });
  const { statSync } = await import('node:fs');
  const seg0 = join(dir, 't-0', '00000000000000000000.log');
  t.equal(statSync(seg0).size, 4000, 'preallocated');
  const size = simpleBatch(2, { valueBytes: 100 }).length;
  let n = 0;
  while (log.segmentCount === 1) {
    log.appendAsLeader(simpleBatch(2, { valueBytes: 100 }), 0);
    n++;
  }
  t.equal(statSync(seg0).size, (n - 1) * size, 'rolled segment trimmed to its batches');
  const active = join(dir, 't-0', `${String(log.segmentBaseOffsets()[1]).padStart(20, '0')}.log`);
  t.equal(statSync(active).size, 4000);
  t.equal(baseOffset(log.read(2 * (n - 1), 1 << 20).records), 2 * (n - 1));
  mgr.close();
  t.equal(statSync(active).size, size, 'trimmed on close');
  const again = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => again.close());
  t.equal(again.getLog('t', 0)!.logEndOffset, 2 * n);
});

t.test('a full index rolls the segment (the time index keeps one slot for the roll entry)', async (t) => {
  const { log, dir } = open(t, { 'segment.index.bytes': '24', 'index.interval.bytes': '0' });
  const base = Date.now();
  for (let i = 0; i < 6; i++) log.appendAsLeader(simpleBatch(1, { timestampMs: base + i }), 0);
  t.same(log.segmentBaseOffsets(), [0, 2, 4], 'two batches per segment: the second fills the time index');
  t.equal(readFileSync(join(dir, 't-0', '00000000000000000000.timeindex')).length, 12, 'one entry; the roll adds none as the timestamp did not grow');
  t.equal(readFileSync(join(dir, 't-0', '00000000000000000000.index')).length, 8);
  t.equal(readFileSync(join(dir, 't-0', '00000000000000000004.index')).length, 24, 'active index preallocated to segment.index.bytes');
});
