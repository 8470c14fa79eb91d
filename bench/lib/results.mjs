// bench/RESULTS.md: one table row per figure, appended by each run with the machine,
// commit and date, so runs on different days and machines can be compared side by side.
import { execFileSync } from 'node:child_process';
import { existsSync, appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const RESULTS = new URL('../RESULTS.md', import.meta.url);

const HEADER = [
  '# kts benchmark results',
  '',
  'Rows appended by `npm run bench` (bench/run.mjs). Each scenario starts a fresh kts broker;',
  'the reference figure is measured in the same run on the same machine, since the machines',
  'are shared and noisy. ratio = figure / reference (for times: reference / figure, so higher',
  'is better for kts in both cases unless the row says otherwise).',
  '',
  '| date | machine | commit | scenario | figure | reference | ratio | target | met? |',
  '|---|---|---|---|---|---|---|---|---|',
].join('\n');

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {}
  return `${cpus().length} cpu, ${model}`;
}

export function commit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'src'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}+dirty src` : sha;
  } catch {
    return 'unknown';
  }
}

const cell = (v) => String(v ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Appends rows {scenario, figure, reference, ratio, target, met} with the run's context. */
export function appendRows(rows, ctx) {
  if (!existsSync(RESULTS)) writeFileSync(RESULTS, HEADER + '\n');
  const lines = rows.map((r) =>
    `| ${[ctx.date, ctx.machine, ctx.commit, r.scenario, r.figure, r.reference, r.ratio, r.target, r.met].map(cell).join(' | ')} |`,
  );
  appendFileSync(RESULTS, lines.join('\n') + '\n');
}

export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

export const met = (ok) => (ok === null || ok === undefined ? '—' : ok ? 'yes' : 'no');
