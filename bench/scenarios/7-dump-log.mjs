// Scenario 7: `kts dump-log` over a 1 GiB segment, by running bench/dump-log.mjs (written
// with the dump-log tool) as a subprocess and collecting its table: MB/s, the ratio to
// `cat` measured in the same run, and peak RSS.
import { fileURLToPath } from 'node:url';
import { runOk } from '../lib/proc.mjs';

export const name = 'dump-log 1 GiB';

const SCRIPT = fileURLToPath(new URL('../dump-log.mjs', import.meta.url));

export async function run(ctx) {
  const r = await runOk(process.execPath, [SCRIPT, '--size-mib', ctx.quick ? '128' : '1024']);
  ctx.raw('bench/dump-log.mjs', r.stdout);
  const rows = [];
  const table = r.stdout.split('\n').map((line) => line.split('|').map((c) => c.trim()).filter((c) => c !== '')).filter((c) => c.length === 8);
  const cat = table.find((c) => c[0].startsWith('cat '));
  for (const cells of table) {
    if (!cells[0].startsWith('kts dump-log')) continue;
    const [label, wall, , mbps, , vsCat, , rss] = cells;
    rows.push({
      scenario: `7 ${label} (${ctx.quick ? '128 MiB' : '1 GiB'} segment)`,
      figure: `${mbps} MB/s (${wall} s), peak RSS ${rss} MiB`,
      reference: cat ? `cat of the segment ${cat[3]} MB/s` : 'cat of the segment',
      ratio: vsCat,
      target: '≥ 200 MB/s, bounded RSS',
      met: Number(mbps) >= 200 ? 'yes' : 'no',
    });
  }
  if (rows.length === 0) throw new Error(`no result table in bench/dump-log.mjs output:\n${r.stdout}`);
  return rows;
}
