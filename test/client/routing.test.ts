// Routing in a multi-broker cluster and retries on leader errors, with real kts brokers:
// two brokers whose Metadata answers describe one cluster (partition 0 led by node 1,
// partition 1 by node 2), and a broker that answers NOT_LEADER_OR_FOLLOWER once.
import t from 'tap';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import { invokeErrorResponse, invokeHandler, type AnyApiHandler, type RequestContext } from '../../src/broker/handler.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient } from '../../src/client/index.js';
import { tempDir } from './helpers.js';

interface MetadataBody {
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  controllerId: number;
  topics: { partitions: { partitionIndex: number; leaderId: number; replicaNodes: number[]; isrNodes: number[] }[] }[];
}

function wrap(apiKey: number, handle: (request: unknown, ctx: RequestContext, original: AnyApiHandler) => unknown): AnyApiHandler[] {
  return apiHandlers.map((h) => (h.apiKey === apiKey ? ({ ...h, handle: (req: unknown, ctx: RequestContext) => handle(req, ctx, h) } as unknown as AnyApiHandler) : h));
}

async function start(t: { teardown(fn: () => unknown): void }, nodeId: number, apis: AnyApiHandler[]): Promise<{ broker: Broker; dataDir: string }> {
  const dataDir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', `node.id=${nodeId}`] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis });
  t.teardown(() => broker.stop());
  return { broker, dataDir };
}

async function logBytes(dataDir: string, dir: string): Promise<number> {
  const files = await readdir(join(dataDir, dir));
  let total = 0;
  for (const f of files.filter((x) => x.endsWith('.log'))) total += (await stat(join(dataDir, dir, f))).size;
  return total;
}

t.test('produce and fetch go to each partition leader', async (t) => {
  const ports = new Map<number, number>();
  const clusterMetadata = (request: unknown, ctx: RequestContext, original: AnyApiHandler) =>
    Promise.resolve(invokeHandler(original, request, ctx)).then((res) => {
      const body = res as MetadataBody;
      body.brokers = [...ports].map(([nodeId, port]) => ({ nodeId, host: '127.0.0.1', port, rack: null }));
      body.controllerId = 1;
      for (const topic of body.topics) {
        for (const p of topic.partitions) {
          p.leaderId = p.partitionIndex === 0 ? 1 : 2;
          p.replicaNodes = [p.leaderId];
          p.isrNodes = [p.leaderId];
        }
      }
      return body;
    });
  const one = await start(t, 1, wrap(3, clusterMetadata));
  const two = await start(t, 2, wrap(3, clusterMetadata));
  // Each broker holds the topic (created while the metadata still lists no brokers, so
  // each client stays on its bootstrap broker); then the metadata says who leads what.
  for (const { broker } of [one, two]) {
    const c = await openClient({ bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}` });
    t.equal((await c.admin.createTopics([{ topic: 'm', numPartitions: 2 }])).length, 1);
    await c.close();
  }
  ports.set(1, one.broker.boundPorts[0]!.port);
  ports.set(2, two.broker.boundPorts[0]!.port);
  const client = await openClient({ bootstrapServer: `127.0.0.1:${ports.get(1)}`, config: { 'auto.offset.reset': 'earliest' } });
  t.teardown(() => client.close());
  const producer = client.producer();
  await Promise.all([0, 1, 0, 1].map((partition, i) => producer.send({ topic: 'm', partition, value: Buffer.alloc(200, i) })));
  await producer.close();
  t.ok((await logBytes(one.dataDir, 'm-0')) > 0, 'node 1 has partition 0');
  t.equal(await logBytes(one.dataDir, 'm-1'), 0, 'node 1 got nothing for partition 1');
  t.ok((await logBytes(two.dataDir, 'm-1')) > 0, 'node 2 has partition 1');
  t.equal(await logBytes(two.dataDir, 'm-0'), 0, 'node 2 got nothing for partition 0');
  const consumer = client.consumer();
  consumer.assign([
    { topic: 'm', partition: 0 },
    { topic: 'm', partition: 1 },
  ]);
  const got: string[] = [];
  for (let i = 0; i < 100 && got.length < 4; i++) got.push(...(await consumer.poll(300)).map((r) => `${r.partition}:${r.offset}`));
  t.same(got.sort(), ['0:0', '0:1', '1:0', '1:1']);
  const ends = await consumer.endOffsets([
    { topic: 'm', partition: 0 },
    { topic: 'm', partition: 1 },
  ]);
  t.same([...ends.values()], [2, 2], 'ListOffsets asked each leader');
});

t.test('NOT_LEADER_OR_FOLLOWER once on produce and fetch: metadata refresh and retry', async (t) => {
  const refused = new Set<number>();
  const once = (apiKey: number) => (request: unknown, ctx: RequestContext, original: AnyApiHandler) => {
    if (!refused.has(apiKey)) {
      refused.add(apiKey);
      return invokeErrorResponse(original, request, 6, ctx);
    }
    return invokeHandler(original, request, ctx);
  };
  const apis = wrap(0, once(0)).map((h) => (h.apiKey === 1 ? wrap(1, once(1)).find((x) => x.apiKey === 1)! : h));
  const { broker } = await start(t, 1, apis);
  const client = await openClient({
    bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}`,
    config: { 'retry.backoff.ms': '10', 'auto.offset.reset': 'earliest' },
  });
  t.teardown(() => client.close());
  await client.admin.createTopics([{ topic: 'nl', numPartitions: 1 }]);
  const producer = client.producer();
  t.equal((await producer.send({ topic: 'nl', value: 'x' })).offset, 0, 'produce retried');
  await producer.close();
  const consumer = client.consumer();
  consumer.assign([{ topic: 'nl', partition: 0 }]);
  const got: string[] = [];
  for (let i = 0; i < 100 && got.length < 1; i++) got.push(...(await consumer.poll(300)).map((r) => r.value!.toString()));
  t.same(got, ['x'], 'fetch retried');
  t.same([...refused].sort(), [0, 1], 'both errors were served');
});
