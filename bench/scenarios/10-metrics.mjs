// Scenario 10: the cost of broker metrics. Three brokers in the same run: one with
// kts.metrics.listener scraped every second (as Prometheus would) and two without (the
// second one measures the noise floor: two identical brokers differ by this much). kcat -P
// ingests the same 100-byte lines into each, after one unmeasured warm-up run each, in
// rounds that rotate the order (A B A', B A' A, A' A B, ...) so drift in the machine's load
// hits every broker alike; the ratio is the median over rounds of the per-round ratio
// (target: at most 3% slower). Beside wall-clock
// throughput, the broker's own CPU time per record (from /proc schedstat, all threads,
// scrapes included) is compared, which the other engineers' load disturbs far less.
// Then a scrape of a broker holding 10,000 partitions (2,000 with --quick): its time and
// size, against a scrape of the same broker with one partition.
import { cpuMs, freePort, kts, median, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'metrics overhead';

const KCAT_TUNING = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=1'];

/** Scrapes `url` every second until stopped; resolves the scrape count and the slowest scrape. */
function scraper(url) {
  let stopped = false;
  let count = 0;
  let slowestMs = 0;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      const res = await fetch(url);
      await res.text();
      slowestMs = Math.max(slowestMs, performance.now() - t0);
      count++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { count, slowestMs };
  };
}

/** One kcat -P run into `broker`: wall ms and the broker's CPU ms during it. */
async function ingest(broker, topic, lines) {
  const cpu0 = cpuMs(broker.child.pid);
  const { ms } = await runOk('kcat', ['-P', '-b', broker.bootstrap, '-t', topic, ...KCAT_TUNING], { input: lines, capture: false });
  return { ms, cpuMs: cpuMs(broker.child.pid) - cpu0 };
}

async function overheadRows(ctx, brokers, metricsUrl, lines, count) {
  const order = ['plain', 'scraped', 'plain2'];
  const rounds = ctx.quick ? 3 : 5;
  const runs = { plain: [], plain2: [], scraped: [] };
  const stopScraper = scraper(metricsUrl);
  let scrapes;
  try {
    // One unmeasured run each first: JIT warm-up and the first topic's creation.
    for (const which of order) await ingest(brokers[which], 'warmup', lines);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < order.length; i++) {
        const which = order[(i + r) % order.length];
        runs[which].push(await ingest(brokers[which], `round${r}`, lines));
      }
    }
  } finally {
    scrapes = await stopScraper();
  }
  // Per round: the scraped broker against the mean of the two plain ones, then the median.
  const perRound = (field, better) =>
    runs.scraped.map((s, r) => {
      const ref = (runs.plain[r][field] + runs.plain2[r][field]) / 2;
      return better === 'lower' ? ref / s[field] : s[field] / ref;
    });
  const wallRatios = perRound('ms', 'lower');
  const cpuRatios = perRound('cpuMs', 'lower');
  const floor = (field) => median(runs.plain.map((p, r) => Math.min(p[field], runs.plain2[r][field]) / Math.max(p[field], runs.plain2[r][field])));
  const rate = (xs) => fmt(count / (median(xs.map((x) => x.ms)) / 1000));
  const cpuPerM = (xs) => fmt((median(xs.map((x) => x.cpuMs)) * 1e6) / count);
  const list = (xs, field) => xs.map((x) => fmt(x[field])).join(', ');
  const ratios = (xs) => xs.map((x) => x.toFixed(3)).join(', ');
  ctx.log(`wall ms, scraped: ${list(runs.scraped, 'ms')}; plain: ${list(runs.plain, 'ms')}; plain': ${list(runs.plain2, 'ms')}`);
  ctx.log(`broker CPU ms, scraped: ${list(runs.scraped, 'cpuMs')}; plain: ${list(runs.plain, 'cpuMs')}; plain': ${list(runs.plain2, 'cpuMs')}`);
  ctx.log(`per-round ratios, wall: ${ratios(wallRatios)}; CPU: ${ratios(cpuRatios)}; ${scrapes.count} scrapes, slowest ${fmt(scrapes.slowestMs, 1)} ms`);
  const wall = median(wallRatios);
  const cpu = median(cpuRatios);
  return [
    {
      scenario: `10 ingest 100 B (kcat -P acks=1) with /metrics scraped every 1 s: median over ${rounds} rotating rounds of the per-round ratio`,
      figure: `${rate(runs.scraped)} rec/s (per-round ratios ${ratios(wallRatios)}; ${scrapes.count} scrapes)`,
      reference: `same run, two brokers without metrics: ${rate(runs.plain)} and ${rate(runs.plain2)} rec/s (noise floor between them: ${floor('ms').toFixed(3)}×)`,
      ratio: `${wall.toFixed(3)}×`,
      target: 'at most 3% slower (≥ 0.97×)',
      met: met(wall >= 0.97),
    },
    {
      scenario: `10 broker CPU time per 1 M records ingested (all threads, scrapes included) with /metrics scraped every 1 s: median over ${rounds} rounds`,
      figure: `${cpuPerM(runs.scraped)} ms (per-round ratios ${ratios(cpuRatios)})`,
      reference: `same run, without metrics: ${cpuPerM(runs.plain)} and ${cpuPerM(runs.plain2)} ms (noise floor ${floor('cpuMs').toFixed(3)}×)`,
      ratio: `${cpu.toFixed(3)}×`,
      target: 'at most 3% more CPU (≥ 0.97×)',
      met: met(cpu >= 0.97),
    },
  ];
}

