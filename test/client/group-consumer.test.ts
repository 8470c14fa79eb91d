// The kts group consumer against a real kts broker: two kts consumers and one kafkajs
// consumer share a 6-partition topic (no partition owned twice, no record read twice),
// the split follows members joining and leaving, commits on revoke and close, and
// auto.offset.reset for partitions without commits.
import t from 'tap';
import { Kafka, logLevel, PartitionAssigners, type Consumer as KafkajsConsumer } from 'kafkajs';
import type { KafkaClient } from '../../src/client/index.js';
import type { GroupConsumer } from '../../src/client/group/index.js';
import { connect, startTestBroker, type TestBroker } from './helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const BROKER = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=3'];
const GROUP = { 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '200', 'auto.commit.interval.ms': '200', 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '100' };

/** Polls in the background until stopped; records go to `seen` (value → reader names). */
function pollLoop(c: GroupConsumer, name: string, seen: Map<string, string[]>): { stop: () => Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      for (const r of await c.poll(200)) {
        const v = r.value!.toString();
        seen.set(v, [...(seen.get(v) ?? []), name]);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function produce(client: KafkaClient, topic: string, prefix: string, count: number): Promise<void> {
  const p = client.producer({ 'linger.ms': '0' });
  for (let i = 0; i < count; i++) await p.send({ topic, key: `${prefix}${i}`, value: `${prefix}${i}` });
  await p.close();
}

/** kafkajs names its round robin assigner "RoundRobinAssigner"; Java and kts call it "roundrobin". */
function kafkajsRoundRobin() {
  return (config: Parameters<typeof PartitionAssigners.roundRobin>[0]) => {
    const inner = PartitionAssigners.roundRobin(config);
    return { ...inner, name: 'roundrobin', protocol: (s: { topics: string[] }) => ({ ...inner.protocol(s), name: 'roundrobin' }) };
  };
}

async function owners(client: KafkaClient, group: string): Promise<Map<string, string>> {
  const d = await client.groups.describeGroup(group);
  const m = new Map<string, string>();
  for (const member of d.members) for (const tp of member.assignment) {
    if (m.has(`${tp.topic}:${tp.partition}`)) throw new Error(`partition ${tp.topic}:${tp.partition} assigned twice`);
    m.set(`${tp.topic}:${tp.partition}`, member.memberId);
  }
  return m;
}

t.test('two kts consumers and a kafkajs consumer split a 6-partition topic', async (t) => {
  const broker: TestBroker = await startTestBroker(t, BROKER);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'six', numPartitions: 6 }]);
  await produce(client, 'six', 'a', 60);
  const seen = new Map<string, string[]>();

  const c1 = client.groupConsumer({ 'group.id': 'mixed', 'partition.assignment.strategy': 'roundrobin', ...GROUP });
  const c2 = client.groupConsumer({ 'group.id': 'mixed', 'partition.assignment.strategy': 'roundrobin', ...GROUP });
  c1.subscribe(['six']);
  c2.subscribe(['six']);
  const l1 = pollLoop(c1, 'kts1', seen);
  const l2 = pollLoop(c2, 'kts2', seen);

  const kafka = new Kafka({ clientId: 'kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const kjs: KafkajsConsumer = kafka.consumer({ groupId: 'mixed', sessionTimeout: 3000, rebalanceTimeout: 3000, heartbeatInterval: 200, maxWaitTimeInMs: 100, partitionAssigners: [kafkajsRoundRobin()] });
  await kjs.connect();
  await kjs.subscribe({ topic: 'six', fromBeginning: true });
  await kjs.run({
    autoCommitInterval: 200,
    eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      seen.set(v, [...(seen.get(v) ?? []), 'kafkajs']);
    },
  });

  await waitFor('three members own all six partitions', async () => (await client.groups.describeGroup('mixed')).state === 'Stable' && (await owners(client, 'mixed')).size === 6 && (await client.groups.describeGroup('mixed')).members.length === 3, 15_000);
  const split = await owners(client, 'mixed');
  t.equal(new Set(split.values()).size, 3, 'every member owns partitions');
  await produce(client, 'six', 'b', 60);
  await waitFor('all 120 records', () => seen.size === 120, 15_000);
  t.same([...seen.values()].filter((who) => who.length > 1), [], 'no record read twice');
  const readers = new Set([...seen.entries()].filter(([v]) => v.startsWith('b')).flatMap(([, who]) => who));
  t.same([...readers].sort(), ['kafkajs', 'kts1', 'kts2'], 'all three members read records');

  // kafkajs leaves: the two kts consumers take over its partitions.
  await kjs.disconnect();
  await waitFor('two members own all six partitions', async () => {
    const d = await client.groups.describeGroup('mixed');
    return d.state === 'Stable' && d.members.length === 2 && (await owners(client, 'mixed')).size === 6;
  }, 15_000);
  t.same(c1.assignment().length + c2.assignment().length, 6);
  await produce(client, 'six', 'c', 30);
  await waitFor('the next 30 records', () => seen.size === 150, 15_000);
  t.same([...seen.values()].filter((who) => who.length > 1), [], 'still no record read twice');

  // A kts consumer closes (commits, leaves): the last one owns everything.
  await l2.stop();
  await c2.close();
  await waitFor('c1 owns all six', () => c1.assignment().length === 6, 15_000);
  await produce(client, 'six', 'd', 12);
  await waitFor('the last 12 records', () => seen.size === 162, 15_000);
  t.ok([...seen.entries()].filter(([v]) => v.startsWith('d')).every(([, who]) => who.length === 1 && who[0] === 'kts1'));
  t.same([...seen.values()].filter((who) => who.length > 1), [], 'no record read twice overall');
  await l1.stop();
  await c1.close();
  const committed = await client.groups.fetchOffsets('mixed');
  t.equal(committed.reduce((n, o) => n + o.offset, 0), 162, 'commits cover every record');
  t.equal((await client.groups.describeGroup('mixed')).state, 'Empty');
});

