// A replica the broker cannot create (KAFKA_STORAGE_ERROR in its LeaderAndIsr answer, here a
// plain file squatting on the partition's directory name) goes offline at the controller:
// another replica leads, the broken one leaves the ISR and Metadata lists it offline.
// Restarted with the obstacle gone, the broker gets the replica back and rejoins the ISR.
import t from 'tap';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('KAFKA_STORAGE_ERROR from a replica takes it offline; leadership goes elsewhere', { skip, timeout: 180_000 }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2], { 'auto.leader.rebalance.enable': 'false' });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const squatter = join(cluster.brokers.get(2)!.dir, 'blocked-0');
  writeFileSync(squatter, 'not a log directory\n');

  const created = await runKts(['topics', '--create', '--topic', 'blocked', '--replica-assignment', '2:1', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const state = async () => (await zk.getPartitionStates([{ topic: 'blocked', partition: 0 }])).get('blocked-0')?.state;
  await waitForDespiteErrors('broker 1 leads with an ISR of 1', async () => (await state())?.leader === 1 && (await state())?.isr.join() === '1');
  t.ok(statSync(squatter).isFile(), 'broker 2 could not create the replica');
  // The controller writes leader 1 to ZooKeeper before its UpdateMetadata reaches the brokers
  // (after first electing broker 2, the preferred replica): the answering broker's metadata may lag.
  const describe = () => runKts(['topics', '--describe', '--topic', 'blocked', '--bootstrap-server', cluster.bootstrap(), '--json']);
  await waitForDespiteErrors('Metadata to name broker 1 as leader', async () => /"leader":\s*1/.test((await describe()).stdout), 60_000).catch(() => undefined);
  const described = await describe();
  t.match(described.stdout, /"leader":\s*1/, 'Metadata names broker 1 as leader');
  const produced = await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'blocked', '-X', 'acks=all'], 'x\ny\n', 30_000);
  t.equal(produced.code, 0, `produce works on the healthy replica: ${produced.stderr}`);

  await cluster.brokers.get(2)!.kill();
  rmSync(squatter);
  await cluster.start(2);
  await waitForDespiteErrors('broker 2 back in the ISR', async () => (await state())?.isr.slice().sort().join() === '1,2');
  t.ok(statSync(squatter).isDirectory(), 'the replica exists on broker 2 now');
});
