// Scenario 10: the cost of broker metrics. Two brokers in the same run, one with
// kts.metrics.listener scraped every second (as Prometheus would), one without; kcat -P
// ingests the same 100-byte lines into each, three alternating runs, medians compared
// (target: at most 3% slower). Then a scrape of a broker holding 10,000 partitions (2,000
// with --quick): its time and size, against a scrape of the same broker with one partition.
import { kts, median, runOk, startBroker, freePort } from '../lib/proc.mjs';
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

async function timedScrape(url) {
  const t0 = performance.now();
  const body = await (await fetch(url)).text();
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(body) };
}

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const plain = await startBroker(ctx.work);
  const scraped = await startBroker(ctx.work, [`kts.metrics.listener=http://127.0.0.1:${metricsPort}`]);
  const rows = [];
  try {
    const stopScraper = scraper(metricsUrl);
    const plainMs = [];
    const scrapedMs = [];
    for (let i = 0; i < 3; i++) {
      plainMs.push((await runOk('kcat', ['-P', '-b', plain.bootstrap, '-t', `run${i}`, ...KCAT_TUNING], { input: lines, capture: false })).ms);
      scrapedMs.push((await runOk('kcat', ['-P', '-b', scraped.bootstrap, '-t', `run${i}`, ...KCAT_TUNING], { input: lines, capture: false })).ms);
    }
    const scrapes = await stopScraper();
    const p = median(plainMs);
    const s = median(scrapedMs);
    const list = (xs) => xs.map((ms) => fmt(ms)).join(', ');
    ctx.log(`with metrics scraped every 1 s: ${list(scrapedMs)} ms; without: ${list(plainMs)} ms; ${scrapes.count} scrapes, slowest ${fmt(scrapes.slowestMs, 1)} ms`);
    rows.push({
      scenario: '10 ingest 100 B (kcat -P acks=1) with /metrics scraped every 1 s, median of 3 alternating runs',
      figure: `${fmt(count / (s / 1000))} rec/s (runs ${list(scrapedMs)} ms; ${scrapes.count} scrapes)`,
      reference: `same run, broker without metrics: ${fmt(count / (p / 1000))} rec/s (runs ${list(plainMs)} ms)`,
      ratio: ratio(p, s),
      target: 'at most 3% slower (≥ 0.97×)',
      met: met(p / s >= 0.97),
    });

    const small = await timedScrape(metricsUrl);
    const partitions = ctx.quick ? 2_000 : 10_000;
    // Creating thousands of partitions takes a while on a busy machine: no client timeout.
    await kts(['topics', '--create', '--topic', 'many', '--partitions', String(partitions), '--bootstrap-server', scraped.bootstrap, '--command-property', 'request.timeout.ms=900000'], { capture: true, timeoutMs: 900_000 });
    await timedScrape(metricsUrl); // first scrape after creation warms the per-topic series
    const big = [];
    for (let i = 0; i < 3; i++) big.push(await timedScrape(metricsUrl));
    const bigMs = median(big.map((b) => b.ms));
    ctx.log(`scrape with ${partitions + 3} partitions: ${big.map((b) => fmt(b.ms, 1)).join(', ')} ms, ${fmt(big[0].bytes / 1e6, 1)} MB; with 3: ${fmt(small.ms, 1)} ms`);
    rows.push({
      scenario: `10 one /metrics scrape of a broker with ${fmt(partitions)} partitions (median of 3)`,
      figure: `${fmt(bigMs, 0)} ms, ${fmt(big[0].bytes / 1e6, 1)} MB of text (${fmt((bigMs * 1000) / partitions, 1)} µs per partition)`,
      reference: `same broker before, 3 partitions: ${fmt(small.ms, 1)} ms, ${fmt(small.bytes / 1e3, 0)} kB`,
      ratio: ratio(bigMs, small.ms),
      target: 'bounded: < 1 s at 10,000 partitions',
      met: ctx.quick ? '—' : met(bigMs < 1000),
    });
  } finally {
    await plain.stop();
    await scraped.stop();
  }
  return rows;
}
