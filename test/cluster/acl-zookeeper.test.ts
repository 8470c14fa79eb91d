// ACLs in ZooKeeper in a 3-broker kts cluster (real ZooKeeper, real `kts server-start`
// processes, SASL_PLAINTEXT only, an authorizer, the brokers' principal in super.users):
// an ACL created through broker 1 is stored in Kafka's layout (/kafka-acl/Topic/<name>,
// /kafka-acl-extended/prefixed/..., acl_changes_ notifications) and enforced by the leaders
// on brokers 1, 2 and 3 (kcat writes each partition, led by a different broker, acks=all so
// the followers replicate as super users); deleted through broker 3, it is enforced no more.
// With ../shared/kafka-1.1: Kafka 1.1's kafka-acls.sh --authorizer-properties
// zookeeper.connect=... lists what kts wrote, and kts enforces (and `kts acls
// --authorizer-properties` lists) what Kafka's tool writes.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kcatPlainLogin, plainBrokerJaas, saslPlainAclOverrides } from '../helpers/security.js';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { runKts } from '../helpers/run-kts.js';
import { kafka11Env, kafka11Home, kafka11Skip, runKafka11Tool } from '../helpers/kafka11.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const JAAS = plainBrokerJaas(['admin', 'alice', 'bob', 'carol']);

const tool = (home: string, env: NodeJS.ProcessEnv, script: string, args: string[]) => runKafka11Tool(home, env, script, args);

