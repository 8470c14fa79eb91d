// Codec and record batch throughput: MB/s per codec for compress and decompress of
// record-batch-like data, plus whole-batch encode/decode. Bundles src/records with
// esbuild first (as the shipped binary is built), then times each step for a fixed
// wall-clock budget. Figures are relative to a memcpy of the same bytes measured in the
// same run, since the machines are noisy.  Usage: node bench/compression.mjs [--quick]
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const quick = process.argv.includes('--quick');
const BUDGET_MS = quick ? 150 : 600;
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function loadRecords() {
  const dir = mkdtempSync(join(tmpdir(), 'kts-bench-'));
  const entry = join(dir, 'entry.ts');
  const src = new URL('src/records/', root).pathname;
  writeFileSync(
    entry,
    [
      `export * from '${src}compression/index.ts';`,
      `export { lz4CompressFrame, lz4DecompressFrame } from '${src}compression/lz4.ts';`,
      `export { encodeRecordBatch, decodeRecordBatch, iterateRecords } from '${src}record-batch.ts';`,
    ].join('\n'),
  );
  const outfile = join(new URL('.', root).pathname, 'node_modules', '.kts-bench-records.mjs');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: Object.keys(pkg.dependencies ?? {}), logLevel: 'warning' });
  rmSync(dir, { recursive: true, force: true });
  return import(pathToFileURL(outfile).href);
}

/** Deterministic JSON-ish event values, like a typical topic. */
function makeRecords(count, seed = 1) {
  let a = seed;
  const rnd = () => ((a = (a * 1103515245 + 12345) >>> 0) / 4294967296);
  const records = [];
  for (let i = 0; i < count; i++) {
    const value = JSON.stringify({ id: i, user: `user-${Math.floor(rnd() * 5000)}`, event: ['click', 'view', 'purchase', 'scroll'][i % 4], price: +(rnd() * 100).toFixed(2), ts: 1700000000000 + i * 13, session: Math.floor(rnd() * 1e9).toString(36) });
    records.push({ timestampMs: 1700000000000 + i, key: Buffer.from(`key-${i % 100}`), value: Buffer.from(value), headers: i % 4 === 0 ? [{ key: 'trace-id', value: Buffer.from(Math.floor(rnd() * 1e12).toString(16)) }] : [] });
  }
  return records;
}

/** Best of three timed rounds (ms per call): the machines are shared and noisy. */
function time(fn) {
  fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < BUDGET_MS / 3) {
      fn();
      n++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    best = Math.min(best, elapsed / n);
  }
  return best;
}

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const pad = (s, n) => String(s).padStart(n);

const R = await loadRecords();
const records = makeRecords(quick ? 500 : 2000);
const plain = R.encodeRecordBatch({ records });
const section = plain.subarray(61);
const target = Buffer.allocUnsafe(section.length);
const copyMs = time(() => section.copy(target));
const memcpy = mbps(section.length, copyMs);

console.log(`records section: ${records.length} records, ${section.length} bytes; memcpy ${memcpy.toFixed(0)} MB/s (reference)\n`);
console.log(`${'codec'.padEnd(8)}${pad('ratio', 7)}${pad('compress MB/s', 15)}${pad('decompress MB/s', 17)}${pad('x memcpy (d)', 14)}${pad('batch enc rec/s', 17)}${pad('batch dec rec/s', 17)}`);
for (const [name, type] of Object.entries({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 })) {
  const packed = R.compress(type, section);
  const cMs = time(() => R.compress(type, section));
  const dMs = time(() => R.decompress(type, packed, section.length));
  const batch = R.encodeRecordBatch({ records, compression: type });
  const encMs = time(() => R.encodeRecordBatch({ records, compression: type }));
  const decMs = time(() => {
    for (const _ of R.iterateRecords(batch)) {
      // decode every record, keep nothing
    }
  });
  const ratio = (section.length / packed.length).toFixed(2);
  const codec = type === 0 ? [pad('-', 15), pad('-', 17), pad('-', 14)].join('') : `${pad(mbps(section.length, cMs).toFixed(0), 15)}${pad(mbps(section.length, dMs).toFixed(0), 17)}${pad((mbps(section.length, dMs) / memcpy).toFixed(3), 14)}`;
  console.log(
    `${name.padEnd(8)}${pad(ratio, 7)}${codec}${pad(Math.round(records.length / (encMs / 1000)), 17)}${pad(Math.round(records.length / (decMs / 1000)), 17)}`,
  );
}

// Our bounded JS LZ4 frame decoder against lz4-napi's native (unbounded) one.
const { decompressFrameSync } = await import('lz4-napi');
const frame = R.lz4CompressFrame(section);
const ours = time(() => R.lz4DecompressFrame(frame, section.length));
const native = time(() => decompressFrameSync(frame));
console.log(`\nlz4 frame decode: ours (bounded, JS) ${mbps(section.length, ours).toFixed(0)} MB/s, lz4-napi native ${mbps(section.length, native).toFixed(0)} MB/s (ours/native ${(native / ours).toFixed(2)})`);
rmSync(new URL('node_modules/.kts-bench-records.mjs', root), { force: true });
