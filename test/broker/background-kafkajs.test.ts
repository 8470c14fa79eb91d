// The background log cleaner seen through kafkajs: a compacted topic written with many
// updates per key is cleaned while the broker runs, and a consumer reading from the start
// gets the latest value of each key at its original offset. Keyless records are refused.
import t from 'tap';
import kafkajs from 'kafkajs';
import type { LogManager, PartitionLog } from '../../src/storage/index.js';
import { startAdminBroker } from './admin-helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const { Kafka, logLevel } = kafkajs;

t.test('kafkajs: a compacted topic is cleaned in the background; consumers see the latest value per key', async (t) => {
  const broker = await startAdminBroker(t, ['log.cleaner.backoff.ms=50', 'log.retention.check.interval.ms=100']);
  const kafka = new Kafka({ clientId: 'cleaner-test', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: 'compacted', numPartitions: 1, configEntries: [
      { name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '1000' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' },
    ] }],
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const refused = await producer.send({ topic: 'compacted', messages: [{ value: 'no key' }] }).then(() => undefined, (err: { type?: string }) => err.type);
  t.equal(refused, 'INVALID_RECORD', 'keyless records are refused on a compacted topic');

  const latest = new Map<string, { offset: string; value: string }>();
  for (let i = 0; i < 200; i++) {
    const key = `k${i % 10}`;
    const [meta] = await producer.send({ topic: 'compacted', messages: [{ key, value: `v${i}` }] });
    latest.set(key, { offset: meta!.baseOffset!, value: `v${i}` });
  }
  const log = (broker.broker.context.logManager as unknown as LogManager).getLog('compacted', 0) as PartitionLog;
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  await waitFor('the background cleaner', () => log.cleanerOffset === activeBase, 15_000);

  const consumer = kafka.consumer({ groupId: 'cleaner-test-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'compacted', fromBeginning: true });
  const seen: Array<{ offset: string; key: string; value: string }> = [];
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({ offset: message.offset, key: message.key!.toString(), value: message.value!.toString() });
      if (Number(message.offset) === log.logEndOffset - 1) resolveDone();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('consumer timed out')), 20_000); })]);
  clearTimeout(timer);
  const cleaned = seen.filter((m) => Number(m.offset) < activeBase);
  const lastByKey = new Map<string, { offset: string; value: string }>();
  for (const m of seen) lastByKey.set(m.key, { offset: m.offset, value: m.value });
  t.same(Object.fromEntries(lastByKey), Object.fromEntries(latest), 'the latest value of each key, at its original offset');
  t.ok(new Set(cleaned.map((m) => m.key)).size === cleaned.length, 'the cleaned part holds one record per key');
  t.ok(seen.length < 200, `${seen.length} of 200 records left`);
});
