import t from 'tap';
import { BoundedOffsetMap, ENTRY_OVERHEAD_BYTES } from '../../src/storage/cleaner/offset-map.js';
import { Throttler } from '../../src/storage/cleaner/throttle.js';

t.test('the offset map keeps the latest offset per key within its byte budget', async (t) => {
  const map = new BoundedOffsetMap(2 * (2 + ENTRY_OVERHEAD_BYTES));
  t.ok(map.put(Buffer.from('k1'), 1));
  t.ok(map.put(Buffer.from('k2'), 2));
  t.ok(map.put(Buffer.from('k1'), 5), 'an existing key always fits');
  t.notOk(map.put(Buffer.from('k3'), 6), 'a new key over the budget is refused');
  t.same([map.get(Buffer.from('k1')), map.get(Buffer.from('k2')), map.get(Buffer.from('k3'))], [5, 2, -1]);
  t.equal(map.latestOffset, 5);
  t.equal(map.size, 2);
  const binary = new BoundedOffsetMap(1000);
  binary.put(Buffer.from([0xff, 0x00]), 1);
  t.equal(binary.get(Buffer.from([0xff, 0x00])), 1, 'binary keys');
  t.equal(binary.get(Buffer.from([0xff])), -1);
});

t.test('the throttler asks for the pause that keeps IO under the rate', async (t) => {
  const clock = { now: 0 };
  const th = new Throttler(1000, () => clock.now);
  t.equal(th.delayFor(500), 500, '500 bytes at 1000 B/s take 500 ms');
  clock.now = 500;
  t.equal(th.delayFor(0), 0);
  t.equal(th.delayFor(1500), 1500, '2000 bytes by 500 ms: 1500 ms more');
  clock.now = 2000;
  t.equal(th.delayFor(0), 0, 'a new window after a second under the rate');
  t.equal(th.delayFor(100), 100);
  t.equal(new Throttler(Number.POSITIVE_INFINITY, () => 0).delayFor(1e12), 0, 'unlimited');
});
