// Cluster-mode keys of server.properties (Kafka's ZooKeeper mode): Kafka 1.1's own
// config/server.properties is accepted (thread-tuning keys in one warning line), the cluster
// keys are typed and validated, and what kts cannot do is refused with a clear message.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { parseProperties } from '../../src/broker/properties.js';
import { KtsError } from '../../src/util/errors.js';
import { localZooKeeperConfig } from '../../src/zk/local-server.js';

// The settings of Kafka 1.1.0's config/server.properties (its comments left out).
const KAFKA_11_SERVER_PROPERTIES = `
broker.id=0
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kafka-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
zookeeper.connect=localhost:2181
zookeeper.connection.timeout.ms=6000
group.initial.rebalance.delay.ms=0
`;

const build = (text: string, overrides: string[] = []) =>
  buildBrokerConfig({ fileEntries: parseProperties(text, 'server.properties'), overrides, source: 'server.properties', env: {} });

const failure = (text: string, overrides: string[] = []): KtsError => {
  try {
    build(text, overrides);
  } catch (err) {
    if (err instanceof KtsError) return err;
    throw err;
  }
  throw new Error('expected a config error');
};

t.test("Kafka 1.1's server.properties starts a cluster-mode config", async (t) => {
  const c = build(KAFKA_11_SERVER_PROPERTIES);
  t.equal(c.nodeId, 0);
  t.equal(c.raw['zookeeper.connect'], 'localhost:2181');
  t.same(c.logDirs, ['/tmp/kafka-logs']);
  const noEffect = c.warnings.filter((w) => w.includes('no effect'));
  t.equal(noEffect.length, 1, 'one warning line for the thread and socket tuning keys');
  t.match(noEffect[0], /num\.network\.threads, num\.io\.threads, socket\.send\.buffer\.bytes, socket\.receive\.buffer\.bytes, num\.recovery\.threads\.per\.data\.dir have no effect/);
});

t.test('cluster keys with their types and ranges', async (t) => {
  const zk = 'zookeeper.connect=127.0.0.1:2181/kafka\nbroker.id=1\n';
  const c = build(
    zk +
      [
        'zookeeper.session.timeout.ms=18000',
        'broker.id.generation.enable=true',
        'reserved.broker.max.id=1000',
        'broker.rack=r1',
        'controlled.shutdown.enable=true',
        'controlled.shutdown.max.retries=3',
        'controlled.shutdown.retry.backoff.ms=5000',
        'unclean.leader.election.enable=false',
        'auto.leader.rebalance.enable=true',
        'leader.imbalance.per.broker.percentage=10',
        'leader.imbalance.check.interval.seconds=300',
        'replica.lag.time.max.ms=30000',
        'replica.fetch.max.bytes=1048576',
        'replica.fetch.min.bytes=1',
        'replica.fetch.wait.max.ms=500',
        'replica.fetch.backoff.ms=1000',
        'replica.fetch.response.max.bytes=10485760',
        'num.replica.fetchers=1',
        'replica.high.watermark.checkpoint.interval.ms=5000',
        'replica.socket.timeout.ms=30000',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'offsets.topic.replication.factor=3',
        'transaction.state.log.replication.factor=3',
        'transaction.state.log.min.isr=2',
        'log.segment.delete.delay.ms=60000',
        'delete.topic.enable=true',
        'inter.broker.protocol.version=1.1',
        'inter.broker.listener.name=PLAINTEXT',
        'leader.replication.throttled.rate=1000000',
        'follower.replication.throttled.rate=1000000',
        'controller.socket.timeout.ms=30000',
        'request.timeout.ms=30000',
      ].join('\n'),
  );
  t.equal(c.defaultReplicationFactor, 3, 'a replication factor above 1 is fine in a cluster');
  t.equal(c.topicDefaults['min.insync.replicas'], '2');
  t.equal(c.topicDefaults['unclean.leader.election.enable'], 'false');
  t.equal(c.topicDefaults['file.delete.delay.ms'], '60000');
  t.same(c.warnings, [], 'every cluster key is used, none warned about');

  t.match(failure(zk + 'controlled.shutdown.enable=maybe').message, /invalid value 'maybe' for controlled.shutdown.enable/);
  t.match(failure(zk + 'replica.fetch.max.bytes=lots').message, /replica.fetch.max.bytes: not a number/);
  t.match(failure(zk + 'num.replica.fetchers=0').message, /num.replica.fetchers: must be at least 1/);
  t.match(failure(zk + 'zookeeper.max.in.flight.requests=0').message, /zookeeper.max.in.flight.requests: must be at least 1/);
  t.doesNotThrow(() => build(zk + 'zookeeper.max.in.flight.requests=100'));
  t.match(failure(zk + 'inter.broker.protocol.version=banana').message, /inter.broker.protocol.version: not a Kafka version/);
  t.doesNotThrow(() => build(zk + 'inter.broker.protocol.version=0.10.2-IV0'));
  t.match(failure('default.replication.factor=3').message, /cannot be met: kts runs a single broker/, 'single-node mode still refuses it');
});

