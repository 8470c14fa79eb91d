// Topic deletion by the controller in a 2-broker kts cluster: a topic whose replica sits on
// a dead broker stays queued in /admin/delete_topics (its live replica is deleted already);
// when the broker returns the deletion completes: its log dir goes, then the topic's znodes.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

t.test('deletion waits for a dead replica and completes when its broker is back', { skip, timeout: 180_000 }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2], { 'auto.leader.rebalance.enable': 'false' });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const created = await runKts(['topics', '--create', '--topic', 'doomed', '--replica-assignment', '1:2', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const dir = (id: number) => join(cluster.brokers.get(id)!.dir, 'doomed-0');
  await waitForDespiteErrors('both replicas exist', () => existsSync(dir(1)) && existsSync(dir(2)));
  await waitForDespiteErrors('ISR of 2', async () => (await zk.getPartitionStates([{ topic: 'doomed', partition: 0 }])).get('doomed-0')?.state.isr.length === 2);

  await cluster.brokers.get(2)!.kill();
  await waitForDespiteErrors('broker 2 gone from ZooKeeper', async () => !(await zk.getAllBrokers()).some((b) => b.id === 2));
  t.ok(await zk.createTopicDeletion('doomed'), 'deletion requested through /admin/delete_topics');
  await waitForDespiteErrors('the live replica deleted', () => !existsSync(dir(1)));
  await new Promise((r) => setTimeout(r, 1000));
  t.ok(await zk.topicExists('doomed'), 'the topic znode stays while a replica is on a dead broker');
  t.same(await zk.getTopicDeletions(), ['doomed'], 'and the deletion stays queued');

  await cluster.start(2);
  await waitForDespiteErrors('deletion completed', async () => !(await zk.topicExists('doomed')) && (await zk.getTopicDeletions()).length === 0);
  await waitForDespiteErrors("broker 2's replica deleted", () => !existsSync(dir(2)));
  t.pass('the returning broker deleted its replica and the znodes went');
  const listed = await runKts(['topics', '--list', '--bootstrap-server', cluster.bootstrap()]);
  t.notMatch(listed.stdout, /doomed/, 'no broker lists the topic');
});
