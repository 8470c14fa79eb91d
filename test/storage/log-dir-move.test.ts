import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LogManager } from '../../src/storage/index.js';
import { LOG_DIR_MOVE_STEPS, parseFutureDirName } from '../../src/storage/log-dir-move.js';
import { detachLogDir } from '../../src/storage/attached-log-dirs.js';
import { simpleBatch, tempDir } from './helpers.js';
import { readAll } from './cleaner-helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAABA';
const CONFIG = { 'segment.bytes': '20000' };
const CHILD = fileURLToPath(new URL('./log-dir-move-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'kts-tests');
const BUNDLE = join(BUNDLE_DIR, `log-dir-move-child-${process.pid}.mjs`);

/** Names in `dir` that are a live copy of m-0 or its future log. */
function copies(dir: string): { live: boolean; future: boolean } {
  const names = readdirSync(dir);
  return { live: names.includes('m-0'), future: names.some((n) => parseFutureDirName(n)?.[0] === 'm') };
}

function segmentBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f))));
}

function twoDirs(t: Parameters<typeof tempDir>[0]): [string, string] {
  const root = tempDir(t, 'kts-move-');
  const a = join(root, 'a');
  const b = join(root, 'b');
  mkdirSync(a);
  mkdirSync(b);
  return [a, b];
}

/**
 * 900 records in several segments of m-0 in dir a, moving to dir b: the move has copied
 * `copyBytes` and is left there.
 */
function startedMove(t: Parameters<typeof tempDir>[0], copyBytes: number) {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  for (let i = 0; i < 300; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  mgr.alterLogDir('m', 0, b);
  mgr.runLogDirMoves(copyBytes);
  return { a, b, mgr, log };
}

/** The name of m-0's future dir in `dir`. */
function futureName(dir: string): string {
  return readdirSync(dir).find((n) => parseFutureDirName(n) !== undefined)!;
}

interface MoveProgress {
  segments: { baseOffset: number; bytes: number }[];
}

/** The progress record a move keeps in its future dir. */
function moveProgress(futureDir: string): MoveProgress {
  return JSON.parse(readFileSync(join(futureDir, 'kts-move-progress.json'), 'utf8')) as MoveProgress;
}

t.test('a partition moves to another log dir while it is written: byte-identical, one live copy', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  let log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  t.equal(mgr.logDirFor('m', 0), a);
  for (let i = 0; i < 200; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  log.deleteRecordsBefore(5);
  mgr.alterLogDir('m', 0, b);
  t.same(copies(b), { live: false, future: true }, 'the future log is in the target dir');
  const [future] = mgr.futureLogs();
  t.same([future?.logDir, future?.offsetLag], [b, log.logEndOffset], 'DescribeLogDirs view: nothing copied yet');
  let rounds = 0;
  while (mgr.futureLogs().length > 0) {
    mgr.runLogDirMoves(8192);
    if (mgr.futureLogs().length > 0) t.ok(mgr.futureLogs()[0]!.offsetLag < log.logEndOffset, 'lag shrinks');
    log = mgr.getLog('m', 0)!;
    log.appendAsLeader(simpleBatch(2, { valueBytes: 100 }), 0);
    rounds++;
  }
  t.ok(rounds > 5, `copied in ${rounds} throttled rounds`);
  log = mgr.getLog('m', 0)!;
  t.equal(mgr.logDirFor('m', 0), b, 'the partition lives in the target dir');
  t.equal(log.logStartOffset, 5, 'log start offset kept');
  t.same(copies(a).live, false, 'no live copy left in the source dir');
  const old = readdirSync(a).find((n) => n.startsWith('m-0.') && n.endsWith('-delete'));
  t.ok(old, 'the old copy waits for file.delete.delay.ms as -delete');
  const before = segmentBytes(join(a, old!));
  const after = segmentBytes(join(b, 'm-0'));
  t.ok(after.subarray(0, before.length).equals(before), 'segments are byte-identical to the old copy');
  const records = readAll(log).records.filter((r) => r.offset >= 5);
  t.equal(records.length, 200 * 3 + rounds * 2 - 5, 'every record is readable');
  log.appendAsLeader(simpleBatch(1), 0);
  mgr.close();
  const again = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  t.equal(again.logDirFor('m', 0), b);
  t.equal(again.getLog('m', 0)!.logEndOffset, log.logEndOffset, 'reopens with everything');
  t.equal(again.getLog('m', 0)!.logStartOffset, 5);
  again.close();
});

/** Run off-thread move steps until the move is done, waking on each finished copy (or every 5 ms). */
async function moveOffThread(mgr: LogManager, between: (step: number) => void = () => {}): Promise<number> {
  let wake: (() => void) | undefined;
  let step = 0;
  while (mgr.futureLogs().length > 0) {
    mgr.runLogDirMoves(4096, { offThread: true, onOffThreadCopyDone: () => wake?.() });
    between(step++);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5);
      wake = () => { clearTimeout(timer); resolve(); };
    });
  }
  return step;
}

