// A standby kts controller on a real ZooKeeper: its /controller watch survives a connection
// loss (the same session comes back: ZooKeeper re-arms the watch), so it takes the seat when
// the active controller leaves; and a controller elected again and again keeps one watch per
// broker registration (each failover used to add one more, so a broker's change became as
// many BrokerModifications events as there had been failovers).
import t from 'tap';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { KafkaController } from '../../src/controller/kafka-controller.js';
import { controllerZkOf } from '../../src/controller/zk-adapter.js';
import { memoryLogger } from '../../src/util/logger.js';

const endpoints = [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19099 }];

t.test('a standby controller hears /controller empty after a connection loss', { skip: needsZookeeper }, async (t) => {
  // tickTime 500: sessions up to 10 s, far above the cut, so the session survives it.
  const server = await startZooKeeper(t, { tickTimeMs: 500 });
  const proxy = await tcpProxy(server.port);
  t.teardown(() => proxy.close());
  const log = memoryLogger();
  t.teardown(() => {
    if (!t.passing()) console.error(log.lines.join('\n'));
  });
  const zkA = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log });
  t.teardown(() => zkA.close());
  await zkA.createTopLevelPaths();
  const zkB = await KafkaZkClient.connect({ connect: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log });
  t.teardown(() => zkB.close());
  const a = new KafkaController({ brokerId: 1, zk: controllerZkOf(zkA), log, config: { autoLeaderRebalanceEnable: false } });
  t.teardown(() => a.shutdown());
  await a.startup();
  const b = new KafkaController({ brokerId: 2, zk: controllerZkOf(zkB), log, config: { autoLeaderRebalanceEnable: false } });
  t.teardown(() => b.shutdown());
  await b.startup();
  t.ok(a.isActive(), 'the first controller is active');
  t.equal(b.activeControllerId(), 1, 'the second stands by');
  let seatEvents = 0;
  zkB.watchController(() => seatEvents++);
  await zkB.getControllerId(); // the watch is in place on the server once this answers
  const session = zkB.zk.sessionId;

  proxy.cut();
  await waitFor('the standby to notice the lost connection', () => log.lines.some((l) => /Disconnected from ZooKeeper at 127\.0\.0\.1:\d+; reconnecting/.test(l)), 60_000);
  proxy.restore();
  // Two round trips: the first may be answered before the watches the client re-sends with its reconnect.
  t.equal(await zkB.getControllerId(), 1);
  t.equal(await zkB.getControllerId(), 1);
  t.equal(zkB.zk.sessionId, session, 'the same session: a connection loss, not an expiry');
  const before = seatEvents;

  await a.shutdown();
  await waitFor('the watch to report /controller deleted', () => seatEvents > before, 60_000);
  await waitFor('the standby to take over', () => b.isActive(), 60_000);
  t.equal(b.epoch, 2, 'with the next epoch');
  t.equal(await zkA.getControllerId(), 2);
  t.same(log.lines.filter((l) => /Controller event .* failed/.test(l)), [], 'no controller event failed');
});

t.test('one watch per broker registration, however often the controller is elected', { skip: needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t);
  const log = memoryLogger();
  t.teardown(() => {
    if (!t.passing()) console.error(log.lines.join('\n'));
  });
  const zk = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log });
  t.teardown(() => zk.close());
  await zk.createTopLevelPaths();
  await zk.registerBroker({ id: 7, endpoints });
  const port = controllerZkOf(zk);
  let first = 0;
  let second = 0;
  port.watchBroker(7, () => first++);
  port.watchBroker(7, () => second++);
  // Registered last on the same path: ZooKeeper's notification reaches every watch of the path
  // at once, so when this one has fired the two above have had theirs.
  let observed = 0;
  zk.watchBroker(7, () => observed++);
  await zk.getBroker(7);
  await zk.updateBrokerInfo({ id: 7, endpoints: [{ ...endpoints[0]!, port: 19100 }] });
  await waitFor('the registration change', () => observed >= 1, 60_000);
  t.same([first, second], [1, 0], 'the first handler fired once; a second watch of the same broker was not added');
});
