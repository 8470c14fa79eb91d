// The broker's /metrics endpoint scraped by a real Prometheus while kcat produces and a
// kafkajs admin commits group offsets: PromQL for messages-in (total and rate), the
// replica/controller gauges and group lag returns what the clients did; the example alert
// rules load and evaluate; promtool checks the exposition, the rules and the config.
import t from 'tap';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runBroker, tempDir } from './helpers.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { needsPrometheus, promtool, promtoolCheckMetrics, runPrometheus } from '../helpers/prometheus.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { KtsError } from '../../src/util/errors.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples/prometheus');

/**
 * promtool's lint findings we keep on purpose: the names existing Kafka dashboards and
 * alert rules query (kafka_exporter's `_sum` gauges, Strimzi's connection_count, the JMX
 * exporter's `delayedOperation` and Strimzi's `clientId` labels) and prom-client's Node.js gauges.
 */
const DELIBERATE_LINT = [
  /^kafka_consumergroup_lag_sum non-histogram and non-summary metrics should not have "_sum" suffix$/,
  /^kafka_consumergroup_current_offset_sum non-histogram and non-summary metrics should not have "_sum" suffix$/,
  /^kafka_server_socket_server_metrics_connection_count non-histogram and non-summary metrics should not have "_count" suffix$/,
  /^kafka_server_delayedoperationpurgatory_purgatorysize label names should be written in 'snake_case' not 'camelCase'$/,
  /^kafka_server_replicafetchermanager_maxlag label names should be written in 'snake_case' not 'camelCase'$/,
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/,
];

const value = (r: { value: [number, string] }[]): number | undefined => (r.length === 1 ? Number(r[0]!.value[1]) : undefined);