t.test('off the event loop: whole segments copied on libuv\'s threads while the log is written, byte-identical', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  let log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  for (let i = 0; i < 200; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  const segments = log.allSegments().length;
  mgr.alterLogDir('m', 0, b);
  let appended = 0;
  const steps = await moveOffThread(mgr, () => {
    mgr.getLog('m', 0)!.appendAsLeader(simpleBatch(2, { valueBytes: 100 }), 0);
    appended++;
  });
  t.ok(segments > 5 && steps < segments * 50, `${segments} segments moved in ${steps} steps`);
  log = mgr.getLog('m', 0)!;
  t.equal(mgr.logDirFor('m', 0), b, 'the partition lives in the target dir');
  const old = readdirSync(a).find((n) => n.startsWith('m-0.') && n.endsWith('-delete'))!;
  const before = segmentBytes(join(a, old));
  t.ok(segmentBytes(join(b, 'm-0')).subarray(0, before.length).equals(before), 'segments are byte-identical to the old copy (the last append came after the swap)');
  t.same(readdirSync(join(b, 'm-0')).filter((f) => f.endsWith('.copying')), [], 'no partial segment copy left');
  t.equal(readAll(log).records.length, 600 + appended * 2, 'every record is readable');
  mgr.close();
});

t.test('off the event loop: an empty partition moves too (its empty segment is not copied again and again)', async (t) => {
  // Seen in CI: the copy of an empty segment left it "not copied yet", so each step started
  // another copy and the move, which waits for copies to end, never finished.
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  mgr.alterLogDir('m', 0, b);
  let wake: (() => void) | undefined;
  let steps = 0;
  for (; steps < 200 && mgr.futureLogs().length > 0; steps++) {
    mgr.runLogDirMoves(4096, { offThread: true, onOffThreadCopyDone: () => wake?.() });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5);
      wake = () => { clearTimeout(timer); resolve(); };
    });
  }
  t.same(mgr.futureLogs(), [], `the move finished (${steps} steps)`);
  t.equal(mgr.logDirFor('m', 0), b, 'the partition lives in the target dir');
  mgr.getLog('m', 0)!.appendAsLeader(simpleBatch(2), 0);
  t.equal(readAll(mgr.getLog('m', 0)!).records.length, 2, 'and takes appends there');
  mgr.close();
});

