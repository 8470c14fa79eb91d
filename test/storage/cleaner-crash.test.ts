import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogManager } from '../../src/storage/index.js';
import { CLEANER_STEPS } from '../../src/storage/cleaner/swap.js';
import { LogCleaner } from '../../src/storage/cleaner/cleaner.js';
import { tempDir } from './helpers.js';
import { type Written, expectedOffsets, readAll, writeUpdates } from './cleaner-helpers.js';

const CHILD = fileURLToPath(new URL('./cleaner-crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const CONFIG = { 'cleanup.policy': 'compact', 'segment.bytes': '1200', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '3600000' };

// The child is bundled once so each run starts in a fraction of a second (not through tsx).
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'kts-tests');
const BUNDLE = join(BUNDLE_DIR, `cleaner-crash-child-${process.pid}.mjs`);
mkdirSync(BUNDLE_DIR, { recursive: true });
await build({ entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: BUNDLE, logLevel: 'error' });
t.teardown(() => rmSync(BUNDLE, { force: true }));

function runChild(dir: string, step: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, dir], { cwd: ROOT, env: { ...process.env, KTS_CLEANER_CRASH_AT: step }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A log cleaned once (so the next pass groups small segments), then made dirty again. */
async function prepare(dir: string): Promise<{ written: Written[]; activeBase: number; segments: number }> {
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  const log = mgr.createLog('c', 0, TOPIC_ID, CONFIG);
  const now = Date.now();
  const written = writeUpdates(log, 120, 15, now, 11);
  const cleaner = new LogCleaner();
  while (await cleaner.cleanIfNeeded(log, now)) mgr.checkpoint();
  written.push(...writeUpdates(log, 90, 15, now, 12));
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  const segments = log.segmentCount;
  mgr.close();
  return { written, activeBase, segments };
}

t.test('a crash at each step of cleaning reopens to a valid log that lost nothing compaction keeps', async (t) => {
  const template = tempDir(t);
  const prep = await prepare(template);
  t.ok(prep.segments >= 6, `${prep.segments} segments, cleaned ones grouped by the next pass`);
  const cases = await Promise.all(['', ...CLEANER_STEPS].map(async (step) => {
    const dir = tempDir(t);
    cpSync(template, dir, { recursive: true });
    return { step, dir, ...prep, result: await runChild(dir, step) };
  }));
  for (const { step, dir, written, activeBase, result } of cases) {
    if (step === '') t.same([result.code, result.out], [0, 'done\n'], 'without a crash step the child cleans and exits');
    else t.equal(result.signal, 'SIGKILL', `${step}: the child died at the step (${result.out.trim()})`);
    const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
      const log = mgr.getLog('c', 0)!;
    const got = readAll(log).records;
    const byOffset = new Map(written.map((w) => [w.offset, w]));
    const present = new Set(got.map((r) => r.offset));
    const mustKeep = expectedOffsets(written, activeBase, true);
    t.same(mustKeep.filter((o) => !present.has(o)), [], `${step}: every record compaction keeps is there`);
    if (step === '') t.same([...present], mustKeep, 'the clean pass kept exactly those');
    if (step === '') t.ok(log.segmentCount < prep.segments, `segments grouped into one swap: ${prep.segments} -> ${log.segmentCount}`);
    t.ok(got.every((r) => byOffset.get(r.offset)?.key === r.key && byOffset.get(r.offset)?.value === r.value), `${step}: records keep their offsets and values`);
    t.equal(log.logEndOffset, written.at(-1)!.offset + 1, `${step}: log end offset`);
    t.same(readdirSync(join(dir, 'c-0')).filter((f) => /\.(cleaned|swap)$/.test(f)), [], `${step}: no .cleaned or .swap left`);
    // The interrupted pass can be done again, to the same result as without a crash.
    const cleaner = new LogCleaner();
    while (await cleaner.cleanIfNeeded(log, Date.now()));
    t.same(readAll(log).records.map((r) => r.offset), mustKeep, `${step}: cleaning again completes`);
    mgr.close();
  }
});
