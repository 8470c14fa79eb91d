// Drives a real kts broker with kafkajs: auto-create, produce (plain, gzip, keyed,
// idempotent), consume back exactly, list offsets, murmur2 partitioning.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, CompressionTypes, logLevel, Partitioners } from 'kafkajs';
import { partitionForKey } from '../../src/client/partitioner.js';
import { runBroker, type RunningBroker } from './helpers.js';

function kafka(b: RunningBroker): Kafka {
  return new Kafka({ clientId: 'kts-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

t.test('produce with kafkajs: auto-create, offsets, gzip, keys, idempotence', async (t) => {
  const b = await runBroker(t, ['num.partitions=3']);
  const k = kafka(b);
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  const first = await producer.send({ topic: 'plain', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  t.ok(first.length >= 1);
  t.ok(first.every((r) => r.errorCode === 0 && r.baseOffset === '0'), 'first write to each partition is at offset 0');

  const gz = await producer.send({ topic: 'plain', compression: CompressionTypes.GZIP, messages: [{ value: 'd' }, { value: 'e' }] });
  t.equal(gz[0]!.errorCode, 0);

  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const offsets = await admin.fetchTopicOffsets('plain');
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  t.equal(total, 5, 'five records across the partitions');
  t.equal(offsets.length, 3, 'auto-created with num.partitions=3');

  const idem = k.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await idem.connect();
  t.teardown(() => idem.disconnect());
  const r = await idem.send({ topic: 'plain', acks: -1, messages: [{ key: 'k1', value: 'x' }, { key: 'k1', value: 'y' }] });
  t.equal(r[0]!.errorCode, 0);
});

t.test('kafkajs keyed records land on the partition Java murmur2 picks', async (t) => {
  const b = await runBroker(t);
  const k = kafka(b);
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 6 }] });
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (let i = 0; i < 30; i++) {
    const key = `order-${i * 7919}`;
    const [meta] = await producer.send({ topic: 'keyed', messages: [{ key, value: `v${i}` }] });
    t.equal(meta!.partition, partitionForKey(Buffer.from(key), 6), key);
  }
  const offsets = await admin.fetchTopicOffsets('keyed');
  t.equal(offsets.reduce((n, o) => n + Number(o.high), 0), 30);
});

t.test('kafkajs offsets by timestamp', async (t) => {
  const b = await runBroker(t);
  const k = kafka(b);
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'ts', messages: [1000, 2000, 3000].map((ts) => ({ value: String(ts), timestamp: String(ts), partition: 0 })) });
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const at = await admin.fetchTopicOffsetsByTimestamp('ts', 1500);
  t.same(at, [{ partition: 0, offset: '1' }]);
  const after = await admin.fetchTopicOffsetsByTimestamp('ts', 5000);
  t.same(after, [{ partition: 0, offset: '3' }], 'kafkajs maps "none later" to the latest offset');
});

t.test('kafkajs gzip records with headers read back exactly by kcat', { skip: spawnSync('kcat', ['-V']).status === 0 ? false : 'kcat is not installed' }, async (t) => {
  const b = await runBroker(t);
  const k = kafka(b);
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value ${i} ${'z'.repeat(i)}`, headers: { h: `x${i}` }, partition: 0 }));
  await producer.send({ topic: 'mixed', compression: CompressionTypes.GZIP, messages });
  // Async: the broker runs in this process, so a blocking spawn would starve it.
  const out = await promisify(execFile)('kcat', ['-b', b.bootstrap, '-C', '-t', 'mixed', '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h\\n'], { encoding: 'utf8', timeout: 20_000 });
  t.same(out.stdout.trimEnd().split('\n'), messages.map((m) => `${m.key}|${m.value}|h=${m.headers.h}`));
});

t.test('kafkajs consumer reads back exactly what kafkajs produced (plain and gzip, keyed, headers)', async (t) => {
  const b = await runBroker(t, ['group.initial.rebalance.delay.ms=0', 'num.partitions=3']);
  const k = kafka(b);
  const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent = Array.from({ length: 90 }, (_, i) => ({ key: `key-${i % 11}`, value: `value-${i}`, headers: { n: String(i) } }));
  await producer.send({ topic: 'roundtrip', messages: sent.slice(0, 45) });
  await producer.send({ topic: 'roundtrip', compression: CompressionTypes.GZIP, messages: sent.slice(45) });

  const consumer = k.consumer({ groupId: 'roundtrip-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'roundtrip', fromBeginning: true });
  const got: { key: string; value: string; n: string; partition: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${sent.length} records after 30 s`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message, partition }) => {
        got.push({ key: message.key!.toString(), value: message.value!.toString(), n: message.headers!.n!.toString(), partition });
        if (got.length === sent.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  const byValue = (a: { value: string }, c: { value: string }) => a.value.localeCompare(c.value);
  t.same(
    got.map(({ key, value, n }) => ({ key, value, n })).sort(byValue),
    sent.map((m) => ({ key: m.key, value: m.value, n: m.headers.n })).sort(byValue),
  );
  for (const m of got) t.equal(m.partition, partitionForKey(Buffer.from(m.key), 3), `${m.key} on its murmur2 partition`);
  for (const p of [0, 1, 2]) {
    const values = got.filter((m) => m.partition === p).map((m) => Number(m.n));
    t.same(values, [...values].sort((a, c) => a - c), `partition ${p} in produce order`);
  }
});
