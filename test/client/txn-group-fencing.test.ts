// KIP-447 end to end with kts clients on a real kts broker: a transactional producer sends
// the offsets of a kts group consumer with its groupMetadata(). Current membership commits;
// a stale generation (the group rebalanced), a member removed from the group (it stopped
// polling past max.poll.interval.ms) and a replaced static member are refused with
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and FENCED_INSTANCE_ID. The transaction can then
// only abort: its records stay invisible to read_committed and the offsets do not move.
// Against a broker without TxnOffsetCommit v3 the metadata form fails with
// UNSUPPORTED_VERSION instead of committing unchecked; the group id form still works.
import t, { type Test } from 'tap';
import { KafkaError, ErrorCode } from '../../src/protocol/errors.js';
import { KtsError } from '../../src/util/errors.js';
import type { GroupConsumer, KafkaClient, Producer } from '../../src/client/index.js';
import type { ConsumerGroupMetadata } from '../../src/client/types.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import type { AnyApiHandler } from '../../src/broker/handler.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient } from '../../src/client/index.js';
import { connect, startTestBroker, tempDir } from './helpers.js';

const OVERRIDES = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=1', 'transaction.state.log.num.partitions=1'];
const IN = { topic: 'in', partitions: [{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }] };

async function setup(t: Test): Promise<{ client: KafkaClient; producer: Producer }> {
  const b = await startTestBroker(t, OVERRIDES);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: 'in', numPartitions: 2 }, { topic: 'out', numPartitions: 1 }]);
  const plain = client.producer({ 'linger.ms': '0' });
  for (let i = 0; i < 4; i++) await plain.send({ topic: 'in', partition: i % 2, value: `v${i}` });
  await plain.close();
  const producer = client.producer({ 'transactional.id': 'processor', 'linger.ms': '0' });
  t.teardown(() => producer.close().catch(() => undefined));
  await producer.initTransactions();
  return { client, producer };
}

function groupConsumer(t: Test, client: KafkaClient, extra: Record<string, string> = {}): GroupConsumer {
  const c = client.groupConsumer({
    'group.id': 'app',
    'session.timeout.ms': '6000',
    'heartbeat.interval.ms': '100',
    'enable.auto.commit': 'false',
    'auto.offset.reset': 'earliest',
    'fetch.max.wait.ms': '50',
    ...extra,
  });
  t.teardown(() => c.close().catch(() => undefined));
  c.subscribe(['in']);
  return c;
}

/**
 * Polls each consumer in its own loop until `done`, bounded: a member blocked in a join
 * waits for the others to rejoin, which they do in their next poll.
 */
