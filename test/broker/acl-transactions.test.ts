// Transactional ids, groups and deny rules with real clients, the ACLs made with `kts acls`
// (--producer --transactional-id --idempotent, --consumer --group, --deny-principal) over
// SASL_PLAINTEXT as a super user: a kafkajs transactional producer commits with its own
// transactional id and gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED with another; a consumer
// without Read on its group gets GROUP_AUTHORIZATION_FAILED; a Deny wins over the --producer
// Allow; a super user passes everywhere.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { PLAIN_ACL_BROKER, runSecureBroker } from '../helpers/security.js';
import { runKts } from '../helpers/run-kts.js';
import { tempDir } from './helpers.js';

/** The error `p` rejects with (kafkajs wraps protocol errors; their `type` is Kafka's error name). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    return (err as { type?: string }).type === undefined && cause ? cause : err;
  }
  return new Error('expected a failure');
}

t.test('transactional ids, groups and deny rules', async (t) => {
  const b = await runSecureBroker(t, [
    ...PLAIN_ACL_BROKER,
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
  ]);
  const port = b.ports.SASL_PLAINTEXT!;
  const dir = await tempDir(t, 'kts-acl-txn-');
  const adminConfig = join(dir, 'admin.properties');
  writeFileSync(adminConfig, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n');
  const acls = (args: string) => runKts(`acls --bootstrap-server 127.0.0.1:${port} --command-config ${adminConfig} ${args}`);
  const client = (username: string): Kafka =>
    new Kafka({ clientId: `acl-${username}`, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username, password: `${username}-secret` } as SASLOptions });

  const created = await runKts(`topics --create --topic tx-orders --partitions 1 --bootstrap-server 127.0.0.1:${port} --command-config ${adminConfig}`);
  t.equal(created.code, 0, created.stderr);
  const producerAcls = await acls('--add --allow-principal User:alice --producer --topic tx-orders --transactional-id tx-alice --idempotent');
  t.equal(producerAcls.code, 0, producerAcls.stderr);
  t.match(producerAcls.stdout, /ResourcePattern\(resourceType=TRANSACTIONAL_ID, name=tx-alice, patternType=LITERAL\)[^]*operation=WRITE/, '--producer --transactional-id: Write on the transactional id');
  t.match(producerAcls.stdout, /ResourcePattern\(resourceType=CLUSTER, name=kafka-cluster, patternType=LITERAL\)[^]*operation=IDEMPOTENT_WRITE/, '--idempotent: IdempotentWrite on the cluster');

  const commit = async (transactionalId: string): Promise<void> => {
    const producer = client('alice').producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: 'tx-orders', messages: [{ value: transactionalId }] });
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
  };
  await commit('tx-alice');
  t.pass('alice commits a transaction with tx-alice');
  t.match(await failure(commit('tx-other')), { type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' }, 'another transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED');

  const consumerAcls = await acls('--add --allow-principal User:bob --operation Read --operation Describe --topic tx-orders');
  t.equal(consumerAcls.code, 0, consumerAcls.stderr);
  const consumer = client('bob').consumer({ groupId: 'bob-group', retry: { retries: 0 } });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  const joined = new Promise<unknown>((resolve) => {
    consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error));
  });
  await consumer.subscribe({ topic: 'tx-orders', fromBeginning: true });
  void consumer.run({ eachMessage: async () => undefined }).catch((err: unknown) => err);
  t.match(await joined, { type: 'GROUP_AUTHORIZATION_FAILED' }, 'bob without Read on bob-group: GROUP_AUTHORIZATION_FAILED');

  const deny = await acls('--add --deny-principal User:alice --operation Write --topic tx-orders');
  t.equal(deny.code, 0, deny.stderr);
  const listed = await acls('--list --topic tx-orders');
  t.match(listed.stdout, '(principal=User:alice, host=*, operation=WRITE, permissionType=DENY)', '--list shows the Deny');
  const p = client('alice').producer();
  await p.connect();
  t.teardown(() => p.disconnect());
  t.match(await failure(p.send({ topic: 'tx-orders', messages: [{ value: 'denied' }] })), { type: 'TOPIC_AUTHORIZATION_FAILED' }, 'the Deny wins over the --producer Allow');

  const superUser = client('admin').producer();
  await superUser.connect();
  t.teardown(() => superUser.disconnect());
  const sent = await superUser.send({ topic: 'tx-orders', messages: [{ value: 'admin' }] });
  t.equal(sent[0]!.errorCode, 0, 'the super user writes without any ACL');
});
