// Admin APIs over raw requests (kts's codec over TCP) at the versions kafkajs does not
// send: Kafka's messages, topic ids, flexible versions, config types and documentation,
// incremental config operations, dynamic broker configs, log dirs, DescribeCluster.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { CreateTopicsResponse } from '../../src/protocol/messages/19-create-topics.js';
import type { DeleteTopicsResponse } from '../../src/protocol/messages/20-delete-topics.js';
import type { DeleteRecordsResponse } from '../../src/protocol/messages/21-delete-records.js';
import type { DescribeConfigsResponse } from '../../src/protocol/messages/32-describe-configs.js';
import type { AlterConfigsResponse } from '../../src/protocol/messages/33-alter-configs.js';
import type { DescribeLogDirsResponse } from '../../src/protocol/messages/35-describe-log-dirs.js';
import type { CreatePartitionsResponse } from '../../src/protocol/messages/37-create-partitions.js';
import type { IncrementalAlterConfigsResponse } from '../../src/protocol/messages/44-incremental-alter-configs.js';
import type { DescribeClusterResponse } from '../../src/protocol/messages/60-describe-cluster.js';
import { restoreDynamicBrokerConfigs } from '../../src/broker/configs/apply.js';
import { startAdminBroker, type RawClient } from './admin-helpers.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

function topicSpec(name: string, numPartitions = 1, replicationFactor = 1, configs: Array<{ name: string; value: string | null }> = []) {
  return { name, numPartitions, replicationFactor, assignments: [], configs };
}

async function createTopics(raw: RawClient, version: number, topics: unknown[], validateOnly = false): Promise<CreateTopicsResponse> {
  return raw.request<CreateTopicsResponse>(19, version, { topics, timeoutMs: 5000, validateOnly });
}

