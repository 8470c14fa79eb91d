// Admin APIs driven by kafkajs' admin client against a real kts broker on a loopback port:
// createTopics, deleteTopics, createPartitions, describeConfigs, alterConfigs,
// deleteTopicRecords, fetchTopicMetadata, describeCluster.
import t, { type Test } from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs, { type Admin, type Kafka as KafkaClient } from 'kafkajs';
import { startAdminBroker, type AdminBroker } from './admin-helpers.js';

const { Kafka, logLevel } = kafkajs;
/** kafkajs' ConfigResourceTypes (a CommonJS enum, so not a named ESM export). */
const ConfigResourceTypes = { TOPIC: 2, BROKER: 4 } as const;
const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 };

async function setup(t: Test, overrides: string[] = []): Promise<{ broker: AdminBroker; admin: Admin; kafka: KafkaClient }> {
  const broker = await startAdminBroker(t, overrides);
  const kafka = new Kafka({
    clientId: 'admin-kafkajs-test',
    brokers: [`127.0.0.1:${broker.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { broker, admin, kafka };
}

async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string; errors?: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { type?: string; message: string; errors?: Array<{ type?: string; message: string }>; cause?: { type?: string; message: string } };
    if (e.errors && e.errors.length > 0) return e.errors[0] as { type?: string; message: string };
    // Retriable errors come back wrapped once the (zero) retries are used up.
    if (e.type === undefined && e.cause?.type !== undefined) return e.cause;
    return e;
  }
  throw new Error('expected the call to fail');
}

t.test('createTopics, fetchTopicMetadata and deleteTopics', async (t) => {
  const { broker, admin } = await setup(t, ['num.partitions=2']);
  t.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'defaults' }] }), true);
  const meta = await admin.fetchTopicMetadata({ topics: ['orders', 'defaults'] });
  const orders = meta.topics.find((x) => x.name === 'orders')!;
  t.equal(orders.partitions.length, 3);
  t.same(orders.partitions.map((p) => p.leader).sort(), [broker.nodeId, broker.nodeId, broker.nodeId]);
  t.equal(meta.topics.find((x) => x.name === 'defaults')!.partitions.length, 2, 'num.partitions is the default');

  t.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false, 'TOPIC_ALREADY_EXISTS is reported as false');

  const illegal = await rejection(admin.createTopics({ topics: [{ topic: 'bad name' }] }));
  t.equal(illegal.type, 'INVALID_TOPIC_EXCEPTION');

  await admin.createTopics({ topics: [{ topic: 'or_ders' }] });
  const collides = await rejection(admin.createTopics({ topics: [{ topic: 'or.ders' }] }));
  t.equal(collides.type, 'INVALID_TOPIC_EXCEPTION');

  const rf = await rejection(admin.createTopics({ topics: [{ topic: 'replicated', replicationFactor: 3 }] }));
  t.equal(rf.type, 'INVALID_REPLICATION_FACTOR');

  const badConfig = await rejection(admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }] }));
  t.equal(badConfig.type, 'INVALID_CONFIG');

  t.equal(await admin.createTopics({ topics: [{ topic: 'dry-run' }], validateOnly: true, waitForLeaders: false }), true);
  t.notOk((await admin.listTopics()).includes('dry-run'), 'validateOnly creates nothing');

  await admin.deleteTopics({ topics: ['orders'] });
  t.notOk((await admin.listTopics()).includes('orders'));
  const dirs = readdirSync(broker.logDir);
  t.notOk(dirs.some((d) => /^orders-\d+$/.test(d)), 'partition dirs are gone');
  t.ok(dirs.filter((d) => /^orders-\d+\.[0-9a-f]+-delete$/.test(d)).length === 3 || !dirs.some((d) => d.startsWith('orders-')), 'renamed -delete');

  const missing = await rejection(admin.deleteTopics({ topics: ['orders'] }));
  t.equal(missing.type, 'UNKNOWN_TOPIC_OR_PARTITION');
});

t.test('deleteTopics honours delete.topic.enable', async (t) => {
  const { admin } = await setup(t, ['delete.topic.enable=false']);
  await admin.createTopics({ topics: [{ topic: 'keep' }] });
  const err = await rejection(admin.deleteTopics({ topics: ['keep'] }));
  t.match(err.type ?? err.message, /TOPIC_DELETION_DISABLED|INVALID_REQUEST/);
  t.ok((await admin.listTopics()).includes('keep'));
});

t.test('createPartitions increases only', async (t) => {
  const { admin } = await setup(t);
  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1234' }] }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['grow'] });
  t.equal(meta.topics[0]!.partitions.length, 4);

  const same = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] }));
  t.equal(same.type, 'INVALID_PARTITIONS');
  const fewer = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 1 }] }));
  t.equal(fewer.type, 'INVALID_PARTITIONS');

  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'grow', count: 8 }] });
  t.equal((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions.length, 4, 'validateOnly changes nothing');

  const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'grow', configNames: ['retention.ms'] }], includeSynonyms: false });
  t.equal(described.resources[0]!.configEntries[0]!.configValue, '1234', 'new partitions keep the topic configs');
});

t.test('describeConfigs and alterConfigs on topics', async (t) => {
  const { admin, broker } = await setup(t, ['log.retention.hours=24']);
  await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'segment.bytes', value: '1048576' }] }] });
  const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }], includeSynonyms: true });
  const entries = described.resources[0]!.configEntries;
  const byName = new Map(entries.map((e) => [e.configName, e]));
  t.equal(byName.get('segment.bytes')!.configValue, '1048576');
  t.equal(byName.get('segment.bytes')!.configSource, ConfigSource.DYNAMIC_TOPIC_CONFIG);
  t.equal(byName.get('retention.ms')!.configValue, '86400000', 'log.retention.hours=24 in ms');
  // As Kafka reports it: the value follows log.retention.hours, but log.retention.ms (the
  // primary synonym) is unset, so no synonym and the DEFAULT_CONFIG source.
  t.equal(byName.get('retention.ms')!.configSource, ConfigSource.DEFAULT_CONFIG);
  t.same(byName.get('retention.ms')!.configSynonyms, []);
  t.same(
    byName.get('segment.bytes')!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]),
    [
      ['segment.bytes', '1048576', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      ['log.segment.bytes', '1073741824', ConfigSource.DEFAULT_CONFIG],
    ],
  );
  t.equal(byName.get('cleanup.policy')!.configSource, ConfigSource.DEFAULT_CONFIG);

  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '60000' }] }],
  });
  const after = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: ['retention.ms', 'segment.bytes'] }], includeSynonyms: false });
  const afterByName = new Map(after.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  t.equal(afterByName.get('retention.ms'), '60000');
  t.equal(afterByName.get('segment.bytes'), '1073741824', 'legacy AlterConfigs replaces the whole set');
  t.equal(broker.log('cfg', 0).config.retentionMs, 60000, 'applied live to the partition log');

  const bad = await rejection(
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    }),
  );
  t.equal(bad.type, 'INVALID_CONFIG');

  await admin.alterConfigs({
    validateOnly: true,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '1' }] }],
  });
  t.equal(broker.log('cfg', 0).config.retentionMs, 60000, 'validateOnly changes nothing');

  const unknown = await rejection(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'nope' }], includeSynonyms: false }));
  t.equal(unknown.type, 'UNKNOWN_TOPIC_OR_PARTITION');
});

t.test('describeConfigs on the broker', async (t) => {
  const { admin, broker } = await setup(t, ['num.partitions=3']);
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId) }],
    includeSynonyms: false,
  });
  const byName = new Map(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
  t.equal(byName.get('num.partitions')!.configValue, '3');
  t.equal(byName.get('num.partitions')!.readOnly, true);
  t.equal(byName.get('log.retention.hours')!.configValue, '168');
  t.equal(byName.get('log.retention.hours')!.readOnly, false);

  await admin.createTopics({ topics: [{ topic: 'follows-broker' }] });
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configEntries: [{ name: 'log.retention.ms', value: '3600000' }] }],
  });
  t.equal(broker.log('follows-broker', 0).config.retentionMs, 3600000, 'a dynamic broker default reaches the logs');
  const refused = await rejection(
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configEntries: [{ name: 'num.partitions', value: '9' }] }],
    }),
  );
  t.equal(refused.type, 'INVALID_CONFIG');
});

t.test('deleteTopicRecords', async (t) => {
  const { admin, kafka, broker } = await setup(t);
  await admin.createTopics({ topics: [{ topic: 'trim' }] });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (let i = 0; i < 5; i++) await producer.send({ topic: 'trim', messages: [{ value: `m${i}` }] });
  await admin.fetchTopicMetadata({ topics: ['trim'] }); // kafkajs finds leaders from its cache
  await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '3' }] });
  t.equal(broker.log('trim', 0).logStartOffset, 3);
  const offsets = await admin.fetchTopicOffsets('trim');
  t.equal(offsets[0]!.low, '3');

  await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '-1' }] });
  t.equal(broker.log('trim', 0).logStartOffset, 5, '-1 deletes up to the high watermark');

  type RecordsError = { partitions?: Array<{ error: { type?: string } }>; cause?: RecordsError };
  const beyond: RecordsError = await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '99' }] }).then(
    () => ({}),
    (err: RecordsError) => err,
  );
  const partitionError = (beyond.partitions ?? beyond.cause?.partitions)?.[0]?.error.type;
  t.equal(partitionError, 'OFFSET_OUT_OF_RANGE', 'beyond the high watermark');
  t.equal(broker.log('trim', 0).logStartOffset, 5);
});

t.test('describeCluster and kafkajs metadata', async (t) => {
  const { admin, broker } = await setup(t);
  const cluster = await admin.describeCluster();
  t.equal(cluster.controller, broker.nodeId);
  t.same(cluster.brokers.map((b) => [b.nodeId, b.port]), [[broker.nodeId, broker.port]]);
  t.equal(cluster.clusterId, broker.clusterId);
  t.ok(existsSync(join(broker.logDir, 'meta.properties')));
});
