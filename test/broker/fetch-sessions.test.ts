// The fetch session cache: bounded slots, eviction of idle sessions only, epoch wrap.
import t from 'tap';
import { FetchSessionCache, nextSessionEpoch, sessionPartitionKey, type SessionPartition } from '../../src/broker/fetch-sessions.js';

function partitions(n: number): Map<string, SessionPartition> {
  const map = new Map<string, SessionPartition>();
  for (let p = 0; p < n; p++) {
    map.set(sessionPartitionKey('t', p), {
      topicRef: 't',
      request: { partition: p, fetchOffset: 0, partitionMaxBytes: 1 },
      sentHighWatermark: 0,
      sentLastStableOffset: 0,
      sentLogStartOffset: 0,
    });
  }
  return map;
}

t.test('slots are bounded; only sessions idle for the eviction time make room', async (t) => {
  const cache = new FetchSessionCache(2, 1000);
  const a = cache.create(false, partitions(1), 0)!;
  const b = cache.create(false, partitions(1), 500)!;
  t.ok(a && b);
  t.not(a.id, b.id);
  t.equal(cache.create(false, partitions(1), 900), undefined, 'full of recently used sessions: no new one');
  const c = cache.create(false, partitions(1), 1000)!;
  t.ok(c, 'the session idle for 1000 ms was evicted');
  t.equal(cache.get(a.id), undefined);
  t.ok(cache.get(b.id));
  t.equal(cache.size, 2);
});

t.test('empty fetches create no session; epochs start at 1 and wrap to 1', async (t) => {
  const cache = new FetchSessionCache();
  t.equal(cache.create(false, partitions(0), 0), undefined);
  t.equal(cache.create(true, partitions(2), 0)!.epoch, 1);
  t.equal(nextSessionEpoch(1), 2);
  t.equal(nextSessionEpoch(0x7fffffff), 1);
});