t.test('CreateTopics v7: ids, configs, Kafka messages', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  const ok = await createTopics(raw, 7, [topicSpec('ids', 2, -1, [{ name: 'retention.ms', value: '5000' }])]);
  const row = ok.topics[0]!;
  t.equal(row.errorCode, ErrorCode.NONE);
  t.equal(row.topicId!.length, 22);
  t.not(row.topicId, ZERO_UUID);
  t.equal(row.topicId, b.log('ids', 0).topicId, 'the id the log was created with');
  t.equal(row.numPartitions, 2);
  t.equal(row.replicationFactor, 1);
  const retention = row.configs!.find((c) => c.name === 'retention.ms')!;
  t.same(retention, { name: 'retention.ms', value: '5000', readOnly: false, configSource: 1, isSensitive: false });
  t.equal(row.configs!.find((c) => c.name === 'segment.bytes')!.configSource, 5);

  const errors = await createTopics(raw, 7, [
    topicSpec('ids'),
    topicSpec('rf3', 1, 3),
    topicSpec('zero', 0, 1),
    topicSpec('rf0', 1, 0),
    topicSpec('..'),
    topicSpec('nullcfg', 1, 1, [{ name: 'retention.ms', value: null }]),
    topicSpec('unknowncfg', 1, 1, [{ name: 'retention.forever', value: '1' }]),
    topicSpec('badcfg', 1, 1, [{ name: 'cleanup.policy', value: 'shred' }]),
    { name: 'manual-rf', numPartitions: -1, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [b.nodeId] }], configs: [] },
    { name: 'manual-gap', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [b.nodeId] }], configs: [] },
    { name: 'manual-unknown', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [b.nodeId + 7] }], configs: [] },
  ]);
  const byName = new Map(errors.topics.map((r) => [r.name, r]));
  const expect = (name: string, code: number, message: string) => {
    const r = byName.get(name)!;
    t.equal(r.errorCode, code, `${name} code`);
    t.equal(r.errorMessage, message, `${name} message`);
    t.equal(r.topicId, ZERO_UUID, `${name} has no id`);
  };
  expect('ids', ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'ids' already exists.");
  expect(
    'rf3',
    ErrorCode.INVALID_REPLICATION_FACTOR,
    'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
  );
  expect('zero', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.');
  expect('rf0', ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.');
  expect('..', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name cannot be "." or ".."');
  expect('nullcfg', ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: retention.ms');
  expect('unknowncfg', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.forever');
  expect('badcfg', ErrorCode.INVALID_CONFIG, 'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete');
  expect('manual-rf', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.');
  expect('manual-gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
  expect(
    'manual-unknown',
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    `The manual partition assignment includes broker ${b.nodeId + 7}, but no such broker is registered.`,
  );

  const manual = await createTopics(raw, 7, [
    { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [b.nodeId] })), configs: [] },
  ]);
  t.equal(manual.topics[0]!.errorCode, ErrorCode.NONE);
  t.equal(manual.topics[0]!.numPartitions, 3);

  const dupes = await createTopics(raw, 4, [topicSpec('twice'), topicSpec('twice')]);
  t.same(dupes.topics.map((r) => [r.name, r.errorCode, r.errorMessage]), [['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']]);

  const dry = await createTopics(raw, 7, [topicSpec('dry', 4)], true);
  t.equal(dry.topics[0]!.errorCode, ErrorCode.NONE);
  t.equal(dry.topics[0]!.numPartitions, 4);
  t.equal(b.broker.context.metadata.topic('dry'), undefined, 'validate_only creates nothing');

  const late = await raw.request<CreateTopicsResponse>(19, 7, { topics: [topicSpec('late')], timeoutMs: 0, validateOnly: false });
  t.same(late.topics.map((r) => [r.name, r.errorCode]), [['late', ErrorCode.REQUEST_TIMED_OUT]], 'timeout 0: the deadline has passed');
  t.equal(b.broker.context.metadata.topic('late'), undefined);
  const lateDelete = await raw.request<DeleteTopicsResponse>(20, 6, { topics: [{ name: 'ids', topicId: ZERO_UUID }], timeoutMs: 0 });
  t.equal(lateDelete.responses[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  const lateGrow = await raw.request<CreatePartitionsResponse>(37, 3, { topics: [{ name: 'ids', count: 5, assignments: null }], timeoutMs: 0, validateOnly: false });
  t.equal(lateGrow.results[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  t.equal(b.broker.context.metadata.topic('ids')!.partitions.length, 2, 'nothing changed');

  const v0 = await createTopics(raw, 0, [topicSpec('old-client'), topicSpec('old-client')]);
  t.same(v0.topics.map((r) => [r.name, r.errorCode]), [['old-client', ErrorCode.INVALID_REQUEST]], 'v0 carries only name and code');
  const v0ok = await createTopics(raw, 0, [topicSpec('old-client')]);
  t.same(v0ok.topics.map((r) => [r.name, r.errorCode]), [['old-client', ErrorCode.NONE]]);
});

t.test('DeleteTopics v6 by name and by id', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('by-name', 2), topicSpec('by-id', 2)]);
  const id = b.broker.context.metadata.topic('by-id')!.topicId;
  const nameId = b.broker.context.metadata.topic('by-name')!.topicId;
  const res = await raw.request<DeleteTopicsResponse>(20, 6, {
    topics: [
      { name: 'by-name', topicId: ZERO_UUID },
      { name: null, topicId: id },
      { name: null, topicId: 'AQAAAAAAAAAAAAAAAAAAAA' },
      { name: 'both', topicId: id },
      { name: 'missing', topicId: ZERO_UUID },
    ],
    timeoutMs: 5000,
  });
  t.same(
    res.responses.map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage]),
    [
      ['by-name', nameId, ErrorCode.NONE, null],
      ['by-id', id, ErrorCode.NONE, null],
      [null, 'AQAAAAAAAAAAAAAAAAAAAA', ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'],
      ['both', id, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
      ['missing', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
    ],
  );
  t.same(b.broker.context.metadata.topics().map((x) => x.name), []);
  t.notOk(existsSync(join(b.logDir, 'by-id-0')), 'the partition dir is renamed away');

  await createTopics(raw, 7, [topicSpec('twice-named')]);
  const twiceId = b.broker.context.metadata.topic('twice-named')!.topicId;
  const conflict = await raw.request<DeleteTopicsResponse>(20, 6, {
    topics: [
      { name: 'twice-named', topicId: ZERO_UUID },
      { name: null, topicId: twiceId },
      { name: 'dup', topicId: ZERO_UUID },
      { name: 'dup', topicId: ZERO_UUID },
    ],
    timeoutMs: 5000,
  });
  t.same(
    conflict.responses.map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage]),
    [
      ['twice-named', twiceId, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'],
      ['dup', ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ],
  );
  t.ok(b.broker.context.metadata.topic('twice-named'), 'nothing deleted');
});

t.test('DeleteTopics with delete.topic.enable=false: code by version', async (t) => {
  const b = await startAdminBroker(t, ['delete.topic.enable=false']);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('kept')]);
  const v5 = await raw.request<DeleteTopicsResponse>(20, 5, { topicNames: ['kept'], timeoutMs: 1000 });
  t.same(v5.responses.map((r) => [r.name, r.errorCode, r.errorMessage]), [['kept', ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.']]);
  const v1 = await raw.request<DeleteTopicsResponse>(20, 1, { topicNames: ['kept'], timeoutMs: 1000 });
  t.equal(v1.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  t.ok(b.broker.context.metadata.topic('kept'));
});

t.test('CreatePartitions v3 messages and assignments', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('grow', 2)]);
  const req = (topics: unknown[], validateOnly = false) =>
    raw.request<CreatePartitionsResponse>(37, 3, { topics, timeoutMs: 5000, validateOnly });
  const res = await req([
    { name: 'grow', count: 3, assignments: [{ brokerIds: [b.nodeId] }] },
    { name: 'missing', count: 3, assignments: null },
  ]);
  t.same(res.results.map((r) => [r.name, r.errorCode]), [['grow', 0], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  t.equal(b.broker.context.metadata.topic('grow')!.partitions.length, 3);
  const errors = await req([{ name: 'grow', count: 5, assignments: [{ brokerIds: [b.nodeId] }] }]);
  t.same(errors.results[0], {
    name: 'grow',
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    errorMessage: 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
  });
  const twoReplicas = await req([{ name: 'grow', count: 4, assignments: [{ brokerIds: [b.nodeId, b.nodeId] }] }]);
  t.equal(twoReplicas.results[0]!.errorMessage, `The manual partition assignment includes the broker ${b.nodeId} more than once.`);
  const dupes = await req([{ name: 'grow', count: 9, assignments: null }, { name: 'grow', count: 9, assignments: null }]);
  t.same(dupes.results, [{ name: 'grow', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' }]);
  t.equal(b.broker.context.metadata.topic('grow')!.partitions.length, 3);
});

t.test('DescribeConfigs v4 (flexible): types, documentation, broker resources, errors', async (t) => {
  const b = await startAdminBroker(t, ['log.segment.bytes=2097152']);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('described', 1, 1, [{ name: 'cleanup.policy', value: 'compact' }])]);
  const res = await raw.request<DescribeConfigsResponse>(32, 4, {
    resources: [
      { resourceType: TOPIC, resourceName: 'described', configurationKeys: ['cleanup.policy', 'segment.bytes', 'max.message.bytes'] },
      { resourceType: TOPIC, resourceName: 'absent', configurationKeys: null },
      { resourceType: TOPIC, resourceName: 'bad name', configurationKeys: null },
      { resourceType: BROKER, resourceName: String(b.nodeId), configurationKeys: ['log.segment.bytes', 'delete.topic.enable'] },
      { resourceType: BROKER, resourceName: '', configurationKeys: null },
      { resourceType: BROKER, resourceName: String(b.nodeId + 1), configurationKeys: null },
      { resourceType: BROKER_LOGGER, resourceName: String(b.nodeId), configurationKeys: null },
      { resourceType: 99, resourceName: 'x', configurationKeys: null },
    ],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  const [topic, absent, badName, brokerRes, clusterDefault, otherBroker, logger, unknownType] = res.results;
  t.equal(topic!.errorCode, 0);
  const configs = new Map(topic!.configs.map((c) => [c.name, c]));
  t.same([...configs.keys()].sort(), ['cleanup.policy', 'max.message.bytes', 'segment.bytes']);
  const cleanup = configs.get('cleanup.policy')!;
  t.equal(cleanup.value, 'compact');
  t.equal(cleanup.configSource, 1);
  t.equal(cleanup.configType, 7, 'LIST');
  t.type(cleanup.documentation, 'string');
  t.same(cleanup.synonyms!.map((s) => [s.name, s.value, s.source]), [
    ['cleanup.policy', 'compact', 1],
    ['log.cleanup.policy', 'delete', 5],
  ]);
  const segment = configs.get('segment.bytes')!;
  t.equal(segment.value, '2097152');
  t.equal(segment.configSource, 4, 'STATIC_BROKER_CONFIG');
  t.equal(segment.configType, 3, 'INT');
  t.equal(configs.get('max.message.bytes')!.configSource, 5);

  t.same([absent!.errorCode, absent!.configs], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []]);
  t.equal(badName!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  t.equal(brokerRes!.errorCode, 0);
  t.same(
    brokerRes!.configs.map((c) => [c.name, c.value, c.readOnly, c.configSource]),
    [
      ['delete.topic.enable', 'true', true, 5],
      ['log.segment.bytes', '2097152', false, 4],
    ],
  );
  t.same([clusterDefault!.errorCode, clusterDefault!.configs], [0, []], 'no dynamic cluster defaults yet');
  t.equal(otherBroker!.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(otherBroker!.errorMessage, `Unexpected broker id, expected ${b.nodeId} or empty string, but received ${b.nodeId + 1}`);
  t.equal(logger!.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(unknownType!.errorCode, ErrorCode.INVALID_REQUEST);

  const v0 = await raw.request<DescribeConfigsResponse>(32, 0, {
    resources: [{ resourceType: TOPIC, resourceName: 'described', configurationKeys: ['cleanup.policy', 'retention.ms'] }],
  });
  t.same(
    v0.results[0]!.configs.map((c) => [c.name, c.isDefault]),
    [
      ['cleanup.policy', false],
      ['retention.ms', true],
    ],
  );
});

t.test('IncrementalAlterConfigs v1 on a topic, persisted across a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-admin-restart-'));
  const first = await startAdminBroker(t, [], dataDir);
  const raw = await first.raw();
  await createTopics(raw, 7, [topicSpec('inc', 2)]);
  const alter = (configs: unknown[], validateOnly = false, name = 'inc') =>
    raw.request<IncrementalAlterConfigsResponse>(44, 1, { resources: [{ resourceType: TOPIC, resourceName: name, configs }], validateOnly });

  let res = await alter([
    { name: 'retention.ms', configOperation: SET, value: '123456' },
    { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' },
  ]);
  t.same(res.responses[0], { errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'inc' });
  t.equal(first.log('inc', 1).config.retentionMs, 123456, 'applied live');
  t.same(first.log('inc', 0).config.cleanupPolicy, ['delete', 'compact']);

  res = await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }]);
  t.equal(res.responses[0]!.errorCode, 0);
  t.same(first.log('inc', 0).config.cleanupPolicy, ['compact']);

  res = await alter([{ name: 'retention.ms', configOperation: APPEND, value: '1' }]);
  t.same([res.responses[0]!.errorCode, res.responses[0]!.errorMessage], [ErrorCode.INVALID_CONFIG, 'Config value append is not allowed for config key: retention.ms']);
  res = await alter([{ name: 'segment.ms', configOperation: SET, value: '0' }]);
  t.same([res.responses[0]!.errorCode, res.responses[0]!.errorMessage], [ErrorCode.INVALID_CONFIG, 'Invalid value 0 for configuration segment.ms: Value must be at least 1']);
  res = await alter([{ name: 'retention.ms', configOperation: SET, value: '1' }], true);
  t.equal(res.responses[0]!.errorCode, 0);
  t.equal(first.log('inc', 0).config.retentionMs, 123456, 'validate_only changes nothing');
  res = await alter([{ name: 'retention.ms', configOperation: SET, value: '1' }], false, 'nope');
  t.equal(res.responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  // Through a full stop and a new broker on the same data dir.
  await first.broker.stop();
  const second = await startAdminBroker(t, [], dataDir);
  t.teardown(async () => {
    await second.broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const raw2 = await second.raw();
  const described = await raw2.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType: TOPIC, resourceName: 'inc', configurationKeys: ['retention.ms', 'cleanup.policy'] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  t.same(
    described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource]),
    [
      ['cleanup.policy', 'compact', 1],
      ['retention.ms', '123456', 1],
    ],
  );
  t.equal(second.log('inc', 1).config.retentionMs, 123456);

  const del = await raw2.request<IncrementalAlterConfigsResponse>(44, 0, {
    resources: [{ resourceType: TOPIC, resourceName: 'inc', configs: [{ name: 'retention.ms', configOperation: DELETE, value: null }] }],
    validateOnly: false,
  });
  t.equal(del.responses[0]!.errorCode, 0);
  t.equal(second.log('inc', 0).config.retentionMs, 604800000, 'DELETE returns to the default');
});

t.test('dynamic broker configs: topic defaults applied live, others refused', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('plain'), topicSpec('overridden', 1, 1, [{ name: 'retention.ms', value: '1000' }])]);
  const alterBroker = (name: string, configs: unknown[]) =>
    raw.request<IncrementalAlterConfigsResponse>(44, 1, { resources: [{ resourceType: BROKER, resourceName: name, configs }], validateOnly: false });

  let res = await alterBroker(String(b.nodeId), [{ name: 'log.retention.ms', configOperation: SET, value: '7200000' }]);
  t.equal(res.responses[0]!.errorCode, 0);
  t.equal(b.log('plain', 0).config.retentionMs, 7200000, 'a topic without an override follows the broker default');
  t.equal(b.log('overridden', 0).config.retentionMs, 1000, 'a topic override wins');
  await createTopics(raw, 7, [topicSpec('later')]);
  t.equal(b.log('later', 0).config.retentionMs, 7200000, 'topics created later start from it');
  const stored = JSON.parse(readFileSync(join(b.logDir, 'kts-dynamic-broker-configs.json'), 'utf8')) as { perBroker: Record<string, string> };
  t.same(stored.perBroker, { 'log.retention.ms': '7200000' });

  const described = await raw.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType: TOPIC, resourceName: 'plain', configurationKeys: ['retention.ms'] }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const retention = described.results[0]!.configs[0]!;
  t.same([retention.value, retention.configSource], ['7200000', 2], 'DYNAMIC_BROKER_CONFIG');
  t.same(retention.synonyms!.map((s) => [s.name, s.source]), [
    ['log.retention.ms', 2],
    ['log.retention.hours', 5],
  ]);

  res = await alterBroker('', [{ name: 'log.segment.bytes', configOperation: SET, value: '4194304' }]);
  t.equal(res.responses[0]!.errorCode, 0);
  t.equal(b.log('plain', 0).config.segmentBytes, 4194304, 'cluster-wide default applies too');
  const clusterDescribed = await raw.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  t.same(clusterDescribed.results[0]!.configs.map((c) => [c.name, c.value, c.configSource]), [['log.segment.bytes', '4194304', 3]]);

  res = await alterBroker(String(b.nodeId), [{ name: 'num.partitions', configOperation: SET, value: '3' }]);
  t.equal(res.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  t.match(res.responses[0]!.errorMessage, 'Cannot update these configs dynamically: num.partitions');
  res = await alterBroker(String(b.nodeId + 5), [{ name: 'log.retention.ms', configOperation: SET, value: '1' }]);
  t.equal(res.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);

  res = await alterBroker(String(b.nodeId), [{ name: 'log.retention.ms', configOperation: DELETE, value: null }]);
  t.equal(res.responses[0]!.errorCode, 0);
  t.equal(b.log('plain', 0).config.retentionMs, 604800000, 'back to the static default');
});

t.test('AlterConfigs v2 (flexible) replaces the topic set', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('legacy', 1, 1, [{ name: 'retention.ms', value: '1000' }])]);
  const res = await raw.request<AlterConfigsResponse>(33, 2, {
    resources: [
      { resourceType: TOPIC, resourceName: 'legacy', configs: [{ name: 'segment.ms', value: '60000' }] },
      { resourceType: TOPIC, resourceName: 'nope', configs: [] },
    ],
    validateOnly: false,
  });
  t.same(res.responses.map((r) => [r.resourceName, r.errorCode]), [['legacy', 0], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  t.equal(b.log('legacy', 0).config.segmentMs, 60000);
  t.equal(b.log('legacy', 0).config.retentionMs, 604800000, 'retention.ms override removed');

  const screened = await raw.request<AlterConfigsResponse>(33, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'legacy', configs: [{ name: 'segment.ms', value: '1' }] },
      { resourceType: TOPIC, resourceName: 'legacy', configs: [{ name: 'segment.ms', value: '2' }] },
      { resourceType: 99, resourceName: 'x', configs: [] },
      { resourceType: BROKER_LOGGER, resourceName: String(b.nodeId), configs: [] },
    ],
    validateOnly: false,
  });
  t.same(
    screened.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
    [
      ['legacy', ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
      ['x', ErrorCode.UNSUPPORTED_VERSION, 'Unknown resource type 99.'],
      [String(b.nodeId), ErrorCode.INVALID_REQUEST, 'kts has no runtime-adjustable loggers (BROKER_LOGGER resources are not supported).'],
    ],
  );
  t.equal(b.log('legacy', 0).config.segmentMs, 60000, 'a duplicated resource changes nothing');
});

t.test('DeleteRecords v2', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('dr', 2), topicSpec('compacted', 1, 1, [{ name: 'cleanup.policy', value: 'compact' }])]);
  const res = await raw.request<DeleteRecordsResponse>(21, 2, {
    topics: [
      { name: 'dr', partitions: [{ partitionIndex: 0, offset: 0 }, { partitionIndex: 1, offset: 5 }, { partitionIndex: 7, offset: 0 }] },
      { name: 'compacted', partitions: [{ partitionIndex: 0, offset: -1 }] },
      { name: 'absent', partitions: [{ partitionIndex: 0, offset: 0 }] },
    ],
    timeoutMs: 1000,
  });
  t.same(res.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.lowWatermark, p.errorCode])]), [
    ['dr', [[0, 0, 0], [1, -1, ErrorCode.OFFSET_OUT_OF_RANGE], [7, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ['compacted', [[0, -1, ErrorCode.POLICY_VIOLATION]]],
    ['absent', [[0, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
  ]);
});

t.test('DescribeLogDirs v4 and v0', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  await createTopics(raw, 7, [topicSpec('sized', 2), topicSpec('other')]);
  const all = await raw.request<DescribeLogDirsResponse>(35, 4, { topics: null });
  t.equal(all.errorCode, 0);
  t.equal(all.results.length, 1);
  const dir = all.results[0]!;
  t.equal(dir.logDir, b.logDir);
  t.equal(dir.errorCode, 0);
  t.ok(dir.totalBytes! > 0 && dir.usableBytes! > 0 && dir.usableBytes! <= dir.totalBytes!);
  t.same(dir.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.partitionSize, p.offsetLag, p.isFutureKey])]), [
    ['other', [[0, b.log('other', 0).size, 0, false]]],
    ['sized', [[0, b.log('sized', 0).size, 0, false], [1, b.log('sized', 1).size, 0, false]]],
  ]);
  const some = await raw.request<DescribeLogDirsResponse>(35, 0, { topics: [{ topic: 'sized', partitions: [1] }, { topic: 'gone', partitions: [0] }] });
  t.same(some.results[0]!.topics.map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['sized', [1]]]);
});

