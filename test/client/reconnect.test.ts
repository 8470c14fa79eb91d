// A broker restart under a live client: sends issued while the broker is down are retried
// once it is back (same data dir, same port), and the consumer carries on where it was.
import t from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient } from '../../src/client/index.js';
import { tempDir } from './helpers.js';

async function start(dataDir: string, port: number): Promise<Broker> {
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: [`listeners=PLAINTEXT://127.0.0.1:${port}`] });
  return startBroker(config, { listen: true, log: memoryLogger() });
}

t.test('producer and consumer survive a broker restart', async (t) => {
  const dataDir = await tempDir(t);
  let broker = await start(dataDir, 0);
  const port = broker.boundPorts[0]!.port;
  t.teardown(() => broker.stop());
  const client = await openClient({
    bootstrapServer: `127.0.0.1:${port}`,
    config: { 'retry.backoff.ms': '20', 'auto.offset.reset': 'earliest' },
  });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'r', numPartitions: 1 }]);
  const producer = client.producer();
  const consumer = client.consumer();
  consumer.assign([{ topic: 'r', partition: 0 }]);
  for (let i = 0; i < 3; i++) await producer.send({ topic: 'r', value: `before${i}` });
  t.same((await consumer.poll(2000)).map((r) => r.offset), [0, 1, 2]);

  await broker.stop();
  const during = producer.send({ topic: 'r', value: 'during' });
  broker = await start(dataDir, port);
  t.equal((await during).offset, 3, 'the send made while the broker was down lands after restart');
  t.equal((await producer.send({ topic: 'r', value: 'after' })).offset, 4);
  const got: string[] = [];
  for (let i = 0; i < 60 && got.length < 2; i++) got.push(...(await consumer.poll(500)).map((r) => r.value!.toString()));
  t.same(got, ['during', 'after'], 'the consumer continues from its position');
});
