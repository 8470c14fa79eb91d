// Log-dir move throughput: a partition of ~1 MiB batches (64 MiB segments) moved to another
// log dir of the same broker, two ways, against `cp -r` of the same partition dir plus
// `sync` of the copied files and dir (fsync of each: the durability a move gives), and
// against copyFile + fsync of each file in this process, measured in the same run (three
// rounds each, interleaved; best of each):
// - the storage engine driven directly (LogManager.alterLogDir + runLogDirMoves in 64 MiB
//   steps, as local mode and close() do): whole segments by fs.copyFile, fsync, swap, load;
// - a running broker's scheduler, unthrottled (startBackgroundWork): closed segments copied
//   off the event loop, the active one in 8 MiB slices back to back, then the swap.
// Bundles src/storage and the scheduler with esbuild first.
// Usage: node bench/log-dir-move.mjs [--quick]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const quick = process.argv.includes('--quick');
const TOTAL_MIB = quick ? 64 : 256;
const ROUNDS = 3;
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function loadStorage() {
  const outfile = join(fileURLToPath(root), 'node_modules', '.kts-bench-log-dir-move.mjs');
  await build({
    stdin: { contents: "export * from './src/storage/index.ts';\nexport { startBackgroundWork } from './src/broker/background/scheduler.ts';\n", resolveDir: fileURLToPath(root), loader: 'ts' },
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: Object.keys(pkg.dependencies ?? {}), logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** An uncompressed batch of 1024 records of 1000 bytes (no CRC check on this path: appended as leader, CRC filled). */
async function makeBatch() {
  const { crc32c } = await import('@node-rs/crc32');
  const zigzag = (n) => {
    let v = n * 2;
    const out = [];
    while (v >= 128) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
    out.push(v);
    return Buffer.from(out);
  };
  const records = [];
  for (let i = 0; i < 1024; i++) {
    const body = Buffer.concat([Buffer.from([0, 0]), zigzag(i), Buffer.from([1]), zigzag(1000), Buffer.alloc(1000, i % 251), Buffer.from([0])]);
    records.push(Buffer.concat([zigzag(body.length), body]));
  }
  const head = Buffer.alloc(61);
  head.writeInt32BE(61 + records.reduce((n, r) => n + r.length, 0) - 12, 8);
  head.writeInt32BE(-1, 12);
  head.writeInt8(2, 16);
  head.writeInt32BE(1023, 23);
  const now = BigInt(Date.now());
  head.writeBigInt64BE(now, 27);
  head.writeBigInt64BE(now, 35);
  head.writeBigInt64BE(-1n, 43);
  head.writeInt16BE(-1, 51);
  head.writeInt32BE(-1, 53);
  head.writeInt32BE(1024, 57);
  const batch = Buffer.concat([head, ...records]);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}

const S = await loadStorage();
const batch = await makeBatch();
const count = Math.floor((TOTAL_MIB * 1048576) / batch.length);
const dir = mkdtempSync(join(tmpdir(), 'kts-bench-move-'));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const quiet = { debug() {}, info() {}, warn() {}, error(m) { console.error(m); } };

/** The in-process floor: fs.copyFileSync (copy_file_range) and fsync of each file, then of the dir. */
function copyDirDurably(from, to) {
  mkdirSync(to);
  const fsync = (path) => {
    const fd = openSync(path, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  };
  for (const f of readdirSync(from)) {
    copyFileSync(join(from, f), join(to, f));
    fsync(join(to, f));
  }
  fsync(to);
}

/** Move the partition to the other dir by driving the engine directly. */
function engineMove(mgr, target) {
  mgr.alterLogDir('bench', 0, target);
  while (mgr.futureLogs().length > 0) mgr.runLogDirMoves(64 * 1048576);
}

/** Move the partition to the other dir through a broker's background scheduler, unthrottled. */
async function schedulerMove(mgr, target) {
  const work = S.startBackgroundWork(mgr, quiet, { ...S_OPTIONS, logDirMoveBytesPerSecond: () => Number.POSITIVE_INFINITY });
  try {
    mgr.alterLogDir('bench', 0, target);
    while (mgr.futureLogs().length > 0) await sleep(1);
  } finally {
    await work.stop();
  }
}
const S_OPTIONS = { retentionCheckIntervalMs: 3_600_000, checkpointIntervalMs: 3_600_000, cleanerEnable: false, cleanerBackoffMs: 15_000, dedupeBufferBytes: 1 << 20, ioMaxBytesPerSecond: Infinity, nowMs: () => Date.now() };

try {
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  const mgr = S.LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('bench', 0, 'AAAAAAAAAAAAAAAAAAAAAg', { 'segment.bytes': String(64 * 1048576) });
  for (let i = 0; i < count; i++) log.appendAsLeader(Buffer.from(batch), 0);
  log.flush();
  const bytes = log.size;
  const segments = log.allSegments().length;
  const other = () => (mgr.logDirFor('bench', 0) === a ? b : a);

  const best = { cp: Infinity, floor: Infinity, engine: Infinity, scheduler: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = process.hrtime.bigint();
    const copy = join(dir, `cp-${round}`);
    execFileSync('cp', ['-r', join(mgr.logDirFor('bench', 0), 'bench-0'), copy]);
    execFileSync('sync', [copy, ...readdirSync(copy).map((f) => join(copy, f))]);
    best.cp = Math.min(best.cp, ms(t0));
    rmSync(copy, { recursive: true, force: true });

    t0 = process.hrtime.bigint();
    copyDirDurably(join(mgr.logDirFor('bench', 0), 'bench-0'), copy);
    best.floor = Math.min(best.floor, ms(t0));
    rmSync(copy, { recursive: true, force: true });

    let target = other();
    t0 = process.hrtime.bigint();
    engineMove(mgr, target);
    best.engine = Math.min(best.engine, ms(t0));
    if (mgr.logDirFor('bench', 0) !== target) throw new Error('the engine move did not complete');

    target = other();
    t0 = process.hrtime.bigint();
    await schedulerMove(mgr, target);
    best.scheduler = Math.min(best.scheduler, ms(t0));
    if (mgr.logDirFor('bench', 0) !== target) throw new Error('the scheduler move did not complete');
  }
  if (mgr.getLog('bench', 0).logEndOffset !== count * 1024) throw new Error('records lost in the moves');
  mgr.close();

  const mbps = (t) => (bytes / 1048576 / (t / 1000)).toFixed(0).padStart(6);
  console.log([
    `log-dir move: ${(bytes / 1048576).toFixed(0)} MiB partition, ${segments} segment(s) (${count} batches of ${batch.length} bytes), node ${process.version}, best of ${ROUNDS}`,
    `  cp -r + sync of the copy (ref.) ${mbps(best.cp)} MiB/s`,
    `  copyFile + fsync, in process    ${mbps(best.floor)} MiB/s  = ${(best.cp / best.floor).toFixed(2)} x cp (in-process reference)`,
    `  kts engine alterLogDir + moves  ${mbps(best.engine)} MiB/s  = ${(best.cp / best.engine).toFixed(2)} x cp, ${(best.floor / best.engine).toFixed(2)} x floor (64 MiB steps: fs.copyFile, fsync, swap, load)`,
    `  kts broker scheduler            ${mbps(best.scheduler)} MiB/s  = ${(best.cp / best.scheduler).toFixed(2)} x cp, ${(best.floor / best.scheduler).toFixed(2)} x floor (unthrottled: segments copied off the event loop, tail in 8 MiB slices)`,
  ].join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
