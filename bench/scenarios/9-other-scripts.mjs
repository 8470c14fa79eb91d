// The other engineers' bench scripts, run as they are (in --quick mode to fit the suite's
// time budget) as subprocesses: their full output goes to the run log and one headline
// figure of each is collected into RESULTS.md.
import { fileURLToPath } from 'node:url';
import { runOk } from '../lib/proc.mjs';

export const name = 'other bench scripts';

const SCRIPTS = [
  {
    file: 'storage-append.mjs',
    pick: (out) => out.split('\n').filter((l) => /appendAsLeader|read \(|dd bs=1M/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim()).join('; '),
  },
  {
    file: 'compression.mjs',
    pick: (out) => out.split('\n').filter((l) => /^(none|gzip|snappy|lz4|zstd)\s/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim()).join('; '),
  },
  {
    file: 'broker-produce.mjs',
    pick: (out) =>
      out
        .split('\n')
        .map((l) => {
          const c = l.split('|').map((x) => x.trim());
          if (c.length === 11 && /B$/.test(c[1])) return `${c[1]} acks=${c[2]}: ${c[5]} rec/s, ${c[6]} MB/s`;
          return /^start-to-ready|^broker RSS idle|^produce→consume|^references/.test(l) ? l : null;
        })
        .filter(Boolean)
        .join('; '),
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
