// Auto leader rebalance (auto.leader.rebalance.enable, leader.imbalance.*) in a 2-broker kts
// cluster: a partition whose preferred leader died is led by the other replica; when the
// preferred broker is back in the ISR, the controller's periodic check moves leadership
// back without any tool.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { runKts } from '../helpers/run-kts.js';
import { waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('the controller moves leaders back to their preferred replicas', { skip, timeout: 120_000 }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2], {
    'auto.leader.rebalance.enable': 'true',
    'leader.imbalance.check.interval.seconds': '1',
    'leader.imbalance.per.broker.percentage': '10',
  });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const created = await runKts(['topics', '--create', '--topic', 'pref', '--replica-assignment', '2:1', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const state = async () => (await zk.getPartitionStates([{ topic: 'pref', partition: 0 }])).get('pref-0')?.state;
  await waitForDespiteErrors('pref-0 led by 2 with ISR 2,1', async () => (await state())?.leader === 2 && (await state())?.isr.length === 2);

  await cluster.brokers.get(2)!.kill();
  await waitForDespiteErrors('leader moved to broker 1', async () => (await state())?.leader === 1);
  t.pass('broker 1 leads while broker 2 is down');

  await cluster.start(2);
  await waitForDespiteErrors('broker 2 back in the ISR', async () => (await state())?.isr.includes(2) === true);
  await waitForDespiteErrors('leader back on the preferred broker 2', async () => (await state())?.leader === 2);
  t.pass('the controller rebalanced leadership by itself');
});
