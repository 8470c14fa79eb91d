// The group coordinator and the active controller on one broker, SIGKILLed together: another
// broker becomes controller, elects new leaders for the __consumer_offsets partitions the dead
// broker led, and the kafkajs consumer group carries on from its committed offsets (none goes
// back, every record is consumed).
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';
import { offsetsPartitionFor } from '../../src/protocol/internal/consumer-offsets.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const OFFSETS_PARTITIONS = 3;

t.test('group coordinator and controller killed together', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': String(OFFSETS_PARTITIONS) });
  const bootstrap = cluster.bootstrap();
  const kafka = new kafkajs.Kafka({ brokers: bootstrap.split(','), clientId: 'coordinator-on-controller', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect().catch(() => undefined));
  const created = await runKts(['topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3', '--bootstrap-server', bootstrap]);
  t.equal(created.code, 0, created.stderr);

  // A group id whose __consumer_offsets partition the controller leads.
  await admin.fetchOffsets({ groupId: 'probe', topics: ['orders'] }).catch(() => undefined);
  const { groupId, controller } = await waitFor('a group id coordinated by the controller', async () => {
    const ctl = (await admin.describeCluster()).controller;
    const offsets = await describeTopic(bootstrap, '__consumer_offsets').catch(() => []);
    if (ctl === null || offsets.length !== OFFSETS_PARTITIONS || offsets.some((p) => p.isr.length !== 3)) return undefined;
    for (let i = 0; i < 50; i++) {
      const id = `ledger-${i}`;
      if (offsets.find((p) => p.partition === offsetsPartitionFor(id, OFFSETS_PARTITIONS))?.leader === ctl) return { groupId: id, controller: ctl };
    }
    return undefined;
  }, 60_000);

  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await Promise.all([producer.connect(), consumer.connect()]);
  t.teardown(() => Promise.all([producer.disconnect(), consumer.disconnect()]).catch(() => undefined));
  const send = (from: number, count: number) => producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `m${from + i}` })) });
  const committed = async (): Promise<Map<number, number>> => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: ['orders'] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  };
  const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + Math.max(0, b), 0);
  const seen = new Set<string>();
  await send(0, 200);
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  await waitFor('200 records consumed and committed', async () => (seen.size >= 200 && total(await committed()) === 200 ? true : undefined), 60_000);
  const before = await committed();

  await cluster.brokers.get(controller)!.kill();
  const newController = await waitFor('a new controller', async () => {
    const ctl = (await admin.describeCluster().catch(() => undefined))?.controller;
    return ctl !== undefined && ctl !== null && ctl !== controller ? ctl : undefined;
  }, 60_000);
  t.not(newController, controller, `broker ${newController} took over as controller from broker ${controller}`);
  const after = await waitFor('the new coordinator to answer OffsetFetch', async () => committed().catch(() => undefined), 60_000);
  t.same([...before].filter(([p, o]) => (after.get(p) ?? -1) < o), [], 'no committed offset went back');

  await send(200, 200);
  await waitFor('the group to consume and commit 400 records after the failover', async () => (seen.size >= 400 && total(await committed()) === 400 ? true : undefined), 90_000);
  t.equal(seen.size, 400, 'every record was consumed');
  await consumer.stop();
});
