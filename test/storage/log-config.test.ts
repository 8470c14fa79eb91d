import t from 'tap';
import { TOPIC_CONFIGS, defaultLogConfig, formatConfigValue, parseTopicConfigs, topicConfigDef } from '../../src/storage/index.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

t.test('defaults are Kafka\'s', async (t) => {
  const c = defaultLogConfig();
  t.equal(c.segmentBytes, 1073741824);
  t.equal(c.retentionMs, 604800000);
  t.equal(c.retentionBytes, -1);
  t.equal(c.maxMessageBytes, 1048588);
  t.equal(c.indexIntervalBytes, 4096);
  t.equal(c.segmentIndexBytes, 10485760);
  t.equal(c.fileDeleteDelayMs, 60000);
  t.same(c.cleanupPolicy, ['delete']);
  t.equal(c.messageTimestampType, 'CreateTime');
  t.equal(formatConfigValue(c, 'flush.messages'), '9223372036854775807');
  t.equal(formatConfigValue(c, 'cleanup.policy'), 'delete');
  t.equal(topicConfigDef('retention.ms')?.brokerSynonym, 'log.retention.ms');
  t.ok(TOPIC_CONFIGS.length >= 30);
});

t.test('parseTopicConfigs validates names, types, ranges and valid values', async (t) => {
  t.same(parseTopicConfigs({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete', preallocate: 'TRUE', 'min.cleanable.dirty.ratio': '0.1' }),
    { retentionMs: 1000, cleanupPolicy: ['compact', 'delete'], preallocate: true, minCleanableDirtyRatio: 0.1 });
  t.same(parseTopicConfigs(new Map([['flush.ms', '9223372036854775807']])), { flushMs: Number.MAX_SAFE_INTEGER });
  const bad: Array<[string, string, RegExp]> = [
    ['retention.ms', 'abc', /Not a number of type LONG/],
    ['segment.bytes', '2147483648', /Not a number of type INT/],
    ['retention.ms', '-2', /at least -1/],
    ['cleanup.policy', 'forever', /compact, delete/],
    ['message.timestamp.type', 'Now', /CreateTime, LogAppendTime/],
    ['preallocate', 'yes', /true or false/],
    ['min.cleanable.dirty.ratio', '2', /no more than 1/],
    ['unknown.config', '1', /Unknown topic config/],
  ];
  for (const [name, value, why] of bad) {
    try {
      parseTopicConfigs({ [name]: value });
      t.fail(`${name}=${value} accepted`);
    } catch (err) {
      t.ok(err instanceof KafkaError && err.errorCode === ErrorCode.INVALID_CONFIG, `${name}=${value}`);
      t.match((err as Error).message, why);
    }
  }
});
