// kts reassign against a real kts broker with two log dirs: a partition moved between them
// while kafkajs writes to it with acks=all (throttled, verified, throttles cleared), Kafka's
// texts for every step, the plan validation messages, the argument checks, --cancel.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker, tempDir } from '../helpers.js';
import { buildBrokerConfig } from '../../../src/broker/config.js';
import { startBroker } from '../../../src/broker/broker.js';

const { Kafka, logLevel } = kafkajs;

t.test('reassign: log-dir moves on one broker, with Kafka\'s texts', async (t) => {
  const root = await tempDir(t);
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  const config = buildBrokerConfig({ env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', `log.dirs=${a},${b}`, 'node.id=1'] });
  const running = await startBroker(config, { listen: true });
  t.teardown(() => running.stop());
  const broker = { bootstrap: `127.0.0.1:${running.boundPorts[0]!.port}` };
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${broker.bootstrap}`, { cwd: root });
  const plan = (name: string, doc: unknown): string => {
    writeFileSync(join(root, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
    return name;
  };
  t.equal((await kts('topics --create --topic t --partitions 2 --config segment.bytes=200000')).code, 0);
  const where = (): string => (existsSync(join(a, 't-0')) ? a : b);
  const source = where();
  const target = source === a ? b : a;

  const kafka = new Kafka({ clientId: 'reassign-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const value = 'x'.repeat(900);
  for (let i = 0; i < 20; i++) await producer.send({ topic: 't', acks: -1, messages: Array.from({ length: 100 }, (_, j) => ({ value: `${i * 100 + j} ${value}`, partition: 0 })) });

  const gen = await kts(`reassign --generate --topics-to-move-json-file ${plan('topics.json', { topics: [{ topic: 't' }], version: 1 })} --broker-list 1`);
  t.equal(gen.code, 0, gen.stderr);
  const current = '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["any"]},{"topic":"t","partition":1,"replicas":[1],"log_dirs":["any"]}]}';
  t.equal(gen.stdout, `Current partition replica assignment\n${current}\n\nProposed partition reassignment configuration\n${current}\n`, '--generate prints Kafka\'s two blocks');

  const move = plan('move.json', { version: 1, partitions: [{ topic: 't', partition: 0, replicas: [1], log_dirs: [target] }] });
  const moveStartedMs = Date.now();
  const exec = await kts(`reassign --execute --reassignment-json-file ${move} --replica-alter-log-dirs-throttle 200000`);
  t.equal(exec.code, 0, exec.stderr);
  t.equal(exec.stdout, [
    'Current partition replica assignment',
    '',
    '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["any"]}]}',
    '',
    'Save this to use as the --reassignment-json-file option during rollback',
    'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
    'The replica-alter-dir throttle limit was set to 200000 B/s',
    'Successfully started partition reassignment for t-0',
    `Successfully started moving log directory to ${target} for replica t-0 with broker 1 `,
    '',
  ].join('\n'));
  t.match(exec.stderr, /Estimated data to move: broker 1: [\d.]+ (KiB|MiB) in 1 replica/, 'estimate of the bytes to copy');

  // Written while the copy runs (throttled to 200 kB/s, about 2 MB to copy).
  const acked: number[] = [];
  for (let i = 0; i < 10; i++) {
    const [meta] = await producer.send({ topic: 't', acks: -1, messages: [{ value: `late ${i}`, partition: 0 }] });
    acked.push(Number(meta!.baseOffset));
  }
  const during = await kts(`reassign --verify --reassignment-json-file ${move}`);
  t.equal(during.code, 0, during.stderr);
  t.equal(during.stdout, 'Status of partition reassignment:\nReassignment of partition t-0 is completed.\nReassignment of replica t-0-1 is still in progress.\n', 'the move is still copying at the throttle');
  const dirs = JSON.parse((await kts('log-dirs --describe --topic-list t --json')).stdout) as { brokers: { logDirs: { logDir: string; partitions: { partition: string; isFuture: boolean; offsetLag: number }[] }[] }[] };
  const future = dirs.brokers[0]!.logDirs.find((d) => d.logDir === target)!.partitions.find((p) => p.partition === 't-0' && p.isFuture);
  t.ok(future && future.offsetLag > 0, `log-dirs shows the future log in the target dir with its offset lag (${future?.offsetLag})`);
  const cfg = await kts('configs --describe --entity-type brokers --entity-name 1');
  t.match(cfg.stdout, /replica\.alter\.log\.dirs\.io\.max\.bytes\.per\.second=200000/, 'the throttle is a dynamic broker config');

  const done = await kts(`reassign --verify --reassignment-json-file ${move} --wait`);
  const moveTookMs = Date.now() - moveStartedMs;
  t.equal(done.code, 0, done.stderr);
  t.equal(done.stdout, [
    'Status of partition reassignment:',
    'Reassignment of partition t-0 is completed.',
    'Reassignment of replica t-0-1 completed successfully.',
    'Clearing broker-level throttles on broker 1',
    'Clearing topic-level throttles on topic t',
    '',
  ].join('\n'));
  t.ok(existsSync(join(target, 't-0')), 'the partition lives in the target dir');
  // A lower bound only (a loaded machine makes it slower, never faster): the pacing held, even
  // though each step copies whole batches of about 90 kB, 9 ticks' worth at this rate.
  const movedBytes = readdirSync(join(target, 't-0')).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(target, 't-0', f)).size, 0);
  t.ok(moveTookMs >= (1000 * (movedBytes - 100_000)) / 200_000, `the log-dir throttle was in force: ${movedBytes} bytes in ${moveTookMs} ms at 200000 B/s`);
  t.notOk(existsSync(join(source, 't-0')), 'no live copy in the source dir');
  t.same(readdirSync(target).filter((n) => n.endsWith('-future')), [], 'no future dir left');
  t.notMatch((await kts('configs --describe --entity-type brokers --entity-name 1')).stdout, /replica\.alter\.log\.dirs/, 'throttle removed');

  const consumer = kafka.consumer({ groupId: 'reassign-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 't', fromBeginning: true });
  const seen = new Set<number>();
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ partition, message }) => {
      if (partition === 0) seen.add(Number(message.offset));
      if (seen.size >= 2010) resolve();
    } });
  });
  t.equal(seen.size, 2010, 'kafkajs reads back every record');
  t.ok(acked.every((o) => seen.has(o)), 'records acknowledged during the move are there');

  const list = await kts('reassign --list');
  t.equal(list.stdout, 'No partition reassignments found.\n');

  // --cancel while a move copies: the replica goes back to (stays in) its dir.
  const back = plan('back.json', { version: 1, partitions: [{ topic: 't', partition: 0, replicas: [1], log_dirs: [source] }] });
  t.equal((await kts(`reassign --execute --reassignment-json-file ${back} --replica-alter-log-dirs-throttle 1000`)).code, 0);
  const cancel = await kts(`reassign --cancel --reassignment-json-file ${back}`);
  t.equal(cancel.code, 0, cancel.stderr);
  t.equal(cancel.stdout, [
    'None of the specified partition reassignments are active.',
    `Successfully started moving log directory to ${target} for replica t-0 with broker 1 `,
    'Clearing broker-level throttles on broker 1',
    'Clearing topic-level throttles on topic t',
    '',
  ].join('\n'));
  t.same(readdirSync(source).filter((n) => n.endsWith('-future')), [], 'the cancelled move left no future dir');
  t.ok(existsSync(join(target, 't-0')), 'and the partition did not move');
  const after = await kts(`reassign --verify --reassignment-json-file ${back} --json`);
  t.same(JSON.parse(after.stdout).logDirMoves.map((m: { status: string; currentLogDir: string }) => [m.status, m.currentLogDir]), [['cancelled', target]], '--verify --json after a cancel');

  // Unthrottled: segments are copied whole off the broker's event loop while kafkajs writes;
  // started with --data-dir (the server's first log dir): a local command goes through the server.
  const segments = readdirSync(join(target, 't-0')).filter((f) => f.endsWith('.log')).length;
  const viaDataDir = await runKts(`reassign --execute --reassignment-json-file ${back} --data-dir ${a}`, { cwd: root });
  t.equal(viaDataDir.code, 0, viaDataDir.stderr);
  t.match(viaDataDir.stdout, `Successfully started moving log directory to ${source} for replica t-0 with broker 1 `);
  const writes: Promise<number>[] = [];
  for (let i = 0; i < 20; i++) writes.push(producer.send({ topic: 't', acks: -1, messages: [{ value: `unthrottled ${i} ${value}`, partition: 0 }] }).then(([m]) => Number(m!.baseOffset)));
  const ackedLate = await Promise.all(writes);
  const fast = await kts(`reassign --verify --reassignment-json-file ${back} --wait`);
  t.equal(fast.code, 0, fast.stderr);
  t.match(fast.stdout, /Reassignment of replica t-0-1 completed successfully\./, `an unthrottled move of ${segments} segments completes`);
  t.ok(existsSync(join(source, 't-0')) && !existsSync(join(target, 't-0')), 'the partition is back in its first dir');
  t.same(readdirSync(join(source, 't-0')).filter((f) => f.endsWith('.copying')), [], 'no partial segment copy left');
  const reader = kafka.consumer({ groupId: 'reassign-check-2' });
  await reader.connect();
  t.teardown(() => reader.disconnect());
  await reader.subscribe({ topic: 't', fromBeginning: true });
  const seenAgain = new Set<number>();
  await new Promise<void>((resolve) => {
    void reader.run({ eachMessage: async ({ partition, message }) => {
      if (partition === 0) seenAgain.add(Number(message.offset));
      if (seenAgain.size >= 2030) resolve();
    } });
  });
  t.equal(seenAgain.size, 2030, 'kafkajs reads back every record after the second move');
  t.ok(ackedLate.every((o) => seenAgain.has(o)), 'records acknowledged during the unthrottled move are there');
});

t.test('reassign in local mode: the data dir itself as the log dir is nothing to move', async (t) => {
  const root = await tempDir(t);
  const data = join(root, 'data');
  const local = (cmd: string) => runKts(`${cmd} --data-dir ${data}`, { cwd: root });
  t.equal((await local('topics --create --topic l --partitions 1')).code, 0);
  t.equal((await local('reassign --list')).stdout, 'No partition reassignments found.\n');
  writeFileSync(join(root, 'q.json'), JSON.stringify({ version: 1, partitions: [{ topic: 'l', partition: 0, replicas: [1], log_dirs: [data] }] }));
  const same = await local('reassign --execute --reassignment-json-file q.json');
  t.equal(same.code, 0, `the data dir itself is accepted (nothing to move): ${same.stderr}`);
  t.match(same.stdout, `Successfully started moving log directory to ${data} for replica l-0 with broker 1 `);
  t.notOk(existsSync(join(data, 'kts-log-dirs.json')), 'no other log dir recorded');
});

t.test('reassign: Kafka\'s validation messages and argument checks', async (t) => {
  const broker = await startCliBroker(t, ['node.id=1']);
  const root = await tempDir(t);
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${broker.bootstrap}`, { cwd: root });
  await kts('topics --create --topic v --partitions 1');
  const cases: [unknown, RegExp][] = [
    [{ version: 1, partitions: [] }, /Partition reassignment list cannot be empty/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [] }] }, /Partition replica list cannot be empty/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [1] }, { topic: 'v', partition: 0, replicas: [1] }] }, /Partition reassignment contains duplicate topic partitions: v-0/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [1, 1] }] }, /Partition replica lists may not contain duplicate entries: v-0 contains multiple entries for 1/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [1], log_dirs: ['any', 'any'] }] }, /Size of replicas list \[1\] is different from size of log dirs list \[any, any\] for partition v-0/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [7] }] }, /Unknown broker id 7/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [1], log_dirs: ['/nonexistent'] }] }, /Log dir \/nonexistent \(for v-0-1\) is not one of broker 1's log dirs \(\//],
    [{ version: 1, partitions: [{ topic: 'v', partition: 0, replicas: [1], log_dirs: ['data'] }] }, /Log dir data \(for v-0-1\) is not one of broker 1's log dirs .*Log dirs are absolute paths/],
    [{ version: 1, partitions: [{ topic: 'v', partition: 3, replicas: [1] }] }, /Unable to find partition: v-3/],
    [{ version: 1, partitions: [{ topic: 'nope', partition: 0, replicas: [1] }] }, /Topic nope not found\./],
    [{ version: 2, partitions: [] }, /Not supported version field value 2/],
    [{ version: 1, partitions: [{ topic: 'v', replicas: [1] }] }, /No such field exists: `partition`/],
    ['{"version":1,', /not a valid JSON/],
  ];
  for (const [doc, message] of cases) {
    writeFileSync(join(root, 'p.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
    const r = await kts('reassign --execute --reassignment-json-file p.json');
    t.equal(r.code, 1, `exit 1 for ${String(message)}`);
    t.match(r.stderr, message);
  }
  writeFileSync(join(root, 'topics.json'), JSON.stringify({ topics: [{ topic: 'v' }, { topic: 'v' }] }));
  t.match((await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 1')).stderr, /List of topics to reassign contains duplicate entries: \[v\]/);
  t.match((await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 1,1')).stderr, /Broker list contains duplicate entries: \[1\]/);
  writeFileSync(join(root, 'topics.json'), JSON.stringify({ topics: [{ topic: 'v' }] }));
  t.match((await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 1,2')).stdout, /Proposed partition reassignment configuration/, 'unknown brokers in --broker-list are ignored, as Kafka does');
  const usage = await kts('reassign --verify --reassignment-json-file p.json --throttle 5');
  t.equal(usage.code, 2);
  t.match(usage.stderr, /Option "\[throttle\]" can't be used with action "\[verify\]"/);
  t.match((await kts('reassign --execute --list')).stderr, /Command must include exactly one action: --generate, --execute, --verify, --cancel, --list/);
  t.match((await kts('reassign --execute')).stderr, /Missing required argument "\[reassignment-json-file\]"/);
  const badThrottle = await kts('reassign --execute --reassignment-json-file p.json --throttle 10MB');
  t.equal(badThrottle.code, 2);
  t.match(badThrottle.stderr, /--throttle must be a number of bytes per second \(or -1 for none\), not NaN/);
  const badTimeout = await kts('reassign --execute --reassignment-json-file p.json --timeout -5');
  t.equal(badTimeout.code, 2);
  t.match(badTimeout.stderr, /--timeout must be a number of milliseconds, not -5/);
  const rackAware = await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 1');
  const rackless = await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 1 --disable-rack-aware');
  t.equal(rackless.code, 0, rackless.stderr);
  t.equal(rackless.stdout, rackAware.stdout, '--disable-rack-aware is accepted (brokers without racks: the same plan)');
});
