// Controller election on a real ZooKeeper: two kts controllers on separate sessions; the
// active one is cut off from ZooKeeper (a network partition through a TCP proxy): it
// resigns once it cannot confirm its session, the other takes over with a higher epoch,
// and the first one, back with a new session, stays standby. A clean shutdown hands
// /controller over at once. With delete.topic.enable=false, deletion requests are dropped.
import t from 'tap';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { KafkaController } from '../../src/controller/kafka-controller.js';
import { controllerZkOf } from '../../src/controller/zk-adapter.js';
import { memoryLogger } from '../../src/util/logger.js';

t.test('controller failover through /controller and /controller_epoch', { skip: needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t, { tickTimeMs: 500 });
  const proxy = await tcpProxy(server.port);
  t.teardown(() => proxy.close());
  const logA = memoryLogger();
  const logB = memoryLogger();
  // The controllers' logs explain a failure.
  t.teardown(() => {
    if (!t.passing()) console.error(`---- controller 1:\n${logA.lines.join('\n')}\n---- controller 2:\n${logB.lines.join('\n')}`);
  });
  const zkA = await KafkaZkClient.connect({ connect: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 2000, connectionTimeoutMs: 10_000, log: logA });
  t.teardown(() => zkA.close());
  await zkA.createTopLevelPaths();
  const zkB = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 2000, connectionTimeoutMs: 10_000, log: logB });
  t.teardown(() => zkB.close());

  const a = new KafkaController({ brokerId: 1, zk: controllerZkOf(zkA), log: logA, config: { autoLeaderRebalanceEnable: false, deleteTopicEnable: false } });
  t.teardown(() => a.shutdown());
  await a.startup();
  const b = new KafkaController({ brokerId: 2, zk: controllerZkOf(zkB), log: logB, config: { autoLeaderRebalanceEnable: false } });
  t.teardown(() => b.shutdown());
  await b.startup();
  t.ok(a.isActive(), 'the first to start is the controller');
  t.equal(a.epoch, 1);
  t.notOk(b.isActive());
  t.equal(b.activeControllerId(), 1, 'the other knows who is');

  proxy.cut();
  await waitFor('the cut-off controller resigns', () => !a.isActive());
  await waitFor('the other takes over', () => b.isActive());
  t.equal(b.epoch, 2, 'with a higher epoch');
  t.equal(await zkB.getControllerId(), 2);
  t.same(await zkB.getControllerEpoch().then((e) => e?.epoch), 2, '/controller_epoch is 2');
  t.ok(logA.lines.some((l) => /Controller 1 resigning \(ZooKeeper session expired\)/.test(l)), 'resigned because of the session');

  proxy.restore();
  await waitFor('the first controller has a new session and sees the new controller', () => a.activeControllerId() === 2);
  t.notOk(a.isActive(), 'it stays standby');

  await b.shutdown();
  await waitFor('the first controller is elected again', () => a.isActive());
  t.equal(a.epoch, 3, 'epoch 3 after the clean handover');
  t.equal(await zkA.getControllerId(), 1);

  // delete.topic.enable=false on this controller: deletion requests are removed, topics stay;
  // a request for a topic that does not exist is removed too.
  await zkA.createTopic('keep', new Map([[0, [1]]]), {});
  await zkA.createTopicDeletion('keep');
  await zkA.createTopicDeletion('never-existed');
  await waitFor('deletion requests removed', async () => (await zkA.getTopicDeletions()).length === 0);
  t.ok(await zkA.topicExists('keep'), 'the topic is not deleted');
  t.ok(logA.lines.some((l) => /since delete.topic.enable is false/.test(l)));
  t.same([...logA.lines, ...logB.lines].filter((l) => /Controller event .* failed/.test(l)), [], 'no controller event failed');
});