t.test('off the event loop: a segment cut back, removed or cancelled while it is copied is not taken as copied', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  let log = mgr.createLog('m', 0, TOPIC_ID, { 'segment.bytes': String(1 << 20) });
  for (let i = 0; i < 40; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  t.equal(log.allSegments().length, 1, 'one (active) segment');
  mgr.alterLogDir('m', 0, b);
  // The first step starts the copy of the active segment; the cut and the new batches come
  // before it can be taken (the copy finishes on another thread, seen only after this
  // synchronous code): bytes at the same positions now differ from the ones copied.
  await moveOffThread(mgr, (step) => {
    if (step !== 0) return;
    log.truncateTo(60);
    for (let i = 0; i < 40; i++) log.appendAsLeader(simpleBatch(2, { valueBytes: 250 + i }), 0);
  });
  log = mgr.getLog('m', 0)!;
  t.equal(mgr.logDirFor('m', 0), b);
  const old = readdirSync(a).find((n) => n.startsWith('m-0.') && n.endsWith('-delete'))!;
  t.ok(segmentBytes(join(b, 'm-0')).equals(segmentBytes(join(a, old))), 'cut back during the copy: the copy was taken again, byte-identical');
  t.same(readAll(log).records.map((r) => r.offset), Array.from({ length: 140 }, (_, i) => i), 'offsets 0..139');

  // Segments removed by DeleteRecords + retention while the first is being copied.
  log.updateConfig({ 'segment.bytes': '20000' });
  for (let i = 0; i < 150; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  mgr.alterLogDir('m', 0, a);
  const removeAt = log.allSegments()[3]!.baseOffset;
  await moveOffThread(mgr, (step) => {
    if (step !== 0) return;
    log.deleteRecordsBefore(removeAt);
    mgr.runRetention();
  });
  log = mgr.getLog('m', 0)!;
  t.equal(mgr.logDirFor('m', 0), a);
  t.equal(log.logStartOffset, removeAt, 'log start offset kept');
  t.same(readAll(log).records.map((r) => r.offset), Array.from({ length: log.logEndOffset - removeAt }, (_, i) => removeAt + i), 'what was not deleted is all there');

  // Cancelled (moved back) while a copy runs: the future dir goes, nothing is left behind.
  mgr.alterLogDir('m', 0, b);
  let copiesDone = 0;
  let wake = (): void => {};
  mgr.runLogDirMoves(4096, { offThread: true, onOffThreadCopyDone: () => { copiesDone++; wake(); } });
  mgr.alterLogDir('m', 0, a);
  // The last copy to finish removes the dir; wait for each copy started (two at a time).
  while (copies(b).future) await new Promise<void>((resolve) => { wake = resolve; });
  t.ok(copiesDone >= 1, `${copiesDone} copies finished after the cancel`);
  t.same(copies(b), { live: false, future: false }, 'no future dir (with its partial copy) in the cancelled target');
  t.same(mgr.futureLogs(), []);
  mgr.close();
});

t.test('a segment cut back and written again between two copy steps is copied again (a follower truncating)', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  let log = mgr.createLog('m', 0, TOPIC_ID, { 'segment.bytes': '1048576' });
  for (let i = 0; i < 100; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  mgr.alterLogDir('m', 0, b);
  for (let i = 0; i < 3; i++) mgr.runLogDirMoves(8192);
  const copied = mgr.futureLogs()[0]!.size;
  t.ok(copied > 16384 && copied < log.size, `part of the one segment copied (${copied} bytes)`);
  log.truncateTo(30);
  for (let i = 0; i < 60; i++) log.appendAsLeader(simpleBatch(2, { valueBytes: 333 }), 0);
  t.ok(log.size > copied, 'written again past the copied length');
  for (let i = 0; i < 1000 && mgr.futureLogs().length > 0; i++) mgr.runLogDirMoves(8192);
  log = mgr.getLog('m', 0)!;
  t.equal(mgr.logDirFor('m', 0), b, 'the move completes');
  const old = readdirSync(a).find((n) => n.startsWith('m-0.') && n.endsWith('-delete'))!;
  t.ok(segmentBytes(join(b, 'm-0')).equals(segmentBytes(join(a, old))), 'byte-identical to the truncated and rewritten log');
  t.equal(readAll(log).records.length, 30 + 120);
  mgr.close();
});

t.test('close while segments are copied off the event loop: the move resumes at the next start', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  for (let i = 0; i < 100; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  mgr.alterLogDir('m', 0, b);
  let done = 0;
  let wake = (): void => {};
  mgr.runLogDirMoves(4096, { offThread: true, onOffThreadCopyDone: () => { done++; wake(); } });
  mgr.close();
  t.equal(done, 0, 'closed while the copies ran');
  // (A broker's process exits here; this one waits for the two copies it started.)
  while (done < 2) await new Promise<void>((resolve) => { wake = resolve; });
  const futureDir = join(b, readdirSync(b).find((n) => parseFutureDirName(n) !== undefined)!);
  t.same(readdirSync(futureDir).filter((f) => f.endsWith('.copying') || (f.endsWith('.log') && statSync(join(futureDir, f)).size > 0)), [], 'no segment was taken into the future dir after the close');
  const again = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  t.equal(again.logDirFor('m', 0), a, 'the partition is still in its dir');
  t.same(again.futureLogs().map((f) => f.logDir), [b], 'the move resumes');
  again.runLogDirMoves();
  t.equal(again.logDirFor('m', 0), b, 'and completes');
  t.same([copies(a), copies(b)], [{ live: false, future: false }, { live: true, future: false }]);
  t.equal(readAll(again.getLog('m', 0)!).records.length, 300);
  again.close();
});

t.test('alterLogDir: errors as Kafka answers them, no-ops, replacing a move, deleting a moving topic', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  log.appendAsLeader(simpleBatch(10), 0);
  t.throws(() => mgr.alterLogDir('m', 0, '/nonexistent'), { name: 'KafkaError', message: /^LOG_DIR_NOT_FOUND/ });
  t.throws(() => mgr.alterLogDir('n', 0, b), { name: 'KafkaError', message: /^REPLICA_NOT_AVAILABLE/ });
  t.equal(mgr.createLog('n', 0, 'AAAAAAAAAAAAAAAAAAAABQ').dir, join(b, 'n-0'), 'a partition created later goes to the dir asked for');
  mgr.alterLogDir('m', 0, a);
  t.same(mgr.futureLogs(), [], 'already there: nothing to do');
  mgr.alterLogDir('m', 0, b);
  mgr.alterLogDir('m', 0, a);
  t.same([mgr.futureLogs(), copies(b)], [[], { live: false, future: false }], 'moving back cancels the move and removes the future log');
  mgr.alterLogDir('m', 0, b);
  mgr.deleteTopic('m');
  t.same([mgr.futureLogs(), copies(b).future], [[], false], 'deleting the topic removes its future log');
  mgr.close();
});

