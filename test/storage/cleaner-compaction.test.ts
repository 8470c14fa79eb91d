import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, type PartitionLog } from '../../src/storage/index.js';
import { LogCleaner, groupSegments, needsCleaning } from '../../src/storage/cleaner/cleaner.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { ErrorCode, type KafkaError } from '../../src/protocol/errors.js';
import { runKts } from '../helpers/run-kts.js';
import { tempDir } from './helpers.js';
import { type Written, expectedOffsets, readAll, writeUpdates } from './cleaner-helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

async function cleanUntilDone(cleaner: LogCleaner, log: PartitionLog, nowMs: number): Promise<number> {
  let passes = 0;
  while (await cleaner.cleanIfNeeded(log, nowMs)) passes++;
  return passes;
}

function open(dir: string, clock: { now: number }): LogManager {
  return LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
}

t.test('many updates per key and tombstones: the latest value per key, offsets unchanged; tombstones go after delete.retention.ms', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000', 'index.interval.bytes': '256' });
  const written = writeUpdates(log, 600, 25, clock.now);
  const leo = log.logEndOffset;
  const originalBatches = new Set(readAll(log).batches.map(([b, l]) => `${b}-${l}`));
  const segmentsBefore = log.segmentCount;
  t.ok(segmentsBefore > 10, `${segmentsBefore} segments`);
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  const cleaner = new LogCleaner({ chunkBytes: 700 });
  t.ok(needsCleaning(log, clock.now));
  t.ok(await cleanUntilDone(cleaner, log, clock.now) >= 1);
  t.equal(log.cleanerOffset, activeBase, 'cleaned up to the active segment');
  const got = readAll(log);
  t.same(got.records.map((r) => r.offset), expectedOffsets(written, activeBase, true), 'latest per key kept, tombstones kept while recent');
  const byOffset = new Map(written.map((w) => [w.offset, w]));
  t.ok(got.records.every((r) => byOffset.get(r.offset)!.key === r.key && byOffset.get(r.offset)!.value === r.value), 'retained records keep their offset, key and value');
  t.equal(log.logEndOffset, leo);
  const reshaped = got.batches.filter(([b, l]) => !originalBatches.has(`${b}-${l}`));
  t.same(reshaped, [], 'every batch keeps its first and last offsets');
  t.ok(got.batches.some(([b, l]) => l > b && got.records.filter((r) => r.offset >= b && r.offset <= l).length < l - b + 1), 'some batches lost records but kept their range');
  t.equal(readdirSync(join(dir, 'c-0')).filter((f) => /\.(cleaned|swap)$/.test(f)).length, 0, 'no .cleaned or .swap left');

  // Later: more writes make the log dirty again; the pass now drops expired tombstones.
  clock.now += 5000;
  const more = writeUpdates(log, 200, 25, clock.now, 99);
  const activeBase2 = log.segmentBaseOffsets().at(-1)!;
  await cleanUntilDone(cleaner, log, clock.now);
  const all = [...written, ...more];
  const oldTs = new Set(written.map((w) => w.offset));
  const want = expectedOffsets(all, activeBase2, true).filter((o) => o >= activeBase2 || byOffsetAll(all, o).value !== null || !oldTs.has(o));
  t.same(readAll(log).records.map((r) => r.offset), want, 'old tombstones gone, recent ones kept');
  t.ok(log.segmentCount < segmentsBefore, `cleaned segments grouped: ${segmentsBefore} -> ${log.segmentCount}`);

  // A restart reads the same log back; kts dump-log reads the cleaned segments.
  const before = readAll(log).records;
  mgr.close();
  const again = open(dir, clock);
  t.teardown(() => again.close());
  t.same(readAll(again.getLog('c', 0)!).records, before, 'same records after a restart');
  const bases = again.getLog('c', 0)!.segmentBaseOffsets();
  again.close();
  const partition = join(dir, 'c-0');
  const holding = bases.filter((b) => b <= before[0]!.offset).at(-1)!;
  const dump = await runKts(['dump-log', '--files', join(partition, `${String(holding).padStart(20, '0')}.log`), '--deep-iteration', '--print-data-log']);
  t.equal(dump.code, 0, dump.stderr);
  t.match(dump.stdout, new RegExp(`offset: ${before[0]!.offset} .*key: ${before[0]!.key}`));
  const check = await runKts(['dump-log', '--files', partition, '--check', '--deep-iteration']);
  t.equal(check.code, 0, check.stdout + check.stderr);
  t.match(check.stdout, /^No problems found in \d+ file\(s\)\.\n$/);
});

