// An idempotent producer keeps up to 5 batches of a partition in flight. When one fails
// (injected into the real broker's Produce handler: refused before the append, or appended
// with its response replaced by a timeout), the batches behind it get
// OUT_OF_ORDER_SEQUENCE_NUMBER from the broker; the producer resends them in sequence order,
// so every record lands exactly once and in send order, under one producer id.
import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanLogEntries } from '../../src/records/log-entries.js';
import { decodeBatchHeader, decodeRecordBatch } from '../../src/records/record-batch.js';
import { produceError, startBrokerWithProduce } from './helpers.js';

const NOT_LEADER_OR_FOLLOWER = 6;
const REQUEST_TIMED_OUT = 7;

type Fault = 'refuse' | 'lose-response';

async function run(t: Test, fault: Fault): Promise<void> {
  let produceCalls = 0;
  let outOfOrder = 0;
  const { dataDir, client } = await startBrokerWithProduce(t, (real) => async (request, ctx) => {
    produceCalls++;
    const call = produceCalls;
    // Hold each request a moment so the producer sends more behind it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (call === 4 && fault === 'refuse') return produceError(request, NOT_LEADER_OR_FOLLOWER, ctx);
    const response = await real(request, ctx);
    if (JSON.stringify(response).includes('"errorCode":45')) outOfOrder++;
    if (call === 4 && fault === 'lose-response') return produceError(request, REQUEST_TIMED_OUT, ctx);
    return response;
  });
  await client.admin.createTopics([{ topic: 'p', numPartitions: 1 }]);
  // acks=all (default): idempotent. Small batches, so 400 records make many requests.
  const producer = client.producer({ 'linger.ms': '1', 'batch.size': '400' });
  const n = 400;
  const offsets = await Promise.all(Array.from({ length: n }, (_, i) => producer.send({ topic: 'p', value: `v${i}` }).then((m) => m.offset)));
  await producer.close();
  // Batches sent behind the failed one met a sequence gap: they were in flight with it.
  if (fault === 'refuse') t.ok(outOfOrder > 0, `batches in flight behind the refused one were refused as out of order (${outOfOrder})`);
  t.ok(produceCalls > n / 20, 'many requests');

  const log = await readFile(join(dataDir, 'p-0', '00000000000000000000.log'));
  const batches = [...scanLogEntries(log)].map((e) => ({ header: decodeBatchHeader(e.bytes), records: decodeRecordBatch(e.bytes).records }));
  const values = batches.flatMap((b) => b.records.map((r) => r.value!.toString()));
  t.same(values, Array.from({ length: n }, (_, i) => `v${i}`), 'each record once, in send order');
  t.equal(new Set(batches.map((b) => b.header.producerId)).size, 1, 'one producer id: sequences resent, not reset');
  let expected = 0;
  for (const b of batches) {
    t.equal(b.header.baseSequence, expected, 'sequences without gaps');
    expected += b.records.length;
  }
  // Offsets reported to the sender: in order, except a duplicate resend reports none.
  const known = offsets.filter((o) => o >= 0);
  t.same(known, [...known].sort((a, b) => a - b), 'reported offsets ascend');
}

t.test('a refused batch and the ones behind it are resent in order', (t) => run(t, 'refuse'));
t.test('an appended batch whose response was lost is resent and recognised as a duplicate', (t) => run(t, 'lose-response'));
