// Scenario 3: consume 1,000,000 100-byte records from the log start: kcat -C -e and kts
// consumer-perf-test on a fresh broker loaded by kcat -P. Reference: cat of the partition's
// segment files to /dev/null in the same run.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kts, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, ratio } from '../lib/results.mjs';

export const name = 'consume';

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const b = await startBroker(ctx.work);
  try {
    await kts(['topics', '--create', '--topic', 'c', '--partitions', '1', '--bootstrap-server', b.bootstrap]);
    await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', 'c', '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=1'], { input: lines, capture: false });
    const dir = join(b.dataDir, 'c-0');
    const segments = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => join(dir, f));
    const logBytes = segments.reduce((n, f) => n + statSync(f).size, 0);
    const cat = await runOk('cat', segments, { capture: false });
    const catMBps = logBytes / (cat.ms / 1000) / 1e6;
    const reference = `cat of the segments ${fmt(catMBps, 1)} MB/s`;
    const k = await runOk('kcat', ['-C', '-b', b.bootstrap, '-t', 'c', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { capture: false });
    const kMBps = logBytes / (k.ms / 1000) / 1e6;
    const p = await kts(['consumer-perf-test', '--topic', 'c', '--messages', String(count), '--json', '--bootstrap-server', b.bootstrap]);
    const j = JSON.parse(p.stdout.trim().split('\n').at(-1));
    ctx.log(`consume: kcat ${fmt(count / (k.ms / 1000))} rec/s, consumer-perf-test ${fmt(j.recordsPerSec)} rec/s`);
    return [
      {
        scenario: '3 consume from log start, kcat -C -e',
        figure: `${fmt(count / (k.ms / 1000))} rec/s, ${fmt(kMBps, 1)} MB/s of log`,
        reference,
        ratio: ratio(kMBps, catMBps),
        target: '—',
        met: '—',
      },
      {
        scenario: '3 consume from log start, kts consumer-perf-test',
        figure: `${fmt(j.recordsPerSec)} rec/s, ${fmt(j.mbPerSec, 1)} MB/s of values (${j.records} records)`,
        reference,
        ratio: ratio((logBytes / j.elapsedMs) * 1000 / 1e6, catMBps),
        target: '—',
        met: '—',
      },
    ];
  } finally {
    await b.stop();
  }
}
