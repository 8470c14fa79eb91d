// Scenario 1 (+ the console-producer comparison): ingest of 1,000,000 100-byte records into a
// fresh broker, unthrottled, by kcat -P (linger.ms=5, batch.size=1000000) at acks=1 and
// acks=-1 and by kts producer-perf-test with the same settings. Reference: dd copying the
// same lines file to the same disk (page cache, as the broker writes), in records/s.
// Also kts console-producer vs kcat -P on the same lines and broker. Records the broker's
// peak RSS under load for scenario 8.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { ddSeconds, kts, runOk, rssSampler, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'ingest 100 B';

const KCAT_TUNING = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000'];

async function createTopic(b, topic) {
  await kts(['topics', '--create', '--topic', topic, '--partitions', '1', '--bootstrap-server', b.bootstrap]);
}

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const bytes = statSync(lines).size;
  const dd = await ddSeconds(join(ctx.work, 'dd-lines.out'), Math.ceil(bytes / 1048576), { input: lines });
  const refRecs = count / dd;
  const refText = `dd copy of the lines: ${fmt(refRecs)} rec/s (${fmt(bytes / dd / 1e6, 1)} MB/s)`;
  const b = await startBroker(ctx.work);
  const peakRss = rssSampler(b.child.pid);
  const rows = [];
  try {
    for (const acks of ['1', '-1']) {
      const topic = `kcat-acks${acks}`;
      await createTopic(b, topic);
      const r = await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', topic, ...KCAT_TUNING, '-X', `acks=${acks}`], { input: lines, capture: false });
      const recs = count / (r.ms / 1000);
      ctx.log(`kcat -P acks=${acks}: ${fmt(recs)} rec/s`);
      rows.push({
        scenario: `1 ingest 100 B, kcat -P acks=${acks}`,
        figure: `${fmt(recs)} rec/s, ${fmt(bytes / (r.ms / 1000) / 1e6, 1)} MB/s`,
        reference: refText,
        ratio: ratio(recs, refRecs),
        target: acks === '1' ? '≥ 1,100,000 rec/s' : '—',
        met: acks === '1' ? met(recs >= 1_100_000) : '—',
      });
    }
    for (const acks of ['1', '-1']) {
      const topic = `perf-acks${acks}`;
      await createTopic(b, topic);
      const r = await kts(['producer-perf-test', '--topic', topic, '--num-records', String(count), '--record-size', '100', '--throughput', '-1', '--json', '--bootstrap-server', b.bootstrap, '--producer-props', `acks=${acks}`, 'linger.ms=5', 'batch.size=1000000']);
      const j = JSON.parse(r.stdout.trim().split('\n').at(-1));
      ctx.log(`producer-perf-test acks=${acks}: ${fmt(j.recordsPerSec)} rec/s`);
      rows.push({
        scenario: `1 ingest 100 B, kts producer-perf-test acks=${acks}`,
        figure: `${fmt(j.recordsPerSec)} rec/s, ${fmt(j.mbPerSec, 1)} MB/s (p99 ${fmt(j.latencyMs.p99Ms, 1)} ms)`,
        reference: refText,
        ratio: ratio(j.recordsPerSec, refRecs),
        target: '—',
        met: '—',
      });
    }
    rows.push(await consoleProducerVsKcat(ctx, b, lines, count));
  } finally {
    ctx.shared.loadRssMiB = peakRss();
    await b.stop();
  }
  return rows;
}

/**
 * Same input, same broker, same producer settings (acks=1, linger.ms=5, batch.size=1000000).
 * Three runs each, alternating (kcat, kts, kcat, ...) so load changes hit both alike; the
 * medians are compared.
 */
async function consoleProducerVsKcat(ctx, b, lines, count) {
  await createTopic(b, 'cp-kcat');
  await createTopic(b, 'cp-kts');
  const kcatMs = [];
  const ktsMs = [];
  for (let i = 0; i < 3; i++) {
    kcatMs.push((await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', 'cp-kcat', ...KCAT_TUNING, '-X', 'acks=1'], { input: lines, capture: false })).ms);
    ktsMs.push((await kts(['console-producer', '--topic', 'cp-kts', '--bootstrap-server', b.bootstrap, '--request-required-acks', '1', '--timeout', '5', '--batch-size', '1000000'], { input: lines, capture: false })).ms);
  }
  const median = (xs) => [...xs].sort((a, z) => a - z)[Math.floor(xs.length / 2)];
  const k = median(kcatMs);
  const c = median(ktsMs);
  const list = (xs) => xs.map((ms) => fmt(ms)).join(', ');
  ctx.log(`console-producer ${list(ktsMs)} ms vs kcat -P ${list(kcatMs)} ms`);
  return {
    scenario: 'console-producer 1M lines vs kcat -P (acks=1), median of 3 alternating runs',
    figure: `${fmt(count / (c / 1000))} rec/s (${fmt(c / 1000, 2)} s; runs ${list(ktsMs)} ms)`,
    reference: `kcat -P ${fmt(count / (k / 1000))} rec/s (${fmt(k / 1000, 2)} s; runs ${list(kcatMs)} ms)`,
    ratio: ratio(k, c),
    target: '≥ 1.0× kcat',
    met: met(k / c >= 1.0),
  };
}
