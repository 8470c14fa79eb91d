// Producer.sendValues, the bulk path for plain lines: the batch bytes against kafkajs's
// encoder (an independent implementation) for the same records, and against a real broker:
// order with sendWithCallback around it, runs queued behind a metadata wait, batches split
// at batch.size, sticky partitioning over several partitions, errors per run.
import t from 'tap';
import { RecordsBuilder } from '../../src/client/batch-codec.js';
import { decodeRecordBatch } from '../../src/records/record-batch.js';
import type { ConsumerRecord, KafkaClient } from '../../src/client/index.js';
import { kjsEncodeBatch, kjsRecord, long } from '../records/kafkajs.js';
import { connect, startTestBroker } from './helpers.js';

/** Lines joined by the given separators, with their bounds as RecordSplitter gives them. */
function source(values: Buffer[], separators: string[]): { data: Buffer; bounds: Int32Array } {
  const parts: Buffer[] = [];
  const bounds = new Int32Array(values.length * 2);
  let at = 0;
  values.forEach((v, i) => {
    bounds[2 * i] = at;
    bounds[2 * i + 1] = at + v.length;
    const sep = Buffer.from(separators[i % separators.length]!);
    parts.push(v, sep);
    at += v.length + sep.length;
  });
  return { data: Buffer.concat(parts), bounds };
}

function randomValues(n: number, seed: number): Buffer[] {
  let x = seed;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => {
    const r = next();
    const length = i === 3 ? 9000 : r < 0.05 ? 0 : r < 0.5 ? Math.floor(next() * 64) : Math.floor(next() * 300);
    return Buffer.from(Array.from({ length }, (_, j) => 32 + ((i * 7 + j) % 90)));
  });
}

t.test('appendValues writes the bytes kafkajs encodes for the same records', async (t) => {
  const base = 1_700_000_000_000;
  // Gaps of 1 (\n) and 2 (\r\n) frame values in place; a wide separator takes the copying path.
  for (const separators of [['\n'], ['\r\n', '\n'], ['<-- a wide separator -->']]) {
    const values = randomValues(9000, separators.length * 31);
    const { data, bounds } = source(values, separators);
    const b = new RecordsBuilder(1024);
    b.append(Buffer.from('k'), Buffer.from('first'), [{ key: 'h', value: Buffer.from('x') }], base);
    // Runs of different sizes and timestamps, offset deltas past 64 and 8192 (longer varints).
    // The second run's timestamp is before the first record's: a negative delta.
    const cuts = [0, 1, 70, 4000, 8300, 9000];
    const delta = (c: number): number => (c === 1 ? -20 : c * 1000);
    for (let c = 0; c + 1 < cuts.length; c++) b.appendValues(data, bounds, cuts[c]!, cuts[c + 1]!, base + delta(c));
    const ours = b.toBatch({ compression: 0, producerId: 77, producerEpoch: 2, baseSequence: 5 });

    const records = [kjsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('first'), headers: { h: 'x' } })];
    for (let c = 0; c + 1 < cuts.length; c++) {
      for (let i = cuts[c]!; i < cuts[c + 1]!; i++) records.push(kjsRecord({ offsetDelta: i + 1, timestampDelta: delta(c), key: null, value: values[i]! }));
    }
    const theirs = await kjsEncodeBatch({
      firstOffset: long(0),
      firstTimestamp: base,
      maxTimestamp: base + 4000,
      partitionLeaderEpoch: -1,
      lastOffsetDelta: 9000,
      producerId: long(77),
      producerEpoch: 2,
      firstSequence: 5,
      records,
    });
    t.equal(Buffer.compare(ours, theirs), 0, `separators ${JSON.stringify(separators)}: same bytes as kafkajs`);
    const decoded = decodeRecordBatch(ours);
    t.equal(decoded.records.length, 9001);
    t.ok(decoded.records.slice(1).every((r, i) => r.key === null && r.value!.equals(values[i]!)), 'values read back');
  }
});