t.test('DescribeCluster v0 and v1', async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  const v0 = await raw.request<DescribeClusterResponse>(60, 0, { includeClusterAuthorizedOperations: false });
  t.equal(v0.errorCode, 0);
  t.equal(v0.clusterId, b.clusterId);
  t.equal(v0.controllerId, b.nodeId);
  t.same(v0.brokers, [{ brokerId: b.nodeId, host: '127.0.0.1', port: b.port, rack: null }]);
  t.equal(v0.clusterAuthorizedOperations, -2147483648);
  const withOps = await raw.request<DescribeClusterResponse>(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  t.not(withOps.clusterAuthorizedOperations, -2147483648);
  t.ok((withOps.clusterAuthorizedOperations & (1 << 10)) !== 0, 'DESCRIBE_CONFIGS allowed');
  const controllers = await raw.request<DescribeClusterResponse>(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
  t.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
});

t.test('dynamic broker configs survive a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-admin-dynamic-'));
  const first = await startAdminBroker(t, [], dataDir);
  const raw = await first.raw();
  await createTopics(raw, 7, [topicSpec('kept')]);
  const res = await raw.request<IncrementalAlterConfigsResponse>(44, 1, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: '',
        configs: [
          { name: 'log.retention.hours', configOperation: SET, value: '2' },
          { name: 'log.segment.bytes', configOperation: SET, value: '2097152' },
        ],
      },
    ],
    validateOnly: false,
  });
  t.equal(res.responses[0]!.errorCode, 0);
  t.equal(first.log('kept', 0).config.retentionMs, 7_200_000, 'hours become milliseconds');
  t.equal(first.log('kept', 0).config.segmentBytes, 2097152);
  await first.broker.stop();

  const second = await startAdminBroker(t, [], dataDir);
  t.teardown(async () => {
    await second.broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  restoreDynamicBrokerConfigs(second.broker.context);
  t.equal(second.log('kept', 0).config.retentionMs, 7_200_000, 'applied at start');
  t.equal(second.log('kept', 0).config.segmentBytes, 2097152);
  const raw2 = await second.raw();
  const described = await raw2.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType: TOPIC, resourceName: 'kept', configurationKeys: ['retention.ms', 'segment.bytes'] }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const [retention, segment] = described.results[0]!.configs;
  // Kafka lists no synonym for retention.ms unless log.retention.ms itself is set.
  t.same([retention!.value, retention!.configSource, retention!.synonyms], ['7200000', 5, []]);
  t.same([segment!.value, segment!.configSource], ['2097152', 3], 'DYNAMIC_DEFAULT_BROKER_CONFIG');
  t.same(segment!.synonyms!.map((s) => [s.name, s.value, s.source]), [
    ['log.segment.bytes', '2097152', 3],
    ['log.segment.bytes', '1073741824', 5],
  ]);
  const cluster = await raw2.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: [] }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  t.same(
    cluster.results[0]!.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms!.map((s) => s.source)]),
    [
      ['log.retention.hours', '2', 3, [3]],
      ['log.segment.bytes', '2097152', 3, [3]],
    ],
    'the cluster-default resource keeps only dynamic default synonyms; an empty key list means all',
  );
});
