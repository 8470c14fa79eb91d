// kts ui's view of a broker's kts.metrics.listener: which URL it scrapes, or why it cannot,
// and the series it keeps from real exposition text of a kts broker.
import t from 'tap';
import { BROKER_SERIES, metricsUrlOf, parseExposition } from '../../src/ui/broker-metrics.js';
import { runBroker } from '../broker/helpers.js';

t.test('the scrape URL of a kts.metrics.listener value', async (t) => {
  t.same(metricsUrlOf('http://127.0.0.1:9404', 'kafka1'), { url: 'http://127.0.0.1:9404/metrics', problem: null });
  t.same(metricsUrlOf('http://0.0.0.0:9404', 'kafka1'), { url: 'http://kafka1:9404/metrics', problem: null }, 'a wildcard host is reached at the broker host');
  t.same(metricsUrlOf('http://[::]:9404', '::1'), { url: 'http://[::1]:9404/metrics', problem: null });
  t.match(metricsUrlOf(null, 'kafka1').problem, /kts\.metrics\.listener is not set/);
  t.match(metricsUrlOf('http://127.0.0.1:0', 'kafka1').problem, /free port .* give a fixed port/);
  t.match(metricsUrlOf('nonsense', 'kafka1').problem, /is not a URL/);
});

t.test('parseExposition reads the broker-wide series of a real kts broker', async (t) => {
  const b = await runBroker(t, ['kts.metrics.listener=http://127.0.0.1:0']);
  const text = await (await fetch(b.broker.metricsUrl!)).text();
  const values = parseExposition(text, BROKER_SERIES.map((s) => s.series));
  for (const s of BROKER_SERIES) t.ok(values.has(s.series), `${s.series} is exposed`);
  t.equal(values.get('kafka_server_brokertopicmetrics_messagesin_total'), 0);
  t.ok(values.get('process_resident_memory_bytes')! > 0);
  t.same([...parseExposition('# HELP x y\nx{a="b"} 3\nx 4\nbad\n', ['x', 'x{a="b"}'])], [['x{a="b"}', 3], ['x', 4]]);
});
