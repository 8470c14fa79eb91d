// The idempotent producer when the broker rejects its sequence (OUT_OF_ORDER_SEQUENCE_NUMBER,
// injected once into the real broker's Produce handler): it takes a new producer id,
// restarts sequences at 0 and resends, so every record lands once and in order.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import { produceHandler } from '../../src/broker/apis/00-produce.js';
import { invokeErrorResponse, invokeHandler, type AnyApiHandler, type RequestContext } from '../../src/broker/handler.js';
import { memoryLogger } from '../../src/broker/logger.js';
import { openClient } from '../../src/client/index.js';
import { scanLogEntries } from '../../src/records/log-entries.js';
import { decodeBatchHeader } from '../../src/records/record-batch.js';
import { tempDir } from './helpers.js';

t.test('OUT_OF_ORDER_SEQUENCE_NUMBER: new producer id, sequences from 0, resent once', async (t) => {
  let produceCalls = 0;
  const flaky = {
    ...produceHandler,
    handle(request: unknown, ctx: RequestContext) {
      produceCalls++;
      // The second produce request is refused as if the broker had lost our sequence.
      if (produceCalls === 2) return invokeErrorResponse(produceHandler as AnyApiHandler, request, 45, ctx);
      return invokeHandler(produceHandler as AnyApiHandler, request, ctx);
    },
  } as unknown as AnyApiHandler;
  const apis = apiHandlers.map((h) => (h.apiKey === 0 ? flaky : h));
  const dataDir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0'] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis });
  t.teardown(() => broker.stop());
  const client = await openClient({ bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}`, config: { 'retry.backoff.ms': '10' } });
  t.teardown(() => client.close());
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