function byOffsetAll(all: Written[], offset: number): Written {
  return all.find((w) => w.offset === offset)!;
}

t.test('a small dedupe buffer cleans in several passes to the same result', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '1500', 'min.cleanable.dirty.ratio': '0' });
  const written = writeUpdates(log, 400, 40, clock.now, 3);
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  const cleaner = new LogCleaner({ dedupeBufferBytes: 10 * 67 });
  const passes = await cleanUntilDone(cleaner, log, clock.now);
  t.ok(passes > 1, `${passes} passes`);
  t.equal(log.cleanerOffset, activeBase);
  const got = readAll(log).records.map((r) => r.offset);
  const latest = new Map<string, number>();
  for (const w of written) if (w.offset < activeBase) latest.set(w.key, w.offset);
  for (const off of latest.values()) t.ok(got.includes(off), `latest offset ${off} kept`);
  t.ok(got.length < written.length);
});

t.test('min.compaction.lag.ms, max.compaction.lag.ms and min.cleanable.dirty.ratio; config changes apply live', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '1000', 'min.compaction.lag.ms': '60000' });
  writeUpdates(log, 100, 100_000, clock.now);
  t.notOk(needsCleaning(log, clock.now), 'younger than min.compaction.lag.ms');
  clock.now += 61_000;
  t.ok(needsCleaning(log, clock.now), 'older than min.compaction.lag.ms, all dirty');
  const cleaner = new LogCleaner();
  await cleanUntilDone(cleaner, log, clock.now);
  writeUpdates(log, 10, 5, clock.now, 5);
  clock.now += 61_000;
  const c = needsCleaning(log, clock.now);
  t.notOk(c, 'a little dirty data is under min.cleanable.dirty.ratio 0.5');
  mgr.updateTopicConfig('c', { 'cleanup.policy': 'compact', 'segment.bytes': '1000', 'max.compaction.lag.ms': '1000' });
  t.ok(needsCleaning(log, clock.now)?.overdue, 'max.compaction.lag.ms makes it due (AlterConfigs applies live)');
  mgr.updateTopicConfig('c', { 'cleanup.policy': 'delete' });
  t.notOk(needsCleaning(log, clock.now), 'cleanup.policy=delete is never compacted');
});

t.test('transactions: aborted data dropped, markers kept until the delete horizon', async (t) => {
  const { markerBatch } = await import('./helpers.js');
  const dir = tempDir(t);
  const clock = { now: Date.now() };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000' });
  const txn = (seq: number, key: string, value: string): Buffer => encodeRecordBatch({
    transactional: true, producerId: 9, producerEpoch: 0, baseSequence: seq,
    records: [{ timestampMs: clock.now, key: Buffer.from(key), value: Buffer.from(value) }],
  });
  const plain = (key: string, value: string): Buffer => encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from(key), value: Buffer.from(value) }] });
  log.appendAsLeader(plain('a', 'committed-before'), 0); // 0
  log.appendAsLeader(txn(0, 'a', 'aborted'), 0); // 1
  log.appendAsLeader(txn(1, 'b', 'aborted'), 0); // 2
  log.appendAsLeader(markerBatch(false, 9, 0, 1), 0, 'coordinator'); // 3 abort
  log.appendAsLeader(txn(2, 'c', 'committed'), 0); // 4
  log.appendAsLeader(markerBatch(true, 9, 0, 1), 0, 'coordinator'); // 5 commit
  log.appendAsLeader(plain('z', 'x'.repeat(250)), 0); // 6, rolls
  log.appendAsLeader(plain('z', 'active'), 0); // 7
  clock.now = Date.now() + 10; // the markers' timestamps are the helper's Date.now()
  const cleaner = new LogCleaner();
  await cleanUntilDone(cleaner, log, clock.now);
  const data = (): string[] => readAll(log).records.map((r) => `${r.offset}:${r.control ? 'marker' : `${r.key}=${r.value!.slice(0, 16)}`}`);
  t.same(data(), ['0:a=committed-before', '3:marker', '4:c=committed', '5:marker', '6:z=xxxxxxxxxxxxxxxx', '7:z=active'], 'aborted records gone, markers kept, a=committed-before kept');
  clock.now += 5000;
  log.appendAsLeader(plain('y', 'x'.repeat(250)), 0);
  log.appendAsLeader(plain('y', 'new'), 0);
  await cleanUntilDone(cleaner, log, clock.now);
  t.same(data(), ['0:a=committed-before', '4:c=committed', '5:marker', '7:z=active', '8:y=xxxxxxxxxxxxxxxx', '9:y=new'], 'the abort marker goes after the horizon; the commit marker stays with its data');
});

