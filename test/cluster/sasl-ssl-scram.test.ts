// A 3-broker kts cluster whose only listener is SASL_SSL (TLS + SCRAM-SHA-512), brokers
// included: the SCRAM users (the brokers' own inter-broker user too) are written to
// ZooKeeper's /config/users with `kts configs --zookeeper` before any broker starts, as
// Kafka's kafka-configs.sh --zookeeper does. Replication (acks=all, identical replicas) and
// a kcat client over SASL_SSL work; a fourth broker with a wrong inter-broker password
// cannot fetch: its replica never joins the ISR and its log names the failed login.
import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerProcess, type KtsBrokerProcess } from '../helpers/kts-cluster.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { replicaBytes, waitFor } from '../helpers/cluster-checks.js';
import { runKts } from '../helpers/run-kts.js';
import { makeCerts } from '../helpers/certs.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const jaas = (password: string): string => `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${password}";`;

t.test('SASL_SSL (SCRAM-SHA-512) between brokers, users in ZooKeeper before the brokers start', { skip }, async (t) => {
  const certs = makeCerts(t);
  const zk = await startZooKeeper(t);
  const root = mkdtempSync(join(tmpdir(), 'kts-sasl-ssl-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));

  for (const [user, password] of [['broker', 'broker-secret'], ['alice', 'alice-secret']]) {
    const r = await runKts(['configs', '--zookeeper', zk.connect, '--alter', '--entity-type', 'users', '--entity-name', user!, '--add-config', `SCRAM-SHA-512=[iterations=4096,password=${password}]`]);
    t.same([r.code, r.stdout], [0, `Completed updating config for entity: user-principal '${user}'.\n`], r.stderr);
  }
  const described = await runKts(['configs', '--zookeeper', zk.connect, '--describe', '--entity-type', 'users']);
  t.equal(described.stdout, "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096\nSCRAM credential configs for user-principal 'broker' are SCRAM-SHA-512=iterations=4096\n", described.stderr);
  const refused = await runKts(['configs', '--zookeeper', zk.connect, '--describe', '--entity-type', 'topics']);
  t.not(refused.code, 0, '--zookeeper is for users only');
  t.match(refused.stderr, /--zookeeper is supported for --entity-type users only/);

  const overrides = (password: string): Record<string, string> => ({
    listeners: 'SASL_SSL://127.0.0.1:{port}',
    'security.inter.broker.protocol': 'SASL_SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas(password),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverPem,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    'default.replication.factor': '3',
  });
  const brokers: KtsBrokerProcess[] = [];
  for (const id of [1, 2, 3]) brokers.push(await startBrokerProcess(t, id, join(root, `broker-${id}`), zk.connect, overrides('broker-secret')));
  const bootstrap = brokers.map((b) => b.bootstrap).join(',');
  const client = ['-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${certs.caCert}`, '-X', 'sasl.mechanism=SCRAM-SHA-512', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];

  const lines = Array.from({ length: 2000 }, (_, i) => `tls-${i}`).join('\n') + '\n';
  const produced = await waitFor('a topic the controller made', async () => {
    const r = await kcat(['-P', '-b', bootstrap, ...client, '-t', 'secured', '-X', 'acks=all', '-X', 'message.timeout.ms=20000'], lines, 60_000);
    return r.code === 0 ? r : undefined;
  }, 90_000);
  t.equal(produced.code, 0, 'kcat over SASL_SSL with SCRAM-SHA-512, acks=all');
  const read = await kcat(['-C', '-b', bootstrap, ...client, '-t', 'secured', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(read.stdout.trim().split('\n').length, 2000, 'every record read back');
  const size = await waitFor('identical replicas', async () => {
    const bytes = brokers.map((b) => replicaBytes(b.dir, 'secured', 0));
    return bytes.every((b) => b.equals(bytes[0]!)) && bytes[0]!.length > 0 ? bytes[0]!.length : undefined;
  });
  t.ok(size > 0, `followers replicated over SASL_SSL: ${size} identical bytes on the three brokers`);

  // A broker whose inter-broker password is wrong: its replica fetcher cannot log in to the leader.
  const intruder = await startBrokerProcess(t, 4, join(root, 'broker-4'), zk.connect, overrides('wrong-secret'));
  const adminConfig = join(root, 'admin.properties');
  writeFileSync(adminConfig, `security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.caCert}\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";\n`);
  const created = await runKts(['topics', '--create', '--topic', 'with-intruder', '--replica-assignment', '1:4', '--bootstrap-server', brokers[0]!.bootstrap, '--command-config', adminConfig]);
  t.equal(created.code, 0, created.stderr);
  const failed = await waitFor('a failed inter-broker login in broker 4', async () => (/authentication failed|SASL_AUTHENTICATION_FAILED|Authentication failed/i.test(intruder.output()) ? true : undefined), 60_000);
  t.ok(failed, 'broker 4 logs the failed SASL login');
  const r = await kcat(['-P', '-b', bootstrap, ...client, '-t', 'with-intruder', '-X', 'acks=1'], 'x\n', 30_000);
  t.equal(r.code, 0, 'the leader still takes writes');
  // A new partition starts with every replica in its ISR (as in Kafka); the leader drops the
  // follower that never fetched once replica.lag.time.max.ms (6 s here) has passed.
  const isr = await waitFor('broker 4 out of the ISR', async () => {
    const r = await runKts(['topics', '--describe', '--topic', 'with-intruder', '--bootstrap-server', brokers[0]!.bootstrap, '--command-config', adminConfig]);
    return /Isr: 1\s/.test(r.stdout) ? r.stdout : undefined;
  }, 60_000);
  t.match(isr, /Leader: 1\s+Replicas: 1,4\s+Isr: 1\s/, 'broker 4, unable to fetch, leaves the ISR and stays out');
  const intruderBytes = existsSync(join(intruder.dir, 'with-intruder-0')) ? replicaBytes(intruder.dir, 'with-intruder', 0).length : 0;
  t.equal(intruderBytes, 0, 'and holds no replicated bytes');
});
