import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { iterateRecords } from '../../src/records/record-batch.js';
import { batchSize, isCrcValid } from '../../src/records/batch-header.js';
import { makeBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function contents(buf: Buffer): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = [];
  for (let at = 0; at < buf.length; at += batchSize(buf, at)) {
    const batch = buf.subarray(at, at + batchSize(buf, at));
    if (!isCrcValid(batch)) throw new Error('bad CRC');
    for (const r of iterateRecords(batch)) out.push([r.offset, r.key!.toString(), r.value === null ? null : r.value.toString()]);
  }
  return out;
}

t.test('compaction keeps the latest record per key, offsets unchanged; tombstones expire', async (t) => {
  const dir = tempDir(t);
  const clock = { now: Date.now() };
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '250', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000' });
  const ts = clock.now;
  const put = (key: string, value: string | null): void => {
    log.appendAsLeader(makeBatch([{ key, value: value === null ? Buffer.alloc(0) : value, timestampMs: ts }]), 0);
  };
  t.equal((() => { try { log.appendAsLeader(makeBatch([{ key: null, value: 'x' }]), 0); } catch (e) { return (e as KafkaError).errorCode; } return 0; })(), ErrorCode.INVALID_RECORD, 'keys are required');
  put('a', '1'); put('b', '1'); put('a', '2'); put('c', '1'); put('b', '2'); put('a', '3');
  log.appendAsLeader(makeBatch([{ key: 'c', value: 'x', timestampMs: ts }, { key: 'd', value: 'y', timestampMs: ts }]), 0);
  put('y', '1'); put('y', '2');
  put('z', 'active');
  t.ok(log.segmentCount >= 3);
  const before = contents(log.read(0, 1 << 20).records).length;
  t.ok(before > 0);
  mgr.runRetention(clock.now);
  const all: Array<[number, string, string | null]> = [];
  for (let off = log.logStartOffset; off < log.logEndOffset;) {
    const r = log.read(off, 1 << 20).records;
    if (r.length === 0) break;
    const got = contents(r);
    all.push(...got);
    off = got.at(-1)![0] + 1;
  }
  const latest = new Map<string, [number, string | null]>();
  for (const [off, k, v] of all) latest.set(k, [off, v]);
  t.same(all.filter(([, k]) => k !== 'z').map(([o, k, v]) => `${o}:${k}=${v}`), ['4:b=2', '5:a=3', '6:c=x', '7:d=y', '9:y=2'], 'only the latest value of each key');
  t.equal(log.logEndOffset, 11, 'offsets unchanged');
  t.equal(log.cleanerOffset, log.segmentBaseOffsets().at(-1));
  t.match(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8'), new RegExp(`^0\\n1\\nc 0 ${log.cleanerOffset}\\n$`));
  t.same(contents(log.read(5, 1 << 20).records)[0], [5, 'a', '3']);
  // Restart: the cleaned segments load and read back the same.
  mgr.close();
  const again = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => again.close());
  const reopened = again.getLog('c', 0)!;
  t.same(contents(reopened.read(4, 1 << 20).records).map(([o]) => o), [4, 5], 'segment 1 after cleaning');
  t.equal(reopened.cleanerOffset, log.cleanerOffset);
  t.equal(reopened.logEndOffset, 11);
});

t.test('a tombstone is removed once its batch is older than delete.retention.ms', async (t) => {
  const dir = tempDir(t);
  const clock = { now: Date.now() };
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'compact', 'segment.bytes': '200', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '1000' });
  const { encodeRecordBatch } = await import('../../src/records/record-batch.js');
  log.appendAsLeader(encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from('k'), value: Buffer.from('v') }] }), 0);
  log.appendAsLeader(encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from('k'), value: null }] }), 0);
  log.appendAsLeader(encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from('other'), value: Buffer.from('x'.repeat(100)) }] }), 0);
  log.appendAsLeader(encodeRecordBatch({ records: [{ timestampMs: clock.now, key: Buffer.from('z'), value: Buffer.from('x'.repeat(100)) }] }), 0);
  mgr.runRetention(clock.now);
  t.same(contents(log.read(0, 1 << 20).records).slice(0, 1), [[1, 'k', null]], 'the tombstone stays while recent');
  clock.now += 5000;
  log.cleanerOffset = 0;
  mgr.runRetention(clock.now);
  const first = contents(log.read(log.logStartOffset, 1 << 20).records)[0];
  t.not(first?.[1], 'k', 'tombstone gone');
});