t.test('a pass gives up when retention deletes the segments it works on', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact,delete', 'segment.bytes': '1000', 'min.cleanable.dirty.ratio': '0' });
  writeUpdates(log, 300, 10, clock.now);
  const cleaner = new LogCleaner({ chunkBytes: 1 });
  const pass = cleaner.cleanIfNeeded(log, clock.now);
  await new Promise((resolve) => setImmediate(resolve));
  log.deleteRecordsBefore(log.segmentBaseOffsets()[3]!);
  const stats = await pass;
  t.equal(stats?.completed, false, 'given up');
  t.equal(readdirSync(join(dir, 'c-0')).filter((f) => /\.(cleaned|swap)$/.test(f)).length, 0, 'its files removed');
  await cleanUntilDone(cleaner, log, clock.now);
  t.equal(log.cleanerOffset, log.segmentBaseOffsets().at(-1));
});

t.test('groupSegments keeps groups under segment.bytes', async (t) => {
  const fake = (baseOffset: number, size: number) => ({ baseOffset, size }) as unknown as Parameters<typeof groupSegments>[0][number];
  const segs = [fake(0, 400), fake(10, 400), fake(20, 400), fake(30, 900), fake(40, 50)];
  t.same(groupSegments(segs, [0, 10, 20, 30, 40, 50], 1000).map((g) => g.map((s) => s.baseOffset)), [[0, 10], [20], [30, 40]]);
});

t.test('idempotent producers: emptied batches go, except a producer\'s last, whose sequence survives a restart', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '600', 'min.cleanable.dirty.ratio': '0' });
  const idem = (pid: number, seq: number, key: string, value: string): Buffer => encodeRecordBatch({
    producerId: pid, producerEpoch: 0, baseSequence: seq, records: [{ timestampMs: clock.now, key: Buffer.from(key), value: Buffer.from(value) }],
  });
  const plain = (key: string, value: string): Buffer => encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from(key), value: Buffer.from(value) }] });
  for (let i = 0; i < 6; i++) log.appendAsLeader(idem(5, i, 'k', `v${i}`), 0); // 0..5
  log.appendAsLeader(idem(7, 0, 'q', 'from-7'), 0); // 6
  log.appendAsLeader(plain('q', 'plain'), 0); // 7
  for (let i = 0; i < 4; i++) log.appendAsLeader(plain('pad', 'x'.repeat(250)), 0); // 8..11
  log.appendAsLeader(plain('pad', 'active'), 0);
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  t.ok(activeBase >= 8, `active segment from ${activeBase}`);
  await cleanUntilDone(new LogCleaner(), log, clock.now);
  const { records, batches } = readAll(log);
  t.same(batches.filter(([b]) => b < 8), [[5, 5], [6, 6], [7, 7]], 'emptied batches of producer 5 gone; producer 7\'s last batch kept');
  t.same(records.filter((r) => r.offset < 8).map((r) => `${r.offset}:${r.key}=${r.value}`), ['5:k=v5', '7:q=plain'], 'producer 7\'s batch is empty');
  mgr.close();
  const again = open(dir, clock);
  t.teardown(() => again.close());
  const reopened = again.getLog('c', 0)!;
  t.equal(reopened.appendAsLeader(idem(7, 0, 'q', 'from-7'), 0).duplicate, true, 'producer 7\'s last batch is still known (duplicate)');
  t.equal(reopened.appendAsLeader(idem(7, 1, 'q', 'next'), 0).duplicate, false, 'its sequence continues');
});

