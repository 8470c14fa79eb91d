// The client against a real kts broker on a loopback port: admin, produce, consume,
// partitioning, compression, offsets, delete-records, configs.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanLogEntries } from '../../src/records/log-entries.js';
import { decodeBatchHeader } from '../../src/records/record-batch.js';
import { KafkaError } from '../../src/protocol/errors.js';
import { partitionForKey } from '../../src/client/partitioner.js';
import { tpKey } from '../../src/client/index.js';
import { connect, startTestBroker } from './helpers.js';

t.test('admin: create, list, describe, grow and delete topics', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  const [created] = await client.admin.createTopics([{ topic: 'orders', numPartitions: 3, configs: { 'cleanup.policy': 'delete' } }]);
  t.equal(created!.topic, 'orders');
  t.equal(created!.numPartitions, 3);
  t.ok((await client.admin.listTopics()).includes('orders'));
  const [desc] = await client.admin.describeTopics(['orders']);
  t.equal(desc!.partitions.length, 3);
  t.not(desc!.topicId, 'AAAAAAAAAAAAAAAAAAAAAA', 'a real topic id');
  for (const p of desc!.partitions) {
    t.ok(p.leader >= 0, 'has a leader');
    t.same(p.isr, p.replicas);
  }
  const dup = await client.admin.createTopics([{ topic: 'orders', numPartitions: 1 }]).catch((e: unknown) => e);
  t.ok(dup instanceof KafkaError && dup.errorCode === 36, 'TOPIC_ALREADY_EXISTS');
  await client.admin.createPartitions([{ topic: 'orders', totalCount: 5 }]);
  t.equal((await client.admin.describeTopics(['orders']))[0]!.partitions.length, 5);
  const cluster = await client.admin.describeCluster();
  t.equal(cluster.brokers.length, 1);
  t.equal(cluster.brokers[0]!.port, broker.port);
  await client.admin.deleteTopics(['orders']);
  t.notOk((await client.admin.listTopics()).includes('orders'));
  const missing = await client.admin.describeTopics(['orders']).catch((e: unknown) => e);
  t.ok(missing instanceof KafkaError && missing.errorCode === 3, 'UNKNOWN_TOPIC_OR_PARTITION');
});

t.test('produce then consume: keys, values, headers, timestamps, offsets', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'events', numPartitions: 1 }]);
  const producer = client.producer({ 'linger.ms': '2' });
  const sent = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      producer.send({
        topic: 'events',
        key: i % 5 === 0 ? null : `k${i}`,
        value: `v${i}`,
        headers: [{ key: 'h', value: Buffer.from(String(i)) }],
        timestampMs: 1_700_000_000_000 + i,
      }),
    ),
  );
  t.same(sent.map((m) => m.offset), Array.from({ length: 50 }, (_, i) => i), 'offsets in send order');
  await producer.close();

  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'events', partition: 0 }]);
  const got = [];
  while (got.length < 50) {
    const batch = await consumer.poll(2000);
    if (batch.length === 0) break;
    got.push(...batch);
  }
  t.equal(got.length, 50);
  got.forEach((r, i) => {
    t.equal(r.offset, i);
    t.equal(r.value?.toString(), `v${i}`);
    t.equal(r.key?.toString() ?? null, i % 5 === 0 ? null : `k${i}`);
    t.equal(r.timestampMs, 1_700_000_000_000 + i);
    t.equal(r.timestampType, 'CreateTime');
    t.equal(r.headers[0]!.key, 'h');
    t.equal(r.headers[0]!.value?.toString(), String(i));
  });
  const ends = await consumer.endOffsets([{ topic: 'events', partition: 0 }]);
  t.equal(ends.get(tpKey({ topic: 'events', partition: 0 })), 50);
  t.same(await consumer.poll(50), [], 'nothing more');
});

t.test('keyed records go to the murmur2 partition; explicit partitions are honoured', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'keyed', numPartitions: 4 }]);
  const producer = client.producer();
  for (let i = 0; i < 20; i++) {
    const m = await producer.send({ topic: 'keyed', key: `user-${i}`, value: 'x' });
    t.equal(m.partition, partitionForKey(Buffer.from(`user-${i}`), 4), `user-${i}`);
  }
  const explicit = await producer.send({ topic: 'keyed', partition: 3, key: 'user-0', value: 'y' });
  t.equal(explicit.partition, 3);
  const bad = await producer.send({ topic: 'keyed', partition: 9, value: 'z' }).catch((e: unknown) => e);
  t.ok(bad instanceof KafkaError, 'partition out of range is refused');
  await producer.close();
});

t.test('every compression codec round-trips', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
    await client.admin.createTopics([{ topic: `c-${codec}`, numPartitions: 1 }]);
    const producer = client.producer({ 'compression.type': codec, 'linger.ms': '20' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic: `c-${codec}`, value: `${codec} ${i} ${'z'.repeat(100)}` })));
    await producer.close();
    const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
    consumer.assign([{ topic: `c-${codec}`, partition: 0 }]);
    const got = [];
    while (got.length < 30) {
      const batch = await consumer.poll(2000);
      if (batch.length === 0) break;
      got.push(...batch);
    }
    t.same(got.map((r) => r.value?.toString()), Array.from({ length: 30 }, (_, i) => `${codec} ${i} ${'z'.repeat(100)}`), codec);
    await consumer.close();
  }
});