/** One scrape: wall ms, the broker's CPU ms during it (what the scrape costs the broker, load aside) and the text's size. */
async function timedScrape(url, pid) {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const body = await (await fetch(url)).text();
  return { ms: performance.now() - t0, cpuMs: cpuMs(pid) - cpu0, bytes: Buffer.byteLength(body) };
}

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const plain = await startBroker(ctx.work);
  const scraped = await startBroker(ctx.work, [`kts.metrics.listener=http://127.0.0.1:${metricsPort}`]);
  const plain2 = await startBroker(ctx.work);
  const rows = [];
  try {
    rows.push(...(await overheadRows(ctx, { plain, plain2, scraped }, metricsUrl, lines, count)));

    const small = await timedScrape(metricsUrl, scraped.child.pid);
    const partitions = ctx.quick ? 2_000 : 10_000;
    // Creating thousands of partitions takes a while on a busy machine: no client timeout.
    await kts(['topics', '--create', '--topic', 'many', '--partitions', String(partitions), '--bootstrap-server', scraped.bootstrap, '--command-property', 'request.timeout.ms=900000'], { capture: true, timeoutMs: 900_000 });
    await timedScrape(metricsUrl, scraped.child.pid); // first scrape after creation warms the per-topic series
    const big = [];
    for (let i = 0; i < 3; i++) big.push(await timedScrape(metricsUrl, scraped.child.pid));
    const bigMs = median(big.map((b) => b.ms));
    const bigCpuMs = median(big.map((b) => b.cpuMs));
    ctx.log(`scrape with ${partitions + 3} partitions: ${big.map((b) => fmt(b.ms, 1)).join(', ')} ms (broker CPU ${big.map((b) => fmt(b.cpuMs, 1)).join(', ')} ms), ${fmt(big[0].bytes / 1e6, 1)} MB; with 3: ${fmt(small.ms, 1)} ms`);
    rows.push({
      scenario: `10 one /metrics scrape of a broker with ${fmt(partitions)} partitions (median of 3)`,
      figure: `${fmt(bigMs, 0)} ms (broker CPU ${fmt(bigCpuMs, 0)} ms), ${fmt(big[0].bytes / 1e6, 1)} MB of text (${fmt((bigMs * 1000) / partitions, 1)} µs per partition)`,
      reference: `same broker before, 3 partitions: ${fmt(small.ms, 1)} ms (CPU ${fmt(small.cpuMs, 1)} ms), ${fmt(small.bytes / 1e3, 0)} kB`,
      ratio: ratio(bigMs, small.ms),
      target: 'bounded: < 1 s at 10,000 partitions',
      met: ctx.quick ? '—' : met(bigMs < 1000),
    });
  } finally {
    await plain.stop();
    await plain2.stop();
    await scraped.stop();
  }
  return rows;
}
