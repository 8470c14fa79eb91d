// producer-perf-test (and consumer-perf-test reading its records) against a real kts broker (port 0) and
// on the local engine: Kafka's output structure, checked by regex (values vary run to run).
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { startCliBroker, tempDir } from './helpers.js';
import { CSV_HEADER, CSV_LINE, DATE, NUM, TOTAL_LINE, VAL } from './perf-formats.js';


t.test('producer-perf-test then consumer-perf-test against a broker', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic p --partitions 2 ${bs}`)).code, 0);
  const p = await runKts(`producer-perf-test --topic p --num-records 2000 --record-size 100 --throughput -1 --producer-props acks=1 linger.ms=5 ${bs}`);
  t.equal(p.code, 0, p.stderr);
  const lines = p.stdout.trimEnd().split('\n');
  t.match(lines.at(-1), TOTAL_LINE);
  t.equal(TOTAL_LINE.exec(lines.at(-1) ?? '')?.[1], '2000');

  const c = await runKts(`consumer-perf-test --topic p --messages 2000 --timeout 5000 ${bs}`);
  t.equal(c.code, 0, c.stderr);
  const [header, line, ...rest] = c.stdout.trimEnd().split('\n');
  t.equal(header, CSV_HEADER);
  t.match(line, CSV_LINE);
  t.equal(CSV_LINE.exec(line ?? '')?.[1], '2000');
  t.same(rest, []);
  t.match(line, /, 0\.1907, /, '2000 x 100 bytes = 0.1907 MB');

  const hidden = await runKts(`consumer-perf-test --topic p --messages 10 --hide-header --date-format HH:mm ${bs}`);
  t.match(hidden.stdout, /^\d\d:\d\d, \d\d:\d\d, [^\n]+\n$/);

  const j = await runKts(`consumer-perf-test --topic p --messages 2000 --json ${bs}`);
  t.equal(JSON.parse(j.stdout).records, 2000);
});

t.test('--transactional-id: records sent in committed transactions', async (t) => {
  const b = await startCliBroker(t, ['transaction.state.log.num.partitions=1']);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic tx --partitions 2 ${bs}`)).code, 0);
  const p = await runKts(`producer-perf-test --topic tx --num-records 40 --payload-monotonic --throughput 400 --transactional-id perf-tx --transaction-duration-ms 20 ${bs}`);
  t.equal(p.code, 0, p.stderr);
  t.equal(TOTAL_LINE.exec(p.stdout.trimEnd().split('\n').at(-1) ?? '')?.[1], '40');
  const c = await runKts(`console-consumer --topic tx --from-beginning --until-end --isolation-level read_committed ${bs}`);
  t.same(c.stdout.trimEnd().split('\n').map(Number).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i), 'read_committed sees every record');
  const d = await runKts(`transactions describe --transactional-id perf-tx ${bs}`);
  t.match(d.stdout, /CompleteCommit/, 'the last transaction was committed');
});

t.test('throttled run, payload file, monotonic payload, warm-up and metrics', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  const dir = await tempDir(t);
  await writeFile(join(dir, 'payloads.txt'), 'alpha\nbeta\ngamma\n');
  const f = await runKts(`producer-perf-test --topic f --num-records 50 --payload-file payloads.txt --throughput 1000 --warmup-records 10 --print-metrics ${bs}`, { cwd: dir });
  t.equal(f.code, 0, f.stderr);
  t.match(f.stdout, new RegExp(TOTAL_LINE.source.slice(1, -1).replace('(\\d+) records', '50 records')));
  t.match(f.stdout, /^Warmup first 10 records\. Steady state results will print after the complete test summary\.\n/);
  t.match(f.stdout, /\n40 steady state records sent, /);
  t.match(f.stdout, /Metric Name +Value\nproducer-metrics:record-send-total +: 50\.000/);
  const c = await runKts(`console-consumer --topic f --from-beginning --max-messages 50 ${bs}`);
  t.ok(c.stdout.trimEnd().split('\n').every((v) => ['alpha', 'beta', 'gamma'].includes(v)), 'values come from the file');

  const m = await runKts(`producer-perf-test --topic m --num-records 5 --payload-monotonic --throughput -1 --json ${bs}`);
  t.equal(m.code, 0, m.stderr);
  t.equal(JSON.parse(m.stdout).records, 5);
  const mc = await runKts(`console-consumer --topic m --from-beginning --max-messages 5 ${bs}`);
  t.equal(mc.stdout, '0\n1\n2\n3\n4\n');
});

t.test('usage errors', async (t) => {
  const dir = await tempDir(t);
  const dd = `--data-dir ${dir}`;
  const tx = await runKts(`producer-perf-test --topic x --num-records 1 --record-size 1 --throughput -1 --transaction-duration-ms 0 ${dd}`);
  t.equal(tx.code, 2);
  t.match(tx.stderr, '--transaction-duration-ms must be an integer > 0');
  const two = await runKts(`producer-perf-test --topic x --num-records 1 --record-size 1 --payload-monotonic --throughput -1 ${dd}`);
  t.equal(two.code, 2);
  t.match(two.stderr, 'exactly one of --record-size, --payload-file or --payload-monotonic');
  const noThroughput = await runKts(`producer-perf-test --topic x --num-records 1 --record-size 1 ${dd}`);
  t.equal(noThroughput.code, 2);
  const noMessages = await runKts(`consumer-perf-test --topic x ${dd}`);
  t.equal(noMessages.code, 2);
  t.match(noMessages.stderr, '--messages');
});
