// Loading a cleanly shut down log costs a few system calls per partition (issue 18: a broker
// with 10,000 partitions must start fast): inactive segments' indexes are not read until
// used, a corrupt one is rebuilt then, and an idle partition's files are left untouched.
import t from 'tap';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { fileCache } from '../../src/storage/file-cache.js';
import { simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAABA';

/** One partition of several segments (small segment.bytes, an index entry every 200 bytes). */
function buildLog(dir: string): number {
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.createLog('lazy', 0, TOPIC_ID, { 'segment.bytes': '4000', 'index.interval.bytes': '200' });
  for (let i = 0; i < 60; i++) log.appendAsLeader(simpleBatch(2, { valueBytes: 100 }), 0);
  const segments = log.segmentCount;
  mgr.close();
  return segments;
}

const files = (dir: string, ext: string): string[] => readdirSync(join(dir, 'lazy-0')).filter((f) => f.endsWith(ext)).sort().map((f) => join(dir, 'lazy-0', f));

t.test('a clean start opens only the active segment, not every index', async (t) => {
  const dir = tempDir(t);
  const segments = buildLog(dir);
  t.ok(segments >= 5, `the log has ${segments} segments`);
  const before = fileCache.openedTotal;
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  const opened = fileCache.openedTotal - before;
  // The active segment's log (its next offset) and offset index (its sanity check).
  t.ok(opened <= 2, `${opened} descriptors opened to load ${segments} segments (${segments * 3} files)`);
  const log = mgr.getLog('lazy', 0)!;
  t.equal(log.logEndOffset, 120);
  t.equal(log.read(3, 1 << 20).records.readBigInt64BE(0), 2n, 'an old segment is read through its index once used');
});

t.test('a corrupt index of an inactive segment is rebuilt when first used', async (t) => {
  const dir = tempDir(t);
  buildLog(dir);
  const [firstIndex] = files(dir, '.index');
  const [firstTimeIndex] = files(dir, '.timeindex');
  const index = readFileSync(firstIndex!);
  const timeIndex = readFileSync(firstTimeIndex!);
  t.ok(index.length >= 16, 'the first segment has index entries');
  const bad = Buffer.from(index);
  bad.writeInt32BE(0x7fffffff, 4);
  writeFileSync(firstIndex!, bad);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.getLog('lazy', 0)!;
  for (let offset = 0; offset < 20; offset += 2) {
    t.equal(Number(log.read(offset, 1 << 20).records.readBigInt64BE(0)), offset, `offset ${offset} is found`);
  }
  mgr.close();
  t.same(readFileSync(firstIndex!), index, 'the rebuilt offset index equals the original');
  t.same(readFileSync(firstTimeIndex!), timeIndex, 'the time index is as it was');
});

t.test('an idle partition is left as it was by a start and a clean stop', async (t) => {
  const dir = tempDir(t);
  buildLog(dir);
  const paths = [...files(dir, '.log'), ...files(dir, '.index'), ...files(dir, '.timeindex'), ...files(dir, '.snapshot')];
  const stat = (): string[] => paths.map((p) => `${p} ${statSync(p).size} ${statSync(p).mtimeMs}`);
  const before = stat();
  LogManager.open({ logDirs: [dir], nodeId: 1 }).close();
  t.same(stat(), before, 'no segment, index or snapshot file was written or resized');
  // The active segment's indexes grow to segment.index.bytes on the first append, as Kafka preallocates them.
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.getLog('lazy', 0)!;
  for (let i = 0; i < 4; i++) log.appendAsLeader(simpleBatch(2, { valueBytes: 100 }), 0);
  const activeIndex = files(dir, '.index').at(-1)!;
  t.equal(statSync(activeIndex).size, 10 * 1024 * 1024, 'the active offset index is preallocated once written');
  mgr.close();
  t.ok(statSync(activeIndex).size < 1024, 'and trimmed at close');
  const reopened = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => reopened.close());
  t.equal(reopened.getLog('lazy', 0)!.logEndOffset, 128);
});

t.test('producer state: the snapshot is read on first use; a corrupt one is rebuilt from the log', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.createLog('lazy', 0, TOPIC_ID);
  const batch = (seq: number): Buffer => simpleBatch(2, { producerId: 42, producerEpoch: 0, baseSequence: seq });
  for (let seq = 0; seq < 10; seq += 2) log.appendAsLeader(batch(seq), 0);
  mgr.close();
  t.equal(files(dir, '.snapshot').length, 1, 'the clean shutdown wrote one producer snapshot');
  for (const corrupt of [false, true]) {
    // The newest snapshot (at the log end) is the one a clean start reads.
    if (corrupt) writeFileSync(files(dir, '.snapshot').at(-1)!, Buffer.from('not a snapshot'));
    mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
    const reopened = mgr.getLog('lazy', 0)!;
    const end = reopened.logEndOffset;
    const dup = reopened.appendAsLeader(batch(end - 2), 0);
    t.same([dup.duplicate, dup.baseOffset], [true, end - 2], `${corrupt ? 'corrupt snapshot rebuilt from the log' : 'snapshot read on first use'}: a retry of the last batch is a duplicate`);
    t.equal(reopened.appendAsLeader(batch(end), 0).baseOffset, end, 'the next sequence is accepted');
    mgr.close();
  }
  t.not(readFileSync(files(dir, '.snapshot').at(-1)!).toString(), 'not a snapshot', 'the corrupt snapshot was replaced');
});
