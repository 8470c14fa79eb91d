// kts dump-log throughput and memory on a large segment. Generates a segment of v2 batches
// (100-byte records, ~16 KiB batches as a producer with default batch.size writes them,
// encoded by src/records), then times `kts dump-log` as a subprocess: shallow (the
// default), --deep-iteration and --print-data-log, with stdout to /dev/null. Reports MB/s
// of segment read, the ratio to `cat file > /dev/null` and `wc -l file` measured in the same
// run (the machines are noisy), and peak RSS (VmHWM). Needs `npm run build` first.
// Usage: node bench/dump-log.mjs [--size-mib N] [--keep] [--baseline <kts script>]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const sizeArg = args.indexOf('--size-mib');
const SIZE_MIB = sizeArg >= 0 ? Number(args[sizeArg + 1]) : 1024;
const KEEP = args.includes('--keep');
// --baseline <script>: another kts entry point (e.g. a bundle of an older commit) measured in
// the same run, for before/after figures under the same load.
const baselineArg = args.indexOf('--baseline');
const BASELINE = baselineArg >= 0 ? args[baselineArg + 1] : null;
const root = new URL('..', import.meta.url);
const KTS = new URL('bin/kts.js', root).pathname;
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

async function loadEncoder() {
  const outfile = join(new URL('.', root).pathname, 'node_modules', '.kts-bench-dump-log.mjs');
  await build({
    stdin: { contents: `export { encodeRecordBatch } from './src/records/record-batch.ts';\nexport { writeInt64 } from './src/records/batch-header.ts';`, resolveDir: new URL('.', root).pathname, loader: 'ts' },
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: Object.keys(pkg.dependencies ?? {}), logLevel: 'warning',
  });
  return import(`${outfile}?t=${Date.now()}`);
}

async function generate(path, sizeMiB) {
  const { encodeRecordBatch, writeInt64 } = await loadEncoder();
  const perBatch = 150;
  const records = Array.from({ length: perBatch }, (_, i) => ({ timestampMs: 1700000000000 + i, key: null, value: Buffer.alloc(100, 97 + (i % 26)) }));
  const batch = encodeRecordBatch({ baseOffset: 0, records });
  // Many batches per write; the base offset is outside the CRC, so patching it keeps batches valid.
  const group = Buffer.alloc(batch.length * 64);
  const fd = openSync(path, 'w');
  let written = 0;
  let offset = 0;
  while (written < sizeMiB * 1048576) {
    for (let i = 0; i < 64; i++, offset += perBatch) {
      batch.copy(group, i * batch.length);
      writeInt64(group, i * batch.length, offset);
    }
    writeSync(fd, group);
    written += group.length;
  }
  closeSync(fd);
  return { bytes: written, batches: offset / perBatch, records: offset, batchBytes: batch.length };
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Run a command with stdout to /dev/null: wall seconds, CPU seconds (user + sys) and peak
 * RSS, from GNU time when present, else wall time and VmHWM polled from /proc.
 */
function measure(cmd, argv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const [exe, exeArgs] = GNU_TIME ? [GNU_TIME, ['-f', 'KTSBENCH %e %U %S %M', cmd, ...argv]] : [cmd, argv];
    const child = spawn(exe, exeArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let hwm = 0;
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const poll = GNU_TIME ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        // The process has just exited.
      }
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${stderr}`));
      const m = /KTSBENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (m) resolve({ seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssKiB: Number(m[4]) });
      else resolve({ seconds: wall, cpu: Number.NaN, rssKiB: hwm });
    });
  });
}

/** Fastest of n runs (least disturbed by other load); peak RSS is the max over runs. */
async function best(n, cmd, argv) {
  let top = null;
  for (let i = 0; i < n; i++) {
    const r = await measure(cmd, argv);
    const rss = Math.max(r.rssKiB, top?.rssKiB ?? 0);
    if (top === null || r.seconds < top.seconds) top = { ...r, rssKiB: rss };
    else top.rssKiB = rss;
    if (top.cpu > r.cpu) top.cpu = r.cpu;
  }
  return top;
}

if (!existsSync(new URL('dist/kts.cjs', root))) {
  console.error('dist/kts.cjs is missing: run `npm run build` first.');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'kts-bench-dump-log-'));
const segment = join(dir, '00000000000000000000.log');
try {
  const gen = await generate(segment, SIZE_MIB);
  const mb = gen.bytes / 1e6;
  console.log(`segment: ${(gen.bytes / 1048576).toFixed(0)} MiB, ${gen.batches} batches of ${gen.batchBytes} bytes, ${gen.records} records of 100 bytes`);
  const cat = await best(3, 'sh', ['-c', `cat '${segment}' > /dev/null`]);
  const wc = await best(3, 'wc', ['-l', segment]);
  const startup = await best(3, process.execPath, [KTS, 'version']);
  const kts = (...flags) => best(2, process.execPath, [KTS, 'dump-log', '--files', segment, ...flags]);
  const base = (...flags) => best(2, process.execPath, [BASELINE, 'dump-log', '--files', segment, ...flags]);
  const baselineRows = BASELINE === null ? [] : [
    ['baseline kts dump-log (batches)', await base()],
    ['baseline kts dump-log --deep-iteration', await base('--deep-iteration')],
    ['baseline kts dump-log --print-data-log', await base('--print-data-log')],
  ];
  const rows = [
    ['cat file > /dev/null', cat],
    ['wc -l file', wc],
    ['kts version (startup only)', startup],
    ['kts dump-log (batches)', await kts()],
    ['kts dump-log --deep-iteration', await kts('--deep-iteration')],
    ['kts dump-log --print-data-log', await kts('--print-data-log')],
    ['kts dump-log --summary --deep-iteration', await kts('--summary', '--deep-iteration')],
    ...baselineRows,
  ];
  console.log('');
  console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  if (BASELINE !== null) console.log(`baseline: ${BASELINE}`);
  console.log('MB/s = segment MB / wall seconds; CPU MB/s = segment MB / (CPU seconds - kts startup CPU seconds).');
  console.log('');
  console.log('| run | wall s | CPU s | MB/s | CPU MB/s | wall vs cat | wall vs wc -l | peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, r] of rows) {
    const isKts = name.includes('kts dump-log');
    const net = isKts ? r.cpu - startup.cpu : r.cpu;
    const cpuRate = Number.isFinite(net) && net > 0 && !name.startsWith('kts version') ? (mb / net).toFixed(0) : '-';
    console.log(
      `| ${name} | ${r.seconds.toFixed(2)} | ${Number.isFinite(r.cpu) ? r.cpu.toFixed(2) : '-'} | ${name.startsWith('kts version') ? '-' : (mb / r.seconds).toFixed(0)} | ${cpuRate} | ` +
        `${(cat.seconds / r.seconds).toFixed(3)} | ${(wc.seconds / r.seconds).toFixed(3)} | ${(r.rssKiB / 1024).toFixed(0)} |`,
    );
  }
} finally {
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${segment}`);
}
