// Cluster mode: SCRAM credentials live in ZooKeeper's /config/users/<user> as Kafka writes
// them, so a user created through one broker logs in on every broker (kcat), and a
// credential written the way kafka-configs.sh --zookeeper writes it is honoured.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { credentialFromSalted, formatCredential, saltedPassword } from '../../src/net/sasl/scram.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { createScramUser } from '../helpers/security.js';
import { tempDir } from './helpers.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';

const login = (port: number, user: string, password: string) =>
  kcat(['-b', `127.0.0.1:${port}`, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=SCRAM-SHA-256', '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`, '-L', '-m', '5'], undefined, 15_000);

t.test('SCRAM users in /config/users, shared by the brokers', { skip: needsZookeeper || needsKcat, timeout: 120_000 }, async (t) => {
  const zkServer = await startZooKeeper(t);
  const start = async (id: number): Promise<{ broker: Broker; ports: Record<string, number> }> => {
    const dataDir = await tempDir(t, `kts-scram-zk-${id}-`);
    const config = buildBrokerConfig({
      dataDir,
      env: {},
      overrides: [
        'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms=SCRAM-SHA-256',
        `zookeeper.connect=${zkServer.connect}`,
        `broker.id=${id}`,
        'offsets.topic.replication.factor=1',
      ],
    });
    const broker = await startBroker(config, { listen: true, log: memoryLogger() });
    t.teardown(() => broker.stop());
    return { broker, ports: Object.fromEntries(broker.boundPorts.map((b) => [b.name, b.port])) };
  };
  const a = await start(1);
  const b = await start(2);
  const created = await createScramUser(a.ports.PLAINTEXT!, 'alice', 'alice-secret', 'SCRAM-SHA-256', 8192);
  t.same(created.results, [{ user: 'alice', errorCode: 0, errorMessage: null }]);

  const zk = await KafkaZkClient.connect({ connect: zkServer.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const stored = await zk.getEntityConfig('users', 'alice');
  t.match(stored['SCRAM-SHA-256'], /^salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=8192$/, "Kafka's znode content");

  t.equal((await login(a.ports.SASL_PLAINTEXT!, 'alice', 'alice-secret')).code, 0, 'alice logs in on broker 1');
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'alice', 'alice-secret')).code, 0, 'and on broker 2, which never saw the request');
  t.not((await login(b.ports.SASL_PLAINTEXT!, 'alice', 'wrong')).code, 0, 'a wrong password still fails');

  // As kafka-configs.sh --zookeeper writes it: the znode plus a change notification.
  const salt = randomBytes(16);
  const credential = credentialFromSalted('SCRAM-SHA-256', saltedPassword('SCRAM-SHA-256', 'bob-secret', salt, 4096), salt, 4096);
  await zk.setEntityConfig('users', 'bob', { 'SCRAM-SHA-256': formatCredential(credential) });
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'bob', 'bob-secret')).code, 0, 'a credential written straight to ZooKeeper logs in');

  // kts configs (kafka-configs.sh --bootstrap-server) through broker 1, logins on broker 2.
  const configs = (port: number, args: string) => runKts(`configs --bootstrap-server 127.0.0.1:${port} ${args}`);
  const added = await configs(a.ports.PLAINTEXT!, "--alter --entity-type users --entity-name erin --add-config 'SCRAM-SHA-256=[iterations=8192,password=erin-secret]'");
  t.same([added.code, added.stdout], [0, 'Completed updating config for user erin.\n'], added.stderr);
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'erin', 'erin-secret')).code, 0, 'kts configs --alter through broker 1: erin logs in on broker 2');
  const described = await configs(b.ports.PLAINTEXT!, '--describe --entity-type users --entity-name erin');
  t.equal(described.stdout, "SCRAM credential configs for user-principal 'erin' are SCRAM-SHA-256=iterations=8192\n", 'broker 2 describes it');
  t.match((await zk.getEntityConfig('users', 'erin'))['SCRAM-SHA-256'], /^salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=8192$/, 'stored salted and hashed in /config/users/erin');
  const deleted = await configs(b.ports.PLAINTEXT!, '--alter --entity-type users --entity-name erin --delete-config SCRAM-SHA-256');
  t.equal(deleted.code, 0, deleted.stderr);
  const refused = await waitFor('erin refused on broker 1', async () => {
    const r = await login(a.ports.SASL_PLAINTEXT!, 'erin', 'erin-secret');
    return r.code !== 0 ? r : undefined;
  });
  t.match(refused.stderr, /Authentication failed/, 'deleted through broker 2: broker 1 refuses erin');
});
