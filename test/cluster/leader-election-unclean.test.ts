// kts leader-election on a 3-broker kts cluster: an unclean election gives a leaderless
// partition to a replica outside the ISR.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster, type KtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor, type DescribedPartition } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { silentLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const kts = (cluster: KtsCluster, args: string[]) => runKts([...args, '--bootstrap-server', cluster.bootstrap()]);

/** The topic's partition 0 (undefined while the describe fails); a partition without leader has leader -1. */
const describe = async (cluster: KtsCluster, topic: string): Promise<DescribedPartition | undefined> => (await describeTopic(cluster.bootstrap(), topic))[0];

t.test('an unclean election through kts leader-election', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false' });
  // The brokers killed below are not the controller (its failover is another test's subject).
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: silentLogger });
  const controller = await zk.getControllerId();
  await zk.close();
  const [a, b] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
  t.comment(`controller ${controller}; unclean election on [${b},${a}]`);
  t.equal((await kts(cluster, ['topics', '--create', '--topic', 'uc', '--replica-assignment', `${b}:${a}`])).code, 0);
  await waitFor('uc in sync', async () => ((await describe(cluster, 'uc'))?.isr.length === 2 ? true : undefined));
  // uc-0 on [b,a]: broker a dies (ISR [b]), then broker b (no leader); broker a returns out of the ISR.
  await cluster.brokers.get(a)!.kill();
  await waitFor(`uc-0 ISR without ${a}`, async () => ((await describe(cluster, 'uc'))?.isr.join(',') === String(b) ? true : undefined));
  await cluster.brokers.get(b)!.kill();
  await waitFor('uc-0 without a leader', async () => { const d = await describe(cluster, 'uc'); return d !== undefined && (d.leader === null || d.leader === -1) ? true : undefined; });
  await cluster.start(a);
  const offline = await waitFor('uc-0 still without a leader with broker 3 back', async () => {
    const d = await describe(cluster, 'uc');
    return d !== undefined && (d.leader === null || d.leader === -1) ? d : undefined;
  });
  t.same(offline.isr, [b], `broker ${a} is not in the ISR: no clean election possible`);
  const unavailable = await kts(cluster, ['topics', '--describe', '--unavailable-partitions']);
  t.match(unavailable.stdout, /^\tTopic: uc\tPartition: 0\tLeader: none\t/m, '--unavailable-partitions lists it');
  const unclean = await kts(cluster, ['leader-election', '--election-type', 'unclean', '--topic', 'uc', '--partition', '0']);
  t.equal(unclean.code, 0, unclean.stderr);
  t.equal(unclean.stdout, 'Successfully completed leader election (UNCLEAN) for partitions uc-0\n');
  await waitFor(`broker ${a} leads uc-0`, async () => ((await describe(cluster, 'uc'))?.leader === a ? true : undefined));
});
