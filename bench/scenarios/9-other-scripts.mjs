// The other engineers' bench scripts, run as they are (in --quick mode to fit the suite's
// time budget) as subprocesses: their full output goes to the run log and one headline
// figure of each is collected into RESULTS.md.
import { fileURLToPath } from 'node:url';
import { runOk } from '../lib/proc.mjs';

export const name = 'other bench scripts';

const SCRIPTS = [
  {
    file: 'storage-append.mjs',
    pick: (out) => /append[^\n]*?([\d,.]+) MB\/s[^\n]*/i.exec(out)?.[0],
  },
  {
    file: 'compression.mjs',
    pick: (out) => out.split('\n').filter((l) => /^(none|gzip|snappy|lz4|zstd)\s/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim()).join('; '),
  },
  {
    file: 'broker-produce.mjs',
    pick: (out) => out.split('\n').filter((l) => /^\| 100 B \| 1 \||^start-to-ready|^produce→consume/.test(l)).join('; '),
  },
];

export async function run(ctx) {
  const rows = [];
  for (const s of SCRIPTS) {
    const path = fileURLToPath(new URL(`../${s.file}`, import.meta.url));
    try {
      const r = await runOk(process.execPath, [path, '--quick'], { timeoutMs: 300_000 });
      ctx.raw(`bench/${s.file} --quick`, r.stdout);
      rows.push({ scenario: `bench/${s.file} --quick`, figure: s.pick(r.stdout) || 'see run log', reference: 'in the script (same run)', ratio: '—', target: '—', met: '—' });
    } catch (err) {
      rows.push({ scenario: `bench/${s.file} --quick`, figure: `failed: ${String(err.message).split('\n')[0].slice(0, 200)}`, reference: '—', ratio: '—', target: '—', met: '—' });
    }
  }
  return rows;
}
