// File descriptors follow use, not partition count: 600 partitions over 6 topics (1,800
// segment and index files) are created, written once each and reopened by a restarted
// broker, all under `prlimit --nofile=384`; with them present, a CreateTopics for 30,000
// more is refused at once and leaves nothing. The same at full scale (10,000 partitions
// under 1024 descriptors, the common default `ulimit -n`) is the bench's resources
// scenario: creating that many directories and files takes about a minute on a busy
// 2-core machine, too long for a test.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startChildBroker, openDescriptors } from '../helpers/child-broker.js';
import { tempDir } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = !built ? 'run `npm run build` first' : !existsSync('/usr/bin/prlimit') ? 'needs prlimit (util-linux)' : false;
const TOPICS = 6;
const PARTITIONS = 100;
const NOFILE = 384;
/** The consumer below joins a group: no initial rebalance delay. */
const OVERRIDES = ['group.initial.rebalance.delay.ms=0'];

t.test('600 partitions within 384 descriptors: create, write each once, restart, read them back', { skip }, async (t) => {
  const dataDir = await tempDir(t);
  const topics = Array.from({ length: TOPICS }, (_, i) => `many-${i}`);
  let broker = await startChildBroker(t, { dataDir, maxOpenFiles: NOFILE, overrides: OVERRIDES });
  let kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 }, requestTimeout: 120_000 });
  let admin = kafka.admin();
  await admin.connect();
  for (let i = 0; i < TOPICS; i += 20) {
    await admin.createTopics({ topics: topics.slice(i, i + 20).map((topic) => ({ topic, numPartitions: PARTITIONS })), timeout: 120_000 });
  }
  t.equal(readdirSync(dataDir).filter((n) => n.startsWith('many-')).length, TOPICS * PARTITIONS, '600 partition directories');
  t.ok(openDescriptors(broker.pid) < NOFILE, `${openDescriptors(broker.pid)} descriptors open after creating them`);

  const producer = kafka.producer();
  await producer.connect();
  await producer.sendBatch({
    acks: -1,
    topicMessages: topics.map((topic) => ({ topic, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `${topic}/${p}` })) })),
  });
  await producer.disconnect();
  t.ok(openDescriptors(broker.pid) < NOFILE, `${openDescriptors(broker.pid)} descriptors open after writing each partition`);

  // 30,000 more would pass max.broker.partitions: refused before anything is created.
  const refused = await admin.createTopics({ topics: [{ topic: 'too-many', numPartitions: 30_000 }] }).then(() => undefined, (err: { errors?: { type?: string }[] }) => err.errors?.[0]?.type);
  t.equal(refused, 'POLICY_VIOLATION');
  t.notOk(existsSync(`${dataDir}/too-many-0`));
  await admin.disconnect();
  t.equal(await broker.stop(), 0, 'the broker stops cleanly');

  broker = await startChildBroker(t, { dataDir, maxOpenFiles: NOFILE, overrides: OVERRIDES, readyTimeoutMs: 60_000 });
  t.teardown(() => broker.stop());
  t.ok(openDescriptors(broker.pid) < NOFILE, `${openDescriptors(broker.pid)} descriptors open after the restart`);
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 }, requestTimeout: 120_000 });
  admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  let ended = 0;
  for (const topic of topics) {
    for (const o of await admin.fetchTopicOffsets(topic)) if (o.low === '0' && o.high === '1') ended++;
  }
  t.equal(ended, TOPICS * PARTITIONS, 'every partition kept its one record across the restart');
  const consumer = kafka.consumer({ groupId: 'many-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topics: [topics[TOPICS - 1]!], fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => {
      seen.add(message.value!.toString());
      if (seen.size === PARTITIONS) resolve();
    } });
  });
  t.equal(seen.size, PARTITIONS, 'a consumer reads the 100 records of one topic after the restart');
  t.ok(openDescriptors(broker.pid) < NOFILE, `${openDescriptors(broker.pid)} descriptors open after reading`);
});
