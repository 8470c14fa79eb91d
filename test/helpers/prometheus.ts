/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for the metrics tests: a temp config and
 * TSDB, a free loopback port, killed on teardown. Queries go through its HTTP API.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

/** tap's `skip` option for tests that need Prometheus. */
export const needsPrometheus = existsSync(PROMETHEUS) && existsSync(PROMTOOL) ? false : 'prometheus is not installed (apt-get install prometheus)';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Polls `query` until `accept` holds (or `timeoutMs` passes: then the last result). */
  waitFor(
    promql: string,
    accept: (r: { metric: Record<string, string>; value: [number, string] }[]) => boolean,
    timeoutMs?: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  get(path: string): Promise<unknown>;
}

/** Starts Prometheus scraping `targets` (host:port, one or several brokers) every second, with `ruleFiles` loaded. */
export async function runPrometheus(t: Teardown, targets: string | readonly string[], ruleFiles: readonly string[] = []): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-prometheus-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ruleFiles.length > 0 ? `rule_files:\n${ruleFiles.map((f) => `  - ${JSON.stringify(f)}`).join('\n')}` : '',
    'scrape_configs:',
    '  - job_name: kts',
    '    static_configs:',
    `      - targets: [${(typeof targets === 'string' ? [targets] : targets).map((x) => `'${x}'`).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(url + path);
    const body = (await res.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || i > 300) throw new Error(`Prometheus did not start: ${stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const query = async (promql: string) => {
    const data = (await get(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as { result: { metric: Record<string, string>; value: [number, string] }[] };
    return data.result;
  };
  return {
    url,
    query,
    get,
    async waitFor(promql, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await query(promql);
        if (accept(r) || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
    },
  };
}

/** `promtool check metrics` on exposition text: its exit status and its findings. */
export function promtoolCheckMetrics(text: string): { status: number | null; findings: string[] } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return { status: r.status, findings };
}

export function promtool(args: readonly string[]): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
