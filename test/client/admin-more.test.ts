// More of the client against a real broker: broker configs, legacy AlterConfigs, log dirs,
// auto-created and missing topics, the sticky partitioner, timestamps past the end.
import t from 'tap';
import { KafkaError } from '../../src/protocol/errors.js';
import { connect, startTestBroker } from './helpers.js';

t.test('broker configs, legacy AlterConfigs and log dirs', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  const cluster = await client.admin.describeCluster();
  const nodeId = cluster.brokers[0]!.nodeId;
  const brokerConfigs = await client.admin.describeConfigs({ type: 'broker', name: String(nodeId) }, { includeSynonyms: true, includeDocumentation: true });
  t.ok(brokerConfigs.length > 10, 'broker configs are listed');
  t.ok(brokerConfigs.every((c) => typeof c.source === 'string' && typeof c.type === 'string'));

  await client.admin.createTopics([{ topic: 'legacy', numPartitions: 2 }]);
  await client.admin.alterConfigs({ type: 'topic', name: 'legacy' }, { 'retention.ms': '60000', 'segment.bytes': '1048576' });
  const entries = await client.admin.describeConfigs({ type: 'topic', name: 'legacy' }, { keys: ['retention.ms', 'segment.bytes'] });
  t.same(
    entries.map((e) => [e.name, e.value, e.source]).sort(),
    [
      ['retention.ms', '60000', 'DYNAMIC_TOPIC_CONFIG'],
      ['segment.bytes', '1048576', 'DYNAMIC_TOPIC_CONFIG'],
    ],
  );
  const bad = await client.admin.alterConfigs({ type: 'topic', name: 'legacy' }, { 'retention.msx': '1' }).catch((e: unknown) => e);
  t.ok(bad instanceof KafkaError && bad.errorCode === 40, 'INVALID_CONFIG for an unknown key');

  const producer = client.producer();
  await producer.send({ topic: 'legacy', partition: 1, value: Buffer.alloc(500) });
  await producer.close();
  const dirs = await client.admin.describeLogDirs({ topics: ['legacy'] });
  t.equal(dirs.length, 1);
  t.equal(dirs[0]!.brokerId, nodeId);
  t.equal(dirs[0]!.error, null);
  const topic = dirs[0]!.topics.find((x) => x.topic === 'legacy');
  t.same(topic?.partitions.map((p) => p.partition).sort(), [0, 1]);
  t.ok(topic!.partitions.find((p) => p.partition === 1)!.sizeBytes > 500, 'size counts the record');
});

t.test('producing to a missing topic: auto-created when the broker allows it, else a clear error', async (t) => {
  const auto = await startTestBroker(t, ['auto.create.topics.enable=true']);
  const c1 = await connect(t, auto);
  const p1 = c1.producer();
  const m = await p1.send({ topic: 'appears', value: 'x' });
  t.equal(m.offset, 0);
  await p1.close();

  const strict = await startTestBroker(t, ['auto.create.topics.enable=false']);
  const c2 = await connect(t, strict);
  const p2 = c2.producer({ 'max.block.ms': '300' });
  const err = await p2.send({ topic: 'nowhere', value: 'x' }).catch((e: unknown) => e);
  t.ok(err instanceof KafkaError && err.errorCode === 3);
  t.match((err as Error).message, /topic nowhere does not exist \(waited 300 ms\)/);
  await p2.close();
});

t.test('null keys stick to one partition per batch.size, then move', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'sticky', numPartitions: 3 }]);
  const stay = client.producer({ 'batch.size': '100000' });
  const same = new Set<number>();
  for (let i = 0; i < 10; i++) same.add((await stay.send({ topic: 'sticky', value: 'v' })).partition);
  t.equal(same.size, 1, 'under batch.size: one partition');
  await stay.close();
  const move = client.producer({ 'batch.size': '1' });
  const seq: number[] = [];
  for (let i = 0; i < 10; i++) seq.push((await move.send({ topic: 'sticky', value: 'v' })).partition);
  for (let i = 1; i < seq.length; i++) t.not(seq[i], seq[i - 1], 'moves after each full batch');
  await move.close();
});

t.test('seekToTimestamp past the last record goes to the end', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'ts', numPartitions: 1 }]);
  const producer = client.producer();
  for (let i = 0; i < 3; i++) await producer.send({ topic: 'ts', value: `${i}`, timestampMs: 1000 + i });
  await producer.close();
  const consumer = client.consumer();
  const tp = { topic: 'ts', partition: 0 };
  consumer.assign([tp]);
  await consumer.seekToTimestamp(tp, 10_000);
  t.equal(await consumer.position(tp), 3);
  await consumer.seekToTimestamp(tp, 1001);
  t.same((await consumer.poll(1000)).map((r) => r.value?.toString()), ['1', '2']);
  const [max] = await client.admin.listOffsets([{ ...tp, spec: 'max-timestamp' }]);
  t.equal(max!.offset, 2);
  t.equal(max!.timestampMs, 1002);
});

t.test('polling a missing topic fails with UNKNOWN_TOPIC_OR_PARTITION once the poll timeout is spent', async (t) => {
  const broker = await startTestBroker(t, ['auto.create.topics.enable=false']);
  const client = await connect(t, broker, { 'retry.backoff.ms': '20' });
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'ghost', partition: 0 }]);
  const err = await consumer.poll(200).catch((e: unknown) => e);
  t.ok(err instanceof KafkaError && err.errorCode === 3, String(err));
});

t.test('flush() waits for sends that were still waiting for metadata', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'fl', numPartitions: 1 }]);
  const producer = client.producer({ 'linger.ms': '60000' });
  let delivered = 0;
  // The first send has no cached metadata yet, so it waits for a Metadata answer.
  const sends = [0, 1, 2].map((i) => producer.send({ topic: 'fl', value: `${i}` }).then(() => delivered++));
  await producer.flush();
  // Let the send() promise callbacks run (they settle a few microtasks after the batch).
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(delivered, 3, 'all three delivered when flush resolves, despite linger.ms');
  await Promise.all(sends);
  await producer.close();
});