t.test('delete horizon: an old tombstone survives its first cleaning by delete.retention.ms', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000' });
  const put = (key: string, value: string | null, ts: number): void => {
    log.appendAsLeader(encodeRecordBatch({ records: [{ timestampMs: ts, key: Buffer.from(key), value: value === null ? null : Buffer.from(value) }] }), 0);
  };
  const day = 86_400_000;
  put('k', 'v', clock.now - day);
  put('k', null, clock.now - day);
  put('pad', 'x'.repeat(300), clock.now);
  put('pad', 'active', clock.now);
  const cleaner = new LogCleaner();
  await cleanUntilDone(cleaner, log, clock.now);
  const tombstone = log.read(1, 1 << 20).records;
  t.same(readAll(log).records.filter((r) => r.key === 'k').map((r) => [r.offset, r.value]), [[1, null]], 'the day-old tombstone is kept by its first cleaning');
  t.equal(tombstone.readInt16BE(21) & 0x40, 0x40, 'its batch carries the delete horizon');
  t.equal(tombstone.readBigInt64BE(27), BigInt(clock.now + 1000), 'now + delete.retention.ms');
  t.equal(tombstone.readBigInt64BE(35), BigInt(clock.now - day), 'max timestamp unchanged');
  clock.now += 1001;
  put('pad', 'x'.repeat(300), clock.now);
  put('pad', 'active2', clock.now);
  await cleanUntilDone(cleaner, log, clock.now);
  t.same(readAll(log).records.filter((r) => r.key === 'k'), [], 'gone after the horizon');
});

t.test('a small log cleaned by hand: keys required, exact survivors, the cleaner checkpoint written and reloaded', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = open(dir, clock);
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '250', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000' });
  const batch = (records: Array<[string | null, string | null]>): Buffer => encodeRecordBatch({
    records: records.map(([key, value]) => ({ timestampMs: clock.now, key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value) })),
  });
  const refused = ((): unknown => {
    try {
      log.appendAsLeader(batch([[null, 'x']]), 0);
    } catch (e) {
      return (e as KafkaError).errorCode;
    }
    return 0;
  })();
  t.equal(refused, ErrorCode.INVALID_RECORD, 'keys are required');
  for (const [k, v] of [['a', '1'], ['b', '1'], ['a', '2'], ['c', '1'], ['b', '2'], ['a', '3']] as const) log.appendAsLeader(batch([[k, v]]), 0);
  log.appendAsLeader(batch([['c', 'x'], ['d', 'y']]), 0);
  for (const [k, v] of [['y', '1'], ['y', '2'], ['z', 'active']] as const) log.appendAsLeader(batch([[k, v]]), 0);
  t.ok(log.segmentCount >= 3);
  await cleanUntilDone(new LogCleaner(), log, clock.now);
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  const kept = readAll(log).records.filter((r) => r.key !== 'z').map((r) => `${r.offset}:${r.key}=${r.value}`);
  t.same(kept, ['4:b=2', '5:a=3', '6:c=x', '7:d=y', '9:y=2'], 'only the latest value of each key');
  t.equal(log.logEndOffset, 11, 'offsets unchanged');
  t.equal(log.cleanerOffset, activeBase);
  mgr.checkpoint();
  t.match(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8'), new RegExp(`^0\\n1\\nc 0 ${activeBase}\\n$`));
  // Restart: the cleaned segments and the cleaner offset load back the same.
  const before = readAll(log).records;
  mgr.close();
  const again = open(dir, clock);
  t.teardown(() => again.close());
  const reopened = again.getLog('c', 0)!;
  t.same(readAll(reopened).records, before);
  t.equal(reopened.cleanerOffset, activeBase);
  t.equal(reopened.logEndOffset, 11);
});
