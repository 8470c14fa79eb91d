// sendWithCallback (no promise per record) against a real broker: call order kept across
// the metadata wait of the first records, offsets and timestamps in the callbacks, errors
// through the callback; and the append-time batch builder against the records decoder.
import t from 'tap';
import { decodeRecordBatch, verifyRecordBatch } from '../../src/records/record-batch.js';
import { RecordsBuilder } from '../../src/client/batch-codec.js';
import type { RecordMetadata } from '../../src/client/index.js';
import { connect, startTestBroker } from './helpers.js';

t.test('RecordsBuilder writes a batch the decoder reads back, header fields included', async (t) => {
  const b = new RecordsBuilder(16);
  const base = 1_700_000_000_000;
  for (let i = 0; i < 300; i++) {
    const headers = i % 3 === 0 ? [{ key: 'hé', value: Buffer.from(`h${i}`) }, { key: 'n', value: null }] : undefined;
    b.append(i % 2 === 0 ? null : Buffer.from(`k${i}`), i === 7 ? null : Buffer.from('v'.repeat(i)), headers, base + (i % 5) * 1000 - 2000);
  }
  for (const compression of [0, 1, 4]) {
    const buf = b.toBatch({ compression, producerId: 42, producerEpoch: 3, baseSequence: 17 });
    const header = verifyRecordBatch(buf);
    t.equal(header.producerId, 42);
    t.equal(header.producerEpoch, 3);
    t.equal(header.baseSequence, 17);
    t.equal(header.lastOffsetDelta, 299);
    t.equal(header.maxTimestamp, base + 2000);
    const decoded = decodeRecordBatch(buf);
    t.equal(decoded.records.length, 300);
    decoded.records.forEach((r, i) => {
      t.equal(r.offset, i);
      t.equal(r.timestampMs, base + (i % 5) * 1000 - 2000);
      t.equal(r.key?.toString() ?? null, i % 2 === 0 ? null : `k${i}`);
      t.equal(r.value?.toString() ?? null, i === 7 ? null : 'v'.repeat(i));
      t.same(r.headers.map((h) => [h.key, h.value?.toString() ?? null]), i % 3 === 0 ? [['hé', `h${i}`], ['n', null]] : []);
    });
  }
});

t.test('sendWithCallback keeps call order, reports offsets, and reports errors per record', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'cb', numPartitions: 1 }]);
  const producer = client.producer({ 'linger.ms': '5', 'batch.size': '2000' });
  const results: (RecordMetadata | Error)[] = [];
  const n = 3000;
  await new Promise<void>((resolve) => {
    let left = n;
    for (let i = 0; i < n; i++) {
      producer.sendWithCallback({ topic: 'cb', value: `v${i}`, timestampMs: 1_700_000_000_000 + i }, (err, meta) => {
        results[i] = err ?? meta!;
        if (--left === 0) resolve();
      });
    }
  });
  t.ok(results.every((r, i) => !(r instanceof Error) && r.offset === i && r.timestampMs === 1_700_000_000_000 + i), 'offsets and timestamps in call order');

  const errors: Error[] = [];
  producer.sendWithCallback({ topic: 'cb', partition: 5, value: 'x' }, (err) => errors.push(err!));
  producer.sendWithCallback({ topic: 'cb', value: Buffer.alloc(2_000_000) }, (err) => errors.push(err!));
  await producer.flush();
  t.match(errors[0]?.message, /partition 5/);
  t.match(errors[1]?.message, /larger than max.request.size/);

  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'cb', partition: 0 }]);
  const got: string[] = [];
  while (got.length < n) {
    const batch = await consumer.poll(2000);
    if (batch.length === 0) break;
    for (const r of batch) got.push(r.value!.toString());
  }
  t.same(got, Array.from({ length: n }, (_, i) => `v${i}`));
  await producer.close();
});

t.test('without idempotence several batches of one partition are in flight; order holds without errors', async (t) => {
  const broker = await startTestBroker(t);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'pipe', numPartitions: 1 }]);
  const producer = client.producer({ acks: '1', 'linger.ms': '50', 'batch.size': '1000' });
  const n = 2000;
  const offsets = await Promise.all(Array.from({ length: n }, (_, i) => producer.send({ topic: 'pipe', value: `v${i}` }).then((m) => m.offset)));
  t.same(offsets, Array.from({ length: n }, (_, i) => i), 'offsets in send order');
  await producer.close();
});
