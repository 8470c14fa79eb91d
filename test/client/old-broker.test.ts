// The client against the real kts broker trimmed to the API versions of Kafka 1.0
// (ApiVersions v0-1, Metadata v0-5, Produce v0-5, Fetch v0-6, no flexible versions, no
// DescribeCluster or IncrementalAlterConfigs): negotiation falls back, everything still
// works on the old versions, and what 1.0 lacks fails with UNSUPPORTED_VERSION.
import t from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import type { AnyApiHandler } from '../../src/broker/handler.js';
import { memoryLogger } from '../../src/util/logger.js';
import { KafkaError } from '../../src/protocol/errors.js';
import { openClient } from '../../src/client/index.js';
import { tempDir } from './helpers.js';

/** Kafka 1.0's highest version per API key (only the APIs kts serves). */
const KAFKA_1_0: Record<number, number> = { 0: 5, 1: 6, 2: 2, 3: 5, 18: 1, 19: 2, 20: 1, 21: 0, 22: 0, 32: 0, 33: 0, 35: 0, 37: 0 };

function trimmed(without: readonly number[] = []): AnyApiHandler[] {
  const out: AnyApiHandler[] = [];
  for (const h of apiHandlers) {
    const max = KAFKA_1_0[h.apiKey];
    if (max === undefined || without.includes(h.apiKey) || h.minVersion > max) continue;
    out.push({ ...h, maxVersion: Math.min(h.maxVersion, max) } as AnyApiHandler);
  }
  return out;
}

async function oldBroker(t: { teardown(fn: () => unknown): void }, without: readonly number[] = []): Promise<string> {
  const dataDir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0'] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis: trimmed(without) });
  t.teardown(() => broker.stop());
  return `127.0.0.1:${broker.boundPorts[0]!.port}`;
}

t.test('a Kafka 1.0-level broker: produce, consume, offsets and admin on old versions', async (t) => {
  const bootstrap = await oldBroker(t);
  const client = await openClient({ bootstrapServer: bootstrap, config: { 'auto.offset.reset': 'earliest' } });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'old', numPartitions: 2 }]);
  t.same(await client.admin.listTopics(), ['old']);
  const cluster = await client.admin.describeCluster();
  t.equal(cluster.brokers.length, 1, 'describeCluster falls back to Metadata');
  const producer = client.producer({ 'compression.type': 'gzip' });
  const sent = await Promise.all([0, 1, 2, 3].map((i) => producer.send({ topic: 'old', key: `k${i}`, value: `v${i}`, headers: [{ key: 'h', value: null }] })));
  await producer.close();
  const consumer = client.consumer();
  consumer.assign([
    { topic: 'old', partition: 0 },
    { topic: 'old', partition: 1 },
  ]);
  const got = new Map<string, string>();
  for (let i = 0; i < 100 && got.size < 4; i++) for (const r of await consumer.poll(300)) got.set(r.key!.toString(), r.value!.toString());
  t.same([...got].sort(), [['k0', 'v0'], ['k1', 'v1'], ['k2', 'v2'], ['k3', 'v3']]);
  const ends = await consumer.endOffsets([{ topic: 'old', partition: 0 }, { topic: 'old', partition: 1 }]);
  t.equal([...ends.values()].reduce((a, b) => a + b, 0), 4);
  t.equal(sent.length, 4);
  const entries = await client.admin.describeConfigs({ type: 'topic', name: 'old' }, { keys: ['retention.ms'] });
  t.equal(entries[0]?.name, 'retention.ms');
  // Without IncrementalAlterConfigs (Kafka < 2.3) the change is read, applied and written whole.
  await client.admin.incrementalAlterConfigs({ type: 'topic', name: 'old' }, [{ name: 'retention.ms', op: 'set', value: '1000' }]);
  await client.admin.incrementalAlterConfigs({ type: 'topic', name: 'old' }, [{ name: 'cleanup.policy', op: 'append', value: 'compact' }]);
  const altered = await client.admin.describeConfigs({ type: 'topic', name: 'old' }, { keys: ['retention.ms', 'cleanup.policy'] });
  t.same(altered.map((e) => [e.name, e.value]).sort(), [['cleanup.policy', 'delete,compact'], ['retention.ms', '1000']], 'AlterConfigs fallback keeps earlier changes; append starts from the default');
  const gone = await client.transactions.listTransactions().catch((e: unknown) => e);
  t.ok(gone instanceof KafkaError && gone.errorCode === 35 && /needs Kafka 3\.0 or newer/.test(gone.message), 'UNSUPPORTED_VERSION names the release an API needs');
  const maxTs = await client.admin.listOffsets([{ topic: 'old', partition: 0, spec: 'max-timestamp' }]).catch((e: unknown) => e);
  t.ok(maxTs instanceof KafkaError && maxTs.errorCode === 35, 'max-timestamp needs ListOffsets v7');
});

t.test('without InitProducerId the producer falls back to non-idempotent sends', async (t) => {
  const bootstrap = await oldBroker(t, [22]);
  const client = await openClient({ bootstrapServer: bootstrap });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'plain', numPartitions: 1 }]);
  const producer = client.producer();
  t.same((await Promise.all([0, 1].map((i) => producer.send({ topic: 'plain', value: `${i}` })))).map((m) => m.offset), [0, 1]);
  await producer.close();
});
