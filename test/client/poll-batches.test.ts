// KafkaConsumer.pollBatches against a real broker: the fetched bytes read back (with
// walkFetchedEntries) to the same records as poll(); positions move past what was returned;
// the round fetched ahead is dropped after a seek and never skips or repeats records;
// poll() after pollBatches goes on from the position; timeouts return [] in time; an
// out-of-range offset resets per auto.offset.reset; a fetch of 200,000 compressed records.
import t from 'tap';
import { KafkaConsumer } from '../../src/client/consumer.js';
import { decodeFetchedRecords, type FetchedRecords } from '../../src/client/fetch-decoder.js';
import type { KafkaClient } from '../../src/client/index.js';
import { connect, startTestBroker } from './helpers.js';

const TOPIC = 'pb';

async function load(client: KafkaClient, count: number): Promise<void> {
  const producer = client.producer({ 'linger.ms': '2', 'batch.size': '2000' });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic: TOPIC, partition: i % 2, key: `k${i}`, value: `v${i}` })));
  await producer.close();
}

function values(fs: FetchedRecords[]): string[] {
  return fs.flatMap((f) => decodeFetchedRecords(f.topic, f.partition, f.bytes, f).records.map((r) => `${r.partition}:${r.offset}:${r.value?.toString()}`));
}

function batchConsumer(client: KafkaClient, config: Record<string, string> = {}): KafkaConsumer {
  const c = client.consumer(config);
  if (!(c instanceof KafkaConsumer)) throw new Error('expected a KafkaConsumer');
  return c;
}

t.test('pollBatches returns every record once, in order per partition, like poll()', async (t) => {
  const b = await startTestBroker(t);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: TOPIC, numPartitions: 2 }]);
  await load(client, 600);
  const tps = [0, 1].map((partition) => ({ topic: TOPIC, partition }));

  const viaBatches = batchConsumer(client, { 'max.partition.fetch.bytes': '4000' });
  viaBatches.assign(tps);
  await viaBatches.seekToBeginning();
  const got: string[] = [];
  while (got.length < 600) got.push(...values(await viaBatches.pollBatches(2000)));
  t.equal(await viaBatches.position(tps[0]!), 300);
  t.equal(await viaBatches.position(tps[1]!), 300);
  t.same(await viaBatches.pollBatches(50), [], 'nothing more: [] at the timeout');
  await viaBatches.close();

  const viaRecords = client.consumer();
  viaRecords.assign(tps);
  await viaRecords.seekToBeginning();
  const want: string[] = [];
  while (want.length < 600) want.push(...(await viaRecords.poll(2000)).map((r) => `${r.partition}:${r.offset}:${r.value?.toString()}`));
  await viaRecords.close();
  const byPartition = (xs: string[], p: number) => xs.filter((x) => x.startsWith(`${p}:`));
  for (const p of [0, 1]) t.same(byPartition(got, p), byPartition(want, p), `partition ${p}`);
});

t.test('a seek drops the round fetched ahead; poll() continues from the position', async (t) => {
  const b = await startTestBroker(t);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: TOPIC, numPartitions: 2 }]);
  await load(client, 400);
  const tp = { topic: TOPIC, partition: 0 };
  const c = batchConsumer(client, { 'max.partition.fetch.bytes': '3000', 'max.poll.records': '1' });
  c.assign([tp]);
  await c.seekToBeginning();
  const first = values(await c.pollBatches(2000));
  t.ok(first.length > 0 && first.length < 200, 'a first part');
  t.equal(first[0], '0:0:v0');
  // A request on the same connection after the round fetched ahead: once it is answered,
  // that round has asked for the offsets after `first`.
  await c.endOffsets([tp]);
  c.seek(tp, 20);
  const after = values(await c.pollBatches(2000));
  t.equal(after[0], '0:20:v40', 'from the seek offset, not from the round fetched ahead');
  const lastOffset = Number(after.at(-1)!.split(':')[1]);
  const next = await c.poll(2000);
  t.equal(next[0]?.offset, lastOffset + 1, 'poll() goes on where pollBatches stopped');
  await t.rejects(c.pollBatches(10), /buffered/, 'refused while poll() records are buffered');
  await c.close();
});

t.test('an offset out of range resets per auto.offset.reset', async (t) => {
  const b = await startTestBroker(t);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: TOPIC, numPartitions: 2 }]);
  await load(client, 20);
  const tp = { topic: TOPIC, partition: 1 };
  const c = batchConsumer(client, { 'auto.offset.reset': 'earliest' });
  c.assign([tp]);
  c.seek(tp, 5000);
  const got: string[] = [];
  while (got.length < 10) got.push(...values(await c.pollBatches(2000)));
  t.equal(got[0], '1:0:v1');
  await c.close();

  const strict = batchConsumer(client, { 'auto.offset.reset': 'none' });
  strict.assign([tp]);
  strict.seek(tp, 5000);
  await t.rejects(strict.pollBatches(2000), /OFFSET_OUT_OF_RANGE/);
  await strict.close();
});

t.test('a fetch of 200,000 small compressed records: poll() and pollBatches() take it', async (t) => {
  const b = await startTestBroker(t);
  const client = await connect(t, b);
  await client.admin.createTopics([{ topic: TOPIC, numPartitions: 1 }]);
  const count = 200_000;
  const source = Buffer.alloc(count, 0x61);
  const bounds = new Int32Array(2 * count);
  for (let i = 0; i < count; i++) {
    bounds[2 * i] = i;
    bounds[2 * i + 1] = i + 1;
  }
  const producer = client.producer({ 'compression.type': 'lz4', 'batch.size': '16000000', 'linger.ms': '50', 'max.request.size': '16000000' });
  await new Promise<void>((resolve, reject) => {
    let acked = 0;
    producer.sendValues({ topic: TOPIC, partition: 0, source, bounds, count, valueBytes: count, maxValueBytes: 1 }, (err, _first, n) => {
      if (err) reject(err);
      acked += n;
      if (acked === count) resolve();
    });
  });
  await producer.close();
  const tp = { topic: TOPIC, partition: 0 };
  const records = client.consumer({ 'max.poll.records': '1000000' });
  records.assign([tp]);
  await records.seekToBeginning();
  let polled = 0;
  while (polled < count) polled += (await records.poll(2000)).length;
  t.equal(polled, count);
  await records.close();
  const batches = batchConsumer(client);
  batches.assign([tp]);
  await batches.seekToBeginning();
  let walked = 0;
  while (walked < count) walked += values(await batches.pollBatches(2000)).length;
  t.equal(walked, count);
  await batches.close();
});