t.test('close leaves a move in progress to the next start (a stop never waits for a large copy)', async (t) => {
  const { a, b, mgr, log } = startedMove(t, 20000);
  const copiedBeforeStop = mgr.futureLogs()[0]!.size;
  t.ok(copiedBeforeStop > 0 && copiedBeforeStop < log.size, `part of the log was copied (${copiedBeforeStop} of ${log.size} bytes)`);
  await mgr.closeAsync();
  t.same([copies(a), copies(b)], [{ live: true, future: false }, { live: false, future: true }], 'the partition stays where it was, its future log is left');
  const stoppedDir = join(b, futureName(b));
  t.same(moveProgress(stoppedDir).segments.reduce((n, e) => n + e.bytes, 0), copiedBeforeStop, 'the stop recorded how far the copy got');
  const again = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  t.equal(again.logDirFor('m', 0), a, 'still served from its dir');
  t.same(again.futureLogs().map((f) => [f.topic, f.partition, f.logDir, f.size]), [['m', 0, b, copiedBeforeStop]], 'the move goes on from where it stopped');
  t.equal(join(b, futureName(b)), stoppedDir, 'in the same future dir');
  again.runLogDirMoves();
  t.equal(again.logDirFor('m', 0), b);
  t.same(segmentBytes(join(b, 'm-0')), segmentBytes(join(a, readdirSync(a).find((n) => n.startsWith('m-0.') && n.endsWith('-delete'))!)), 'byte-identical to the old copy');
  t.equal(readAll(again.getLog('m', 0)!).records.length, 900);
  again.close();
});

