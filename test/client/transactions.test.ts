// The kts transactional producer against a real kts broker: a committed and an aborted
// transaction over two partitions (a kafkajs read_committed consumer sees exactly the
// committed records), offsets sent in a transaction become visible on commit only, a
// second producer with the same transactional id fences the first, and misuse is refused.
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { KtsError } from '../../src/util/errors.js';
import { connect, startTestBroker, type TestBroker } from './helpers.js';

const OVERRIDES = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=1', 'transaction.state.log.num.partitions=1'];

function kafka(b: TestBroker): Kafka {
  return new Kafka({ clientId: 'kts-txn-client-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

/** Everything read_committed sees on `topic` (2 partitions) up to a sentinel per partition. */
async function readCommitted(t: Test, b: TestBroker, topic: string, groupId: string): Promise<string[]> {
  const k = kafka(b);
  const p = k.producer();
  await p.connect();
  await p.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: 'end' })) });
  await p.disconnect();
  const consumer = k.consumer({ groupId, readUncommitted: false, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  t.teardown(() => consumer.disconnect().catch(() => undefined));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  let ends = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${ends}/2 sentinels`)), 15_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const v = message.value!.toString();
          if (v !== 'end') values.push(v);
          else if (++ends === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values.sort();
}

t.test('commit and abort: read_committed sees exactly the committed records; offsets on commit', async (t) => {
  const b = await startTestBroker(t, OVERRIDES);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: 'tx', numPartitions: 2 }]);
  const producer = client.producer({ 'transactional.id': 'app-1', 'linger.ms': '0' });
  t.teardown(() => producer.close().catch(() => undefined));
  await producer.initTransactions();

  producer.beginTransaction();
  for (let i = 0; i < 4; i++) await producer.send({ topic: 'tx', partition: i % 2, value: `c${i}` });
  await producer.sendOffsetsToTransaction([{ topic: 'tx', partition: 0, offset: 5 }], 'eos');
  await producer.commitTransaction();

  producer.beginTransaction();
  for (let i = 0; i < 3; i++) producer.sendWithCallback({ topic: 'tx', partition: i % 2, value: `a${i}` });
  await producer.sendOffsetsToTransaction([{ topic: 'tx', partition: 0, offset: 9 }], 'eos');
  await producer.abortTransaction();

  producer.beginTransaction();
  await producer.send({ topic: 'tx', partition: 1, value: 'c-last' });
  await producer.commitTransaction();
  // A transaction that wrote nothing commits too (nothing to end on the coordinator).
  producer.beginTransaction();
  await producer.commitTransaction();
  await producer.close();

  t.same(await readCommitted(t, b, 'tx', 'reader'), ['c-last', 'c0', 'c1', 'c2', 'c3']);
  const admin = kafka(b).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const offsets = await admin.fetchOffsets({ groupId: 'eos', topics: ['tx'] });
  t.equal(offsets[0]!.partitions.find((p) => p.partition === 0)!.offset, '5', 'the aborted offsets are not visible');
});

t.test('a second producer with the same transactional id fences the first', async (t) => {
  const b = await startTestBroker(t, OVERRIDES);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: 'fence', numPartitions: 1 }]);
  const first = client.producer({ 'transactional.id': 'shared', 'linger.ms': '0' });
  await first.initTransactions();
  first.beginTransaction();
  await first.send({ topic: 'fence', value: 'old' });
  const second = client.producer({ 'transactional.id': 'shared', 'linger.ms': '0' });
  t.teardown(() => second.close().catch(() => undefined));
  await second.initTransactions();
  const err = await first.commitTransaction().then(() => null, (e: unknown) => e);
  t.ok(err instanceof KtsError && err.code === 'KTS_PRODUCER_FENCED', `fenced: ${String(err)}`);
  const again = await first.abortTransaction().then(() => null, (e: unknown) => e);
  t.ok(again instanceof KtsError && again.code === 'KTS_PRODUCER_FENCED', 'stays fenced');
  second.beginTransaction();
  await second.send({ topic: 'fence', value: 'new' });
  await second.commitTransaction();
});

t.test('misuse is refused clearly', async (t) => {
  const b = await startTestBroker(t, OVERRIDES);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: 'm', numPartitions: 1 }]);
  const producer = client.producer({ 'transactional.id': 'm-1' });
  await t.rejects(producer.send({ topic: 'm', value: 'x' }), { code: 'KTS_TXN_STATE' }, 'send before initTransactions');
  t.throws(() => producer.beginTransaction(), { code: 'KTS_TXN_STATE' });
  await producer.initTransactions();
  await t.rejects(producer.send({ topic: 'm', value: 'x' }), { code: 'KTS_TXN_STATE' }, 'send outside a transaction');
  await t.rejects(producer.commitTransaction(), { code: 'KTS_TXN_STATE' });
  const plain = client.producer();
  await t.rejects(plain.initTransactions(), { code: 'KTS_TXN_STATE' }, 'needs transactional.id');
  t.throws(() => client.producer({ 'transactional.id': 'x', 'enable.idempotence': 'false' }), /requires idempotence/);
});
