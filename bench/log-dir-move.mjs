// Log-dir move throughput: a partition of ~1 MiB batches moved to another log dir of the
// same broker (LogManager.alterLogDir + runLogDirMoves: byte copy of the segments, fsync,
// swap, load of the copy with full recovery) against `cp -r` of the same partition dir
// plus `sync`, measured in the same run. Bundles src/storage with esbuild first.
// Usage: node bench/log-dir-move.mjs [--quick]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const quick = process.argv.includes('--quick');
const TOTAL_MIB = quick ? 64 : 256;
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function loadStorage() {
  const outfile = join(new URL('.', root).pathname, 'node_modules', '.kts-bench-log-dir-move.mjs');
  const entry = new URL('src/storage/index.ts', root).pathname;
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: Object.keys(pkg.dependencies ?? {}), logLevel: 'warning' });
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
try {
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  const mgr = S.LogManager.open({ logDirs: [a, b], nodeId: 1 });
  const log = mgr.createLog('bench', 0, 'AAAAAAAAAAAAAAAAAAAAAg', { 'segment.bytes': String(64 * 1048576) });
  for (let i = 0; i < count; i++) log.appendAsLeader(Buffer.from(batch), 0);
  log.flush();
  const bytes = log.size;
  const source = mgr.logDirFor('bench', 0);
  const target = source === a ? b : a;

  // Reference: cp -r of the partition dir and a sync, best of three.
  let cpMs = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint();
    execFileSync('cp', ['-r', join(source, 'bench-0'), join(dir, `cp-${round}`)]);
    execFileSync('sync');
    cpMs = Math.min(cpMs, ms(t0));
    rmSync(join(dir, `cp-${round}`), { recursive: true, force: true });
  }

  const t0 = process.hrtime.bigint();
  mgr.alterLogDir('bench', 0, target);
  while (mgr.futureLogs().length > 0) mgr.runLogDirMoves(64 * 1048576);
  const moveMs = ms(t0);
  if (mgr.logDirFor('bench', 0) !== target || mgr.getLog('bench', 0).logEndOffset !== count * 1024) throw new Error('the move did not complete');
  mgr.close();

  const mbps = (n, t) => n / 1048576 / (t / 1000);
  console.log([
    `log-dir move: ${(bytes / 1048576).toFixed(0)} MiB partition (${count} batches of ${batch.length} bytes), node ${process.version}`,
    `  cp -r + sync (reference)   ${mbps(bytes, cpMs).toFixed(0).padStart(6)} MiB/s`,
    `  kts alterLogDir + moves    ${mbps(bytes, moveMs).toFixed(0).padStart(6)} MiB/s  = ${(cpMs / moveMs).toFixed(2)} x cp (copy in 64 MiB steps, fsync, swap, recovery of the copy)`,
  ].join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