t.test('offsets: by timestamp, delete-records, out of range reset', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'o', numPartitions: 1 }]);
  const producer = client.producer();
  for (let i = 0; i < 10; i++) await producer.send({ topic: 'o', value: `${i}`, timestampMs: 1000 * (i + 1) });
  await producer.close();
  const tp = { topic: 'o', partition: 0 };
  const [byTs] = await client.admin.listOffsets([{ ...tp, spec: { timestampMs: 5500 } }]);
  t.equal(byTs!.offset, 5, 'first record at or after the timestamp');
  const [earliest, latest] = await client.admin.listOffsets([
    { ...tp, spec: 'earliest' },
    { ...tp, spec: 'latest' },
  ]);
  t.equal(earliest!.offset, 0);
  t.equal(latest!.offset, 10);
  const [deleted] = await client.admin.deleteRecords([{ ...tp, offset: 4 }]);
  t.equal(deleted!.lowWatermark, 4);
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([tp]);
  consumer.seek(tp, 1);
  const records = await consumer.poll(2000);
  t.equal(records[0]?.offset, 4, 'OFFSET_OUT_OF_RANGE resets to the log start');
  await consumer.seekToTimestamp(tp, 8000);
  t.equal(await consumer.position(tp), 7);
});

t.test('topic configs: describe, incremental alter, delete', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'cfg', numPartitions: 1 }]);
  const resource = { type: 'topic' as const, name: 'cfg' };
  await client.admin.incrementalAlterConfigs(resource, [{ name: 'retention.ms', op: 'set', value: '12345' }]);
  let entries = await client.admin.describeConfigs(resource, { includeSynonyms: true });
  const retention = entries.find((e) => e.name === 'retention.ms');
  t.equal(retention?.value, '12345');
  t.equal(retention?.source, 'DYNAMIC_TOPIC_CONFIG');
  await client.admin.incrementalAlterConfigs(resource, [{ name: 'retention.ms', op: 'delete' }]);
  entries = await client.admin.describeConfigs(resource, { keys: ['retention.ms'] });
  t.equal(entries.length, 1);
  t.not(entries[0]!.source, 'DYNAMIC_TOPIC_CONFIG');
});

t.test('idempotent by default: batches carry a producer id and per-partition sequences', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'idem', numPartitions: 1 }]);
  const producer = client.producer({ 'linger.ms': '0', 'batch.size': '1' });
  for (let i = 0; i < 3; i++) await producer.send({ topic: 'idem', value: `v${i}` });
  await producer.close();
  const segment = join(broker.dataDir, 'idem-0', '00000000000000000000.log');
  const headers = [...scanLogEntries(await readFile(segment))].map((e) => decodeBatchHeader(e.bytes));
  t.equal(headers.length, 3);
  t.ok(headers[0]!.producerId >= 0, 'producer id from InitProducerId');
  t.same(headers.map((h) => h.baseSequence), [0, 1, 2]);
  t.same(new Set(headers.map((h) => h.producerId)).size, 1);
});

t.test('acks=0: sends complete without offsets and the records arrive', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'fire', numPartitions: 1 }]);
  const producer = client.producer({ acks: '0', 'enable.idempotence': 'false' });
  const sent = await Promise.all([0, 1, 2].map((i) => producer.send({ topic: 'fire', value: `f${i}` })));
  t.same(sent.map((m) => m.offset), [-1, -1, -1]);
  await producer.close();
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'fire', partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 60 && got.length < 3; i++) got.push(...(await consumer.poll(500)).map((r) => r.value!.toString()));
  t.same(got, ['f0', 'f1', 'f2']);
});

t.test('a long poll returns the record produced while it waits', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'lp', numPartitions: 1 }]);
  const consumer = client.consumer({ 'auto.offset.reset': 'latest', 'fetch.max.wait.ms': '5000' });
  consumer.assign([{ topic: 'lp', partition: 0 }]);
  t.equal(await consumer.position({ topic: 'lp', partition: 0 }), 0);
  const polling = consumer.poll(15000);
  const producer = client.producer();
  await producer.send({ topic: 'lp', value: 'wake' });
  const records = await polling;
  t.same(records.map((r) => r.value?.toString()), ['wake']);
  await producer.close();
});

t.test('the consumer refuses unassigned partitions and auto.offset.reset=none without a position', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'n', numPartitions: 1 }]);
  const consumer = client.consumer({ 'auto.offset.reset': 'none' });
  t.throws(() => consumer.seek({ topic: 'n', partition: 0 }, 0), /not assigned/);
  consumer.assign([{ topic: 'n', partition: 0 }]);
  await t.rejects(consumer.poll(100), /auto.offset.reset is none/);
  consumer.seek({ topic: 'n', partition: 0 }, 0);
  t.same(await consumer.poll(100), []);
});

t.test('large fetch responses (many TCP chunks) arrive whole', async (t) => {
  const broker = await startTestBroker(t, ['message.max.bytes=2000000']);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'big', numPartitions: 1 }]);
  const producer = client.producer({ 'batch.size': '1000000', 'max.request.size': '2000000', 'linger.ms': '5' });
  const value = Buffer.alloc(100_000);
  await Promise.all(Array.from({ length: 150 }, (_, i) => producer.send({ topic: 'big', value: Buffer.concat([Buffer.from([i]), value]) })));
  await producer.close();
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest', 'max.partition.fetch.bytes': '52428800', 'max.poll.records': '1000' });
  consumer.assign([{ topic: 'big', partition: 0 }]);
  const got: number[] = [];
  for (let i = 0; i < 60 && got.length < 150; i++) got.push(...(await consumer.poll(1000)).map((r) => r.value![0]!));
  t.same(got, Array.from({ length: 150 }, (_, i) => i), '15 MB read back in order');
});
