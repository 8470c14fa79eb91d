import t from 'tap';
import { COLLISION_WARNING, renderCreated, renderDescribe, renderList, renderAltered, type TopicView } from '../../../src/cli/render/topics.js';
import { renderConfigs, renderAlterDone } from '../../../src/cli/render/configs.js';
import { renderOffsets, renderDeleteRecords } from '../../../src/cli/render/offsets.js';
import { renderLogDirs } from '../../../src/cli/render/log-dirs.js';

t.test('topics --create: message and the collision warning', async (t) => {
  t.equal(renderCreated({ topic: 'foo', topicId: 'x', partitions: 1, replicationFactor: 1, created: true }), 'Created topic foo.\n');
  t.equal(renderCreated({ topic: 'a.b', topicId: 'x', partitions: 1, replicationFactor: 1, created: true }), `${COLLISION_WARNING}\nCreated topic a.b.\n`);
  t.equal(renderCreated({ topic: 'foo', topicId: '', partitions: -1, replicationFactor: -1, created: false }), '');
  t.equal(renderList(['a', 'b']), 'a\nb\n');
  t.match(renderAltered([{ topic: 'a', partitions: 4 }]), /^WARNING: If partitions are increased.*\nAdding partitions succeeded!\n$/);
});

t.test('topics --describe: TAB-separated lines, partition lines start with a TAB', async (t) => {
  const v: TopicView = {
    topic: 'foo',
    topicId: 'q2tBD6zxT2W9Yd8ZP4dJzQ',
    partitionCount: 2,
    replicationFactor: 1,
    configs: { 'cleanup.policy': 'compact', 'segment.bytes': '1000' },
    showTopicLine: true,
    partitions: [
      { partition: 0, leader: 1, replicas: [1], isr: [1], elr: null, lastKnownElr: null },
      { partition: 1, leader: null, replicas: [1, 2], isr: [], elr: [], lastKnownElr: [] },
    ],
  };
  t.equal(
    renderDescribe([v]),
    'Topic: foo\tTopicId: q2tBD6zxT2W9Yd8ZP4dJzQ\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,segment.bytes=1000\n' +
      '\tTopic: foo\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A\n' +
      '\tTopic: foo\tPartition: 1\tLeader: none\tReplicas: 1,2\tIsr: \tElr: \tLastKnownElr: \n',
  );
  const zeroId = renderDescribe([{ ...v, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', configs: {}, partitions: [] }]);
  t.equal(zeroId, 'Topic: foo\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n');
  t.equal(renderDescribe([{ ...v, showTopicLine: false, partitions: [] }]), '');
});

t.test('configs --describe and --alter messages', async (t) => {
  const text = renderConfigs([
    {
      entityType: 'topics',
      entityName: 'foo',
      all: false,
      configs: [
        {
          name: 'retention.ms',
          value: '1000',
          source: 'DYNAMIC_TOPIC_CONFIG',
          isSensitive: false,
          readOnly: false,
          synonyms: [
            { name: 'retention.ms', value: '1000', source: 'DYNAMIC_TOPIC_CONFIG' },
            { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
          ],
        },
      ],
    },
    { entityType: 'brokers', entityName: '', all: false, configs: [] },
    { entityType: 'brokers', entityName: '1', all: true, configs: [{ name: 'ssl.key.password', value: 'x', source: 'STATIC_BROKER_CONFIG', isSensitive: true, readOnly: true, synonyms: [] }] },
  ]);
  t.equal(
    text,
    'Dynamic configs for topic foo are:\n' +
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}\n' +
      'Default configs for brokers in the cluster are:\n' +
      'All configs for broker 1 are:\n' +
      '  ssl.key.password=null sensitive=true synonyms={}\n',
  );
  t.equal(renderAlterDone('topics', 'foo'), 'Completed updating config for topic foo.\n');
  t.equal(renderAlterDone('brokers', ''), 'Completed updating default config for brokers in the cluster.\n');
  t.equal(renderAlterDone('brokers', '1'), 'Completed updating config for broker 1.\n');
});

t.test('get-offsets, delete-records, log-dirs', async (t) => {
  t.equal(renderOffsets([{ topic: 'a', partition: 0, offset: 5 }, { topic: 'a', partition: 1, offset: 0 }]), 'a:0:5\na:1:0\n');
  t.equal(
    renderDeleteRecords([{ topic: 'foo', partition: 1, lowWatermark: 5 }, { topic: 'foo', partition: 2, error: 'boom' }]),
    'Executing records delete operation\nRecords delete operation completed:\npartition: foo-1\tlow_watermark: 5\npartition: foo-2\terror: boom\n',
  );
  const data = { version: 1 as const, brokers: [{ broker: 0, logDirs: [{ logDir: '/d', error: null, partitions: [{ partition: 'foo-0', size: 123, offsetLag: 0, isFuture: false }] }] }] };
  const text = renderLogDirs(data).split('\n');
  t.equal(text[0], 'Querying brokers for log directories information');
  t.equal(text[1], 'Received log directory information from brokers 0');
  t.same(JSON.parse(text[2]!), data);
});
