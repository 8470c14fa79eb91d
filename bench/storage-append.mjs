// Storage append/read throughput: 1 MiB record batches appended to a kts partition log
// (validate + CRC32C + offset patching + positioned write + index upkeep, no fsync per
// append, as Kafka's page-cache policy) against `dd bs=1M` writing the same bytes in the
// same run, then whole-log reads by offset. Bundles src/storage with esbuild first.
// Usage: node bench/storage-append.mjs [--quick]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const quick = process.argv.includes('--quick');
const TOTAL_MIB = quick ? 64 : 512;
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function loadStorage() {
  const outfile = join(new URL('.', root).pathname, 'node_modules', '.kts-bench-storage.mjs');
  const entry = new URL('src/storage/index.ts', root).pathname;
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: Object.keys(pkg.dependencies ?? {}), logLevel: 'warning' });
  return import(pathToFileURL(outfile).href);
}

/** One uncompressed batch of ~1 MiB: 1024 records of 1000 bytes, CRC filled in by crc32c. */
async function makeBatch() {
  const { crc32c } = await import('@node-rs/crc32');
  const records = [];
  for (let i = 0; i < 1024; i++) {
    const value = Buffer.alloc(1000, i % 251);
    // length varint, attrs, tsDelta 0, offsetDelta, key -1, value len, value, headers 0
    const offsetDelta = zigzag(i);
    const body = Buffer.concat([Buffer.from([0, 0]), offsetDelta, Buffer.from([1]), zigzag(1000), value, Buffer.from([0])]);
    records.push(Buffer.concat([zigzag(body.length), body]));
  }
  const head = Buffer.alloc(61);
  const total = 61 + records.reduce((n, r) => n + r.length, 0);
  head.writeInt32BE(total - 12, 8);
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

function zigzag(n) {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out = [];
  while (v >= 128) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return Buffer.from(out);
}

const S = await loadStorage();
const batch = await makeBatch();
const count = Math.floor((TOTAL_MIB * 1048576) / batch.length);
const bytes = count * batch.length;

const dir = mkdtempSync(join(tmpdir(), 'kts-bench-storage-'));
try {
  // dd reference: same number of bytes, 1 MiB blocks, page cache (no sync), like our appends.
  // Best of three: the machines are shared and noisy.
  const ddFile = join(dir, 'dd.out');
  let ddMs = Infinity;
  let t0;
  for (let round = 0; round < 3; round++) {
    t0 = process.hrtime.bigint();
    execFileSync('dd', ['if=/dev/zero', `of=${ddFile}`, 'bs=1048576', `count=${Math.round(bytes / 1048576)}`], { stdio: 'ignore' });
    ddMs = Math.min(ddMs, Number(process.hrtime.bigint() - t0) / 1e6);
    rmSync(ddFile);
  }

  const mgr = S.LogManager.open({ logDirs: [join(dir, 'logs')], nodeId: 1 });
  const log = mgr.createLog('bench', 0, 'AAAAAAAAAAAAAAAAAAAAAg', {});
  const copies = Array.from({ length: 8 }, () => Buffer.from(batch));
  t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const b = copies[i % 8];
    b.writeBigInt64BE(0n, 0); // each produce request brings base offset 0; we reuse 8 buffers
    log.appendAsLeader(b, 0);
  }
  const appendMs = Number(process.hrtime.bigint() - t0) / 1e6;

  t0 = process.hrtime.bigint();
  let read = 0;
  for (let off = 0; off < log.logEndOffset;) {
    const r = log.read(off, 8 * 1048576, { minOneMessage: true });
    read += r.records.length;
    off += Math.max(1, (r.records.length / batch.length) * 1024);
  }
  const readMs = Number(process.hrtime.bigint() - t0) / 1e6;
  t0 = process.hrtime.bigint();
  mgr.close();
  const closeMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const mbps = (b, ms) => b / 1048576 / (ms / 1000);
  const lines = [
    `storage append: ${count} batches of ${batch.length} bytes (${(bytes / 1048576).toFixed(0)} MiB), node ${process.version}`,
    `  dd bs=1M (reference)      ${mbps(bytes, ddMs).toFixed(0).padStart(6)} MiB/s`,
    `  kts appendAsLeader        ${mbps(bytes, appendMs).toFixed(0).padStart(6)} MiB/s  = ${(ddMs / appendMs).toFixed(2)} x dd  (${(count / (appendMs / 1000)).toFixed(0)} batches/s, ${((count * 1024) / (appendMs / 1000) / 1e6).toFixed(2)} M records/s)`,
    `  kts read (8 MiB fetches)  ${mbps(read, readMs).toFixed(0).padStart(6)} MiB/s`,
    `  close (fsync + checkpoints) ${closeMs.toFixed(0)} ms`,
  ];
  console.log(lines.join('\n'));
  if (process.argv.includes('--write')) writeFileSync(new URL('bench/storage-append.txt', root), `${lines.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