t.test('zookeeper.connect and zookeeper.set.acl', async (t) => {
  t.match(failure('zookeeper.connect=host:123456').message, /zookeeper.connect "host:123456" is invalid: port 123456 is out of range/);
  t.match(failure('zookeeper.connect=a:1,b:x').message, /"b:x" is not host:port/);
  t.match(failure('zookeeper.connect=127.0.0.1:2181/kafka/').message, /chroot/);
  const acl = failure('zookeeper.connect=127.0.0.1:2181\nzookeeper.set.acl=true');
  t.match(acl.message, /zookeeper.set.acl=true is not supported yet/);
  t.match(acl.hint, /zookeeper.set.acl=false/);
  t.doesNotThrow(() => build('zookeeper.connect=127.0.0.1:2181\nzookeeper.set.acl=false'));
  t.match(failure('zookeeper.connect=127.0.0.1:2181\nzookeeper.ssl.client.enable=true').message, /zookeeper.ssl.client.enable=true is not supported yet/);
  const tlsOff = build('zookeeper.connect=127.0.0.1:2181\nzookeeper.ssl.client.enable=false\nzookeeper.ssl.keystore.location=/k.jks\nzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty');
  t.same(tlsOff.warnings, ['Configs zookeeper.ssl.keystore.location, zookeeper.clientCnxnSocket have no effect in kts: ZooKeeper TLS is off (zookeeper.ssl.client.enable=false).']);
});

t.test('broker.id, generation and reserved.broker.max.id', async (t) => {
  const zk = 'zookeeper.connect=127.0.0.1:2181\n';
  t.equal(build(zk).nodeId, -1, 'cluster mode without an id: generated (Kafka’s default broker.id=-1)');
  t.equal(build(zk + 'broker.id=-1').nodeId, -1);
  t.equal(build(zk + 'broker.id=1000').nodeId, 1000);
  t.match(failure(zk + 'broker.id=1001').message, /broker.id=1001 is above reserved.broker.max.id=1000/);
  t.equal(build(zk + 'broker.id=1001\nbroker.id.generation.enable=false').nodeId, 1001);
  t.equal(build(zk + 'broker.id=1500\nreserved.broker.max.id=2000').nodeId, 1500);
  t.match(failure(zk + 'broker.id.generation.enable=false').message, /broker.id is not set and broker.id.generation.enable=false/);
  t.match(failure('broker.id=-1').message, /needs a cluster/, 'single-node mode cannot generate ids');
  t.match(failure(zk + 'broker.id=-2').message, /must be at least -1/);
  t.equal(build('').nodeId, 1, 'single-node default unchanged');
});

t.test('examples/cluster: three brokers with distinct ports and log dirs, one ZooKeeper', async (t) => {
  const dir = fileURLToPath(new URL('../../examples/cluster/', import.meta.url));
  const configs = [1, 2, 3].map((n) => build(readFileSync(`${dir}server-${n}.properties`, 'utf8')));
  t.same(configs.map((c) => c.nodeId), [1, 2, 3]);
  t.equal(new Set(configs.map((c) => c.listeners[0]!.port)).size, 3);
  t.equal(new Set(configs.map((c) => c.logDirs[0])).size, 3);
  t.ok(configs.every((c) => c.logDirs[0]!.startsWith('/tmp/')));
  t.same(new Set(configs.map((c) => c.raw['zookeeper.connect'])), new Set(['127.0.0.1:2181/kts']));
  t.same(configs.flatMap((c) => c.warnings), [], 'no warnings');
  const zk = localZooKeeperConfig(new Map(parseProperties(readFileSync(`${dir}zookeeper.properties`, 'utf8')).map((e) => [e.key, e.value] as const)), 'zookeeper.properties');
  t.match(zk, { clientPort: 2181, host: '127.0.0.1', dataDir: '/tmp/kts-cluster/zookeeper', adminServerSet: true });
});
