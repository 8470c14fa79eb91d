// The kts benchmark suite (`npm run bench` = build, then this). Runs every scenario in
// bench/scenarios/ in order, each against a fresh kts broker subprocess, and appends one row
// per figure to bench/RESULTS.md with the date, machine, commit, the reference figure
// measured in the same run, the ratio, the target and whether it was met. Full output of the
// other bench scripts goes to stdout. Needs kcat and dd on PATH.
// Usage: node bench/run.mjs [--quick] [--only 1,4] [--no-write]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { linesFile } from './lib/proc.mjs';
import { appendRows, commit, machine } from './lib/results.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const write = !argv.includes('--no-write');
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(argv[onlyArg + 1].split(',')) : null;

function checkTools() {
  for (const tool of ['kcat', 'dd']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`bench needs ${tool} on PATH (apt-get install -y ${tool === 'kcat' ? 'kcat' : 'coreutils'})`);
    }
  }
}

async function main() {
  checkTools();
  const dir = fileURLToPath(new URL('./scenarios/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort((a, b) => parseInt(a) - parseInt(b));
  const work = mkdtempSync(join(tmpdir(), 'kts-bench-'));
  const started = performance.now();
  const count = quick ? 200_000 : 1_000_000;
  const ctx = {
    work,
    quick,
    shared: {},
    lines100: { lines: linesFile(join(work, 'lines-100.txt'), count, 100), count },
    log: (m) => console.log(`  ${m}`),
    raw: (title, text) => console.log(`\n---- ${title}\n${text.trimEnd()}\n----\n`),
  };
  const runCtx = { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + 'Z', machine: machine(), commit: commit() };
  console.log(`kts bench ${quick ? '[quick] ' : ''}on ${runCtx.machine}, commit ${runCtx.commit}; load average ${loadavg()}`);
  let failures = 0;
  try {
    for (const f of files) {
      if (only && !only.has(String(parseInt(f)))) continue;
      const mod = await import(pathToFileURL(join(dir, f)).href);
      const t0 = performance.now();
      console.log(`\n== ${f}: ${mod.name}`);
      let rows;
      try {
        rows = await mod.run(ctx);
      } catch (err) {
        failures++;
        console.error(`  FAILED: ${err.stack ?? err}`);
        rows = [{ scenario: `${parseInt(f)} ${mod.name}`, figure: `failed: ${String(err.message ?? err).split('\n')[0].slice(0, 200)}`, reference: '—', ratio: '—', target: '—', met: 'no' }];
      }
      for (const r of rows) console.log(`  ${r.scenario}: ${r.figure} | ref ${r.reference} | ${r.ratio} | target ${r.target} | met ${r.met}`);
      if (write) appendRows(rows, runCtx);
      console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadavg()}${write ? '; rows appended to bench/RESULTS.md' : ''}`);
  if (failures > 0) process.exitCode = 1;
}

function loadavg() {
  try {
    return execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

await main();
