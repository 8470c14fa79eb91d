// The bounded descriptor cache: descriptors follow use, not partition count; a creation
// that fails midway removes what it created.
import t from 'tap';
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { defaultOpenFilesMax, fileCache } from '../../src/storage/file-cache.js';
import { parseDescriptorLimit } from '../../src/util/descriptor-limit.js';
import { simpleBatch, tempDir } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAABg';
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;
const hasProc = existsSync('/proc/self/fd');

t.test('120 partitions written and read through a cache of 16 descriptors, before and after a restart', { skip: hasProc ? false : 'needs /proc' }, async (t) => {
  const dir = tempDir(t);
  const before = openDescriptors();
  const saved = fileCache.maxOpenFiles;
  t.teardown(() => (fileCache.maxOpenFiles = saved));
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1, openFilesMax: 16 });
  const partitions = Array.from({ length: 120 }, (_, p) => p);
  await mgr.createLogs('many', partitions, TOPIC_ID);
  const opensBefore = fileCache.openedTotal;
  for (const p of partitions) mgr.getLog('many', p)!.appendAsLeader(simpleBatch(2), 0);
  t.ok(fileCache.openCount <= 16, `the cache holds ${fileCache.openCount} descriptors`);
  t.ok(openDescriptors() - before <= 16 + 8, `the process holds ${openDescriptors() - before} more descriptors than before`);
  for (const p of partitions) {
    const read = mgr.getLog('many', p)!.read(0, 1 << 20, { minOneMessage: true });
    t.equal(read.records.length, simpleBatch(2).length, `partition ${p} reads its batch back`);
    if (read.records.length === 0) break;
  }
  t.ok(fileCache.openedTotal > opensBefore + 120, 'idle partitions were closed and reopened on demand');
  await mgr.closeAsync();
  t.equal(fileCache.openCount, 0, 'closing the logs closes every descriptor');

  mgr = LogManager.open({ logDirs: [dir], nodeId: 1, openFilesMax: 16 });
  t.teardown(() => mgr.close());
  t.ok(fileCache.openCount <= 16, 'loading 120 partitions stays within the cache');
  for (const p of [0, 60, 119]) {
    const log = mgr.getLog('many', p)!;
    t.equal(log.logEndOffset, 2);
    t.equal(log.read(0, 1 << 20, { minOneMessage: true }).records.length, simpleBatch(2).length);
    log.appendAsLeader(simpleBatch(1), 0);
    t.equal(log.logEndOffset, 3, 'appends after a reopen land at the log end');
  }
});

t.test('a creation that fails midway removes the partitions it created and the topic metadata', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.teardown(() => mgr.close());
  // A stray file where partition 5's directory must go: mkdir fails there.
  writeFileSync(join(dir, 'blocked-5'), 'not a directory');
  await t.rejects(mgr.createLogs('blocked', Array.from({ length: 10 }, (_, p) => p), TOPIC_ID));
  t.same(readdirSync(dir).filter((n) => n.startsWith('blocked-')), ['blocked-5'], 'partitions 0-4 are gone, the stray file stays');
  t.equal(mgr.getLog('blocked', 0), undefined);
  t.equal(mgr.getTopicMetadata('blocked'), undefined, 'no topic metadata is left behind');
  t.equal(mgr.allLogs().length, 0);
});

t.test('the descriptor limit comes from /proc/self/limits; the cache default leaves room for connections', async (t) => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n';
  t.equal(parseDescriptorLimit(text), 1024);
  t.equal(parseDescriptorLimit('Max open files            unlimited            unlimited            files\n'), null);
  t.equal(defaultOpenFilesMax(1024), 384);
  t.equal(defaultOpenFilesMax(undefined), 4096);
  t.ok(defaultOpenFilesMax(100) >= 16);
});