async function pollUntil(consumers: GroupConsumer[], done: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 12_000;
  await Promise.all(
    consumers.map(async (c) => {
      while (!done() && Date.now() < end) await c.poll(100);
    }),
  );
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

async function committed(c: GroupConsumer): Promise<number[]> {
  const m = await c.committed(IN.partitions);
  return IN.partitions.map((tp) => m.get(`${tp.topic}:${tp.partition}`) ?? -1);
}

/** Values of `out` a read_committed consumer sees up to the last stable offset. */
async function readCommitted(client: KafkaClient): Promise<string[]> {
  const consumer = client.consumer({ 'isolation.level': 'read_committed', 'fetch.max.wait.ms': '50' });
  try {
    const tp = { topic: 'out', partition: 0 };
    consumer.assign([tp]);
    await consumer.seekToBeginning([tp]);
    const end = (await consumer.endOffsets([tp])).get('out:0')!;
    const values: string[] = [];
    const deadline = Date.now() + 10_000;
    while ((await consumer.position(tp)) < end && Date.now() < deadline) {
      for (const r of await consumer.poll(100)) values.push(r.value!.toString());
    }
    return values;
  } finally {
    await consumer.close();
  }
}

const offsetsAt = (offset: number, partitions = IN.partitions) => partitions.map((tp) => ({ ...tp, offset }));

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

/** A transaction whose offsets the group refuses: the commit is refused too, only an abort ends it. */
async function refusedTransaction(t: Test, producer: Producer, meta: ConsumerGroupMetadata, expected: number, value: string): Promise<void> {
  producer.beginTransaction();
  await producer.send({ topic: 'out', value });
  const err = await failure(producer.sendOffsetsToTransaction(offsetsAt(2), meta));
  t.ok(err instanceof KafkaError, 'sendOffsetsToTransaction fails with a Kafka error');
  t.equal((err as KafkaError).errorCode, expected, `error ${expected}`);
  const commitErr = await failure(producer.commitTransaction());
  t.ok(commitErr instanceof KtsError && commitErr.code === 'KTS_TXN_FAILED', 'the transaction cannot commit');
  await producer.abortTransaction();
}

t.test('current metadata commits; after a rebalance the old generation is refused and the transaction aborts', async (t) => {
  const { client, producer } = await setup(t);
  const c1 = groupConsumer(t, client);
  let consumed = 0;
  const end = Date.now() + 12_000;
  while (consumed < 4 && Date.now() < end) consumed += (await c1.poll(100)).length;
  t.equal(consumed, 4);
  const meta1 = c1.groupMetadata();
  t.same([meta1.groupId, meta1.generationId, meta1.groupInstanceId], ['app', 1, null]);
  t.equal(meta1.memberId, c1.currentMemberId);

  producer.beginTransaction();
  await producer.send({ topic: 'out', value: 'first' });
  await producer.sendOffsetsToTransaction(offsetsAt(1), meta1);
  await producer.commitTransaction();
  t.same(await committed(c1), [1, 1], 'the member of the current generation commits');

  const c2 = groupConsumer(t, client);
  const rebalanced = (): boolean => c1.generation > meta1.generationId && c2.generation === c1.generation && c1.assignment().length === 1 && c2.assignment().length === 1;
  await pollUntil([c1, c2], rebalanced, 'the rebalance to a new generation');
  await refusedTransaction(t, producer, meta1, ErrorCode.ILLEGAL_GENERATION, 'zombie');
  t.same(await committed(c1), [1, 1], 'the refused offsets are not committed');

  producer.beginTransaction();
  await producer.send({ topic: 'out', value: 'second' });
  await producer.sendOffsetsToTransaction(offsetsAt(2, c1.assignment()), c1.groupMetadata());
  await producer.commitTransaction();
  const own = c1.assignment()[0]!.partition;
  t.same((await committed(c1))[own], 2, 'the current generation commits again');
  t.same(await readCommitted(client), ['first', 'second'], 'read_committed never sees the aborted record');
});

t.test('a member removed from the group (poll interval exceeded) gets UNKNOWN_MEMBER_ID', async (t) => {
  const { client, producer } = await setup(t);
  const c1 = groupConsumer(t, client, { 'max.poll.interval.ms': '1000' });
  await pollUntil([c1], () => c1.assignment().length === 2, 'the first member');
  const meta1 = c1.groupMetadata();
  // c1 stops polling: it leaves after max.poll.interval.ms, and c2 ends up with every partition.
  const c2 = groupConsumer(t, client);
  await pollUntil([c2], () => c2.assignment().length === 2, 'the second member alone');
  t.ok(c2.generation > meta1.generationId);
  await refusedTransaction(t, producer, meta1, ErrorCode.UNKNOWN_MEMBER_ID, 'zombie');
  t.same(await committed(c2), [-1, -1], 'nothing committed');
  t.same(await readCommitted(client), []);
});

t.test('a static member replaced by a new incarnation gets FENCED_INSTANCE_ID', async (t) => {
  const { client, producer } = await setup(t);
  const old = groupConsumer(t, client, { 'group.instance.id': 'proc-1' });
  await pollUntil([old], () => old.assignment().length === 2, 'the static member');
  const meta1 = old.groupMetadata();
  t.equal(meta1.groupInstanceId, 'proc-1');
  const next = groupConsumer(t, client, { 'group.instance.id': 'proc-1' });
  await pollUntil([next], () => next.assignment().length === 2, 'the new incarnation');
  t.not(next.currentMemberId, meta1.memberId);
  await refusedTransaction(t, producer, meta1, ErrorCode.FENCED_INSTANCE_ID, 'zombie');

  producer.beginTransaction();
  await producer.send({ topic: 'out', value: 'kept' });
  await producer.sendOffsetsToTransaction(offsetsAt(2), next.groupMetadata());
  await producer.commitTransaction();
  t.same(await committed(next), [2, 2], 'the new incarnation commits');
  t.same(await readCommitted(client), ['kept']);
});

t.test('a broker without TxnOffsetCommit v3: the metadata form is refused, the group id form commits', async (t) => {
  const apis = apiHandlers.map((h) => (h.apiKey === 28 ? ({ ...h, maxVersion: 2 } as AnyApiHandler) : h));
  const config = buildBrokerConfig({ dataDir: await tempDir(t), env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', ...OVERRIDES] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis });
  t.teardown(() => broker.stop());
  const client = await openClient({ bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}`, config: { 'client.id': 'kts-test' } });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'in', numPartitions: 2 }, { topic: 'out', numPartitions: 1 }]);
  const producer = client.producer({ 'transactional.id': 'processor', 'linger.ms': '0' });
  t.teardown(() => producer.close().catch(() => undefined));
  await producer.initTransactions();
  await refusedTransaction(t, producer, { groupId: 'app', generationId: 1, memberId: 'member-1', groupInstanceId: null }, ErrorCode.UNSUPPORTED_VERSION, 'unchecked');

  producer.beginTransaction();
  await producer.send({ topic: 'out', value: 'by-group-id' });
  await producer.sendOffsetsToTransaction(offsetsAt(3), 'app');
  await producer.commitTransaction();
  const offsets = await client.groups.fetchOffsets('app', IN.partitions);
  t.same(offsets.map((o) => o.offset), [3, 3]);
  t.same(await readCommitted(client), ['by-group-id']);
});
