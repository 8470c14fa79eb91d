// Hot paths (issue 8): start-up costs. Wall time (median of N, interleaved with `node -e 0`)
// of `kts version`, `kts topics --list` against a running broker, `seq 10 | kts
// console-producer` on the local engine, and broker start-to-ready. With a second kts
// checkout (built) as argument, runs both interleaved so the ratio is from the same run.
// Usage: node bench/hotpaths-startup.mjs [/path/to/other/kts] [runs=7]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KTS, freePort, median, run, startBroker } from './lib/proc.mjs';

const other = process.argv[2] && !/^\d+$/.test(process.argv[2]) ? join(process.argv[2], 'bin/kts.js') : null;
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 7);
const bins = { current: KTS, ...(other ? { other } : {}) };
const work = mkdtempSync(join(tmpdir(), 'kts-start-'));

async function readyMs(bin) {
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'b-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'server-start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`], { stdio: 'ignore' });
  for (;;) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

const b = await startBroker(work);
try {
  await run(process.execPath, [KTS, 'topics', '--create', '--topic', 't', '--bootstrap-server', b.bootstrap]);
  const rows = { 'node -e 0': [] };
  for (const name of Object.keys(bins)) for (const what of ['version', 'topics --list', 'seq 10 | console-producer (local)', 'broker start-to-ready']) rows[`${name}: ${what}`] = [];
  for (let i = 0; i < runs; i++) {
    rows['node -e 0'].push((await run(process.execPath, ['-e', '0'])).ms);
    for (const [name, bin] of Object.entries(bins)) {
      rows[`${name}: version`].push((await run(process.execPath, [bin, 'version'])).ms);
      rows[`${name}: topics --list`].push((await run(process.execPath, [bin, 'topics', '--list', '--bootstrap-server', b.bootstrap])).ms);
      const dataDir = mkdtempSync(join(work, 'local-'));
      rows[`${name}: seq 10 | console-producer (local)`].push((await run('bash', ['-c', `seq 10 | ${process.execPath} ${bin} console-producer --topic t --data-dir ${dataDir}`])).ms);
      rows[`${name}: broker start-to-ready`].push(await readyMs(bin));
    }
  }
  for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(48)} median ${String(Math.round(median(v))).padStart(5)} ms  min ${String(Math.round(Math.min(...v))).padStart(5)} ms`);
} finally {
  await b.stop();
  rmSync(work, { recursive: true, force: true });
}
