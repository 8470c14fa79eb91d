import t from 'tap';
import { ReplicationQuota, isThrottledReplica } from '../../../src/broker/replica/replication-quota.js';

t.test('throttled replica lists: "*" and partition:broker pairs', async (t) => {
  t.ok(isThrottledReplica('*', 3, 7));
  t.ok(isThrottledReplica('0:1, 2:3', 2, 3));
  t.notOk(isThrottledReplica('0:1,2:3', 2, 1));
  t.notOk(isThrottledReplica(undefined, 0, 1));
  t.notOk(isThrottledReplica('', 0, 1));
});

t.test('the bucket refills at the rate, holds at most one second, and is drained by throttled bytes', async (t) => {
  let now = 0;
  let rate = 1000;
  const overrides: Record<string, string> = { 'follower.replication.throttled.replicas': '0:2' };
  const q = new ReplicationQuota({ topicOverrides: () => overrides, rate: () => rate }, 'follower', () => now);
  t.ok(q.isThrottled('t', 0, 2));
  t.notOk(q.isThrottled('t', 1, 2));
  now = 100;
  t.equal(q.available(), 0, 'empty at the first use, however long ago the quota was made');
  now = 600;
  t.equal(q.available(), 500, 'half a second at 1000 B/s');
  now = 5000;
  t.equal(q.available(), 1000, 'capped at one second of traffic');
  q.record(2500);
  t.equal(q.available(), 0, 'overdrawn: nothing until refilled');
  now = 7000;
  t.equal(q.available(), 500, 'the debt is paid back at the rate');
  rate = Number.POSITIVE_INFINITY;
  t.notOk(q.isThrottled('t', 0, 2), 'no rate: nothing is throttled');
  t.equal(q.available(), Number.POSITIVE_INFINITY);
});
