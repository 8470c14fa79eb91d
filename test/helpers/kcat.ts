/**
 * kcat (librdkafka's CLI) as the non-kts client of the interop tests. Async on purpose:
 * the broker under test often runs in the test's own process and must keep answering.
 */
import { spawn, spawnSync } from 'node:child_process';

export const hasKcat = spawnSync('kcat', ['-V']).status === 0;

/** tap's `skip` option for tests that need kcat. */
export const needsKcat = hasKcat ? false : 'kcat is not installed (apt-get install kcat)';

export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run kcat with `args`, feeding `input` on stdin; killed after `timeoutMs`. */
export function kcat(args: string[], input?: string, timeoutMs = 20_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
