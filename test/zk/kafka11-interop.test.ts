// Kafka 1.1's own tools read and write the znodes kts's ZooKeeper layer writes and reads:
// `kafka-topics.sh --zookeeper --describe` prints a topic kts created (assignment, config,
// leader and ISR from the state znodes), a topic Kafka's tool creates reads back through
// KafkaZkClient, and `kafka-configs.sh --alter` reaches watchConfigChanges. Skips when
// ../shared/kafka-1.1 or ZooKeeper is absent.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafka11Env, kafka11Home, kafka11Skip, runKafka11Tool } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

const tool = (home: string, env: NodeJS.ProcessEnv, script: string, args: string[]) => runKafka11Tool(home, env, script, args, 60_000);

const endpoint = (port: number) => [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port }];

t.test('Kafka 1.1 tools and KafkaZkClient share the layout', { skip: kafka11Skip || needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t);
  const connect = `${server.connect}/k11`;
  const logDir = mkdtempSync(join(tmpdir(), 'kts-k11-tools-'));
  t.teardown(() => rmSync(logDir, { recursive: true, force: true }));
  const home = kafka11Home();
  const env = kafka11Env(logDir, 128);
  const open = async (): Promise<KafkaZkClient> => {
    const zk = await KafkaZkClient.connect({ connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
    t.teardown(() => zk.close());
    return zk;
  };
  const zk = await open();
  const zk2 = await open();
  await zk.createTopLevelPaths();
  await zk.getOrCreateClusterId('kts-cluster-id-000001');
  await zk.registerBroker({ id: 1, endpoints: endpoint(19091) });
  await zk2.registerBroker({ id: 2, endpoints: endpoint(19092) });
  t.equal(await zk.tryCreateControllerZnode(1), true);
  const fence = await zk.incrementControllerEpoch();

  // kts writes a topic; Kafka's tool describes it.
  await zk.createTopic('kts-topic', new Map([[0, [1, 2]], [1, [2, 1]]]), { 'min.insync.replicas': '2' });
  await zk.createPartitionStates(
    [
      { tp: { topic: 'kts-topic', partition: 0 }, state: { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: fence.epoch } },
      { tp: { topic: 'kts-topic', partition: 1 }, state: { leader: 2, leaderEpoch: 3, isr: [2], controllerEpoch: fence.epoch } },
    ],
    fence,
  );
  const described = await tool(home, env, 'kafka-topics.sh', ['--zookeeper', connect, '--describe', '--topic', 'kts-topic']);
  t.equal(described.code, 0, described.out);
  const lines = described.out.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
  t.same(lines, [
    'Topic:kts-topic PartitionCount:2 ReplicationFactor:2 Configs:min.insync.replicas=2',
    'Topic: kts-topic Partition: 0 Leader: 1 Replicas: 1,2 Isr: 1,2',
    'Topic: kts-topic Partition: 1 Leader: 2 Replicas: 2,1 Isr: 2',
  ]);

  // Kafka's tool creates a topic (rack-unaware assignment over the registered brokers 1, 2)
  // and alters a config; kts reads both and hears the change notification.
  const changes: string[] = [];
  zk2.watchConfigChanges((type, name) => changes.push(`${type}/${name}`));
  const created = await tool(home, env, 'kafka-topics.sh', ['--zookeeper', connect, '--create', '--topic', 'k11-topic', '--partitions', '3', '--replication-factor', '2', '--config', 'retention.ms=60000']);
  t.equal(created.code, 0, created.out);
  const assignment = (await zk.getReplicaAssignment(['k11-topic'])).get('k11-topic');
  t.equal(assignment?.assignment.size, 3);
  t.ok([...assignment!.assignment.values()].every((r) => r.length === 2 && new Set(r).size === 2 && r.every((b) => b === 1 || b === 2)));
  t.same(await zk.getEntityConfig('topics', 'k11-topic'), { 'retention.ms': '60000' });
  t.same(await zk.getAllTopics(), ['k11-topic', 'kts-topic']);

  const altered = await tool(home, env, 'kafka-configs.sh', ['--zookeeper', connect, '--alter', '--entity-type', 'topics', '--entity-name', 'kts-topic', '--add-config', 'cleanup.policy=compact']);
  t.equal(altered.code, 0, altered.out);
  t.same(await zk.getEntityConfig('topics', 'kts-topic'), { 'min.insync.replicas': '2', 'cleanup.policy': 'compact' });
  // By deadline, not 200 polls (5 s): a watch event can wait behind a starved event loop on a loaded CI machine.
  for (const deadline = Date.now() + 60_000; changes.length === 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 25));
  t.same(changes, ['topics/kts-topic'], 'the change notification Kafka 1.1 writes (version 2) is decoded');
});
