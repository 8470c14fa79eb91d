// Scenario 6: wall time of `kts topics --list` and `--describe` (median of 5) on the local
// engine (a data dir with 3 topics, no server) and against a fresh broker. Reference:
// `node -e 0` in the same run.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { KTS, kts, median, run, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';
import { nodeStartMs } from './5-start-stop.mjs';

export const name = 'cli wall time';

async function wall(args) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const r = await run(process.execPath, [KTS, ...args], { capture: false });
    if (r.code !== 0) throw new Error(`kts ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    times.push(r.ms);
  }
  return median(times);
}

export async function run_(ctx) {
  const nodeMs = ctx.shared.nodeStartMs ?? (await nodeStartMs());
  const dataDir = mkdtempSync(join(ctx.work, 'local-'));
  for (const t of ['a', 'b', 'c']) await kts(['topics', '--create', '--topic', t, '--partitions', '3', '--data-dir', dataDir]);
  const b = await startBroker(ctx.work);
  const rows = [];
  try {
    for (const t of ['a', 'b', 'c']) await kts(['topics', '--create', '--topic', t, '--partitions', '3', '--bootstrap-server', b.bootstrap]);
    for (const [where, conn] of [['local engine', ['--data-dir', dataDir]], ['broker', ['--bootstrap-server', b.bootstrap]]]) {
      for (const op of ['--list', '--describe']) {
        const ms = await wall(['topics', op, ...conn]);
        ctx.log(`topics ${op} (${where}): ${fmt(ms)} ms`);
        rows.push({ scenario: `6 kts topics ${op}, ${where} (median of 5)`, figure: `${fmt(ms)} ms`, reference: `node -e 0: ${fmt(nodeMs)} ms`, ratio: ratio(nodeMs, ms), target: '≤ 250 ms', met: met(ms <= 250) });
      }
    }
  } finally {
    await b.stop();
  }
  return rows;
}

export { run_ as run };