t.test('a stopped move whose record no longer matches the log copies those segments again', async (t) => {
  const { a, b, mgr } = startedMove(t, 30000);
  mgr.close();
  const dir = join(b, futureName(b));
  const record = moveProgress(dir);
  t.ok(record.segments.length >= 2, 'more than one segment recorded');
  record.segments[0]!.bytes -= 1;
  writeFileSync(join(dir, 'kts-move-progress.json'), JSON.stringify(record));
  const again = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const kept = record.segments.slice(1).reduce((n, e) => n + e.bytes, 0);
  t.equal(again.futureLogs()[0]!.size, kept, 'a segment whose recorded length ends inside a batch is not kept; the others are');
  again.runLogDirMoves();
  t.equal(again.logDirFor('m', 0), b);
  t.equal(readAll(again.getLog('m', 0)!).records.length, 900, 'every record, after copying that segment again');
  again.close();
});

/** The two dirs as a SIGKILL would leave them now (the page cache is the files): a copy, without this process's lock. */
function crashImage(t: Parameters<typeof tempDir>[0], a: string, b: string): [string, string] {
  const root = tempDir(t, 'kts-move-image-');
  const [ca, cb] = [join(root, 'a'), join(root, 'b')];
  cpSync(a, ca, { recursive: true });
  cpSync(b, cb, { recursive: true });
  rmSync(join(ca, '.lock'), { force: true });
  rmSync(join(cb, '.lock'), { force: true });
  return [ca, cb];
}

t.test('a move cut short by a crash goes on from its durable progress record (segments fsynced before it names them)', async (t) => {
  const { a, b, mgr } = startedMove(t, 50000);
  // A little more copied, past the record (records are at most one a second): a crash now.
  mgr.runLogDirMoves(3000);
  const future = futureName(b);
  const record = moveProgress(join(b, future));
  const recordedBytes = record.segments.reduce((n, e) => n + e.bytes, 0);
  t.ok(record.segments.length >= 2 && recordedBytes <= mgr.futureLogs()[0]!.size, `the record names the closed segments copied so far (${recordedBytes} of ${mgr.futureLogs()[0]!.size} bytes copied), with no stop`);
  const [ca, cb] = crashImage(t, a, b);
  const again = LogManager.open({ logDirs: [ca, cb], nodeId: 1 });
  t.ok(again.notices.some((n) => n.includes(`m-0: resuming the move to ${cb} (${recordedBytes} bytes copied before the stop or crash are kept)`)), again.notices.join('; '));
  t.same(again.futureLogs().map((f) => f.size), [recordedBytes], 'exactly what the record names is kept');
  t.same(readdirSync(join(cb, future)).filter((f) => f.endsWith('.log')).map((f) => statSync(join(cb, future, f)).size).reduce((n, x) => n + x, 0), recordedBytes, 'copies cut back to the recorded lengths, unrecorded ones removed');
  again.runLogDirMoves();
  t.equal(again.logDirFor('m', 0), cb, 'the move completes');
  t.ok(segmentBytes(join(cb, 'm-0')).equals(segmentBytes(join(a, 'm-0'))), 'byte-identical to the source');
  t.same(readdirSync(join(cb, 'm-0')).filter((f) => f === 'kts-move-progress.json'), [], 'no progress record left in the moved partition');
  t.equal(readAll(again.getLog('m', 0)!).records.length, 900, 'every record once');
  again.close();
  mgr.close();
});