async function readAll(client: KafkaClient, topic: string, partitions: number, expected: number): Promise<ConsumerRecord[][]> {
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const got: ConsumerRecord[][] = Array.from({ length: partitions }, () => []);
  let total = 0;
  while (total < expected) {
    const batch = await consumer.poll(3000);
    if (batch.length === 0) break;
    for (const r of batch) got[r.partition]!.push(r);
    total += batch.length;
  }
  await consumer.close();
  return got;
}

t.test('sendValues against a broker: order with sendWithCallback, batch.size splits, sticky partitions', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'one', numPartitions: 1 }, { topic: 'three', numPartitions: 3 }]);
  const producer = client.producer({ acks: '1', 'linger.ms': '20', 'batch.size': '20000' });
  const values = randomValues(3000, 7);
  const { data, bounds } = source(values, ['\n']);
  const delivered: [number, number][] = [];
  const errors: Error[] = [];
  const onValues = (err: Error | null, first: number, count: number): void => {
    if (err) errors.push(err);
    else delivered.push([first, count]);
  };
  // The first run waits for metadata; the record sent after it must still come after it.
  const run = (topic: string, from: number, to: number, partition?: number) => ({
    topic,
    partition,
    source: data,
    bounds: bounds.subarray(2 * from, 2 * to),
    count: to - from,
    valueBytes: values.slice(from, to).reduce((n, v) => n + v.length, 0),
    maxValueBytes: Math.max(...values.slice(from, to).map((v) => v.length)),
  });
  producer.sendValues(run('one', 0, 1000), onValues);
  producer.sendWithCallback({ topic: 'one', value: 'between' });
  producer.sendValues(run('one', 1000, 3000), onValues);
  producer.sendValues(run('three', 0, 3000), onValues);
  producer.sendValues(run('three', 0, 10, 2), onValues);
  await producer.flush();
  t.same(errors, []);
  t.equal(delivered.reduce((n, [, c]) => n + c, 0), 6010, 'every value reported once');
  t.ok(delivered.length > 6, 'runs were split over several batches');

  const [one] = await readAll(client, 'one', 1, 3001);
  const expected = [...values.slice(0, 1000).map(String), 'between', ...values.slice(1000).map(String)];
  t.same(one!.map((r) => r.value!.toString()), expected, 'call order kept across runs and single records');
  t.ok(one!.every((r) => r.key === null && r.headers.length === 0));

  const three = await readAll(client, 'three', 3, 3010);
  t.equal(three.reduce((n, p) => n + p.length, 0), 3010);
  t.ok(three.filter((p) => p.length > 0).length >= 2, 'the sticky partitioner moved on after full batches');
  const seen = three.flatMap((p) => p.map((r) => r.value!.toString()));
  t.same(seen.sort(), [...values.map(String), ...values.slice(0, 10).map(String)].sort(), 'nothing lost or duplicated');
  t.same(three[2]!.slice(-10).map((r) => r.value!.toString()), values.slice(0, 10).map(String), 'an explicit partition is kept');
  await producer.close();
});

t.test('sendValues reports failures per run part: a partition that does not exist, oversized values', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'p', numPartitions: 1 }]);
  const producer = client.producer({ acks: '1', 'linger.ms': '5', 'max.request.size': '5000' });
  const values = [Buffer.from('a'), Buffer.alloc(6000, 98), Buffer.from('c')];
  const { data, bounds } = source(values, ['\n']);
  const results: [string, number, number][] = [];
  const onValues = (err: Error | null, first: number, count: number): void => void results.push([err ? err.message : 'ok', first, count]);
  const base = { source: data, bounds, count: 3, valueBytes: 6002, maxValueBytes: 6000 };
  producer.sendValues({ topic: 'p', partition: 4, ...base, bounds: bounds.subarray(0, 2), count: 1, valueBytes: 1, maxValueBytes: 1 }, onValues);
  producer.sendValues({ topic: 'p', ...base }, onValues);
  await producer.flush();
  // An oversized value fails at once (as in sendWithCallback); the others after the metadata wait.
  t.equal(results.length, 4);
  t.match(results.find((r) => /partition 4/.test(r[0])), [/partition 4 of topic p does not exist/, 0, 1]);
  const rest = results.filter((r) => !/partition 4/.test(r[0])).sort((a, b) => a[1] - b[1]);
  t.match(rest, [['ok', 0, 1], [/larger than max.request.size/, 1, 1], ['ok', 2, 1]], 'the oversized value fails alone');
  const [p] = await readAll(client, 'p', 1, 2);
  t.same(p!.map((r) => r.value!.toString()), ['a', 'c']);
  await producer.close();
});

