// kcat (librdkafka) balanced consumers (-G) against a real kts broker: the group reads
// every record once, commits on exit, and a second run resumes from the commit; kcat and
// a kts group consumer share one group (librdkafka leads and assigns).
import t from 'tap';
import { spawn } from 'node:child_process';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { Kafka, logLevel } from 'kafkajs';
import { openClient } from '../../src/client/index.js';
import { runBroker } from './helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';


t.test('kcat -G consumes in a group and resumes from its commits', { skip: hasKcat ? false : 'kcat is not installed' }, async (t) => {
  const b = await runBroker(t, ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=3']);
  const admin = new Kafka({ clientId: 'kts-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] });
  const base = ['-b', b.bootstrap];
  const lines = Array.from({ length: 30 }, (_, i) => `k${i}:record ${i}`);
  const produced = await kcat([...base, '-P', '-t', 'events', '-K', ':'], lines.join('\n') + '\n');
  t.equal(produced.code, 0, produced.stderr);

  const group = ['-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\\n', 'events'];
  const first = await kcat([...base, ...group]);
  t.equal(first.code, 0, first.stderr);
  t.same(first.stdout.trimEnd().split('\n').sort(), lines.map((l) => l.split(':')[1]).sort(), 'every record once');

  const committed = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['events'] });
  t.equal(committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0), 30, 'kcat committed its position');

  await kcat([...base, '-P', '-t', 'events'], 'later 1\nlater 2\n');
  const second = await kcat([...base, ...group]);
  t.equal(second.code, 0, second.stderr);
  t.same(second.stdout.trimEnd().split('\n').sort(), ['later 1', 'later 2'], 'the second run starts at the commits');
});

t.test('kcat (librdkafka) and a kts group consumer share a group', { skip: hasKcat ? false : 'kcat is not installed' }, async (t) => {
  const b = await runBroker(t, ['group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=2', 'group.min.session.timeout.ms=1000']);
  const client = await openClient({ bootstrapServer: b.bootstrap });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'shared', numPartitions: 4 }]);
  // kcat joins first and leads the group: librdkafka reads the kts subscription and assigns it.
  const kcatProc = spawn('kcat', ['-u', '-b', b.bootstrap, '-G', 'mix', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=3000', '-q', '-f', '%p %s\\n', 'shared'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => kcatProc.kill('SIGKILL'));
  let kcatOut = '';
  kcatProc.stdout.on('data', (d: Buffer) => (kcatOut += d.toString()));
  await waitFor('kcat to form the group', async () => (await client.groups.describeGroup('mix')).state === 'Stable', 15_000);

  const c = client.groupConsumer({ 'group.id': 'mix', 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '200', 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '50' });
  c.subscribe(['shared']);
  const got: string[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) for (const r of await c.poll(100)) got.push(`${r.partition} ${r.value!.toString()}`);
  })();
  await waitFor('both members to own partitions', async () => {
    const d = await client.groups.describeGroup('mix');
    return d.state === 'Stable' && d.members.length === 2 && c.assignment().length > 0;
  }, 15_000);
  const d = await client.groups.describeGroup('mix');
  t.same(d.members.map((m) => m.assignment.length).sort(), [2, 2], 'range splits 4 partitions 2/2');

  const p = client.producer({ 'linger.ms': '0' });
  for (let i = 0; i < 40; i++) await p.send({ topic: 'shared', partition: i % 4, value: `v${i}` });
  await p.close();
  const kcatLines = () => kcatOut.split('\n').filter(Boolean);
  await waitFor('all 40 records', () => got.length + kcatLines().length >= 40, 15_000);
  stop = true;
  await loop;
  await c.close();
  t.equal(got.length, 20, 'kts read its two partitions');
  t.equal(kcatLines().length, 20, 'kcat read the other two');
  t.same(got.filter((g) => kcatLines().includes(g)), [], 'no record read by both');
});

