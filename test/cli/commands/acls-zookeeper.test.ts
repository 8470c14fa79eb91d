// `kts acls --authorizer-properties zookeeper.connect=...`: ACLs written straight into
// ZooKeeper as kafka-acls.sh does with Kafka's ZK authorizer, before any broker runs; a
// broker (cluster mode, authorizer on) loads them at start and applies later changes from the
// change notifications; ACLs the broker stored are listed from ZooKeeper; bad flags refused.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../../src/broker/config.js';
import { startBroker } from '../../../src/broker/broker.js';
import { memoryLogger } from '../../../src/util/logger.js';
import { KafkaZkClient } from '../../../src/zk/index.js';
import { runKts } from '../../helpers/run-kts.js';
import { needsZookeeper, startZooKeeper } from '../../helpers/zookeeper.js';
import { waitFor } from '../../helpers/cluster-checks.js';
import { PLAIN_JAAS } from '../../helpers/security.js';
import { tempDir } from '../../broker/helpers.js';

// The test's timeout: 180_000 does not extend the file's 120 s (package.json): only the root's timeout does.
t.setTimeout(600_000);

t.test('kts acls through ZooKeeper', { skip: needsZookeeper, timeout: 180_000 }, async (t) => {
  const server = await startZooKeeper(t);
  const viaZk = (args: string) => runKts(`acls --authorizer-properties zookeeper.connect=${server.connect} ${args}`);

  const added = await viaZk('--add --allow-principal User:alice --operation Write --topic orders');
  t.equal(added.code, 0, added.stderr);
  t.equal(
    added.stdout,
    'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW) \n\n' +
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW) \n\n',
    "Kafka's AclCommand text, with no broker running",
  );
  const zk = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  t.same((await zk.getResourceAcls({ patternType: 'LITERAL', resourceType: 'Topic', name: 'orders' })).acls, [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Write', host: '*' }], '/kafka-acl/Topic/orders');

  // A cluster-mode broker with an authorizer: it loads what is there and follows changes.
  const dataDir = await tempDir(t, 'kts-acls-zk-');
  const config = buildBrokerConfig({
    dataDir,
    env: {},
    overrides: [
      'listeners=SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms=PLAIN',
      'sasl.mechanism.inter.broker.protocol=PLAIN',
      'security.inter.broker.protocol=SASL_PLAINTEXT',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
      'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
      'super.users=User:admin',
      `zookeeper.connect=${server.connect}`,
      'broker.id=1',
      'offsets.topic.replication.factor=1',
    ],
  });
  const broker = await startBroker(config, { listen: true, log: memoryLogger() });
  t.teardown(() => broker.stop());
  const adminConfig = join(await tempDir(t, 'kts-acls-zk-conf-'), 'admin.properties');
  writeFileSync(adminConfig, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
  const viaBroker = (args: string) => runKts(`acls --bootstrap-server 127.0.0.1:${broker.boundPorts[0]!.port} --command-config ${adminConfig} ${args}`);
  const brokerLists = (pattern: RegExp, present: boolean) =>
    waitFor(`the broker ${present ? 'lists' : 'no longer lists'} ${pattern}`, async () => (pattern.test((await viaBroker('--list --json')).stdout) === present ? true : undefined), 30_000);

  await brokerLists(/"principal":"User:alice"/, true);
  t.pass('the broker loaded the ACL written before it started');
  const prefixed = await viaZk('--add --allow-principal User:bob --consumer --topic logs- --group bob- --resource-pattern-type PREFIXED');
  t.equal(prefixed.code, 0, prefixed.stderr);
  await brokerLists(/"principal":"User:bob"/, true);
  t.pass('a change written to ZooKeeper reaches the running broker (acl_changes_ notification)');

  const fromBroker = await viaBroker('--add --allow-principal User:carol --operation Read --group team');
  t.equal(fromBroker.code, 0, fromBroker.stderr);
  const listed = await viaZk('--list --group team');
  t.match(listed.stdout, /principal=User:carol, host=\*, operation=READ, permissionType=ALLOW/, 'what the broker stored is listed from ZooKeeper');

  const removed = await viaZk('--remove --force --allow-principal User:alice --operation Write --topic orders');
  t.equal(removed.code, 0, removed.stderr);
  t.equal(await zk.zk.getData('/kafka-acl/Topic/orders'), undefined, 'the emptied resource znode is deleted');
  await brokerLists(/"principal":"User:alice"/, false);
  t.pass('the removal reaches the broker');
  const json = JSON.parse((await viaZk('--list --json')).stdout) as { resourceType: string; name: string; patternType: string }[];
  t.same(json.map((r) => `${r.resourceType}:${r.patternType}:${r.name}`).sort(), ['GROUP:LITERAL:team', 'GROUP:PREFIXED:bob-', 'TOPIC:PREFIXED:logs-']);
});

t.test('bad --authorizer-properties', async (t) => {
  const other = await runKts('acls --authorizer-properties authorizer.class.name=x --list');
  t.not(other.code, 0);
  t.match(other.stderr, /'authorizer.class.name' is not supported; kts takes zookeeper.connect/);
  const both = await runKts('acls --authorizer-properties zookeeper.connect=127.0.0.1:1 --bootstrap-server 127.0.0.1:9 --list');
  t.not(both.code, 0);
  t.match(both.stderr, /Only one of --bootstrap-server or --authorizer-properties/);
  const empty = await runKts('acls --authorizer-properties zookeeper.connect= --list');
  t.match(empty.stderr, /needs zookeeper.connect=host:port/);
});
