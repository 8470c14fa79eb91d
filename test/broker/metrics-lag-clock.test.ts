// Lag in seconds from high watermarks sampled at each scrape (kafka-lag-exporter's method),
// and the record count read from batch headers for messages-in.
import t from 'tap';
import { LagClock } from '../../src/broker/metrics/lag-clock.js';
import { recordCount } from '../../src/broker/metrics/request-stats.js';
import { parseMetricsListener } from '../../src/broker/metrics/http-listener.js';

t.test('lag seconds interpolate between the samples around the committed offset', async (t) => {
  const clock = new LagClock();
  clock.sample('t/0', 100, 10_000);
  clock.sample('t/0', 200, 20_000);
  clock.sample('t/0', 200, 25_000); // unchanged: not a new sample
  clock.sample('t/0', 300, 30_000);
  // Offset 149 was appended when the HW reached 150: halfway between 10 s and 20 s.
  t.equal(clock.secondsBehind('t/0', 149, 40_000), 25);
  // Offset 250: when the HW passed 251, between 20 s and 30 s.
  t.equal(clock.secondsBehind('t/0', 249, 40_000), 15);
  t.equal(clock.secondsBehind('t/0', 300, 40_000), 0, 'caught up');
  // Older than every sample: the age of the oldest sample, a lower bound.
  t.equal(clock.secondsBehind('t/0', 10, 40_000), 30);
  clock.retain(new Set());
  t.equal(clock.secondsBehind('t/0', 10, 40_000), 0, 'forgotten partitions have no history');
});

t.test('the sample history per partition is bounded', async (t) => {
  const clock = new LagClock();
  for (let i = 1; i <= 1000; i++) clock.sample('p', i, i * 1000);
  // Only the last 120 samples are kept: offset 0 dates from the oldest kept sample.
  t.equal(clock.secondsBehind('p', 0, 1_000_000), (1_000_000 - 881_000) / 1000);
});

t.test('recordCount reads each v2 batch header', async (t) => {
  const batch = (count: number, bodyBytes: number): Buffer => {
    const b = Buffer.alloc(61 + bodyBytes);
    b.writeInt32BE(49 + bodyBytes, 8); // batch length: the bytes after the length field
    b.writeInt8(2, 16);
    b.writeInt32BE(count, 57);
    return b;
  };
  t.equal(recordCount(Buffer.concat([batch(3, 10), batch(5, 0), batch(1, 7)])), 9);
  t.equal(recordCount(Buffer.alloc(0)), 0);
});

t.test('kts.metrics.listener values', async (t) => {
  t.same(parseMetricsListener('http://127.0.0.1:9404'), { host: '127.0.0.1', port: 9404 });
  t.same(parseMetricsListener('http://[::1]:0'), { host: '::1', port: 0 });
  t.throws(() => parseMetricsListener('https://127.0.0.1:9404'), /only http:\/\//);
  t.throws(() => parseMetricsListener('http://127.0.0.1'), /has no port/);
  t.throws(() => parseMetricsListener('http://127.0.0.1:9404/prom'), /only host and port/);
  t.throws(() => parseMetricsListener('9404'), /not a URL/);
});
