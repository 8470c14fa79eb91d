// ZooKeeper sessions as Kafka needs them, on a real server: a server that is down at start,
// a session expired by the server (closed from a second client), and a server that stops
// answering (SIGSTOP): each ends in onSessionExpired, then onNewSession with a fresh session
// in which the broker re-registers and the watches work again.
import t from 'tap';
import zookeeper from 'node-zookeeper-client';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { freePort, needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { KafkaZkClient, ZkConnectionError } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';
import { waitFor } from '../helpers/cluster-checks.js';

const endpoints = [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19091 }];

t.test('ZooKeeper down at start: retried until the connection timeout, then a clear error', async (t) => {
  const port = await freePort();
  const log = memoryLogger();
  const err = await KafkaZkClient.connect({ connect: `127.0.0.1:${port}/kafka`, sessionTimeoutMs: 6000, connectionTimeoutMs: 1500, log }).catch((e: unknown) => e);
  t.type(err, ZkConnectionError);
  t.match((err as Error).message, new RegExp(`could not connect to ZooKeeper at 127\\.0\\.0\\.1:${port} within 1500 ms`));
  t.ok(log.lines.some((l) => l.includes('Still waiting for ZooKeeper')), 'progress logged while retrying');
  await t.rejects(KafkaZkClient.connect({ connect: 'host:99999', sessionTimeoutMs: 6000, connectionTimeoutMs: 1500, log }), /zookeeper.connect "host:99999" is invalid: port 99999/);
  await t.rejects(KafkaZkClient.connect({ connect: '127.0.0.1:2181/', sessionTimeoutMs: 6000, connectionTimeoutMs: 1500, log }), /chroot/);
});

t.test('session loss and a new session', { skip: needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t, { tickTimeMs: 500 });

  t.test('expired by the server (closed from another client during a network cut)', async (t) => {
    const log = memoryLogger();
    const proxy = await tcpProxy(server.port);
    t.teardown(() => proxy.close());
    const zk = await KafkaZkClient.connect({ connect: `127.0.0.1:${proxy.port}/s1`, sessionTimeoutMs: 4000, connectionTimeoutMs: 10_000, log });
    t.teardown(() => zk.close());
    await zk.createTopLevelPaths();
    const events: string[] = [];
    let brokerChanges = 0;
    zk.watchBrokerIds(() => brokerChanges++);
    zk.onSessionExpired(() => events.push('expired'));
    zk.onNewSession(() => {
      events.push('new');
      void zk.registerBroker({ id: 1, endpoints }).then(() => events.push('registered'));
    });
    const firstEpoch = await zk.registerBroker({ id: 1, endpoints });
    const firstSession = zk.zk.sessionId;
    await waitFor('first registration seen', () => brokerChanges === 1, 60_000);

    // The network cuts; meanwhile a second client attaches to the session and closes it (so
    // the server ends it); when the network is back the server tells our client it expired.
    proxy.cut();
    const other = zookeeper.createClient(`${server.connect}/s1`, { sessionTimeout: 4000, sessionId: sessionIdBuffer(firstSession), sessionPassword: zk.zk.sessionPassword });
    await new Promise<void>((resolve) => {
      other.once('connected', () => resolve());
      other.connect();
    });
    other.close();
    await new Promise((r) => other.once('disconnected', r));
    proxy.restore();

    await waitFor('re-registration', () => events.includes('registered'), 60_000);
    t.same(events.slice(0, 2), ['expired', 'new']);
    t.not(zk.zk.sessionId, firstSession, 'a new session');
    const reg = await zk.zk.getData('/brokers/ids/1');
    t.equal(reg?.stat.ephemeralOwner, zk.zk.sessionId, 'registration owned by the new session');
    t.not(reg?.stat.czxid, firstEpoch, 'a new broker epoch');
    t.ok(log.lines.some((l) => /session 0x[0-9a-f]+ lost \(expired\)/.test(l)));
    const before = brokerChanges;
    await zk.zk.create('/brokers/ids/2', Buffer.from('{}'), 'ephemeral');
    await waitFor('watch re-armed in the new session', () => brokerChanges > before, 60_000);
  });

  t.test('server stops answering (SIGSTOP): lost after the session timeout', async (t) => {
    const log = memoryLogger();
    const zk = await KafkaZkClient.connect({ connect: `${server.connect}/s2`, sessionTimeoutMs: 2000, connectionTimeoutMs: 20_000, log });
    t.teardown(() => zk.close());
    await zk.createTopLevelPaths();
    await zk.registerBroker({ id: 7, endpoints });
    t.equal(await zk.tryCreateControllerZnode(7), true);
    const firstSession = zk.zk.sessionId;
    const events: string[] = [];
    zk.onSessionExpired(() => events.push('expired'));
    zk.onNewSession(() => events.push('new'));
    server.pause();
    t.teardown(() => server.resume());
    await waitFor('session declared lost while the server is silent', () => events.includes('expired'), 60_000);
    t.same(events, ['expired'], 'no new session while the server is stopped');
    t.ok(log.lines.some((l) => l.includes('not confirmed by ZooKeeper within')));
    server.resume();
    await waitFor('new session', () => events.includes('new'), 60_000);
    t.not(zk.zk.sessionId, firstSession);
    // Our old session's ephemerals vanish when the server expires it; registering waits for that.
    await zk.registerBroker({ id: 7, endpoints });
    t.equal((await zk.zk.getData('/brokers/ids/7'))?.stat.ephemeralOwner, zk.zk.sessionId);
    await waitFor('old /controller gone', async () => (await zk.getControllerId()) === undefined || (await zk.tryCreateControllerZnode(7)), 60_000);
    t.equal(await zk.tryCreateControllerZnode(7), true, 'can be elected again in the new session');
  });
});

t.test('close() while a lost session is being replaced', { skip: needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t, { tickTimeMs: 500 });
  const zk = await KafkaZkClient.connect({ connect: `${server.connect}/s3`, sessionTimeoutMs: 2000, connectionTimeoutMs: 60_000, log: memoryLogger() });
  const events: string[] = [];
  zk.onSessionExpired(() => events.push('expired'));
  zk.onNewSession(() => events.push('new'));
  server.pause();
  t.teardown(() => server.resume());
  await waitFor('session lost', () => events.includes('expired'), 60_000);
  await zk.close();
  await t.rejects(zk.getAllTopics(), /ZooKeeper client is closed/);
  server.resume();
  await new Promise((r) => setTimeout(r, 500));
  t.same(events, ['expired'], 'no new session after close()');
});

function sessionIdBuffer(id: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(id);
  return b;
}
