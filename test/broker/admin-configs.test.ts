// Admin building blocks without a broker: topic name rules, replica assignment checks,
// config describe (sources, synonyms, unit conversion) and alter operations.
import t from 'tap';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import {
  collidingTopic,
  isInternalTopic,
  topicNameError,
  validateNewTopicName,
  validateReplicaAssignment,
} from '../../src/broker/topic-validation.js';
import { describeBrokerConfigs, describeTopicConfigs, topicDefaults, type BrokerConfigLayers } from '../../src/broker/configs/describe.js';
import { ConfigSource } from '../../src/broker/configs/config-types.js';
import { incrementalBrokerConfigs, incrementalTopicOverrides, replacementTopicOverrides } from '../../src/broker/configs/alter.js';
import type { AdminLogManager, AdminPartitionLog } from '../../src/broker/configs/topic-configs.js';
import type { LogManager, PartitionLog } from '../../src/storage/index.js';

const all = { keys: null, includeSynonyms: true, includeDocumentation: false };
const noLayers: BrokerConfigLayers = { perBroker: {}, clusterDefault: {}, staticConfig: {} };

function kafkaError(fn: () => unknown): KafkaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err;
    throw err;
  }
  throw new Error('expected a KafkaError');
}

t.test('topic names follow Kafka rules and messages', async (t) => {
  t.equal(topicNameError('orders.v1_x-2'), null);
  t.equal(topicNameError(''), "Topic name is illegal, it can't be empty");
  t.equal(topicNameError('.'), 'Topic name cannot be "." or ".."');
  t.equal(topicNameError('..'), 'Topic name cannot be "." or ".."');
  t.equal(topicNameError('a'.repeat(249)), null);
  t.match(topicNameError('a'.repeat(250)), /can't be longer than 249 characters/);
  t.equal(
    topicNameError('bad name'),
    `Topic name "bad name" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
  );
  t.equal(topicNameError('ünïcode'), topicNameError('ünïcode'));
  t.not(topicNameError('ünïcode'), null);
  t.ok(isInternalTopic('__consumer_offsets'));
  t.ok(isInternalTopic('__transaction_state'));
  t.notOk(isInternalTopic('_consumer_offsets'));
});

t.test('. and _ collide with existing topics', async (t) => {
  t.equal(collidingTopic('a.b', ['a_b', 'c']), 'a_b');
  t.equal(collidingTopic('a_b', ['a.b']), 'a.b');
  t.equal(collidingTopic('ab', ['a_b']), null);
  t.equal(collidingTopic('a.b', ['a.b']), null, 'the same name is not a collision');
  const err = kafkaError(() => validateNewTopicName('x.y', ['x_y']));
  t.equal(err.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  t.match(err.message, "Topic 'x.y' collides with existing topic: x_y");
});

t.test('manual replica assignments', async (t) => {
  const brokers = new Set([1]);
  validateReplicaAssignment([1], brokers, null);
  validateReplicaAssignment([1], brokers, 1);
  t.match(kafkaError(() => validateReplicaAssignment([], brokers, null)).message, 'includes an empty replica list');
  t.match(kafkaError(() => validateReplicaAssignment([2, 1], brokers, null)).message, 'includes broker 2, but no such broker is registered');
  t.match(kafkaError(() => validateReplicaAssignment([1, 1], new Set([1]), null)).message, 'includes the broker 1 more than once');
  t.equal(kafkaError(() => validateReplicaAssignment([1], brokers, 2)).errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
});

t.test('topic configs: defaults, overrides, static broker values and synonyms', async (t) => {
  const none = describeTopicConfigs({}, noLayers, all);
  const retention = none.find((c) => c.name === 'retention.ms')!;
  t.equal(retention.value, '604800000');
  t.equal(retention.source, ConfigSource.DEFAULT_CONFIG);
  // Kafka's quirk, kept: log.retention.ms is unset, so the hours default is dropped from the list.
  t.same(retention.synonyms, [], "Kafka's retention.ms=604800000 synonyms={}");
  const cleanup = none.find((c) => c.name === 'cleanup.policy')!;
  t.same(cleanup.synonyms, [{ name: 'log.cleanup.policy', value: 'delete', source: ConfigSource.DEFAULT_CONFIG }]);
  t.equal(retention.type, 'long');
  t.equal(retention.documentation, null);
  t.ok(none.length >= 30, 'every topic config is listed');

  const layers: BrokerConfigLayers = { perBroker: {}, clusterDefault: {}, staticConfig: { 'log.retention.hours': '24', 'log.segment.bytes': '1048576' } };
  const overridden = describeTopicConfigs({ 'retention.ms': '1000' }, layers, all);
  const r = overridden.find((c) => c.name === 'retention.ms')!;
  t.equal(r.value, '1000');
  t.equal(r.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
  t.same(
    r.synonyms.map((s) => [s.name, s.value, s.source]),
    [['retention.ms', '1000', ConfigSource.DYNAMIC_TOPIC_CONFIG]],
  );
  const seg = overridden.find((c) => c.name === 'segment.bytes')!;
  t.equal(seg.value, '1048576');
  t.equal(seg.source, ConfigSource.STATIC_BROKER_CONFIG);

  const fromHours = describeTopicConfigs({}, layers, { ...all, keys: ['retention.ms'] });
  t.equal(fromHours.length, 1);
  t.equal(fromHours[0]!.value, String(24 * 3_600_000), 'hours convert to milliseconds');
  t.equal(fromHours[0]!.source, ConfigSource.DEFAULT_CONFIG, 'as Kafka reports it: no log.retention.ms synonym');
  const fromMs = describeTopicConfigs({}, { ...layers, staticConfig: { 'log.retention.ms': '5000', 'log.retention.hours': '24' } }, { ...all, keys: ['retention.ms'] })[0]!;
  t.same([fromMs.value, fromMs.source], ['5000', ConfigSource.STATIC_BROKER_CONFIG]);
  t.same(fromMs.synonyms.map((s) => [s.name, s.source]), [
    ['log.retention.ms', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', ConfigSource.DEFAULT_CONFIG],
  ]);
  t.equal(topicDefaults(layers)['retention.ms'], '86400000');

  const withDocs = describeTopicConfigs({}, noLayers, { keys: ['cleanup.policy'], includeSynonyms: false, includeDocumentation: true });
  t.type(withDocs[0]!.documentation, 'string');
  t.same(withDocs[0]!.synonyms, []);
});

t.test('dynamic broker configs take precedence in order', async (t) => {
  const layers: BrokerConfigLayers = {
    perBroker: { 'log.retention.ms': '5000' },
    clusterDefault: { 'log.retention.ms': '7000' },
    staticConfig: { 'log.retention.ms': '9000' },
  };
  const r = describeTopicConfigs({}, layers, { ...all, keys: ['retention.ms'] })[0]!;
  t.equal(r.value, '5000');
  t.equal(r.source, ConfigSource.DYNAMIC_BROKER_CONFIG);
  t.same(
    r.synonyms.map((s) => s.source),
    [ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, ConfigSource.STATIC_BROKER_CONFIG, ConfigSource.DEFAULT_CONFIG],
  );
});

t.test('broker configs', async (t) => {
  const configs = describeBrokerConfigs({ perBroker: {}, clusterDefault: {}, staticConfig: { 'num.partitions': '3' } }, all);
  const numPartitions = configs.find((c) => c.name === 'num.partitions')!;
  t.equal(numPartitions.value, '3');
  t.equal(numPartitions.source, ConfigSource.STATIC_BROKER_CONFIG);
  t.equal(numPartitions.readOnly, true);
  const hours = configs.find((c) => c.name === 'log.retention.hours')!;
  t.equal(hours.value, '168');
  t.equal(hours.readOnly, false);
  const ms = configs.find((c) => c.name === 'log.retention.ms')!;
  t.equal(ms.value, null, 'Kafka leaves log.retention.ms unset by default');
  t.same(ms.synonyms, [], 'keys before the first set one are dropped');
  t.same(hours.synonyms.map((s) => [s.name, s.value]), [['log.retention.hours', '168']]);
  const names = configs.map((c) => c.name);
  t.same(names, [...names].sort(), 'sorted by name');
});

t.test('incremental alter: SET, DELETE, APPEND, SUBTRACT', async (t) => {
  const SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;
  t.same(incrementalTopicOverrides({}, [{ name: 'retention.ms', configOperation: SET, value: '100' }]), { 'retention.ms': '100' });
  t.same(incrementalTopicOverrides({ 'retention.ms': '100' }, [{ name: 'retention.ms', configOperation: DELETE, value: null }]), {});
  t.same(incrementalTopicOverrides({}, [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }]), {
    'cleanup.policy': 'delete,compact',
  });
  t.same(incrementalTopicOverrides({ 'cleanup.policy': 'delete,compact' }, [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }]), {
    'cleanup.policy': 'compact',
  });
  const append = kafkaError(() => incrementalTopicOverrides({}, [{ name: 'retention.ms', configOperation: APPEND, value: '1' }]));
  t.equal(append.errorCode, ErrorCode.INVALID_CONFIG);
  t.match(append.message, 'Config value append is not allowed for config key: retention.ms');
  const unknown = kafkaError(() => incrementalTopicOverrides({}, [{ name: 'no.such', configOperation: SET, value: '1' }]));
  t.equal(unknown.errorCode, ErrorCode.INVALID_CONFIG);
  const bad = kafkaError(() => incrementalTopicOverrides({}, [{ name: 'cleanup.policy', configOperation: SET, value: 'shred' }]));
  t.match(bad.message, 'String must be one of: compact, delete');
  const dupe = kafkaError(() =>
    incrementalTopicOverrides({}, [
      { name: 'retention.ms', configOperation: SET, value: '1' },
      { name: 'retention.ms', configOperation: DELETE, value: null },
    ]),
  );
  t.equal(dupe.errorCode, ErrorCode.INVALID_REQUEST);
});

t.test('legacy alter replaces the set; broker keys must be dynamic', async (t) => {
  t.same(replacementTopicOverrides([{ name: 'retention.ms', value: '5' }, { name: 'segment.ms', value: null }]), { 'retention.ms': '5' });
  t.same(incrementalBrokerConfigs({}, [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }]), { 'log.retention.ms': '1000' });
  const refused = kafkaError(() => incrementalBrokerConfigs({}, [{ name: 'num.partitions', configOperation: 0, value: '3' }]));
  t.equal(refused.errorCode, ErrorCode.INVALID_CONFIG);
  t.match(refused.message, 'Cannot update these configs dynamically: num.partitions');
  const badValue = kafkaError(() => incrementalBrokerConfigs({}, [{ name: 'log.retention.hours', configOperation: 0, value: 'x' }]));
  t.equal(badValue.errorCode, ErrorCode.INVALID_CONFIG);
  const belowMin = kafkaError(() => incrementalBrokerConfigs({}, [{ name: 'log.retention.ms', configOperation: 0, value: '-5' }]));
  t.match(belowMin.message, 'Invalid value -5 for configuration log.retention.ms: Value must be at least -1');
});

// Compile-time: storage's classes provide what the admin APIs use (tsc fails here otherwise).
const storageFits: [LogManager extends AdminLogManager ? true : false, PartitionLog extends AdminPartitionLog ? true : false] = [true, true];
t.test('storage classes fit the admin interfaces', async (t) => {
  t.same(storageFits, [true, true]);
});