t.test('a recorded segment copy whose last batch differs from the source is copied again; a shorter source cuts it', async (t) => {
  const { a, b, mgr } = startedMove(t, 50000);
  const [ca, cb] = crashImage(t, a, b);
  mgr.close();
  const futureDir = join(cb, futureName(cb));
  const record = moveProgress(futureDir);
  const [first, second] = record.segments;
  t.ok(first !== undefined && second !== undefined, 'two segments recorded');
  // The first copy's last batch: one byte changed (what a power loss could leave unsynced).
  const file = join(futureDir, `${String(first!.baseOffset).padStart(20, '0')}.log`);
  const bytes = readFileSync(file);
  bytes[bytes.length - 5] ^= 0xff;
  writeFileSync(file, bytes);
  // The second copy: its file lost its tail.
  const file2 = join(futureDir, `${String(second!.baseOffset).padStart(20, '0')}.log`);
  writeFileSync(file2, readFileSync(file2).subarray(0, second!.bytes - 10));
  const again = LogManager.open({ logDirs: [ca, cb], nodeId: 1 });
  const kept = record.segments.slice(2).reduce((n, e) => n + e.bytes, 0);
  t.equal(again.futureLogs()[0]!.size, kept, 'neither copy is kept; the others are');
  again.runLogDirMoves();
  t.equal(again.logDirFor('m', 0), cb);
  t.ok(segmentBytes(join(cb, 'm-0')).equals(segmentBytes(join(a, 'm-0'))), 'byte-identical to the source after copying them again');
  again.close();
});

t.test('attachLogDir: a second log dir added to a data dir, kept across opens, refused when it cannot be one', async (t) => {
  const root = tempDir(t, 'kts-attach-');
  const [data, disk2] = [join(root, 'data'), join(root, 'disk2')];
  const mgr = LogManager.open({ logDirs: [data], nodeId: 1 });
  mgr.createLog('m', 0, TOPIC_ID, CONFIG).appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  const code = (fn: () => void): number | string => {
    try {
      fn();
      return 'no error';
    } catch (err) {
      return (err as { errorCode?: number }).errorCode ?? String(err);
    }
  };
  t.equal(code(() => mgr.attachLogDir('disk2')), 57, 'a relative path: LOG_DIR_NOT_FOUND');
  t.equal(code(() => mgr.attachLogDir(join(data, 'inner'))), 57, 'inside the data dir: LOG_DIR_NOT_FOUND');
  t.equal(code(() => mgr.attachLogDir(root)), 57, 'holding the data dir: LOG_DIR_NOT_FOUND');
  const other = LogManager.open({ logDirs: [join(root, 'other')], nodeId: 1 });
  other.close();
  t.equal(code(() => mgr.attachLogDir(join(root, 'other'))), 104, 'another cluster\'s log dir: INCONSISTENT_CLUSTER_ID');
  t.same(mgr.logDirs, [data], 'nothing added by the refusals');
  mgr.attachLogDir(disk2);
  t.same(mgr.logDirs, [data, disk2]);
  mgr.alterLogDir('m', 0, disk2);
  mgr.runLogDirMoves();
  t.equal(mgr.logDirFor('m', 0), disk2);
  mgr.close();
  const again = LogManager.open({ logDirs: [data], nodeId: 1 });
  t.same(again.logDirs, [data, disk2], 'opening the data dir opens the attached dir');
  t.equal(again.logDirFor('m', 0), disk2, 'the moved partition is found there');
  t.equal(readAll(again.getLog('m', 0)!).records.length, 3);
  again.close();
  t.throws(() => LogManager.open({ logDirs: [disk2], nodeId: 1 }), /is a log dir of the data dir .*data \(kts reassign added it there\), not a data dir of its own/, 'the second dir alone is not a data dir');
  t.throws(() => detachLogDir(data, disk2, 'test'), /still holds partitions of .*: m-0/, 'detaching while a partition lives there is refused');
  rmSync(join(disk2, 'meta.properties'));
  t.throws(() => LogManager.open({ logDirs: [data], nodeId: 1 }), /has no meta\.properties: is its disk mounted\?/, 'an attached dir that lost its meta.properties stops the open');
});

