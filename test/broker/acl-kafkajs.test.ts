// ACLs with real clients: an admin (super user) creates ACLs with kafkajs; alice may write
// one topic but not read it, not write another, not see others in Metadata, not join a
// group without Read; prefixed ACLs and deny rules behave as in Kafka; kcat sees the same
// errors; ACLs survive a restart.
import t from 'tap';
import kafkajs, { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { PLAIN_JAAS } from '../helpers/security.js';
import { tempDir } from './helpers.js';

// kafkajs is CommonJS: its enums come from the default export.
const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
type Enum<T> = T[keyof T];

const overrides = [
  'listeners=SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms=PLAIN',
  `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
  'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
  'super.users=User:admin',
];

async function start(dataDir: string): Promise<{ broker: Broker; port: number }> {
  const broker = await startBroker(buildBrokerConfig({ dataDir, env: {}, overrides }), { listen: true, log: memoryLogger() });
  return { broker, port: broker.boundPorts[0]!.port };
}

const clientFor = (port: number, username: string): Kafka =>
  new Kafka({ clientId: `kts-acl-${username}`, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username, password: `${username}-secret` } as SASLOptions });

const acl = (
  principal: string,
  resourceType: Enum<typeof AclResourceTypes>,
  resourceName: string,
  operation: Enum<typeof AclOperationTypes>,
  permissionType: Enum<typeof AclPermissionTypes> = AclPermissionTypes.ALLOW,
  resourcePatternType: Enum<typeof ResourcePatternTypes> = ResourcePatternTypes.LITERAL,
) => ({
  principal, host: '*', resourceType, resourceName, resourcePatternType, operation, permissionType,
});

t.test('authorization with kafkajs and kcat', async (t) => {
  const dataDir = await tempDir(t, 'kts-acl-');
  let { broker, port } = await start(dataDir);
  t.teardown(() => broker.stop());

  const admin = clientFor(port, 'admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'alice-topic' }, { topic: 'other' }, { topic: 'logs-app' }, { topic: 'logs-secret' }] });
  t.ok(await admin.createAcls({
    acl: [
      acl('User:alice', AclResourceTypes.TOPIC, 'alice-topic', AclOperationTypes.WRITE),
      acl('User:bob', AclResourceTypes.TOPIC, 'logs-', AclOperationTypes.READ, AclPermissionTypes.ALLOW, ResourcePatternTypes.PREFIXED),
      acl('User:bob', AclResourceTypes.TOPIC, 'logs-secret', AclOperationTypes.READ, AclPermissionTypes.DENY),
      acl('User:bob', AclResourceTypes.GROUP, 'bob-', AclOperationTypes.READ, AclPermissionTypes.ALLOW, ResourcePatternTypes.PREFIXED),
      acl('User:admin', AclResourceTypes.TOPIC, 'other', AclOperationTypes.WRITE),
    ],
  }), 'admin created ACLs');
  const producer = clientFor(port, 'admin').producer();
  await producer.connect();
  await producer.send({ topic: 'logs-app', messages: [{ value: 'l1' }] });
  await producer.send({ topic: 'logs-secret', messages: [{ value: 's1' }] });
  await producer.disconnect();

  // alice: write one topic, nothing else.
  const alice = clientFor(port, 'alice');
  const ap = alice.producer();
  await ap.connect();
  const sent = await ap.send({ topic: 'alice-topic', messages: [{ value: 'hi' }] });
  t.equal(sent[0]!.errorCode, 0, 'alice writes alice-topic');
  await t.rejects(ap.send({ topic: 'other', messages: [{ value: 'no' }] }), /Not authorized to access topics: \[Topic authorization failed\]/, 'alice cannot write other');
  await ap.disconnect();
  const aliceAdmin = alice.admin();
  await aliceAdmin.connect();
  t.same(await aliceAdmin.listTopics(), ['alice-topic'], 'Metadata hides the topics alice may not describe');
  const createError = await aliceAdmin.createTopics({ topics: [{ topic: 'alice-new' }] }).then(() => null, (e: { errors?: { type: string }[] }) => e);
  t.equal(createError?.errors?.[0]?.type, 'TOPIC_AUTHORIZATION_FAILED', 'alice cannot create topics');
  await t.rejects(aliceAdmin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }), /CLUSTER_AUTHORIZATION_FAILED|authoriz/i, 'alice cannot list ACLs');
  await aliceAdmin.disconnect();
  const ac = alice.consumer({ groupId: 'alice-group' });
  await ac.connect();
  await ac.subscribe({ topic: 'alice-topic', fromBeginning: true });
  const crashed = new Promise<Error>((resolve) => ac.on(ac.events.CRASH, (e) => resolve(e.payload.error)));
  void ac.run({ eachMessage: async () => undefined });
  t.match(String((await crashed).message ?? (await crashed)), /authoriz/i, 'alice cannot join a group she has no Read on');
  await ac.disconnect();

  // bob: prefixed Read on logs-*, but a Deny on logs-secret wins.
  const bc = clientFor(port, 'bob').consumer({ groupId: 'bob-readers' });
  await bc.connect();
  await bc.subscribe({ topic: 'logs-app', fromBeginning: true });
  const got = await new Promise<string>((resolve) => void bc.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.equal(got, 'l1', 'bob reads logs-app through the prefixed ACL and group bob-readers');
  await bc.disconnect();

  const described = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
  t.equal(described.resources.length, 5, 'five resource patterns described');

  if (!needsKcat) {
    const sec = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=bob', '-X', 'sasl.password=bob-secret'];
    const secret = await kcat(['-b', `127.0.0.1:${port}`, ...sec, '-C', '-t', 'logs-secret', '-e', '-o', 'beginning'], undefined, 8_000);
    t.match(secret.stderr.slice(0, 2000), /Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i, 'kcat: the Deny on logs-secret wins over the prefixed Allow');
    const ok = await kcat(['-b', `127.0.0.1:${port}`, ...sec, '-C', '-t', 'logs-app', '-e', '-o', 'beginning']);
    t.equal(ok.stdout, 'l1\n', 'kcat: bob reads logs-app');
    const aliceRead = await kcat(['-b', `127.0.0.1:${port}`, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret', '-C', '-t', 'alice-topic', '-e', '-o', 'beginning'], undefined, 8_000);
    t.match(aliceRead.stderr.slice(0, 2000), /authorization failed/i, 'kcat: alice may write alice-topic but not read it');
  }

  const deleted = await admin.deleteAcls({ filters: [{ principal: 'User:admin', resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }] });
  t.equal(deleted.filterResponses[0]!.matchingAcls.length, 1, 'deleteAcls removed the one matching ACL');
  await admin.disconnect();

  await broker.stop();
  ({ broker, port } = await start(dataDir));
  const again = clientFor(port, 'admin').admin();
  await again.connect();
  const after = await again.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
  t.equal(after.resources.length, 4, 'ACLs survive a restart');
  await again.disconnect();
});
