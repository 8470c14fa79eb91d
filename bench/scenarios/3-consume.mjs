// Scenario 3: consume 1,000,000 100-byte records from the log start: kcat -C -e and kts
// consumer-perf-test on a fresh broker loaded by kcat -P. Reference: cat of the partition's
// segment files to /dev/null in the same run. Also kts console-consumer --until-end against
// kcat -C -e on the same topic, stdout to /dev/null (median of 3 alternating runs each).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kts, median, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

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
    const consoleRow = await consoleConsumerVsKcat(ctx, b, count);
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
      consoleRow,
    ];
  } finally {
    await b.stop();
  }
}

/** Same topic, same broker, output to /dev/null: kcat -C -e -q (value and newline) vs the default formatter. */
async function consoleConsumerVsKcat(ctx, b, count) {
  const kcatMs = [];
  const ktsMs = [];
  for (let i = 0; i < 3; i++) {
    kcatMs.push((await runOk('kcat', ['-C', '-b', b.bootstrap, '-t', 'c', '-o', 'beginning', '-e', '-q'], { capture: false })).ms);
    ktsMs.push((await kts(['console-consumer', '--topic', 'c', '--from-beginning', '--until-end', '--bootstrap-server', b.bootstrap], { capture: false })).ms);
  }
  const k = median(kcatMs);
  const c = median(ktsMs);
  ctx.log(`console-consumer ${fmt(c)} ms vs kcat -C ${fmt(k)} ms (medians of ${ktsMs.map((m) => fmt(m)).join('/')} and ${kcatMs.map((m) => fmt(m)).join('/')})`);
  return {
    scenario: '3 console-consumer 1M records vs kcat -C -e',
    figure: `${fmt(count / (c / 1000))} rec/s (${fmt(c / 1000, 2)} s)`,
    reference: `kcat -C ${fmt(count / (k / 1000))} rec/s (${fmt(k / 1000, 2)} s)`,
    ratio: ratio(k, c),
    target: '≥ 1.0× kcat',
    met: met(k / c >= 1.0),
  };
}
