// The perf tools' latency histogram, throttler schedule and Kafka output formats with known inputs.
import t from 'tap';
import { LatencyHistogram } from '../../src/cli/perf/histogram.js';
import { Throttler } from '../../src/cli/perf/throttler.js';
import { compileDateFormat, consumerHeader, consumerTotalLine, e2eSummaryLines, producerProgressLine, producerTotalLine } from '../../src/cli/perf/report.js';

t.test('percentiles are the value at rank floor(p * n) of the sorted values', async (t) => {
  const h = new LatencyHistogram();
  for (let v = 1000; v >= 1; v--) h.record(v);
  const s = h.summary();
  t.equal(s.count, 1000);
  t.equal(s.avgMs, 500.5);
  t.equal(s.maxMs, 1000);
  t.same([s.p50Ms, s.p95Ms, s.p99Ms, s.p999Ms], [501, 951, 991, 1000]);
  t.same(h.percentiles([0, 1]), [1, 1000]);
});

t.test('an empty histogram reports zeros', async (t) => {
  t.same(new LatencyHistogram().summary(), { count: 0, avgMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0 });
});

t.test('past its capacity the histogram keeps an even sample and exact count/avg/max', async (t) => {
  const h = new LatencyHistogram(64);
  for (let v = 0; v < 10_000; v++) h.record(v);
  const s = h.summary();
  t.equal(s.count, 10_000);
  t.equal(s.maxMs, 9999);
  t.equal(s.avgMs, 4999.5);
  t.ok(Math.abs(s.p50Ms - 5000) <= 10_000 / 64, `p50 ${s.p50Ms} near 5000`);
  t.ok(s.p99Ms >= 9800 - 10_000 / 64, `p99 ${s.p99Ms} near the top`);
  t.throws(() => new LatencyHistogram(0));
});

t.test('the throttler schedules record i at start + i / rate', async (t) => {
  const th = new Throttler(1000, 50);
  t.ok(th.throttled);
  t.equal(th.dueMs(0, 999), 50);
  t.equal(th.dueMs(20, 999), 70);
  const free = new Throttler(-1, 50);
  t.notOk(free.throttled);
  t.equal(free.dueMs(20, 999), 999);
  t.equal(free.waitFor(1_000_000, () => 0), null);
  t.equal(th.waitFor(0, () => 60), null, 'record 0 was due at 50');
  t.ok(th.waitFor(100, () => 60) instanceof Promise, 'record 100 is due at 150');
});

t.test('producer lines in Kafka\'s format', async (t) => {
  t.equal(
    producerProgressLine({ records: 5000, bytes: 500_000, elapsedMs: 5000 }, 2.25, 10),
    '5000 records sent, 1000.0 records/sec (0.10 MB/sec), 2.3 ms avg latency, 10.0 ms max latency.',
  );
  const h = new LatencyHistogram();
  for (let v = 1; v <= 100; v++) h.record(v + 0.5);
  t.equal(
    producerTotalLine({ records: 100, bytes: 1048576, elapsedMs: 1000 }, h.summary()),
    '100 records sent, 100.000000 records/sec (1.00 MB/sec), 51.00 ms avg latency, 100.50 ms max latency, 51 ms 50th, 96 ms 95th, 100 ms 99th, 100 ms 99.9th.',
  );
  t.match(producerTotalLine({ records: 1, bytes: 1, elapsedMs: 1 }, h.summary(), 'steady state '), /^1 steady state records sent, /);
});

t.test('consumer CSV header and line, e2e summary', async (t) => {
  t.equal(consumerHeader(false), 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  t.equal(consumerHeader(true), 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  t.equal(
    consumerTotalLine('a', 'b', { bytes: 2 * 1048576, records: 1000, elapsedMs: 2000, rebalanceMs: 1000, fetchMs: 1000 }),
    'a, b, 2.0000, 1.0000, 1000, 500.0000, 1000, 1000, 2.0000, 1000.0000',
  );
  t.same(e2eSummaryLines({ count: 3, avgMs: 1.23456, maxMs: 9, p50Ms: 1.9, p95Ms: 5, p99Ms: 8.2, p999Ms: 9 }), ['Avg latency: 1.2346 ms', 'Percentiles: 50th = 1, 99th = 8, 99.9th = 9']);
});

t.test('Java date patterns', async (t) => {
  const ms = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
  t.equal(compileDateFormat('yyyy-MM-dd HH:mm:ss:SSS')(ms), '2024-01-02 03:04:05:006');
  t.equal(compileDateFormat("yy/M/d 'at' h a")(ms), '24/1/2 at 3 AM');
  t.throws(() => compileDateFormat('yyyy-QQ'), /unsupported pattern letter 'Q'/);
  t.throws(() => compileDateFormat("'open"), /unterminated quote/);
});
