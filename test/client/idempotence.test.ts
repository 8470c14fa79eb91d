// The idempotent producer when the broker rejects its sequence (OUT_OF_ORDER_SEQUENCE_NUMBER,
// injected once into the real broker's Produce handler): it takes a new producer id,
// restarts sequences at 0 and resends, so every record lands once and in order.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanLogEntries } from '../../src/records/log-entries.js';
import { decodeBatchHeader } from '../../src/records/record-batch.js';
import { produceError, startBrokerWithProduce } from './helpers.js';

t.test('OUT_OF_ORDER_SEQUENCE_NUMBER: new producer id, sequences from 0, resent once', async (t) => {
  let produceCalls = 0;
  const { dataDir, client } = await startBrokerWithProduce(t, (real) => (request, ctx) => {
    produceCalls++;
    // The second produce request is refused as if the broker had lost our sequence.
    if (produceCalls === 2) return produceError(request, 45, ctx);
    return real(request, ctx);
  });
  await client.admin.createTopics([{ topic: 'seq', numPartitions: 1 }]);
  const producer = client.producer({ 'linger.ms': '0' });
  const offsets: number[] = [];
  for (let i = 0; i < 4; i++) offsets.push((await producer.send({ topic: 'seq', value: `v${i}` })).offset);
  await producer.close();
  t.same(offsets, [0, 1, 2, 3], 'each record once, in order');
  t.equal(produceCalls, 5, 'one extra request for the refused batch');
  const log = await readFile(join(dataDir, 'seq-0', '00000000000000000000.log'));
  const headers = [...scanLogEntries(log)].map((e) => decodeBatchHeader(e.bytes));
  t.same(headers.map((h) => h.baseSequence), [0, 0, 1, 2], 'sequences restart under the new producer id');
  t.not(headers[0]!.producerId, headers[1]!.producerId, 'a new producer id');
  t.equal(new Set(headers.slice(1).map((h) => h.producerId)).size, 1);
});