t.test('ACLs in ZooKeeper: created on one broker, enforced on all', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], {
    ...saslPlainAclOverrides(JAAS, 'User:broker;User:admin'),
  });
  const dir = mkdtempSync(join(tmpdir(), 'kts-acl-zk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const adminConfig = join(dir, 'admin.properties');
  writeFileSync(adminConfig, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
  const broker = (id: number): string => cluster.brokers.get(id)!.bootstrap;
  const acls = (id: number, args: string[]) => runKts(['acls', '--bootstrap-server', broker(id), '--command-config', adminConfig, ...args]);
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());

  const created = await runKts(['topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3', '--bootstrap-server', broker(1), '--command-config', adminConfig]);
  t.equal(created.code, 0, created.stderr);
  const described = await waitFor('leaders for orders', async () => {
    const r = await runKts(['topics', '--describe', '--topic', 'orders', '--bootstrap-server', broker(1), '--command-config', adminConfig, '--json']);
    if (r.code !== 0) return undefined;
    type Described = { partitions: { partition: number; leader: number | null; isr: number[] }[] }[];
    const parsed = JSON.parse(r.stdout) as Described | { topics: Described };
    const parts = (Array.isArray(parsed) ? parsed : parsed.topics)[0]?.partitions ?? [];
    return parts.length === 3 && parts.every((p) => p.leader !== null && p.isr.length === 3) ? parts : undefined;
  }, 60_000);
  t.same(new Set(described.map((p) => p.leader)), new Set([1, 2, 3]), 'each broker leads one partition');

  const produce = (user: string, partition: number) =>
    kcat(['-P', '-b', cluster.bootstrap(), ...kcatPlainLogin(user), '-t', 'orders', '-p', String(partition), '-X', 'acks=all', '-X', 'message.timeout.ms=15000'], `${user}-${partition}\n`, 30_000);
  const consume = (user: string, partition: number) => kcat(['-C', '-b', cluster.bootstrap(), ...kcatPlainLogin(user), '-t', 'orders', '-p', String(partition), '-o', 'beginning', '-e', '-q'], undefined, 30_000);
  /** Waits until `user` may (or may not) write every partition, i.e. on every leader. */
  const writesEverywhere = (user: string, allowed: boolean) =>
    waitFor(`${user} ${allowed ? 'allowed' : 'denied'} on every leader`, async () => {
      for (const p of described) {
        const r = await produce(user, p.partition);
        if ((r.code === 0) !== allowed) return undefined;
        if (!allowed && !/authorization failed/i.test(r.stderr)) return undefined;
      }
      return true;
    }, 60_000);

  const denied = await produce('alice', 0);
  t.not(denied.code, 0, 'no ACL yet: alice may not write');
  t.match(denied.stderr, /authorization failed/i);

  const add = await acls(1, ['--add', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders']);
  t.equal(add.code, 0, add.stderr);
  const stored = await zk.getResourceAcls({ patternType: 'LITERAL', resourceType: 'Topic', name: 'orders' });
  t.same(stored.acls, [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Write', host: '*' }], "Kafka's /kafka-acl/Topic/orders JSON");
  const raw = await zk.zk.getData('/kafka-acl/Topic/orders');
  t.same(JSON.parse(raw!.data!.toString()), { version: 1, acls: [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Write', host: '*' }] });
  const changes = (await zk.zk.getChildren('/kafka-acl-changes')) ?? [];
  t.ok(changes.length >= 1 && changes.every((c) => /^acl_changes_\d{10}$/.test(c)), `change notifications: ${changes.join(',')}`);
  t.equal((await zk.zk.getData(`/kafka-acl-changes/${changes[changes.length - 1]}`))!.data!.toString(), 'Topic:orders', 'the literal notification names Topic:orders');

  await writesEverywhere('alice', true);
  t.pass('alice writes every partition: the ACL made through broker 1 holds on the leaders 1, 2 and 3');
  t.match((await consume('alice', 0)).stderr, /authorization failed/i, 'Write does not give Read');

  // A prefixed ACL through broker 2: its own znode tree and the extended change notification.
  const prefixed = await acls(2, ['--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', 'ord', '--resource-pattern-type', 'PREFIXED']);
  t.equal(prefixed.code, 0, prefixed.stderr);
  t.same((await zk.getResourceAcls({ patternType: 'PREFIXED', resourceType: 'Topic', name: 'ord' })).acls, [{ principal: 'User:bob', permissionType: 'Allow', operation: 'Read', host: '*' }], '/kafka-acl-extended/prefixed/Topic/ord');
  const extended = (await zk.zk.getChildren('/kafka-acl-extended-changes')) ?? [];
  t.same(JSON.parse((await zk.zk.getData(`/kafka-acl-extended-changes/${extended[extended.length - 1]}`))!.data!.toString()), { version: 1, resourceType: 'TOPIC', name: 'ord', patternType: 'PREFIXED' });
  for (const p of described) {
    const read = await waitFor(`bob reads partition ${p.partition}`, async () => {
      const r = await consume('bob', p.partition);
      return r.code === 0 && r.stdout.includes(`alice-${p.partition}`) ? r : undefined;
    }, 60_000);
    t.match(read.stdout, `alice-${p.partition}`, `bob reads partition ${p.partition} from leader ${p.leader} (prefixed ACL)`);
  }

  await t.test("Kafka 1.1's kafka-acls.sh on the same ZooKeeper", { skip: kafka11Skip }, async (t) => {
    const home = kafka11Home();
    const env = kafka11Env(dir, 128);
    const props = ['--authorizer-properties', `zookeeper.connect=${cluster.zk.connect}`];
    const listed = await tool(home, env, 'kafka-acls.sh', [...props, '--list', '--topic', 'orders']);
    t.equal(listed.code, 0, listed.out);
    t.match(listed.out, /Current ACLs for resource `Topic:orders`:\s+User:alice has Allow permission for operations: Write from hosts: \*/, 'Kafka 1.1 lists the ACL kts wrote');
    const added = await tool(home, env, 'kafka-acls.sh', [...props, '--add', '--allow-principal', 'User:carol', '--producer', '--topic', 'orders']);
    t.equal(added.code, 0, added.out);
    await writesEverywhere('carol', true);
    t.pass('carol writes every partition: kts enforces the ACL Kafka 1.1 wrote');
    const described = await acls(3, ['--list', '--topic', 'orders']);
    t.match(described.stdout, /principal=User:carol, host=\*, operation=WRITE, permissionType=ALLOW/, 'kts acls lists it too');
    const fromZk = await runKts(['acls', '--authorizer-properties', `zookeeper.connect=${cluster.zk.connect}`, '--list', '--cluster']);
    t.match(fromZk.stdout, /ResourcePattern\(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL\)`: \n \t\(principal=User:carol, host=\*, operation=CREATE, permissionType=ALLOW\)/, "and so does kts acls --authorizer-properties (Kafka 1.1's --producer Create on the cluster)");
    const removed = await tool(home, env, 'kafka-acls.sh', [...props, '--remove', '--force', '--allow-principal', 'User:carol', '--producer', '--topic', 'orders']);
    t.equal(removed.code, 0, removed.out);
    await writesEverywhere('carol', false);
    t.pass('removed by Kafka 1.1: carol is denied on every leader');
  });

  const remove = await acls(3, ['--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders']);
  t.equal(remove.code, 0, remove.stderr);
  t.equal((await zk.zk.getData('/kafka-acl/Topic/orders')), undefined, 'the last ACL of a resource removes its znode, as Kafka does');
  await writesEverywhere('alice', false);
  t.pass('removed through broker 3: alice is denied on every leader');
  for (const b of cluster.brokers.values()) {
    t.notMatch(b.output(), /Denied .* inter-broker requests need ClusterAction/, `broker ${b.id}: no inter-broker request was refused`);
    t.notMatch(b.output(), /inter-broker principal .* is not in super\.users/, `broker ${b.id}: no start-up warning, User:broker is a super user`);
  }
});
