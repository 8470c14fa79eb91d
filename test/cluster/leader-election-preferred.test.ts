// kts leader-election on a 3-broker kts cluster: a preferred election moves leadership back
// to the first replica after it returns. kts replica-verification compares the replicas.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster, type KtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
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

t.test('a preferred election through kts leader-election', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false' });
  // The brokers killed below are not the controller (its failover is another test's subject).
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: silentLogger });
  const controller = await zk.getControllerId();
  await zk.close();
  const [a, b] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
  t.comment(`controller ${controller}; preferred election on [${a},${b}]`);
  t.equal((await kts(cluster, ['topics', '--create', '--topic', 'pe', '--replica-assignment', `${a}:${b}`])).code, 0);
  await waitFor('pe in sync', async () => ((await describe(cluster, 'pe'))?.isr.length === 2 ? true : undefined));
  const lines = Array.from({ length: 500 }, (_, i) => `p${i}`).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'pe', '-X', 'acks=all'], lines, 30_000)).code, 0);
  const verified = await kts(cluster, ['replica-verification', '--topics-include', 'pe', '--time', '-2', '--once']);
  t.equal(verified.code, 0, verified.stderr);
  t.match(verified.stdout, /: max lag is 0 for partition pe-0 at offset 500 among 1 partitions\n$/, 'both replicas of pe-0 hold the same 500 records');

  await cluster.brokers.get(a)!.kill();
  await waitFor(`broker ${b} leads pe-0`, async () => ((await describe(cluster, 'pe'))?.leader === b ? true : undefined));
  await cluster.start(a);
  await waitFor(`broker ${a} back in the ISR of pe-0`, async () => ((await describe(cluster, 'pe'))?.isr.length === 2 ? true : undefined));
  t.equal((await describe(cluster, 'pe'))?.leader, b, `leadership stays on broker ${b} without a preferred election`);
  const preferred = await kts(cluster, ['leader-election', '--election-type', 'preferred', '--topic', 'pe', '--partition', '0']);
  t.equal(preferred.code, 0, preferred.stderr);
  t.equal(preferred.stdout, 'Successfully completed leader election (PREFERRED) for partitions pe-0\n');
  await waitFor(`broker ${a} leads pe-0 again`, async () => ((await describe(cluster, 'pe'))?.leader === a ? true : undefined));
  t.equal((await kts(cluster, ['leader-election', '--election-type', 'preferred', '--topic', 'pe', '--partition', '0'])).stdout, 'Valid replica already elected for partitions pe-0\n');

});
