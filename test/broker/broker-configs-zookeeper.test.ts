// Cluster mode: dynamic broker configs live in ZooKeeper as Kafka keeps them
// (/config/brokers/<default> and /config/brokers/<id>, change notifications in
// /config/changes), so a cluster-wide default set through one broker applies on every broker,
// survives a restart, and a config written the way Kafka 1.1's kafka-configs.sh --zookeeper
// writes it is applied.
import t from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kafka11Env, kafka11Home, kafka11Skip, runKafka11Tool } from '../helpers/kafka11.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { tempDir } from './helpers.js';

t.setTimeout(600_000);

interface Node {
  broker: Broker;
  bootstrap: string;
  dataDir: string;
}

t.test('dynamic broker configs in /config/brokers, shared by the brokers', { skip: needsZookeeper }, async (t) => {
  const zkServer = await startZooKeeper(t);
  const start = async (id: number, dataDir?: string): Promise<Node> => {
    const dir = dataDir ?? (await tempDir(t, `kts-brokercfg-zk-${id}-`));
    const config = buildBrokerConfig({
      dataDir: dir,
      env: {},
      overrides: ['listeners=PLAINTEXT://127.0.0.1:0', `zookeeper.connect=${zkServer.connect}`, `broker.id=${id}`, 'offsets.topic.replication.factor=1'],
    });
    const broker = await startBroker(config, { listen: true, log: memoryLogger() });
    t.teardown(() => broker.stop());
    return { broker, bootstrap: `127.0.0.1:${broker.boundPorts[0]!.port}`, dataDir: dir };
  };
  const describe = async (node: Node, id: number): Promise<string> => {
    const r = await runKts(['configs', '--bootstrap-server', node.bootstrap, '--describe', '--all', '--entity-type', 'brokers', '--entity-name', String(id)]);
    // A just-started broker answers BROKER_NOT_AVAILABLE until the controller's UpdateMetadata names it: callers wait.
    return r.code === 0 ? r.stdout : `failed: ${r.stderr}`;
  };
  const a = await start(1);
  let b = await start(2);
  const zk = await KafkaZkClient.connect({ connect: zkServer.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());

  const def = await runKts(['configs', '--bootstrap-server', a.bootstrap, '--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.retention.ms=3600000']);
  t.equal(def.code, 0, def.stderr);
  t.same(await zk.getEntityConfig('brokers', '<default>'), { 'log.retention.ms': '3600000' }, "Kafka's znode for the cluster-wide default");
  await waitFor('broker 2 applies the default set through broker 1', async () => ((await describe(b, 2)).includes('DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000') ? true : undefined));

  const own = await runKts(['configs', '--bootstrap-server', b.bootstrap, '--alter', '--entity-type', 'brokers', '--entity-name', '2', '--add-config', 'follower.replication.throttled.rate=1000000']);
  t.equal(own.code, 0, own.stderr);
  t.same(await zk.getEntityConfig('brokers', '2'), { 'follower.replication.throttled.rate': '1000000' }, 'per-broker znode');
  const one = await describe(a, 1);
  t.match(one, /DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=3600000/, 'broker 1 describes its configs');
  t.notOk(one.includes('DYNAMIC_BROKER_CONFIG:follower.replication.throttled.rate'), "broker 1 does not take broker 2's own config");

  const bad = await runKts(['configs', '--bootstrap-server', a.bootstrap, '--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'num.io.threads=4']);
  t.not(bad.code, 0, 'a key kts cannot change at runtime is refused');
  t.same(await zk.getEntityConfig('brokers', '<default>'), { 'log.retention.ms': '3600000' }, 'and ZooKeeper is untouched');

  // Restart broker 2 on a fresh data dir: it reads both scopes from ZooKeeper, not from its disk.
  await b.broker.stop();
  b = await start(2);
  const after = await waitFor('broker 2 to describe its configs after the restart', async () => {
    const out = await describe(b, 2);
    return out.startsWith('failed: ') ? undefined : out;
  });
  t.match(after, /DYNAMIC_BROKER_CONFIG:follower\.replication\.throttled\.rate=1000000/, 'per-broker config after restart');
  t.match(after, /DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=3600000/, 'default after restart');

  // Written straight to ZooKeeper (as kafka-configs.sh --zookeeper does), with a notification.
  await zk.setEntityConfig('brokers', '<default>', { 'log.retention.ms': '7200000' });
  await waitFor('both brokers apply a change written to ZooKeeper', async () => {
    const both = [await describe(a, 1), await describe(b, 2)];
    return both.every((s) => s.includes('DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000')) ? true : undefined;
  });

  if (kafka11Skip) {
    t.comment(`Kafka 1.1's kafka-configs.sh step skipped: ${kafka11Skip}`);
    return;
  }
  const home = kafka11Home();
  const logs = await tempDir(t, 'kts-brokercfg-k11-logs-');
  const out = await runKafka11Tool(home, kafka11Env(logs), 'kafka-configs.sh', ['--zookeeper', zkServer.connect, '--alter', '--entity-type', 'brokers', '--entity-name', '1', '--add-config', 'leader.replication.throttled.rate=2000000']);
  t.equal(out.code, 0, out.out);
  await waitFor("broker 1 applies Kafka 1.1's kafka-configs.sh --zookeeper change", async () =>
    (await describe(a, 1)).includes('DYNAMIC_BROKER_CONFIG:leader.replication.throttled.rate=2000000') ? true : undefined,
  );
});