t.test('Prometheus scrapes a kts broker under load', { skip: needsKcat || needsPrometheus }, async (t) => {
  const b = await runBroker(t, ['kts.metrics.listener=http://127.0.0.1:0']);
  const metricsUrl = b.broker.metricsUrl!;
  t.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const prom = await runPrometheus(t, new URL(metricsUrl).host, [resolve(EXAMPLES, 'alerts.yml')]);

  const lines = Array.from({ length: 500 }, (_, i) => `order-${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', b.bootstrap, '-t', 'orders'], lines);
  t.equal(produced.code, 0, produced.stderr);

  const kafka = new Kafka({ clientId: 'kts-metrics-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '200' }] });

  // Load while Prometheus scrapes every second: five rounds of 1,000 records.
  for (let round = 0; round < 5; round++) {
    const r = await kcat(['-P', '-b', b.bootstrap, '-t', 'load'], Array.from({ length: 1000 }, (_, i) => `r${round}-${i}`).join('\n') + '\n');
    t.equal(r.code, 0, r.stderr);
    await new Promise((res) => setTimeout(res, 700));
  }

  const total = await prom.waitFor('kafka_server_brokertopicmetrics_messagesin_total{topic="load"}', (r) => value(r) === 5000);
  t.equal(value(total), 5000, 'messages in per topic: every record kcat produced');
  const ordersIn = await prom.waitFor('kafka_server_brokertopicmetrics_messagesin_total{topic="orders"}', (r) => value(r) === 500);
  t.equal(value(ordersIn), 500);
  const all = await prom.query('kafka_server_brokertopicmetrics_messagesin_total{topic=""}');
  t.equal(value(all), 5500, 'the broker-wide series (no topic label) sums every topic');
  const rate = await prom.waitFor('rate(kafka_server_brokertopicmetrics_messagesin_total{topic="load"}[1m])', (r) => (value(r) ?? 0) > 0);
  t.ok((value(rate) ?? 0) > 0, `messages-in rate under load is positive (${value(rate)}/s)`);
  const bytesIn = await prom.query('kafka_server_brokertopicmetrics_bytesin_total{topic="load"}');
  t.ok((value(bytesIn) ?? 0) > 5000 * 6, 'bytes in counts batch bytes');

  t.equal(value(await prom.query('kafka_server_replicamanager_underreplicatedpartitions')), 0, 'no under-replicated partition');
  t.equal(value(await prom.query('kafka_controller_kafkacontroller_activecontrollercount')), 1, 'one active controller');
  t.equal(value(await prom.query('kafka_controller_kafkacontroller_offlinepartitionscount')), 0);
  t.equal(value(await prom.query('sum(kafka_cluster_partition_underminisr)')), 0);
  t.equal(value(await prom.query('kafka_log_log_logendoffset{topic="orders",partition="0"}')), 500);
  t.ok((value(await prom.query('kafka_log_log_size{topic="orders",partition="0"}')) ?? 0) > 0, 'log size in bytes');

  const lag = await prom.waitFor('kafka_consumergroup_lag{consumergroup="billing",topic="orders",partition="0"}', (r) => value(r) === 300);
  t.equal(value(lag), 300, 'lag = high watermark 500 - committed 200, as the kafkajs commit left it');
  t.equal(value(await prom.query('kafka_consumergroup_lag_sum{consumergroup="billing",topic="orders"}')), 300);
  t.equal(value(await prom.query('kafka_consumergroup_current_offset{consumergroup="billing",topic="orders"}')), 200);
  t.equal(value(await prom.query('kafka_topic_partition_current_offset{topic="orders"}')), 500);
  const lagSeconds = await prom.query('kafka_consumergroup_lag_seconds{consumergroup="billing"}');
  t.ok((value(lagSeconds) ?? -1) >= 0, 'lag in seconds is reported');

  const produceTimes = await prom.query('kafka_network_requestmetrics_totaltimems_count{request="Produce"}');
  t.ok((value(produceTimes) ?? 0) >= 6, 'request time histogram counts Produce requests');
  const p99 = await prom.query('histogram_quantile(0.99, rate(kafka_network_requestmetrics_totaltimems_bucket{request="Produce"}[1m]))');
  t.equal(p99.length, 1, 'histogram_quantile works on the request-time buckets');
  t.ok((value(await prom.query('process_resident_memory_bytes')) ?? 0) > 0, 'Node process metrics');

  const rules = (await prom.get('/api/v1/rules')) as { groups: { rules: { name: string; health: string; state?: string }[] }[] };
  const loaded = rules.groups.flatMap((g) => g.rules);
  t.equal(loaded.length, 6, 'the example alert rules are loaded');
  const evaluated = await (async () => {
    for (let i = 0; i < 40; i++) {
      const r = ((await prom.get('/api/v1/rules')) as typeof rules).groups.flatMap((g) => g.rules);
      if (r.every((x) => x.health === 'ok')) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
    return ((await prom.get('/api/v1/rules')) as typeof rules).groups.flatMap((g) => g.rules);
  })();
  t.same(evaluated.filter((r) => r.health !== 'ok').map((r) => r.name), [], 'every rule evaluates against kts metrics');
  t.same(evaluated.filter((r) => r.state !== 'inactive').map((r) => r.name), [], 'a healthy single broker fires no alert');

  const text = await (await fetch(metricsUrl)).text();
  const check = promtoolCheckMetrics(text);
  const unexpected = check.findings.filter((f) => !DELIBERATE_LINT.some((re) => re.test(f)));
  t.same(unexpected, [], 'promtool check metrics: no finding beyond the dashboard names kept on purpose');
});

t.test('failed and rejected produce requests are counted', { skip: needsKcat }, async (t) => {
  const b = await runBroker(t, ['kts.metrics.listener=http://127.0.0.1:0']);
  const kafka = new Kafka({ clientId: 'kts-metrics-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'small', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '200' }] }] });
  const big = 'x'.repeat(2000);
  const r = await kcat(['-P', '-b', b.bootstrap, '-t', 'small', '-X', 'message.send.max.retries=0'], big + '\n');
  t.not(r.code, null);
  const text = await (await fetch(b.broker.metricsUrl!)).text();
  const series = (name: string): number => Number(new RegExp(`^${name}\\{topic="small"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  t.ok(series('kafka_server_brokertopicmetrics_failedproducerequests_total') >= 1, 'the refused batch is a failed produce request');
  t.ok(series('kafka_server_brokertopicmetrics_bytesrejected_total') >= 2000, 'its bytes are rejected bytes');
  t.equal(series('kafka_server_brokertopicmetrics_messagesin_total'), 0, 'nothing counted in');
});

t.test('the example Prometheus files pass promtool', { skip: needsPrometheus }, async (t) => {
  const rules = promtool(['check', 'rules', resolve(EXAMPLES, 'alerts.yml')]);
  t.equal(rules.status, 0, rules.output);
  const config = promtool(['check', 'config', resolve(EXAMPLES, 'prometheus.yml')]);
  t.equal(config.status, 0, config.output);
});

t.test('kts.metrics.listener: a port in use and a bad value are refused clearly', async (t) => {
  const first = await runBroker(t, ['kts.metrics.listener=http://127.0.0.1:0']);
  const port = new URL(first.broker.metricsUrl!).port;
  const dir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir: dir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', `kts.metrics.listener=http://127.0.0.1:${port}`] });
  const err = await startBroker(config, { listen: true, log: memoryLogger() }).then(
    (b) => b.stop().then(() => undefined),
    (e: unknown) => e,
  );
  t.ok(err instanceof KtsError, 'refused');
  t.equal((err as KtsError).code, 'KTS_PORT_IN_USE');
  t.match((err as KtsError).message, new RegExp(`127\\.0\\.0\\.1:${port} \\(kts\\.metrics\\.listener\\): the port is already in use`));

  const dir2 = await tempDir(t);
  const bad = buildBrokerConfig({ dataDir: dir2, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', 'kts.metrics.listener=127.0.0.1:9404'] });
  const err2 = await startBroker(bad, { listen: true, log: memoryLogger() }).then(
    (b) => b.stop().then(() => undefined),
    (e: unknown) => e,
  );
  t.equal((err2 as KtsError).code, 'KTS_CONFIG');
  t.match((err2 as KtsError).message, /kts\.metrics\.listener=127\.0\.0\.1:9404/);
  t.match((err2 as KtsError).hint ?? '', /http:\/\/127\.0\.0\.1:9404/);

  // The data dirs were released: a broker starts on the refused dir afterwards.
  const again = await runBroker(t, [], dir);
  t.ok(again.port > 0);
});
