// Consumer groups with kafkajs against a real kts broker: two consumers split a topic
// with no record read twice, a member leaving hands its partitions over, committed
// offsets survive a broker restart, admin describe/list/delete groups and offsets.
import t from 'tap';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { runBroker, tempDir, type RunningBroker } from './helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const GROUP_OVERRIDES = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=5'];

function kafka(b: RunningBroker, clientId = 'kts-group-test'): Kafka {
  return new Kafka({ clientId, brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

async function produce(k: Kafka, topic: string, count: number, prefix: string): Promise<void> {
  const producer = k.producer();
  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i}`, value: `${prefix}-${i}` }));
  await producer.send({ topic, messages });
  await producer.disconnect();
}

function startConsumer(k: Kafka, groupId: string, topic: string, seen: Map<string, string[]>, name: string): { consumer: Consumer; run: Promise<void> } {
  const consumer = k.consumer({ groupId, sessionTimeout: 3000, rebalanceTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  const run = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 100,
      eachMessage: async ({ message }: EachMessagePayload) => {
        const v = message.value!.toString();
        seen.set(v, [...(seen.get(v) ?? []), name]);
      },
    });
  })();
  return { consumer, run };
}

t.test('two kafkajs consumers split a 6-partition topic; offsets survive a restart', async (t) => {
  const dir = await tempDir(t);
  let b = await runBroker(t, GROUP_OVERRIDES, dir);
  let k = kafka(b);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }] });
  await produce(k, 'orders', 60, 'a');

  const seen = new Map<string, string[]>();
  const c1 = startConsumer(k, 'g1', 'orders', seen, 'c1');
  const c2 = startConsumer(k, 'g1', 'orders', seen, 'c2');
  await Promise.all([c1.run, c2.run]);
  await waitFor('all 60 records', () => seen.size === 60, 15_000);
  const dupes = [...seen.values()].filter((who) => who.length > 1);
  t.equal(dupes.length, 0, 'no record consumed twice');

  const described = await admin.describeGroups(['g1']);
  const g = described.groups[0]!;
  t.equal(g.state, 'Stable');
  t.equal(g.protocolType, 'consumer');
  t.equal(g.members.length, 2, 'two members');
  const groups = await admin.listGroups();
  t.same(groups.groups.map((x) => x.groupId), ['g1']);

  // c2 leaves: c1 takes every partition, new records all go to c1.
  await c2.consumer.disconnect();
  await produce(k, 'orders', 30, 'b');
  await waitFor('the 30 new records', () => seen.size === 90, 15_000);
  const afterLeave = [...seen.entries()].filter(([v]) => v.startsWith('b-'));
  t.ok(afterLeave.every(([, who]) => who.length === 1 && who[0] === 'c1'), 'c1 reads everything after c2 left');

  // Let auto commit land, then stop (kafkajs commits on disconnect as well).
  await c1.consumer.disconnect();
  const committed = await admin.fetchOffsets({ groupId: 'g1', topics: ['orders'] });
  const total = committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
  t.equal(total, 90, 'committed offsets cover all 90 records');
  await admin.disconnect();

  await b.broker.stop();
  b = await runBroker(t, GROUP_OVERRIDES, dir);
  k = kafka(b);
  const admin2 = k.admin();
  await admin2.connect();
  t.teardown(() => admin2.disconnect());
  const again = await admin2.fetchOffsets({ groupId: 'g1', topics: ['orders'] });
  t.equal(again[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0), 90, 'offsets survive the restart');
  t.same((await admin2.listGroups()).groups.map((x) => x.groupId), ['g1'], 'the group survives the restart');

  await produce(k, 'orders', 12, 'c');
  const seen2 = new Map<string, string[]>();
  const c3 = startConsumer(k, 'g1', 'orders', seen2, 'c3');
  await c3.run;
  await waitFor('the 12 records after restart', () => seen2.size >= 12, 15_000);
  t.ok([...seen2.keys()].every((v) => v.startsWith('c-')), 'resumes from the committed offsets');
  await c3.consumer.disconnect();

  await admin2.deleteGroups(['g1']);
  t.same((await admin2.listGroups()).groups, [], 'deleted');
});

t.test('admin offset management: setOffsets, describe Empty and unknown groups, delete unknown', async (t) => {
  const b = await runBroker(t, GROUP_OVERRIDES);
  const k = kafka(b);
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 't', numPartitions: 2 }] });
  await produce(k, 't', 10, 'x');
  await admin.setOffsets({ groupId: 'g2', topic: 't', partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '1' }] });
  const o = await admin.fetchOffsets({ groupId: 'g2', topics: ['t'] });
  t.same(o[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '3'], [1, '1']]);
  const d = await admin.describeGroups(['g2']);
  t.equal(d.groups[0]!.state, 'Empty');
  const unknown = await admin.describeGroups(['nope']);
  t.equal(unknown.groups[0]!.state, 'Dead');
  await t.rejects(admin.deleteGroups(['nope']));
});
