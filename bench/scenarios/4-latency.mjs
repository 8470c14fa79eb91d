// Scenario 4: latency at 20,000 records/s. Broker view: kcat -P fed 100-byte lines at
// 20,000/s by this process (linger.ms=1, acks=1) → kcat -C. Client view: kts
// producer-perf-test --throughput 20000
// (acks=1, linger.ms=0), which also reports send→ack percentiles from the scheduled send
// time. Produce→consume: a kcat consumer (long poll, -u) prints each record's CreateTime
// (set when the producer accepted the record) and this process subtracts it from the time
// the line arrived: millisecond resolution, so each sample is up to 1 ms high.
// Also kts e2e-latency (one record at a time) as a second view. Reference: how late a 1 ms
// timer fires in a separate node process during the kcat run (bench/lib/jitter.mjs).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { kts, run as runCmd, startBroker } from '../lib/proc.mjs';
import { fmt, met } from '../lib/results.mjs';

export const name = 'latency at 20k rec/s';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** A kcat consumer at the end of `topic` collecting arrival time - CreateTime per record. */
async function latencyConsumer(b, topic) {
  const samples = [];
  const consumer = spawn('kcat', ['-C', '-b', b.bootstrap, '-t', topic, '-o', 'end', '-q', '-u', '-f', '%T\n', '-X', 'fetch.wait.max.ms=100', '-X', 'fetch.error.backoff.ms=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  consumer.stdout.on('data', (d) => {
    const now = Date.now();
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const ts = Number(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (ts > 0) samples.push(now - ts);
    }
  });
  await new Promise((r) => setTimeout(r, 2000));
  return {
    samples,
    async finish(count) {
      const deadline = performance.now() + 10_000;
      while (samples.length < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      consumer.kill();
      const sorted = samples.sort((a, c) => a - c);
      return [0.5, 0.99, 0.999].map((q) => percentile(sorted, q));
    },
  };
}

/** Feeds kcat -P `count` 100-byte lines at `rate` per second; resolves the achieved rate. */
async function pacedKcat(b, topic, rate, count) {
  const producer = spawn('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-X', 'linger.ms=1', '-X', 'acks=1'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const line = 'x'.repeat(99) + '\n';
  const t0 = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * rate));
    if (due > sent) {
      producer.stdin.write(line.repeat(due - sent));
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - t0) / 1000;
  producer.stdin.end();
  await new Promise((r) => producer.once('close', r));
  return count / seconds;
}

export async function run(ctx) {
  const rate = 20_000;
  const count = ctx.quick ? 60_000 : 200_000;
  const b = await startBroker(ctx.work);
  try {
    await kts(['topics', '--create', '--topic', 'lat-kcat', '--partitions', '1', '--bootstrap-server', b.bootstrap]);
    await kts(['topics', '--create', '--topic', 'lat', '--partitions', '1', '--bootstrap-server', b.bootstrap]);
    const kc = await latencyConsumer(b, 'lat-kcat');
    const jitter = runCmd(process.execPath, [fileURLToPath(new URL('../lib/jitter.mjs', import.meta.url)), String(Math.round(count / rate))]);
    const achieved = await pacedKcat(b, 'lat-kcat', rate, count);
    const [j50, j99, j999] = (await jitter).stdout.trim().split(' ');
    const jitterText = `1 ms timer lateness in the same window: p50 ${j50} ms, p99 ${j99} ms, p99.9 ${j999} ms`;
    const [k50, k99, k999] = await kc.finish(count);
    const kSeen = kc.samples.length;
    ctx.log(`latency kcat→kcat: p50 ${k50} p99 ${k99} p99.9 ${k999} ms (${kSeen}/${count})`);
    const consumer = await latencyConsumer(b, 'lat');
    const samples = consumer.samples;
    const p = await kts(['producer-perf-test', '--topic', 'lat', '--num-records', String(count), '--record-size', '100', '--throughput', String(rate), '--json', '--bootstrap-server', b.bootstrap, '--producer-props', 'acks=1', 'linger.ms=0']);
    const j = JSON.parse(p.stdout.trim().split('\n').at(-1));
    const [p50, p99, p999] = await consumer.finish(count);
    const e = await kts(['e2e-latency', b.bootstrap, 'e2e', ctx.quick ? '500' : '2000', '1', '100']);
    const e2e = /Avg latency: ([\d.]+) ms\nPercentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(e.stdout);
    ctx.log(`latency: produce→consume p50 ${p50} p99 ${p99} p99.9 ${p999} ms (${samples.length}/${count})`);
    return [
      {
        scenario: `4 produce→consume latency at ${fmt(rate)} rec/s (kcat -P paced → kcat -C)`,
        figure: `p50 ${k50} ms, p99 ${k99} ms, p99.9 ${k999} ms (${kSeen}/${count} seen; achieved ${fmt(achieved)} rec/s)`,
        reference: jitterText,
        ratio: '—',
        target: 'p99 ≤ 10 ms',
        met: met(kSeen >= count * 0.99 && k99 <= 10),
      },
      {
        scenario: `4 produce→consume latency at ${fmt(rate)} rec/s (kts producer-perf-test → kcat -C)`,
        figure: `p50 ${p50} ms, p99 ${p99} ms, p99.9 ${p999} ms (${samples.length}/${count} seen; achieved ${fmt(j.recordsPerSec)} rec/s)`,
        reference: `send→ack p50 ${fmt(j.latencyMs.p50Ms, 1)} ms, p99 ${fmt(j.latencyMs.p99Ms, 1)} ms, p99.9 ${fmt(j.latencyMs.p999Ms, 1)} ms`,
        ratio: '—',
        target: 'p99 ≤ 10 ms',
        met: met(samples.length >= count * 0.99 && p99 <= 10),
      },
      {
        scenario: '4 kts e2e-latency, one record at a time, acks=1',
        figure: e2e ? `avg ${e2e[1]} ms, p50 ${e2e[2]} ms, p99 ${e2e[3]} ms, p99.9 ${e2e[4]} ms` : 'no summary',
        reference: '—',
        ratio: '—',
        target: '—',
        met: '—',
      },
    ];
  } finally {
    await b.stop();
  }
}
