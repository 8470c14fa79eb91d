// consumer-perf-test (detailed stats, groups) and e2e-latency against a real kts broker (port 0) and
// on the local engine: Kafka's output structure, checked by regex (values vary run to run).
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { startCliBroker, tempDir } from './helpers.js';
import { CSV_HEADER, CSV_LINE, DATE, NUM, TOTAL_LINE, VAL } from './perf-formats.js';


t.test('detailed consumer stats and the timeout warning', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`producer-perf-test --topic d --num-records 100 --record-size 10 --throughput -1 ${bs}`);
  const c = await runKts(`consumer-perf-test --topic d --messages 1000 --timeout 300 --show-detailed-stats --reporting-interval 1 ${bs}`);
  t.equal(c.code, 0, c.stderr);
  const [header, ...lines] = c.stdout.trimEnd().split('\n');
  t.equal(header, CSV_HEADER.replace('start.time, end.time', 'time, threadId'));
  t.ok(lines.length >= 1);
  for (const l of lines) t.match(l, new RegExp(String.raw`^${DATE}, 0, ${VAL}, ${VAL}, \d+, ${VAL}, \d+, \d+, ${VAL}, ${VAL}$`));
  t.match(c.stderr, 'WARNING: Exiting before consuming the expected number of messages: timeout (300 ms) exceeded.');
});

t.test('consumer-perf-test with --group joins the group', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`producer-perf-test --topic g --num-records 100 --record-size 10 --throughput -1 ${bs}`);
  const c = await runKts(`consumer-perf-test --topic g --messages 100 --group perf-g --hide-header --timeout 8000 ${bs}`);
  t.equal(c.code, 0, c.stderr);
  t.equal(CSV_LINE.exec(c.stdout.trimEnd())?.[1], '100');
});

t.test('e2e-latency against a broker', async (t) => {
  const b = await startCliBroker(t);
  const e = await runKts(`e2e-latency ${b.bootstrap} lat 30 1 20`);
  t.equal(e.code, 0, e.stderr);
  t.match(e.stdout, /^0\t\d+(\.\d+)?\nAvg latency: \d+\.\d{4} ms\nPercentiles: 50th = \d+, 99th = \d+, 99\.9th = \d+\n$/);
  const bad = await runKts(`e2e-latency ${b.bootstrap} lat 3 0 20`);
  t.equal(bad.code, 2);
  t.match(bad.stderr, 'Please use 1 or all');
});

t.test('all three tools on the local engine', async (t) => {
  const dir = await tempDir(t);
  const dd = `--data-dir ${dir}`;
  const p = await runKts(`producer-perf-test --topic l --num-records 300 --record-size 50 --throughput -1 ${dd}`);
  t.equal(p.code, 0, p.stderr);
  t.match(p.stdout.trimEnd().split('\n').at(-1), TOTAL_LINE);
  const c = await runKts(`consumer-perf-test --topic l --messages 300 --hide-header --timeout 3000 ${dd}`);
  t.equal(c.code, 0, c.stderr);
  t.equal(CSV_LINE.exec(c.stdout.trimEnd())?.[1], '300');
  const e = await runKts(`e2e-latency local l2 5 all 10 ${dd}`);
  t.equal(e.code, 0, e.stderr);
  t.match(e.stdout, /Avg latency: \d+\.\d{4} ms\nPercentiles: 50th = \d+, 99th = \d+, 99\.9th = \d+\n$/);
});

