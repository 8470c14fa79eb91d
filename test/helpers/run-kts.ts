/**
 * Run kts in-process from a string, the way a user types it, capturing stdout, stderr
 * and the exit code. `runKtsProcess` runs the built binary as a real subprocess.
 */
import { PassThrough, Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';

export interface KtsResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Split like a POSIX shell would for simple cases: quotes group words, no expansion. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+)/g;
  let last = -1;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? '');
    if (last === m.index && out.length > 0) out[out.length - 1] += piece;
    else out.push(piece);
    last = re.lastIndex;
  }
  return out;
}

export interface RunOptions {
  stdin?: string | Buffer | Readable;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Resolve `interrupted` after this many ms (simulates Ctrl-C). */
  interruptAfterMs?: number;
  /** Resolve `interrupted` when this settles (Ctrl-C once a condition holds, not after a guessed delay). */
  interruptWhen?: Promise<unknown>;
  stdoutIsTty?: boolean;
  stdinIsTty?: boolean;
  /** Sees stderr as it is written (to act once the command has said something). */
  onStderr?: (text: string) => void;
  /** Sees stdout as it is written. */
  onStdout?: (text: string) => void;
}

export async function runKts(command: string | string[], opts: RunOptions = {}): Promise<KtsResult> {
  const argv = Array.isArray(command) ? command : splitArgs(command);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => {
    outChunks.push(c);
    opts.onStdout?.(c.toString('utf8'));
  });
  stderr.on('data', (c: Buffer) => {
    errChunks.push(c);
    opts.onStderr?.(c.toString('utf8'));
  });
  const stdin =
    opts.stdin instanceof Readable ? opts.stdin : Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
  let timer: NodeJS.Timeout | undefined;
  const interrupted = new Promise<void>((resolve) => {
    if (opts.interruptAfterMs !== undefined) timer = setTimeout(resolve, opts.interruptAfterMs);
    void opts.interruptWhen?.finally(resolve);
  });
  const io: CliIo = {
    stdin,
    stdout,
    stderr,
    stdoutIsTty: opts.stdoutIsTty ?? false,
    stdinIsTty: opts.stdinIsTty ?? false,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    interrupted,
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await runCli(argv, io);
  if (timer) clearTimeout(timer);
  stdout.end();
  stderr.end();
  return { code, stdout: Buffer.concat(outChunks).toString('utf8'), stderr: Buffer.concat(errChunks).toString('utf8') };
}

export const KTS_BIN = fileURLToPath(new URL('../../bin/kts.js', import.meta.url));

/** Run the built `bin/kts.js` as a subprocess (needs `npm run build` first, which `npm test` does). */
export function runKtsProcess(command: string | string[], opts: RunOptions & { timeoutMs?: number } = {}): Promise<KtsResult> {
  const argv = Array.isArray(command) ? command : splitArgs(command);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KTS_BIN, ...argv], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (opts.stdin instanceof Readable) opts.stdin.pipe(child.stdin);
    else child.stdin.end(opts.stdin ?? '');
  });
}
