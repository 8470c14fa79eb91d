import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { startBackgroundWork, type BackgroundOptions } from '../../src/broker/background/scheduler.js';
import type { CleanStats } from '../../src/storage/cleaner/cleaner.js';
import { memoryLogger } from '../../src/util/logger.js';
import { tempDir } from '../storage/helpers.js';
import { expectedOffsets, readAll, writeUpdates } from '../storage/cleaner-helpers.js';
import { makeBatch } from '../storage/helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

function options(clock: { now: number }, extra: Partial<BackgroundOptions> = {}): BackgroundOptions {
  return { retentionCheckIntervalMs: 10, checkpointIntervalMs: 60_000, cleanerEnable: true, cleanerBackoffMs: 20, dedupeBufferBytes: 1 << 20, ioMaxBytesPerSecond: Number.POSITIVE_INFINITY, nowMs: () => clock.now, ...extra };
}

t.test('scheduled retention by time and by size deletes exactly the expected segments', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('r', 0, TOPIC_ID, { 'segment.bytes': '300', 'retention.ms': '10000', 'file.delete.delay.ms': '5000' });
  const T0 = clock.now;
  // One batch per segment (all the same size); record i has timestamp T0 + floor(i / 2) s.
  for (let i = 0; i < 20; i++) log.appendAsLeader(makeBatch([{ key: `k${String(i).padStart(2, '0')}`, value: 'v'.repeat(100), timestampMs: T0 + Math.floor(i / 2) * 1000 }]), 0);
  const bases = log.segmentBaseOffsets();
  const batchBytes = log.size / bases.length;
  t.equal(bases.length, 20, 'one batch per segment');
  const bg = startBackgroundWork(mgr, memoryLogger(), options(clock, { cleanerEnable: false }));
  t.teardown(() => bg.stop());
  // A closed segment goes when now - its largest timestamp > retention.ms (offset next - 1 is its last record).
  clock.now = T0 + 13_500;
  const expiredCount = bases.findIndex((b, j) => j === bases.length - 1 || !(clock.now - (T0 + Math.floor((bases[j + 1]! - 1) / 2) * 1000) > 10_000));
  t.equal(expiredCount, 8);
  await waitFor('time retention', () => log.logStartOffset > 0, 15_000);
  t.equal(log.segmentBaseOffsets()[0], bases[expiredCount], 'exactly the segments older than retention.ms are deleted');
  t.equal(log.logStartOffset, bases[expiredCount], 'log start offset advanced');
  const deletedFiles = (): string[] => readdirSync(join(dir, 'r-0')).filter((f) => f.endsWith('.deleted'));
  t.equal(deletedFiles().filter((f) => f.endsWith('.log.deleted')).length, expiredCount, 'renamed to .deleted, kept for file.delete.delay.ms');
  // Size: whole segments from the oldest while the rest still holds retention.bytes.
  mgr.updateTopicConfig('r', { 'segment.bytes': '300', 'retention.ms': '-1', 'retention.bytes': '1000', 'file.delete.delay.ms': '5000' });
  await waitFor('size retention', () => log.size < 1000 + batchBytes, 15_000);
  t.ok(log.size >= 1000, `log size ${log.size} >= retention.bytes: nothing more deleted than needed`);
  t.equal(log.segmentCount, Math.floor(1000 / batchBytes) + 1, 'exactly the segments over retention.bytes are deleted');
  // The first .deleted files are due after file.delete.delay.ms.
  clock.now += 5_001;
  const firstDeleted = (): string[] => deletedFiles().filter((f) => Number(f.slice(0, 20)) < bases[expiredCount]!);
  await waitFor('delayed file deletion', () => firstDeleted().length === 0, 15_000);
  t.pass('.deleted files removed after file.delete.delay.ms');
  mgr.checkpoint();
  t.match(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), /^0\n\d+\n/, 'log start offset checkpoint written');
  await bg.stop();
});

t.test('the background cleaner compacts, checkpoints, follows config changes, and stops', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1_700_000_000_000 };
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  const log = mgr.createLog('c', 0, TOPIC_ID, { 'cleanup.policy': 'delete', 'segment.bytes': '1000', 'min.cleanable.dirty.ratio': '0' });
  const written = writeUpdates(log, 300, 20, clock.now);
  const cleaned: CleanStats[] = [];
  const bg = startBackgroundWork(mgr, memoryLogger(), options(clock, { onCleaned: (s) => cleaned.push(s) }));
  t.teardown(() => bg.stop());
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(cleaned.length, 0, 'cleanup.policy=delete is not compacted');
  mgr.updateTopicConfig('c', { 'cleanup.policy': 'compact', 'segment.bytes': '1000', 'min.cleanable.dirty.ratio': '0' });
  bg.wakeCleaner();
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  await waitFor('the cleaner', () => log.cleanerOffset === activeBase, 15_000);
  t.same(readAll(log).records.map((r) => r.offset), expectedOffsets(written, activeBase, true), 'compacted in the background');
  t.ok(cleaned.some((s) => s.completed));
  t.match(readFileSync(`${dir}/cleaner-offset-checkpoint`, 'utf8'), `c 0 ${activeBase}`, 'cleaner-offset-checkpoint written');
  await bg.stop();
});
