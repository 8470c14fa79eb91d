// ACLs changed while a broker's ZooKeeper session is expired: the broker (a real `kts
// server-start` process, SASL_PLAINTEXT, an authorizer) is frozen with SIGSTOP until ZooKeeper
// expires its session (its /brokers/ids znode goes away), an ACL is added (then, in a second
// round, removed) straight in ZooKeeper with `kts acls --authorizer-properties`, as
// kafka-acls.sh does; the change notification fires on no session of that broker. Once
// resumed, the broker opens a new session, registers again and must enforce the new ACLs
// (kcat as alice: allowed after the add, denied after the removal).
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kcatPlainLogin, plainBrokerJaas, saslPlainAclOverrides } from '../helpers/security.js';
import { startKtsCluster, type KtsBrokerProcess } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { runKts } from '../helpers/run-kts.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const JAAS = plainBrokerJaas(['admin', 'alice']);

t.test('a broker whose session expired while an ACL changed enforces the new ACL after it reconnects', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1], {
    ...saslPlainAclOverrides(JAAS, 'User:broker;User:admin'),
    'zookeeper.session.timeout.ms': '4000',
  });
  const broker = cluster.brokers.get(1)!;
  const dir = mkdtempSync(join(tmpdir(), 'kts-acl-expiry-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const adminConfig = join(dir, 'admin.properties');
  writeFileSync(adminConfig, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());

  const created = await runKts(['topics', '--create', '--topic', 'guarded', '--partitions', '1', '--replication-factor', '1', '--bootstrap-server', broker.bootstrap, '--command-config', adminConfig]);
  t.equal(created.code, 0, created.stderr);
  const produce = () => kcat(['-P', '-b', broker.bootstrap, ...kcatPlainLogin('alice'), '-t', 'guarded', '-X', 'message.timeout.ms=10000'], 'from alice\n', 30_000);
  const aliceMay = (allowed: boolean) =>
    waitFor(`alice ${allowed ? 'allowed' : 'denied'}`, async () => {
      const r = await produce();
      if (allowed) return r.code === 0 ? r : undefined;
      return r.code !== 0 && /authorization failed/i.test(r.stderr) ? r : undefined;
    }, 60_000);
  await aliceMay(false);
  t.pass('alice may not write guarded: no ACL yet');

  const acls = (args: string[]) => runKts(['acls', '--authorizer-properties', `zookeeper.connect=${cluster.zk.connect}`, ...args]);
  const aclArgs = ['--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'guarded'];
  await whileExpired(t, broker, zk, async () => {
    const added = await acls(['--add', ...aclArgs]);
    t.equal(added.code, 0, `ACL added in ZooKeeper while broker 1 has no session: ${added.stderr}`);
  });
  const allowed = await aliceMay(true);
  t.equal(allowed.code, 0, 'after its new session the broker enforces the ACL added meanwhile: alice writes');

  await whileExpired(t, broker, zk, async () => {
    const removed = await acls(['--remove', '--force', ...aclArgs]);
    t.equal(removed.code, 0, `ACL removed while broker 1 has no session: ${removed.stderr}`);
  });
  const denied = await aliceMay(false);
  t.match(denied.stderr, /authorization failed/i, 'and the removal: alice is refused again');
  t.match(broker.output(), /session/i, 'the broker logged the expired session');
});

/** Freezes the broker until ZooKeeper expires its session, runs `change`, resumes it and waits for its new registration. */
async function whileExpired(t: Test, broker: KtsBrokerProcess, zk: KafkaZkClient, change: () => Promise<void>): Promise<void> {
  const pid = broker.child.pid!;
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  });
  const before = await zk.getBroker(broker.id);
  t.ok(before, 'broker 1 is registered');
  process.kill(pid, 'SIGSTOP');
  try {
    await waitFor('the frozen broker\'s session to expire', async () => ((await zk.getBroker(broker.id)) === undefined ? true : undefined), 60_000);
    await change();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await waitFor('broker 1 to register again with a new session', async () => ((await zk.getBroker(broker.id)) !== undefined ? true : undefined), 60_000);
}
