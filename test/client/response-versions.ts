// Every response version the client accepts, per API: a real kts broker serving exactly
// that one version of the API (the others at their full range) answers the client's
// request, and the client reads the answer right. This is how old brokers (Kafka 0.11 to
// 2.x) look to the client, one API at a time. Run by response-versions*.test.ts (split in
// two files to keep each under a minute).
import t, { type Test } from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import type { AnyApiHandler } from '../../src/broker/handler.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient, type KafkaClient } from '../../src/client/index.js';
import { ApiKey, apiByKey } from '../../src/protocol/apis.js';
import { tempDir } from './helpers.js';

type Check = (t: Tap, client: KafkaClient, version: number) => Promise<void>;
type Tap = Test;

/** The versions the client asks for, per API (from its own minVersion/maxVersion caps). */
interface Case {
  apiKey: number;
  clientMin: number;
  clientMax: number;
  check: Check;
}

async function seeded(client: KafkaClient, topic = 'v'): Promise<void> {
  await client.admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
  const producer = client.producer({ acks: 'all' });
  await Promise.all(['a', 'b', 'c'].map((value) => producer.send({ topic, partition: 0, value })));
  await producer.close();
}

const cases: Case[] = [
  {
    apiKey: ApiKey.Metadata, clientMin: 0, clientMax: 12,
    check: async (t, client, v) => {
      await client.admin.createTopics([{ topic: 'meta', numPartitions: 3, replicationFactor: 1 }]);
      const [d] = await client.admin.describeTopics(['meta']);
      t.equal(d?.partitions.length, 3);
      t.same(d?.partitions.map((p) => p.leader), [1, 1, 1]);
      t.equal(/^A{22}$/.test(d?.topicId ?? ''), v < 10, 'topic ids from v10');
      t.ok((await client.admin.listTopics()).includes('meta'));
    },
  },
  {
    apiKey: ApiKey.ListOffsets, clientMin: 1, clientMax: 10,
    check: async (t, client) => {
      await seeded(client);
      const [latest] = await client.admin.listOffsets([{ topic: 'v', partition: 0, spec: 'latest' }]);
      const [earliest] = await client.admin.listOffsets([{ topic: 'v', partition: 0, spec: 'earliest' }]);
      t.equal(latest?.offset, 3);
      t.equal(earliest?.offset, 0);
    },
  },
  {
    apiKey: ApiKey.CreateTopics, clientMin: 0, clientMax: 7,
    check: async (t, client) => {
      const [r] = await client.admin.createTopics([{ topic: 'c', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
      t.equal(r?.topic, 'c');
      t.equal((await client.admin.describeTopics(['c']))[0]?.partitions.length, 2);
      const [defaulted] = await client.admin.createTopics([{ topic: 'd' }]);
      t.equal(defaulted?.topic, 'd', 'no counts: the broker defaults (asked for before v4)');
      t.equal((await client.admin.describeTopics(['d']))[0]?.partitions.length, 1);
    },
  },
  {
    apiKey: ApiKey.DeleteTopics, clientMin: 0, clientMax: 6,
    check: async (t, client) => {
      await client.admin.createTopics([{ topic: 'gone', numPartitions: 1, replicationFactor: 1 }]);
      await client.admin.deleteTopics(['gone']);
      t.notOk((await client.admin.listTopics()).includes('gone'));
    },
  },
  {
    apiKey: ApiKey.CreatePartitions, clientMin: 0, clientMax: 3,
    check: async (t, client) => {
      await client.admin.createTopics([{ topic: 'grow', numPartitions: 1, replicationFactor: 1 }]);
      await client.admin.createPartitions([{ topic: 'grow', totalCount: 3 }]);
      t.equal((await client.admin.describeTopics(['grow']))[0]?.partitions.length, 3);
    },
  },
  {
    apiKey: ApiKey.DescribeConfigs, clientMin: 0, clientMax: 4,
    check: async (t, client, v) => {
      await client.admin.createTopics([{ topic: 'cfg', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1234' } }]);
      const entries = await client.admin.describeConfigs({ type: 'topic', name: 'cfg' });
      const retention = entries.find((e) => e.name === 'retention.ms');
      t.equal(retention?.value, '1234');
      t.equal(retention?.isDefault, false);
      if (v >= 1) t.equal(retention?.source, 'DYNAMIC_TOPIC_CONFIG');
    },
  },
  {
    apiKey: ApiKey.AlterConfigs, clientMin: 0, clientMax: 2,
    check: async (t, client) => {
      await client.admin.createTopics([{ topic: 'alt', numPartitions: 1, replicationFactor: 1 }]);
      await client.admin.alterConfigs({ type: 'topic', name: 'alt' }, { 'retention.ms': '4321' });
      const entries = await client.admin.describeConfigs({ type: 'topic', name: 'alt' }, { keys: ['retention.ms'] });
      t.equal(entries[0]?.value, '4321');
    },
  },
  {
    apiKey: ApiKey.IncrementalAlterConfigs, clientMin: 0, clientMax: 1,
    check: async (t, client) => {
      await client.admin.createTopics([{ topic: 'inc', numPartitions: 1, replicationFactor: 1 }]);
      await client.admin.incrementalAlterConfigs({ type: 'topic', name: 'inc' }, [{ name: 'retention.ms', op: 'set', value: '999' }]);
      t.equal((await client.admin.describeConfigs({ type: 'topic', name: 'inc' }, { keys: ['retention.ms'] }))[0]?.value, '999');
    },
  },
  {
    apiKey: ApiKey.DeleteRecords, clientMin: 0, clientMax: 2,
    check: async (t, client) => {
      await seeded(client);
      const [r] = await client.admin.deleteRecords([{ topic: 'v', partition: 0, offset: 2 }]);
      t.equal(r?.lowWatermark, 2);
    },
  },
  {
    apiKey: ApiKey.DescribeLogDirs, clientMin: 0, clientMax: 4,
    check: async (t, client, v) => {
      await seeded(client);
      const [dir] = await client.admin.describeLogDirs({ topics: ['v'] });
      const p0 = dir?.topics.find((x) => x.topic === 'v')?.partitions.find((p) => p.partition === 0);
      t.ok((p0?.sizeBytes ?? 0) > 0, 'partition size');
      if (v >= 4) t.ok((dir?.totalBytes ?? -1) > 0, 'total bytes from v4');
    },
  },
  {
    apiKey: ApiKey.FindCoordinator, clientMin: 0, clientMax: 4,
    check: async (t, client) => {
      const c = await client.groups.coordinator('fc');
      t.equal(c.nodeId, 1);
      t.ok(c.port > 0, 'host and port of the coordinator');
    },
  },
  {
    apiKey: ApiKey.OffsetCommit, clientMin: 2, clientMax: 8,
    check: async (t, client) => {
      await seeded(client);
      await client.groups.commitOffsets('oc', [{ topic: 'v', partition: 0, offset: 2 }]);
      const [o] = await client.groups.fetchOffsets('oc', [{ topic: 'v', partition: 0 }]);
      t.equal(o?.offset, 2);
    },
  },
  {
    apiKey: ApiKey.OffsetFetch, clientMin: 1, clientMax: 7,
    check: async (t, client) => {
      await seeded(client);
      await client.groups.commitOffsets('of', [{ topic: 'v', partition: 0, offset: 1 }]);
      const [o] = await client.groups.fetchOffsets('of', [{ topic: 'v', partition: 0 }]);
      t.equal(o?.offset, 1);
    },
  },
  {
    apiKey: ApiKey.ListGroups, clientMin: 0, clientMax: 4,
    check: async (t, client) => {
      await seeded(client);
      await client.groups.commitOffsets('lg', [{ topic: 'v', partition: 0, offset: 1 }]);
      t.ok((await client.groups.listGroups()).some((g) => g.groupId === 'lg'));
    },
  },
  {
    apiKey: ApiKey.DescribeGroups, clientMin: 0, clientMax: 5,
    check: async (t, client) => {
      await seeded(client);
      await client.groups.commitOffsets('dg', [{ topic: 'v', partition: 0, offset: 1 }]);
      const d = await client.groups.describeGroup('dg');
      t.equal(d.groupId, 'dg');
      t.equal(d.members.length, 0);
    },
  },
  {
    apiKey: ApiKey.DeleteGroups, clientMin: 0, clientMax: 2,
    check: async (t, client) => {
      await seeded(client);
      await client.groups.commitOffsets('del', [{ topic: 'v', partition: 0, offset: 1 }]);
      const codes = await client.groups.deleteGroups(['del']);
      t.equal(codes.get('del'), 0);
    },
  },
  {
    apiKey: ApiKey.Produce, clientMin: 3, clientMax: 11,
    check: async (t, client) => {
      await client.admin.createTopics([{ topic: 'p', numPartitions: 1, replicationFactor: 1 }]);
      const producer = client.producer();
      const sent = await Promise.all([0, 1].map((i) => producer.send({ topic: 'p', value: `${i}` })));
      await producer.close();
      t.same(sent.map((m) => m.offset), [0, 1]);
    },
  },
  {
    apiKey: ApiKey.Fetch, clientMin: 4, clientMax: 12,
    check: async (t, client) => {
      await seeded(client);
      const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 'v', partition: 0 }]);
      const got: string[] = [];
      for (let i = 0; i < 50 && got.length < 3; i++) for (const r of await consumer.poll(200)) got.push(r.value!.toString());
      await consumer.close();
      t.same(got, ['a', 'b', 'c']);
    },
  },
  ...[ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup].map((apiKey) => ({
    apiKey,
    clientMin: 0,
    clientMax: apiKey === ApiKey.JoinGroup ? 7 : apiKey === ApiKey.Heartbeat ? 4 : 5,
    check: async (t: Tap, client: KafkaClient) => {
      await seeded(client);
      const consumer = client.groupConsumer({ 'group.id': `g${apiKey}`, 'auto.offset.reset': 'earliest' });
      consumer.subscribe(['v']);
      const got: string[] = [];
      for (let i = 0; i < 50 && got.length < 3; i++) for (const r of await consumer.poll(200)) got.push(r.value!.toString());
      await consumer.close();
      t.same(got, ['a', 'b', 'c'], 'a group member joins, syncs, consumes and leaves');
    },
  })),
  ...([
    [ApiKey.InitProducerId, 5],
    [ApiKey.AddPartitionsToTxn, 3],
    [ApiKey.AddOffsetsToTxn, 4],
    [ApiKey.TxnOffsetCommit, 3],
    [ApiKey.EndTxn, 4],
  ] as const).map(([apiKey, clientMax]) => ({
    apiKey,
    clientMin: 0,
    clientMax,
    check: async (t: Tap, client: KafkaClient) => {
      await seeded(client);
      const producer = client.producer({ 'transactional.id': `tx${apiKey}` });
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send({ topic: 'v', partition: 1, value: 'in-txn' });
      await producer.sendOffsetsToTransaction([{ topic: 'v', partition: 0, offset: 3 }], 'txg');
      await producer.commitTransaction();
      await producer.close();
      const [committed] = await client.groups.fetchOffsets('txg', [{ topic: 'v', partition: 0 }]);
      t.equal(committed?.offset, 3, 'offsets committed with the transaction');
      const [end] = await client.admin.listOffsets([{ topic: 'v', partition: 1, spec: 'latest' }], { isolationLevel: 'read_committed' });
      t.equal(end?.offset, 2, 'the record and the commit marker are visible to read_committed');
    },
  })),
];

function only(apiKey: number, version: number): AnyApiHandler[] {
  return apiHandlers.map((h) => (h.apiKey === apiKey ? ({ ...h, minVersion: version, maxVersion: version } as AnyApiHandler) : h));
}

async function brokerServing(tt: Tap, apiKey: number, version: number): Promise<KafkaClient> {
  const dataDir = await tempDir(tt);
  const config = buildBrokerConfig({
    dataDir,
    env: {},
    overrides: ['listeners=PLAINTEXT://127.0.0.1:0', 'group.initial.rebalance.delay.ms=0', 'offsets.topic.num.partitions=1', 'transaction.state.log.num.partitions=1'],
  });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis: only(apiKey, version) });
  tt.teardown(() => broker.stop());
  const client = await openClient({ bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}` });
  tt.teardown(() => client.close());
  return client;
}

/** Registers a test per API in `apiKeys` (tap runs them in the calling test file). */
export function testResponseVersions(apiKeys: readonly number[]): void {
  for (const c of cases.filter((x) => apiKeys.includes(x.apiKey))) testCase(c);
}

export const GROUP_AND_TXN_APIS: readonly number[] = [
  ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup,
  ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit, ApiKey.EndTxn,
];
export const OTHER_APIS: readonly number[] = cases.map((c) => c.apiKey).filter((k) => !GROUP_AND_TXN_APIS.includes(k));

function testCase(c: Case): void {
  const name = apiByKey(c.apiKey)?.name ?? `api ${c.apiKey}`;
  const handler = apiHandlers.find((h) => h.apiKey === c.apiKey);
  t.test(`${name}: every version the client accepts`, async (t) => {
    if (!handler) return t.fail(`kts serves no ${name}`);
    for (let v = c.clientMin; v <= c.clientMax; v++) {
      if (v < handler.minVersion || v > handler.maxVersion) continue;
      await t.test(`${name} v${v}`, async (tt) => {
        const client = await brokerServing(tt, c.apiKey, v);
        await c.check(tt, client, v);
      });
    }
  });
}
