// Transactions with kafkajs against a real kts broker: a committed and an aborted
// transaction across two topics (read_committed sees only the committed records,
// read_uncommitted both), sendOffsets visible only on commit, a second producer with the
// same transactional id fences the first, a transaction left open past its timeout is
// aborted, and everything survives a broker restart.
import t, { type Test } from 'tap';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { runBroker, tempDir, type RunningBroker } from './helpers.js';

const OVERRIDES = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=3', 'transaction.state.log.num.partitions=3', 'transaction.abort.timed.out.transaction.cleanup.interval.ms=200'];
const TOPICS = ['ta', 'tb'];

function kafka(b: RunningBroker): Kafka {
  return new Kafka({ clientId: 'kts-txn-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

async function txnProducer(t: Test, k: Kafka, transactionalId: string, transactionTimeout = 60_000): Promise<Producer> {
  const producer = k.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout });
  await producer.connect();
  t.teardown(() => producer.disconnect().catch(() => undefined));
  return producer;
}

/** A sentinel on every partition: a consumer that saw them all has read everything before them. */
async function sendSentinels(k: Kafka, topics: string[], tag: string): Promise<void> {
  const p = k.producer();
  await p.connect();
  for (const topic of topics) await p.send({ topic, messages: [0, 1].map((partition) => ({ partition, value: `end-${tag}` })) });
  await p.disconnect();
}

async function readAll(t: Test, k: Kafka, groupId: string, readUncommitted: boolean, topics: string[], tag: string): Promise<string[]> {
  const consumer: Consumer = k.consumer({ groupId, readUncommitted, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  t.teardown(() => consumer.disconnect().catch(() => undefined));
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  let ends = 0;
  const need = topics.length * 2;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${groupId}: saw ${ends}/${need} sentinels`)), 15_000);
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const v = message.value!.toString();
          if (v === `end-${tag}`) {
            if (++ends === need) {
              clearTimeout(timer);
              resolve();
            }
          } else if (!v.startsWith('end-')) values.push(v);
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values.sort();
}

t.test('commit, abort, sendOffsets, fencing, timeout, restart', async (t) => {
  const dir = await tempDir(t);
  let b = await runBroker(t, OVERRIDES, dir);
  let k = kafka(b);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [...TOPICS, 'tc'].map((topic) => ({ topic, numPartitions: 2 })) });

  const p1 = await txnProducer(t, k, 'tx-1');
  const committed = await p1.transaction();
  for (const topic of TOPICS) await committed.send({ topic, messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `c-${topic}-${i}` })) });
  await committed.sendOffsets({ consumerGroupId: 'eos', topics: [{ topic: 'ta', partitions: [{ partition: 0, offset: '7' }] }] });
  await committed.commit();

  const aborted = await p1.transaction();
  for (const topic of TOPICS) await aborted.send({ topic, messages: [0, 1].map((i) => ({ key: `k${i}`, value: `x-${topic}-${i}` })) });
  await aborted.sendOffsets({ consumerGroupId: 'eos', topics: [{ topic: 'ta', partitions: [{ partition: 0, offset: '99' }] }] });
  await aborted.abort();
  await sendSentinels(k, TOPICS, '1');

  const expectCommitted = TOPICS.flatMap((topic) => [0, 1, 2].map((i) => `c-${topic}-${i}`)).sort();
  const expectAll = [...expectCommitted, ...TOPICS.flatMap((topic) => [0, 1].map((i) => `x-${topic}-${i}`))].sort();
  t.same(await readAll(t, k, 'rc', false, TOPICS, '1'), expectCommitted, 'read_committed sees exactly the committed records');
  t.same(await readAll(t, k, 'ru', true, TOPICS, '1'), expectAll, 'read_uncommitted sees both transactions');
  const offsets = await admin.fetchOffsets({ groupId: 'eos', topics: ['ta'] });
  t.equal(offsets[0]!.partitions.find((p) => p.partition === 0)!.offset, '7', 'only the committed transaction offsets are visible');

  // A second producer with the same transactional id fences the first.
  // kafkajs sends InitProducerId with the transactional id when the first transaction begins.
  const p2 = await txnProducer(t, k, 'tx-1');
  const fresh = await p2.transaction();
  const zombie = await p1.transaction();
  await t.rejects(
    (async () => {
      await zombie.send({ topic: 'ta', messages: [{ value: 'zombie' }] });
      await zombie.commit();
    })(),
    'the fenced producer cannot write',
  );
  await fresh.send({ topic: 'ta', messages: [{ value: 'c-ta-new' }] });
  await fresh.commit();

  // A transaction left open past its timeout is aborted; the LSO moves past it.
  const slow = await txnProducer(t, k, 'tx-slow', 1000);
  const open = await slow.transaction();
  await open.send({ topic: 'tc', messages: [{ partition: 0, value: 'x-tc-open' }] });
  await sendSentinels(k, ['tc'], '2');
  t.same(await readAll(t, k, 'rc-tc', false, ['tc'], '2'), [], 'the timed-out transaction is aborted, nothing visible');
  await t.rejects(open.commit(), 'the timed-out producer cannot commit');

  // Restart: the state, markers and offsets are all on disk.
  await b.broker.stop();
  b = await runBroker(t, OVERRIDES, dir);
  k = kafka(b);
  await sendSentinels(k, TOPICS, '3');
  t.same(await readAll(t, k, 'rc-after', false, TOPICS, '3'), [...expectCommitted, 'c-ta-new'].sort(), 'read_committed after a restart');
  const admin2 = k.admin();
  await admin2.connect();
  t.teardown(() => admin2.disconnect());
  const after = await admin2.fetchOffsets({ groupId: 'eos', topics: ['ta'] });
  t.equal(after[0]!.partitions.find((p) => p.partition === 0)!.offset, '7', 'transactional offsets survive a restart');
  const p3 = await txnProducer(t, k, 'tx-1');
  const again = await p3.transaction();
  await again.send({ topic: 'tb', messages: [{ value: 'c-tb-restart' }] });
  await again.commit();
  await admin.disconnect().catch(() => undefined);
});