t.test('rebalance listener, commit before revoke, auto.offset.reset=latest, resume from commits', async (t) => {
  const broker = await startTestBroker(t, BROKER);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'r', numPartitions: 2 }]);
  await produce(client, 'r', 'old', 10);
  const events: string[] = [];
  const c1 = client.groupConsumer({ 'group.id': 'g', ...GROUP, 'auto.offset.reset': 'latest', 'enable.auto.commit': 'false' });
  c1.subscribe(['r'], {
    onPartitionsAssigned: (ps) => void events.push(`assigned ${ps.map((p) => p.partition).join(',')}`),
    onPartitionsRevoked: (ps) => void events.push(`revoked ${ps.map((p) => p.partition).join(',')}`),
  });
  t.same(await c1.poll(300), [], 'latest: old records are skipped');
  t.same(events, ['assigned 0,1']);
  await produce(client, 'r', 'new', 4);
  const got: string[] = [];
  await waitFor('the 4 new records', async () => {
    for (const r of await c1.poll(200)) got.push(r.value!.toString());
    return got.length === 4;
  }, 15_000);
  await c1.commitSync();
  const committed = await c1.committed([{ topic: 'r', partition: 0 }, { topic: 'r', partition: 1 }]);
  t.equal([...committed.values()].reduce((a, b) => a + b, 0), 14);
  await c1.close();
  t.same(events, ['assigned 0,1', 'revoked 0,1']);

  await produce(client, 'r', 'more', 3);
  const c2 = client.groupConsumer({ 'group.id': 'g', ...GROUP, 'auto.offset.reset': 'earliest' });
  c2.subscribe(['r']);
  const again: string[] = [];
  await waitFor('the 3 records after the commit', async () => {
    for (const r of await c2.poll(200)) again.push(r.value!.toString());
    return again.length >= 3;
  }, 15_000);
  t.same(again.sort(), ['more0', 'more1', 'more2'], 'resumes from the committed offsets');
  await c2.close();
});

t.test('group config is validated', async (t) => {
  const broker = await startTestBroker(t, BROKER);
  const client = await connect(t, broker);
  t.throws(() => client.groupConsumer({}), /group\.id/);
  t.throws(() => client.groupConsumer({ 'group.id': 'x', 'partition.assignment.strategy': 'fancy' }), /Unknown partition.assignment.strategy/);
  t.throws(() => client.groupConsumer({ 'group.id': 'x', 'session.timeout.ms': 'soon' }), /session.timeout.ms/);
  const java = client.groupConsumer({ 'group.id': 'x', 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor' });
  t.same(java.settings.assignors.map((a) => a.name), ['roundrobin', 'cooperative-sticky']);
  await java.close();
});
