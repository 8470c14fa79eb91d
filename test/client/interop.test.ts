// Cross-checks with real clients: kafkajs produces and the kts consumer reads; the kts
// producer writes and kcat (librdkafka) reads; the producer's buffer stays bounded.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { connect, startTestBroker } from './helpers.js';

const run = promisify(execFile);
const kcatSkip = spawnSync('kcat', ['-V']).status === 0 ? false : 'kcat is not installed (apt-get install -y kcat)';

t.test('kafkajs produces, the kts consumer reads', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'from-kafkajs', numPartitions: 2 }]);
  const kafka = new Kafka({ clientId: 'interop', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const messages = Array.from({ length: 40 }, (_, i) => ({
    key: `key-${i}`,
    value: `value-${i}`,
    headers: { n: String(i) },
    timestamp: String(1_700_000_000_000 + i),
  }));
  await producer.send({ topic: 'from-kafkajs', messages: messages.slice(0, 20) });
  await producer.send({ topic: 'from-kafkajs', compression: CompressionTypes.GZIP, messages: messages.slice(20) });

  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([
    { topic: 'from-kafkajs', partition: 0 },
    { topic: 'from-kafkajs', partition: 1 },
  ]);
  const got = new Map<string, { value: string; header: string; ts: number }>();
  for (let i = 0; i < 60 && got.size < 40; i++) {
    for (const r of await consumer.poll(500)) {
      got.set(r.key!.toString(), { value: r.value!.toString(), header: r.headers[0]!.value!.toString(), ts: r.timestampMs });
    }
  }
  t.equal(got.size, 40);
  messages.forEach((m, i) => t.same(got.get(m.key), { value: m.value, header: String(i), ts: 1_700_000_000_000 + i }, m.key));
});

t.test('kts produces, kcat (librdkafka) reads, partitions agree with murmur2', { skip: kcatSkip }, async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'to-kcat', numPartitions: 3 }]);
  const producer = client.producer({ 'compression.type': 'lz4' });
  const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic: 'to-kcat', key: `k${i}`, value: `v${i}` })));
  await producer.close();
  const { stdout } = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', 'to-kcat', '-o', 'beginning', '-e', '-q', '-f', '%k %s %p %o\\n'], {
    timeout: 15000,
  });
  const lines = stdout.trim().split('\n').sort();
  t.equal(lines.length, 30);
  const expected = sent.map((m, i) => `k${i} v${i} ${m.partition} ${m.offset}`).sort();
  t.same(lines, expected);
});

t.test('buffer.memory bounds buffered bytes: send() waits instead of growing', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'bp', numPartitions: 1 }]);
  const bufferMemory = 8192;
  const producer = client.producer({ 'buffer.memory': String(bufferMemory), 'batch.size': '2048', 'linger.ms': '1' });
  const value = Buffer.alloc(1000, 1);
  const sends = Array.from({ length: 200 }, () => producer.send({ topic: 'bp', value }));
  const results = await Promise.all(sends);
  t.same(results.map((r) => r.offset), Array.from({ length: 200 }, (_, i) => i), 'all delivered, in order');
  const m = producer.metrics();
  t.ok(m.bufferedBytesPeak <= bufferMemory, `peak ${m.bufferedBytesPeak} <= ${bufferMemory}`);
  t.ok(m.bufferedBytesPeak > bufferMemory / 2, 'the buffer was used');
  t.equal(m.bufferedBytes, 0, 'released after delivery');
  await producer.close();
});

t.test('kcat (librdkafka) produces with zstd and keys, the kts consumer reads', { skip: kcatSkip }, async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'from-kcat', numPartitions: 1 }]);
  const input = Array.from({ length: 25 }, (_, i) => `key${i}:value ${i}`).join('\n') + '\n';
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', broker.bootstrap, '-t', 'from-kcat', '-p', '0', '-K', ':', '-z', 'zstd'], { timeout: 15000 }, (err) =>
      err ? reject(err) : resolve(),
    );
    child.stdin!.end(input);
  });
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'from-kcat', partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 60 && got.length < 25; i++) got.push(...(await consumer.poll(500)).map((r) => `${r.key}:${r.value}`));
  t.same(got, Array.from({ length: 25 }, (_, i) => `key${i}:value ${i}`));
});
