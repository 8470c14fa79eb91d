// Scenario 14: moving a partition between two log dirs of one broker (AlterReplicaLogDirs,
// `kts reassign` with log_dirs), by running bench/log-dir-move.mjs as a subprocess: the
// storage engine's move and a broker scheduler's unthrottled move, each against `cp -r` of
// the partition dir + `sync` of the copy measured in the same run (best of three each).
import { fileURLToPath } from 'node:url';
import { runOk } from '../lib/proc.mjs';

export const name = 'log-dir move';

const SCRIPT = fileURLToPath(new URL('../log-dir-move.mjs', import.meta.url));
const TARGET = 0.7;

export async function run(ctx) {
  const r = await runOk(process.execPath, [SCRIPT, ...(ctx.quick ? ['--quick'] : [])], { timeoutMs: 300_000 });
  ctx.raw('bench/log-dir-move.mjs', r.stdout);
  const lines = r.stdout.split('\n');
  const size = /(\d+) MiB partition, (\d+) segment/.exec(lines[0] ?? '');
  const figure = (label) => {
    const m = new RegExp(`${label}\\s+(\\d+) MiB/s(?:\\s+=\\s+([\\d.]+) x cp)?`).exec(r.stdout);
    if (!m) throw new Error(`no "${label}" line in bench/log-dir-move.mjs output:\n${r.stdout}`);
    return { mibps: Number(m[1]), ratio: m[2] === undefined ? undefined : Number(m[2]) };
  };
  const cp = figure('cp -r \\+ sync of the copy \\(ref\\.\\)');
  const rows = [];
  for (const [label, what] of [['kts engine alterLogDir \\+ moves', 'storage engine (local mode, close)'], ['kts broker scheduler', 'broker scheduler, unthrottled']]) {
    const f = figure(label);
    rows.push({
      scenario: `14 log-dir move of a ${size?.[1] ?? '?'} MiB partition (${size?.[2] ?? '?'} segments), ${what}, best of 3`,
      figure: `${f.mibps} MiB/s`,
      reference: `cp -r + sync of the copy: ${cp.mibps} MiB/s`,
      ratio: `${f.ratio}×`,
      target: `≥ ${TARGET}× cp`,
      met: f.ratio >= TARGET ? 'yes' : 'no',
    });
  }
  return rows;
}