t.test('appendValues with one payload repeated and with ranges out of order', async (t) => {
  const payload = Buffer.from('0123456789abcdefghij');
  const repeated = new Int32Array(2 * 500);
  for (let i = 0; i < 500; i++) repeated.set([0, 20], 2 * i);
  const backwards = new Int32Array([15, 20, 10, 15, 5, 10, 0, 5, 2, 18]);
  const b = new RecordsBuilder(64);
  b.appendValues(payload, repeated, 0, 500, 1_700_000_000_000);
  b.appendValues(payload, backwards, 0, 5, 1_700_000_000_000);
  const records = decodeRecordBatch(b.toBatch({ compression: 0, producerId: -1, producerEpoch: -1, baseSequence: -1 })).records;
  t.equal(records.length, 505);
  t.ok(records.slice(0, 500).every((r) => r.value!.equals(payload)), 'the repeated payload each time');
  t.same(records.slice(500).map((r) => r.value!.toString()), ['fghij', 'abcde', '56789', '01234', '23456789abcdefgh']);
});

t.test('buffers may be reused as soon as a send returns, also while the producer waits for metadata', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'reuse', numPartitions: 1 }]);
  // A fresh producer has no metadata: both sends below take the waiting (copying) path.
  const producer = client.producer({ acks: '1', 'linger.ms': '5' });
  const scratch = Buffer.from('first-value\nsecond-value\n');
  const bounds = new Int32Array([0, 11, 12, 24]);
  producer.sendValues({ topic: 'reuse', source: scratch, bounds, count: 2, valueBytes: 23, maxValueBytes: 12 }, () => undefined);
  scratch.fill(0x58);
  bounds.fill(0);
  const single = Buffer.from('third-value');
  producer.sendWithCallback({ topic: 'reuse', key: single, value: single, headers: [{ key: 'h', value: single }] });
  single.fill(0x59);
  await producer.flush();
  const [records] = await readAll(client, 'reuse', 1, 3);
  t.same(records!.map((r) => r.value!.toString()), ['first-value', 'second-value', 'third-value']);
  t.equal(records![2]!.key!.toString(), 'third-value');
  t.equal(records![2]!.headers[0]!.value!.toString(), 'third-value');
  await producer.close();
});

t.test('runs fill batches to batch.size by their encoded size, as Kafka does', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'fill', numPartitions: 1 }]);
  const producer = client.producer({ acks: '1', 'linger.ms': '50', 'batch.size': '10000' });
  const values = Array.from({ length: 1000 }, (_, i) => Buffer.from(`value-${String(i).padStart(4, '0')}-${'z'.repeat(40)}`));
  const { data, bounds } = source(values, ['\n']);
  const valueBytes = values.reduce((n, v) => n + v.length, 0);
  producer.sendValues({ topic: 'fill', source: data, bounds, count: values.length, valueBytes, maxValueBytes: values[0]!.length }, () => undefined);
  await producer.flush();
  await producer.close();
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { scanLogEntries } = await import('../../src/records/log-entries.js');
  const log = await readFile(join(broker.dataDir, 'fill-0', '00000000000000000000.log'));
  const sizes = [...scanLogEntries(log)].map((e) => e.bytes.length);
  const recordBytes = 1 + 1 + 1 + 2 + 1 + 1 + values[0]!.length + 1; // length, attributes, ts delta, offset delta, key, value length, value, headers
  t.ok(sizes.length > 5, `several batches (${sizes.length})`);
  t.ok(sizes.every((n) => n <= 10000), 'none larger than batch.size');
  t.ok(sizes.slice(0, -1).every((n) => n > 10000 - recordBytes - 2), `all but the last filled to within one record: ${sizes.join(' ')}`);
});
