import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LogManager } from '../../src/storage/index.js';
import { LOG_DIR_MOVE_STEPS, parseFutureDirName } from '../../src/storage/log-dir-move.js';
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

t.test('close finishes a move in progress (local mode exits right after starting one)', async (t) => {
  const [a, b] = twoDirs(t);
  const mgr = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('m', 0, TOPIC_ID, CONFIG);
  for (let i = 0; i < 50; i++) log.appendAsLeader(simpleBatch(3, { valueBytes: 200 }), 0);
  mgr.alterLogDir('m', 0, b);
  mgr.close();
  const again = LogManager.open({ logDirs: [a, b], nodeId: 1 });
  t.equal(again.logDirFor('m', 0), b);
  t.equal(readAll(again.getLog('m', 0)!).records.length, 150);
  again.close();
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
  // The children run at once (each is short); their dirs are checked one by one after.
  const cases = await Promise.all(['', ...LOG_DIR_MOVE_STEPS].map(async (step) => {
    const root = tempDir(t, 'kts-move-crash-');
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    cpSync(ta, a, { recursive: true });
    cpSync(tb, b, { recursive: true });
    return { step, a, b, result: await runChild(a, b, step) };
  }));
  for (const { step, a, b, result } of cases) {
    const name = step || 'no crash';
    if (step === '') t.match(result.out, /done\n$/, 'without a crash step the child moves and exits');
    else t.equal(result.signal, 'SIGKILL', `${name}: the child died at the step`);
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
    t.equal(readAll(mgr.getLog('m', 0)!).records.length, reopened.logEndOffset, `${name}: same records after the move`);
    mgr.close();
  }
});

function runChild(a: string, b: string, step: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, a, b], { cwd: ROOT, env: { ...process.env, KTS_LOG_DIR_MOVE_CRASH_AT: step }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}


