// Process helpers for the benchmark suite: run a command and time it, find a free port,
// start a fresh kts broker as a subprocess and time its start and stop, sample RSS.
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const KTS = fileURLToPath(new URL('../../bin/kts.js', import.meta.url));

/** Runs cmd; resolves {code, stdout, stderr, ms}. stdin from a file path when `input` is given. */
export function run(cmd, args, { input, capture = true, timeoutMs = 600_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore', 'pipe'], env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (input) createReadStream(input, { highWaterMark: 1 << 20 }).pipe(child.stdin).on('error', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Runs and throws with stderr when the exit code is not 0. */
export async function runOk(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

export function kts(args, opts) {
  return runOk(process.execPath, [KTS, ...args], opts);
}

export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function rssKiB(pid, field = 'VmRSS') {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * A fresh kts broker on a new data dir under `work` (or on `dataDir`, to restart one):
 * `node bin/kts.js server-start` with a free port (overrides may be a function of that
 * port). readyMs runs from spawn until a TCP connection is accepted. stop() sends SIGTERM
 * and resolves the ms until the process exited. `maxOpenFiles` runs it under prlimit;
 * `nodeArgs` go to node before the script (e.g. `--cpu-prof`, refused in NODE_OPTIONS).
 */
export async function startBroker(work, overridesOrFn = [], { dataDir = mkdtempSync(join(work, 'broker-')), maxOpenFiles, env, nodeArgs = [], readyTimeoutMs = 30_000 } = {}) {
  const port = await freePort();
  // A function gets the PLAINTEXT port, for scenarios that add listeners beside it.
  const overrides = typeof overridesOrFn === 'function' ? overridesOrFn(port) : overridesOrFn;
  const t0 = performance.now();
  const args = [...nodeArgs, KTS, 'server-start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dataDir}`, '--override', 'num.partitions=1', ...overrides.flatMap((o) => ['--override', o])];
  // maxOpenFiles: run under `prlimit --nofile=N:N` (util-linux), as with `ulimit -n N`.
  const [cmd, argv] = maxOpenFiles ? ['prlimit', [`--nofile=${maxOpenFiles}:${maxOpenFiles}`, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  const exit = new Promise((r) => child.once('exit', (code) => r((exited = code))));
  while (!(await tryConnect(port))) {
    if (exited !== null) throw new Error(`kts server-start exited ${exited}: ${log}`);
    if (performance.now() - t0 > readyTimeoutMs) {
      child.kill('SIGKILL'); // not left running after the scenario gives up on it
      throw new Error(`kts server-start not ready after ${readyTimeoutMs / 1000} s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const readyMs = performance.now() - t0;
  return {
    child,
    port,
    dataDir,
    bootstrap: `127.0.0.1:${port}`,
    readyMs,
    async stop() {
      if (exited !== null) return 0;
      const s0 = performance.now();
      child.kill('SIGTERM');
      await exit;
      return performance.now() - s0;
    },
  };
}

/** Samples a process's VmRSS every 100 ms until stopped; resolves the peak in MiB. */
export function rssSampler(pid) {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssKiB(pid) || 0)), 100);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssKiB(pid) || 0) / 1024;
  };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A file of `count` lines of `size` bytes each (newline included), numbered. */
export function linesFile(path, count, size) {
  const chunks = [];
  let part = [];
  for (let i = 0; i < count; i++) {
    const head = `${i} `;
    part.push(head + 'x'.repeat(Math.max(0, size - head.length - 1)) + '\n');
    if (part.length === 10_000) {
      chunks.push(part.join(''));
      part = [];
    }
  }
  chunks.push(part.join(''));
  writeFileSync(path, chunks.join(''));
  return path;
}

/** dd of `mib` MiB from `input` (or zeros) to `out`; fdatasync when `sync`. Resolves seconds. */
export async function ddSeconds(out, mib, { input = '/dev/zero', sync = false } = {}) {
  const args = [`if=${input}`, `of=${out}`, 'bs=1M', `count=${mib}`];
  if (sync) args.push('conv=fdatasync');
  const r = await runOk('dd', args, { capture: false });
  return r.ms / 1000;
}

/**
 * CPU time the process has used so far, in ms: the sum over its threads of
 * /proc/<pid>/task/<tid>/schedstat (ns resolution; /proc/<pid>/stat counts 10 ms ticks,
 * too coarse for runs of a few hundred ms). A broker's threads (main, libuv pool, V8
 * helpers) live as long as it does, so no thread's time is lost between two readings.
 */
export function cpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return ns / 1e6;
}
