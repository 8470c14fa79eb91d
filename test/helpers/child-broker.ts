/**
 * A kts broker as a real child process (`kts server-start` of the built binary), for tests
 * that measure the process itself: its resident memory (/proc/<pid>/status VmRSS), its
 * open descriptors (/proc/<pid>/fd) and what it does under `prlimit --nofile`.
 * Killed on teardown, even when the test fails.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { KTS_BIN } from './run-kts.js';
import { spawnTied } from './tied-spawn.js';

const READY = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/;

export interface ChildBroker {
  child: ChildProcess;
  pid: number;
  port: number;
  bootstrap: string;
  output(): string;
  /** SIGTERM, then the exit code once the process has exited. */
  stop(): Promise<number | null>;
}

export interface ChildBrokerOptions {
  dataDir: string;
  overrides?: string[];
  /** Run under `prlimit --nofile=N:N` (the process may open at most N descriptors). */
  maxOpenFiles?: number;
  readyTimeoutMs?: number;
  /** Extra node flags (a profiler, heap limits). */
  nodeArgs?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function startChildBroker(t: Teardown, opts: ChildBrokerOptions): Promise<ChildBroker> {
  const args = [...(opts.nodeArgs ?? []), KTS_BIN, 'server-start', '--data-dir', opts.dataDir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'];
  for (const o of opts.overrides ?? []) args.push('--override', o);
  const [cmd, argv] = opts.maxOpenFiles !== undefined
    ? ['prlimit', [`--nofile=${opts.maxOpenFiles}:${opts.maxOpenFiles}`, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawnTied(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no readiness line in time:\n${out}`)), opts.readyTimeoutMs ?? 30_000);
    const onData = (): void => {
      const m = READY.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      const port = Number(m[1]);
      resolve({
        child,
        pid: child.pid!,
        port,
        bootstrap: `127.0.0.1:${port}`,
        output: () => out,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before ready:\n${out}`));
    });
  });
}

/** Resident memory of a process in bytes (VmRSS of /proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Descriptors a process holds open now. */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
