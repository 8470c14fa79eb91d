// Issue 13, the transactional producer that stalled with "Closed connection" after a migration
// step. kafkajs 2.2.4 asks only its seed broker (the first bootstrap address it reaches) for
// ApiVersions and uses those versions with every broker of the cluster (BrokerPool passes
// the seed's versions to each broker it creates). A kafkajs client created after broker 1
// became kts (the test replaces its transactional producer after an error) took kts's
// versions (Produce v7, FindCoordinator v2, InitProducerId v1, ...) to the Kafka 1.1
// brokers, which cannot parse them and close the connection: "Closed connection" on every
// request to them, while the clients created earlier (seeded by a Kafka broker) went on.
// Fixed in kts: under inter.broker.protocol.version=1.1 a kts broker advertises no higher
// versions than Kafka 1.1 serves (src/protocol/kafka-api-versions.ts).
// Here, deterministically: one Kafka 1.1 broker and one kts broker (inter.broker.protocol.version=1.1),
// a topic and the transaction coordinator on the Kafka broker, kafkajs seeded by the kts broker;
// and Kafka 1.1's kafka-broker-api-versions.sh run against both brokers.
// Skips without ../shared/kafka-1.1, Java or ZooKeeper.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { kafka11Skip, startKafka11 } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';
import { waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { ONE_BROKER_TXN_PROPERTIES, kafka11Tool } from '../helpers/mixed-cluster.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = kafka11Skip || needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('kafkajs seeded by a kts broker works with the Kafka 1.1 brokers of the cluster', { skip, timeout: 600_000 }, async (t: Test) => {
  const zk = await startZooKeeper(t);
  const k1 = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect, properties: ONE_BROKER_TXN_PROPERTIES });
  const dir = mkdtempSync(join(tmpdir(), 'kts-seed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kts = await startBrokerProcess(t, 2, dir, zk.connect, ONE_BROKER_TXN_PROPERTIES);
  // What each broker advertises, as Kafka 1.1's own tool prints it (a section per broker of
  // the cluster, "127.0.0.1:port (id: 1 rack: null) -> (" then lines "Produce(0): 0 to 5 [usable: 5]").
  const out = await kafka11Tool('kafka-broker-api-versions.sh', ['--bootstrap-server', k1.bootstrap]);
  const advertised = (id: number): Map<string, number> => {
    const section = out.split(/^(?=\S+ \(id: )/m).find((s) => s.includes(`(id: ${id} `)) ?? '';
    return new Map([...section.matchAll(/^\s*(\w+\(\d+\)): (\d+)(?: to (\d+))?/gm)].map((m) => [m[1]!, Number(m[3] ?? m[2])]));
  };
  const [onKafka, onKts] = [advertised(1), advertised(2)];
  t.ok(onKafka.size >= 40 && onKts.size >= 40, `kafka-broker-api-versions.sh lists both brokers' APIs (${onKafka.size} and ${onKts.size})`);
  const higher = [...onKts].filter(([api, max]) => onKafka.has(api) && max > onKafka.get(api)!).map(([api, max]) => `${api} ${max} > ${onKafka.get(api)}`);
  t.same(higher, [], 'the kts broker (inter.broker.protocol.version=1.1) advertises no API Kafka 1.1 serves above the version Kafka 1.1 serves');
  const logs = (): string => `kts broker log (last 4 kB):\n${kts.output().slice(-4096)}`;
  // Everything on the Kafka broker: the topic and __transaction_state (its only replica).
  await kafka11Tool('kafka-topics.sh', ['--zookeeper', zk.connect, '--create', '--topic', 'on-kafka', '--replica-assignment', '1']);
  await kafka11Tool('kafka-topics.sh', ['--zookeeper', zk.connect, '--create', '--topic', '__transaction_state', '--replica-assignment', '1', '--config', 'cleanup.policy=compact']);

  // kafkajs takes its versions from the first bootstrap address: the kts broker.
  const kafka = new kafkajs.Kafka({
    brokers: [kts.bootstrap, k1.bootstrap],
    clientId: 'seed-versions',
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 },
  });
  const producer = kafka.producer({ transactionalId: 'seeded-by-kts', idempotent: true, maxInFlightRequests: 1 });
  t.teardown(() => producer.disconnect().catch(() => undefined));
  try {
    // The first transactional request goes to the coordinator: Kafka broker 1.
    await waitForDespiteErrors('a kafkajs transactional producer seeded by kts to connect', async () => {
      await producer.connect();
      return true;
    }, 60_000);
    const tx = await producer.transaction();
    const [meta] = await tx.send({ topic: 'on-kafka', acks: -1, messages: [{ value: 'v1', partition: 0 }] });
    await tx.commit();
    t.equal(meta?.errorCode, 0, 'a transaction through the Kafka 1.1 coordinator and leader commits');
  } catch (err) {
    t.fail(`kafkajs seeded by kts failed against Kafka 1.1: ${(err as Error).name}: ${(err as Error).message}\n${logs()}`);
  }
});