t.test('SIGKILL at each step of a move: nothing acknowledged is lost, exactly one live copy, the move completes', async (t) => {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  await build({ entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: BUNDLE, logLevel: 'error' });
  t.teardown(() => rmSync(BUNDLE, { force: true }));
  const [ta, tb] = twoDirs(t);
  const seed = LogManager.open({ logDirs: [ta, tb], nodeId: 1 });
  const log = seed.createLog('m', 0, TOPIC_ID, CONFIG);
  for (let i = 0; i < 150; i++) log.appendAsLeader(simpleBatch(2, { valueBytes: 250 }), 0);
  seed.close();
  // Their dirs are checked one by one after.
  // Each step in the mode that reaches it: whole segments copied off the event loop (a
  // broker's unthrottled move) or in slices on it; without a crash, both.
  const modes = (step: string): string[] => (step === '' ? ['', 'off-thread'] : step === 'segment-copied-off-thread' ? ['off-thread'] : ['']);
  // Four children at a time (each is short; nine node processes starting at once on a busy
  // machine can take longer to start than the whole move).
  const todo = ['', ...LOG_DIR_MOVE_STEPS].flatMap((step) => modes(step).map((mode) => ({ step, mode })));
  const cases: { step: string; mode: string; a: string; b: string; result: Awaited<ReturnType<typeof runChild>> }[] = [];
  await Promise.all([0, 1, 2, 3].map(async () => {
    for (let next = todo.shift(); next !== undefined; next = todo.shift()) {
      const root = tempDir(t, 'kts-move-crash-');
      const [a, b] = [join(root, 'a'), join(root, 'b')];
      cpSync(ta, a, { recursive: true });
      cpSync(tb, b, { recursive: true });
      cases.push({ ...next, a, b, result: await runChild(a, b, next.step, next.mode) });
    }
  }));
  for (const { step, mode, a, b, result } of cases) {
    const name = `${step || 'no crash'}${mode ? ` (${mode})` : ''}`;
    if (step === '') t.match(result.out, /done\n$/, 'without a crash step the child moves and exits');
    else t.equal(result.signal, 'SIGKILL', `${name}: the child died at the step`);
    t.notMatch(result.out, /^TIMEOUT$/m, `${name}: the child finished or died at the step (not killed after 60 s)`);
    const acked = [...result.out.matchAll(/^ACK (\d+) (\d+)$/gm)].map((m) => Number(m[2]));
    const lastAcked = Math.max(299, ...acked);
    const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
    const live = [copies(a).live, copies(b).live].filter(Boolean).length;
    t.equal(live, 1, `${name}: exactly one live copy after restart`);
    const reopened = mgr.getLog('m', 0)!;
    t.ok(reopened.logEndOffset > lastAcked, `${name}: every acknowledged offset is there (LEO ${reopened.logEndOffset} > ${lastAcked})`);
    const records = readAll(reopened).records;
    t.same(records.map((r) => r.offset), Array.from({ length: reopened.logEndOffset }, (_, i) => i), `${name}: offsets 0..LEO-1 all readable`);
    mgr.runLogDirMoves();
    t.equal(mgr.logDirFor('m', 0), b, `${name}: the move completes (resumed or finished at load)`);
    t.same([copies(a), copies(b)], [{ live: false, future: false }, { live: true, future: false }], `${name}: one copy, in the target dir`);
    t.same(readdirSync(join(b, 'm-0')).filter((f) => f.endsWith('.copying')), [], `${name}: no partial segment copy left`);
    t.equal(readAll(mgr.getLog('m', 0)!).records.length, reopened.logEndOffset, `${name}: same records after the move`);
    mgr.close();
  }
});

function runChild(a: string, b: string, step: string, mode: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, a, b, mode], { cwd: ROOT, env: { ...process.env, KTS_LOG_DIR_MOVE_CRASH_AT: step }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => { out += 'TIMEOUT\n'; child.kill('SIGKILL'); }, 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}


