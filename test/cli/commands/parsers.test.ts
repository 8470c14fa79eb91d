// Pure helpers of the commands: argument grammars that need no broker.
import t from 'tap';
import { parseTopicPartitionFilter, offsetSpec } from '../../../src/cli/commands/get-offsets.js';
import { parseOffsetJson } from '../../../src/cli/commands/delete-records.js';
import { parseReplicaAssignment } from '../../../src/cli/commands/topics.js';
import { toJson } from '../../../src/cli/commands/log-dirs.js';
import { topicMatcher } from '../../../src/cli/util/topic-match.js';

t.test('get-offsets --topic-partitions grammar', async (t) => {
  const sel = (s: string, topic: string, ps: number[]) => {
    const f = parseTopicPartitionFilter(s);
    return f.topic(topic) ? ps.filter(f.partition) : [];
  };
  const ps = [0, 1, 2, 3, 4, 5, 6];
  t.same(sel('t:1', 't', ps), [1]);
  t.same(sel('t:0-3', 't', ps), [0, 1, 2]);
  t.same(sel('t:5-', 't', ps), [5, 6]);
  t.same(sel('t:-3', 't', ps), [0, 1, 2]);
  t.same(sel('t', 't', ps), ps);
  t.same(sel(':5', 'anything', ps), [5]);
  t.same(sel('t.*:2', 'tx', ps), [2]);
  t.same(sel('t', 'tx', ps), []);
  t.throws(() => parseTopicPartitionFilter('t:x'), /not a partition number/);
});

t.test('get-offsets --time', async (t) => {
  t.equal(offsetSpec('-1'), 'latest');
  t.equal(offsetSpec('earliest'), 'earliest');
  t.equal(offsetSpec('-3'), 'max-timestamp');
  t.equal(offsetSpec('-4'), 'earliest-local');
  t.equal(offsetSpec('-5'), 'latest-tiered');
  t.same(offsetSpec('1700000000000'), { timestampMs: 1700000000000 });
  t.same(offsetSpec('2024-01-01T00:00:00Z'), { timestampMs: Date.UTC(2024, 0, 1) });
});

t.test('delete-records JSON', async (t) => {
  t.same(parseOffsetJson({ partitions: [{ topic: 'a', partition: 0, offset: -1 }], version: 1 }), [{ topic: 'a', partition: 0, offset: -1 }]);
  t.throws(() => parseOffsetJson({}), /"partitions" array/);
  t.throws(() => parseOffsetJson({ partitions: [{ topic: 'a', partition: 'x', offset: 1 }] }), /partitions\[0\]/);
  t.throws(
    () => parseOffsetJson({ partitions: [{ topic: 'a', partition: 0, offset: 1 }, { topic: 'a', partition: 0, offset: 2 }] }),
    /duplicate topic partitions: a-0/,
  );
});

t.test('topics --replica-assignment and topic regexes', async (t) => {
  t.same(parseReplicaAssignment('1:2,2:3,3'), [[1, 2], [2, 3], [3]]);
  t.throws(() => parseReplicaAssignment('1:x'), /bad broker list/);
  t.throws(() => parseReplicaAssignment('1:1'), /twice/);
  const m = topicMatcher('orders.*');
  t.ok(m('orders-eu'));
  t.notOk(m('old-orders'), 'matches the whole name');
  t.ok(topicMatcher('a(b')('a(b'), 'an invalid regex matches literally');
});

t.test('log-dirs JSON groups partitions by broker and dir', async (t) => {
  const data = toJson(
    [
      { brokerId: 0, logDir: '/d', error: null, totalBytes: -1, usableBytes: -1, topics: [{ topic: 'a', partitions: [{ partition: 0, sizeBytes: 10, offsetLag: 0, isFutureKey: false }] }] },
    ],
    [0],
  );
  t.same(data, { version: 1, brokers: [{ broker: 0, logDirs: [{ logDir: '/d', error: null, partitions: [{ partition: 'a-0', size: 10, offsetLag: 0, isFuture: false }] }] }] });
});
