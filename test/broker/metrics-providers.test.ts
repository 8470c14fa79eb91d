// The cluster-mode providers over a real ReplicaManager (single-node broker, kcat traffic):
// partitions it hosts, leads and keeps in sync, and ISR change counting.
import t from 'tap';
import { runBroker } from './helpers.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { IsrChangeCounter, partitionStatsFrom } from '../../src/broker/metrics/index.js';

t.test('partitionStatsFrom reads the ReplicaManager', { skip: needsKcat }, async (t) => {
  const b = await runBroker(t, ['num.partitions=2']);
  t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'pm', '-p', '0'], 'a\nb\n')).code, 0);
  t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'pm', '-p', '1'], 'c\n')).code, 0);
  const counter = new IsrChangeCounter();
  const stats = partitionStatsFrom(b.broker.context.replicaManager, counter);
  const parts = [...stats.partitions()].filter((p) => p.topic === 'pm').sort((x, y) => x.partition - y.partition);
  t.same(parts.map((p) => [p.partition, p.leaderId, [...p.replicas], [...p.isr], p.minInsyncReplicas]), [
    [0, b.broker.nodeId, [b.broker.nodeId], [b.broker.nodeId], 1],
    [1, b.broker.nodeId, [b.broker.nodeId], [b.broker.nodeId], 1],
  ]);
  counter.record([1, 2, 3], [1, 2]);
  counter.record([1, 2], [1, 2, 3]);
  counter.record([1, 2], [1, 2, 3]);
  t.equal(stats.isrShrinks(), 1);
  t.equal(stats.isrExpands(), 2);
});
