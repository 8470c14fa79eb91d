// Authorized operations (KIP-430) come from the authorizer: over a real TCP connection, a
// principal (User:ANONYMOUS on PLAINTEXT) with Read on a topic, Describe on a group and
// DescribeConfigs on the cluster is told exactly those (Read implies Describe), and nothing
// when it did not ask (Kafka's -2147483648).
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTcpChannel } from '../../src/net/tcp-channel.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { AclOperation } from '../../src/protocol/acl.js';
import { runKts } from '../helpers/run-kts.js';
import { PLAIN_JAAS, runSecureBroker } from '../helpers/security.js';
import { tempDir } from './helpers.js';

const bits = (...ops: number[]): number => ops.reduce((b, op) => b | (1 << op), 0);

t.test('authorized operations as the authorizer allows them', async (t) => {
  const b = await runSecureBroker(t, [
    'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms=PLAIN',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
    'super.users=User:admin',
  ]);
  const admin = join(await tempDir(t, 'kts-authz-ops-'), 'admin.properties');
  writeFileSync(admin, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
  const kts = (args: string) => runKts(`${args} --bootstrap-server 127.0.0.1:${b.ports.SASL_PLAINTEXT} --command-config ${admin}`);
  t.equal((await kts('topics --create --topic a')).code, 0);
  for (const acl of ['--operation Read --topic a', '--operation Describe --group g', '--operation DescribeConfigs --cluster']) {
    const r = await kts(`acls --add --allow-principal User:ANONYMOUS ${acl}`);
    t.equal(r.code, 0, r.stderr);
  }

  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', b.ports.PLAINTEXT!, 5000), 'kts-test', 10_000);
  t.teardown(() => conn.channel.close());
  const metadata = async (include: boolean) =>
    (await conn.call(3, () => ({ topics: [{ name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: include }))).body.topics[0]!;
  t.equal((await metadata(true)).topicAuthorizedOperations, bits(AclOperation.READ, AclOperation.DESCRIBE), 'topic: Read and the Describe it implies');
  t.equal((await metadata(false)).topicAuthorizedOperations, -2147483648, 'not asked: not computed');
  const cluster = await conn.call(60, () => ({ includeClusterAuthorizedOperations: true, endpointType: 1 }));
  t.equal(cluster.body.clusterAuthorizedOperations, bits(AclOperation.DESCRIBE_CONFIGS), 'cluster: DescribeConfigs only');
  const group = await conn.call(15, () => ({ groups: ['g'], includeAuthorizedOperations: true }));
  t.equal(group.body.groups[0]!.authorizedOperations, bits(AclOperation.DESCRIBE), 'group: Describe only');
});
