// A real Kafka 1.1 broker (and controller) on a ZooKeeper that KafkaZkClient shares: kts
// decodes what Kafka writes (broker registration, /controller, /controller_epoch, the
// producer id block, the state znodes its controller creates for a topic kts wrote), and
// Kafka acts on what kts writes (a topic assignment). Skips without ../shared/kafka-1.1.
import t from 'tap';
import { kafka11Skip, startKafka11 } from '../helpers/kafka11.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

t.test('Kafka 1.1 broker and KafkaZkClient on one ZooKeeper', { skip: kafka11Skip || needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t);
  const connect = `${server.connect}/mixed`;
  const zk = await KafkaZkClient.connect({ connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  await zk.createTopLevelPaths();
  let brokerEvents = 0;
  zk.watchBrokerIds(() => brokerEvents++);
  const kafka = await startKafka11(t, { brokerId: 5, zookeeperConnect: connect, properties: { 'broker.rack': 'rack-a' } });

  const brokers = await zk.getAllBrokers();
  t.equal(brokers.length, 1);
  t.match(brokers[0], { id: 5, rack: 'rack-a', jmxPort: -1, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: kafka.port }] });
  t.type(brokers[0]!.epoch, 'bigint');
  t.ok(brokerEvents >= 1, 'the registration fired our watch');
  t.equal(await waitFor('controller', () => zk.getControllerId(), 60_000), 5, 'Kafka’s /controller decodes');
  const epoch = await zk.getControllerEpoch();
  t.equal(epoch?.epoch, 1, "Kafka's /controller_epoch decodes");
  const clusterId = await zk.getClusterId();
  t.match(clusterId, /^[A-Za-z0-9_-]{22}$/, 'Kafka’s /cluster/id decodes');

  // kts writes a topic the way CreateTopics on a kts broker will; Kafka's controller elects leaders.
  await zk.createTopic('from-kts', new Map([[0, [5]], [1, [5]]]), { 'retention.ms': '3600000' });
  const states = await waitFor('state znodes from Kafka’s controller', async () => {
    const s = await zk.getPartitionStates([{ topic: 'from-kts', partition: 0 }, { topic: 'from-kts', partition: 1 }]);
    return s.size === 2 ? s : undefined;
  }, 60_000);
  t.same(states.get('from-kts-0'), { state: { leader: 5, leaderEpoch: 0, isr: [5], controllerEpoch: 1 }, zkVersion: 0 });

  // Kafka's transaction coordinator took the first producer id block at startup; kts takes the next.
  const block = await zk.allocateProducerIdBlock(7);
  t.equal(block.start % 1000n, 0n);
  t.ok(block.start >= 1000n, `a block after Kafka's (got ${block.start})`);

  // Deletion through the admin znode: Kafka's controller removes the topic znodes.
  await zk.createTopicDeletion('from-kts');
  // Kafka's controller removes /brokers/topics/T first and /admin/delete_topics/T last
  // (TopicDeletionManager.completeDeleteTopic): wait for the last step.
  await waitFor('topic deleted by Kafka', async () => ((await zk.getAllTopics()).includes('from-kts') ? undefined : true), 60_000);
  await waitFor('deletion request removed by Kafka', async () => ((await zk.getTopicDeletions()).length === 0 ? true : undefined), 60_000);
  t.same(await zk.getTopicDeletions(), [], 'Kafka cleared /admin/delete_topics');
  t.same(await zk.getEntityConfig('topics', 'from-kts'), {}, 'and the topic config');

  await kafka.kill();
  await waitFor('registration gone after the session expires', async () => ((await zk.getAllBrokers()).length === 0 ? true : undefined), 60_000);
});
