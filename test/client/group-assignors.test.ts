// Assignors (range, roundrobin, sticky, cooperative-sticky) on fixed inputs, checked
// against Java's documented results, plus a cooperative rebalance between two kts
// consumers: the first keeps the partitions it is not asked to give up.
import t from 'tap';
import { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor, stickyAssignor, type AssignorMember, type Assignment } from '../../src/client/group/index.js';
import type { TopicPartition } from '../../src/client/index.js';
import { connect, startTestBroker } from './helpers.js';

const member = (memberId: string, topics: string[], owned: TopicPartition[] = [], generation = 1): AssignorMember => ({ memberId, groupInstanceId: null, topics, ownedPartitions: owned, generation });
const show = (a: Assignment) => Object.fromEntries([...a].map(([m, tps]) => [m, tps.map((tp) => `${tp.topic}${tp.partition}`).join(' ')]));
const tps = (topic: string, ...ps: number[]) => ps.map((partition) => ({ topic, partition }));

t.test('range: consecutive partitions per topic, the first members get the extra ones', async (t) => {
  const counts = new Map([['t0', 3], ['t1', 3]]);
  const a = rangeAssignor.assign([member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])], counts);
  // Java's RangeAssignor javadoc: C0 [t0p0, t0p1, t1p0, t1p1], C1 [t0p2, t1p2].
  t.same(show(a), { C1: 't02 t12', C0: 't00 t01 t10 t11' });
});

t.test('roundrobin: all partitions dealt in turn, skipping members not subscribed', async (t) => {
  const counts = new Map([['t0', 3], ['t1', 3]]);
  t.same(show(roundRobinAssignor.assign([member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])], counts)), { C0: 't00 t02 t11', C1: 't01 t10 t12' });
  // Javadoc example with uneven subscriptions: C0 [t0], C1 [t0,t1], C2 [t0,t1,t2] over t0 1, t1 2, t2 3 partitions.
  const uneven = roundRobinAssignor.assign([member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])], new Map([['t0', 1], ['t1', 2], ['t2', 3]]));
  t.same(show(uneven), { C0: 't00', C1: 't10', C2: 't11 t20 t21 t22' });
});

t.test('sticky keeps owned partitions and balances', async (t) => {
  const counts = new Map([['t', 6]]);
  const owned = [member('A', ['t'], tps('t', 0, 1, 2, 3, 4, 5)), member('B', ['t'])];
  const a = stickyAssignor.assign(owned, counts);
  t.equal(a.get('A')!.length, 3);
  t.equal(a.get('B')!.length, 3);
  t.ok(a.get('A')!.every((tp) => tp.partition <= 5), 'A keeps three of its own');
  const again = stickyAssignor.assign([member('A', ['t'], a.get('A')!), member('B', ['t'], a.get('B')!), member('C', ['t'])], counts);
  t.same([...again.values()].map((x) => x.length), [2, 2, 2]);
  t.ok(again.get('A')!.every((tp) => a.get('A')!.some((o) => o.partition === tp.partition)), 'A only loses, never swaps');
  const all = [...again.values()].flat().map((tp) => tp.partition).sort();
  t.same(all, [0, 1, 2, 3, 4, 5], 'each partition once');
});

t.test('cooperative-sticky holds back partitions that still have another owner', async (t) => {
  const counts = new Map([['t', 4]]);
  const a = cooperativeStickyAssignor.assign([member('A', ['t'], tps('t', 0, 1, 2, 3)), member('B', ['t'])], counts);
  t.equal(a.get('A')!.length, 2, 'A keeps two');
  t.same(a.get('B'), [], 'B waits until A has revoked');
  const next = cooperativeStickyAssignor.assign([member('A', ['t'], a.get('A')!), member('B', ['t'])], counts);
  t.equal(next.get('B')!.length, 2, 'the follow-up rebalance hands them over');
});

t.test('cooperative rebalance between kts consumers: no stop-the-world revoke', async (t) => {
  const broker = await startTestBroker(t, ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=1']);
  const client = await connect(t, broker);
  await client.admin.createTopics([{ topic: 'coop', numPartitions: 4 }]);
  const cfg = { 'group.id': 'coop', 'partition.assignment.strategy': 'cooperative-sticky', 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '100', 'max.poll.interval.ms': '5000', 'fetch.max.wait.ms': '50' };
  const revokedA: number[][] = [];
  const a = client.groupConsumer(cfg);
  a.subscribe(['coop'], { onPartitionsRevoked: (ps) => void revokedA.push(ps.map((p) => p.partition)) });
  await a.poll(300);
  t.equal(a.assignment().length, 4);
  const b = client.groupConsumer(cfg);
  b.subscribe(['coop']);
  // Each consumer polls in its own loop, as each would in its own process.
  const end = Date.now() + 15_000;
  const balanced = () => (a.assignment().length === 2 && b.assignment().length === 2) || Date.now() > end;
  const loop = async (c: typeof a) => {
    while (!balanced()) await c.poll(100);
  };
  await Promise.all([loop(a), loop(b)]);
  t.equal(a.assignment().length, 2);
  t.equal(b.assignment().length, 2);
  t.same(revokedA.map((r) => r.length), [2], 'A revoked only the two partitions that moved');
  await b.close();
  await a.close();
});
