// `kts acls` against a real kts broker with an authorizer and a SASL_SSL listener: the
// admin's credentials and TLS come from --command-config, exactly as kafka-acls.sh takes
// them; Kafka's output text, --producer/--consumer shortcuts, --remove with and without
// --force, --list filters, --json, and the errors for bad flags.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runKts } from '../../helpers/run-kts.js';
import { makeCerts } from '../../helpers/certs.js';
import { PLAIN_JAAS, runSecureBroker } from '../../helpers/security.js';

const certs = makeCerts(t);

t.test('kts acls over SASL_SSL with --command-config', async (t) => {
  const b = await runSecureBroker(t, [
    'listeners=SASL_SSL://127.0.0.1:0',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverPem}`,
    'sasl.enabled.mechanisms=PLAIN',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    'authorizer.class.name=kafka.security.auth.SimpleAclAuthorizer',
    'super.users=User:admin',
  ]);
  const config = join(certs.dir, 'admin.properties');
  writeFileSync(config, [
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caCert}`,
    'sasl.mechanism=PLAIN',
    'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";',
  ].join('\n') + '\n');
  const kts = (args: string, stdin?: string) => runKts(`acls --bootstrap-server localhost:${b.ports.SASL_SSL} --command-config ${config} ${args}`, { stdin });

  const add = await kts('--add --allow-principal User:alice --operation Write --operation Describe --topic orders');
  t.equal(add.code, 0, add.stderr);
  t.equal(
    add.stdout,
    'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
      ' \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)\n\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n' +
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
      ' \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)\n\t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n',
    "Kafka's AclCommand text",
  );

  const consumer = await kts('--add --allow-principal User:bob --consumer --topic logs- --group bob- --resource-pattern-type PREFIXED --json');
  t.equal(consumer.code, 0, consumer.stderr);
  const doc = JSON.parse(consumer.stdout) as { current: { resourceType: string; patternType: string; acls: { operation: string }[] }[] };
  t.same(doc.current.map((r) => [r.resourceType, r.patternType, r.acls.map((a) => a.operation).sort()]), [
    ['TOPIC', 'PREFIXED', ['DESCRIBE', 'READ']],
    ['GROUP', 'PREFIXED', ['READ']],
  ], '--consumer: Read and Describe on the topic, Read on the group');

  const listed = await kts('--list --principal User:bob');
  t.match(listed.stdout, /^ACLs for principal `User:bob`\nCurrent ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=logs-, patternType=PREFIXED\)`/, '--list --principal');
  t.notMatch(listed.stdout, /alice/);

  // alice, as allowed: write orders with kafkajs over SASL_SSL.
  const alice = new Kafka({ brokers: [`localhost:${b.ports.SASL_SSL}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: { ca: [readFileSync(certs.caCert, "utf8")] }, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } });
  const admin = await runKts(`topics --create --topic orders --bootstrap-server localhost:${b.ports.SASL_SSL} --command-config ${config}`);
  t.equal(admin.code, 0, `admin creates the topic with kts topics over SASL_SSL: ${admin.stderr}`);
  const p = alice.producer();
  await p.connect();
  t.equal((await p.send({ topic: 'orders', messages: [{ value: 'x' }] }))[0]!.errorCode, 0, 'alice writes orders');
  await p.disconnect();

  const declined = await kts('--remove --allow-principal User:alice --operation Write --topic orders', 'n\n');
  t.match(declined.stdout, /^Are you sure you want to remove ACLs: \n \t\(principal=User:alice, host=\*, operation=WRITE, permissionType=ALLOW\) \n from resource filter `ResourcePatternFilter\(resourceType=TOPIC, name=orders, patternType=LITERAL\)`\? \(y\/n\)\n/);
  t.match(declined.stdout, /operation=WRITE/, 'answering n keeps the ACL');
  const removed = await kts('--remove --allow-principal User:alice --operation Write --topic orders --force');
  t.equal(removed.code, 0, removed.stderr);
  t.equal(removed.stdout, 'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW) \n\n');
  const all = await kts('--remove --topic orders', 'y\n');
  t.match(all.stdout, /Are you sure you want to delete all ACLs for resource filter `ResourcePatternFilter\(resourceType=TOPIC, name=orders, patternType=LITERAL\)`\? \(y\/n\)/);
  t.notMatch(all.stdout, /Current ACLs/, 'nothing left on orders');

  const bad = await kts('--add --allow-principal User:x --operation Read --cluster');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /ResourceType Cluster only supports operations All,Create,ClusterAction,DescribeConfigs,AlterConfigs,IdempotentWrite,Alter,Describe/);
  const none = await kts('--topic t');
  t.match(none.stderr, /Command must include exactly one action: --list, --add, --remove\./);
  const noGroup = await kts('--add --allow-principal User:x --consumer --topic t');
  t.match(noGroup.stderr, /With --consumer you must specify a --topic and a --group/);
  const anyAdd = await kts('--add --allow-principal User:x --topic t --resource-pattern-type ANY');
  t.match(anyAdd.stderr, /A '--resource-pattern-type' value of 'ANY' is not valid when adding acls\./);

  const wrong = await runKts(`acls --list --bootstrap-server localhost:${b.ports.SASL_SSL} --command-property security.protocol=SASL_SSL --command-property ssl.truststore.location=${certs.caCert} --command-property sasl.mechanism=PLAIN --command-property 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="nope";'`);
  t.not(wrong.code, 0);
  t.match(wrong.stderr, /SASL authentication with .* failed: Authentication failed: Invalid username or password/, 'a wrong password is a clear error');
});

