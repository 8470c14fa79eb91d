// The controller in a 3-broker kts cluster (real ZooKeeper, `kts server-start` processes):
// a reassignment through AlterPartitionReassignments (kafkajs' admin) adds a replica,
// waits for it to join the ISR and drops the old one; SIGKILL of the controller's broker
// hands the controller to another broker with a higher epoch, and topic creation and
// acks=all produce go on; a preferred election (`kts leader-election`, ElectLeaders) moves
// leaders back once the broker is back.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitForDespiteErrors } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const { Kafka, logLevel } = kafkajs;
const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('controller duties in a kts cluster', { skip, timeout: 180_000 }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false' });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const firstController = await waitForDespiteErrors('a controller', async () => (await zk.getControllerId()) ?? undefined);
  const firstEpoch = (await zk.getControllerEpoch())!.epoch;

  // Replicas by hand: partition 0 on [1,2], partition 1 on [2,3].
  const created = await runKts(['topics', '--create', '--topic', 'moves', '--replica-assignment', '1:2,2:3', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, `created: ${created.stderr}`);
  await waitForDespiteErrors('moves online with full ISRs', async () => {
    const s = await zk.getPartitionStates([{ topic: 'moves', partition: 0 }, { topic: 'moves', partition: 1 }]);
    return s.get('moves-0')?.state.isr.length === 2 && s.get('moves-1')?.state.isr.length === 2;
  });
  const lines = Array.from({ length: 2000 }, (_, i) => `r${i}`).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'moves', '-p', '0', '-X', 'acks=all'], lines, 60_000)).code, 0);

  const kafka = new Kafka({ clientId: 'controller-test', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.alterPartitionReassignments({ topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [3, 2] }] }] });
  await waitForDespiteErrors('moves-0 reassigned to [3,2]', async () => {
    const listed = await admin.listPartitionReassignments({});
    const a = (await zk.getReplicaAssignment(['moves'])).get('moves')?.assignment.get(0);
    const s = (await zk.getPartitionStates([{ topic: 'moves', partition: 0 }])).get('moves-0');
    return listed.topics.length === 0 && a?.join() === '3,2' && s?.state.isr.slice().sort().join() === '2,3' && s.state.leader !== 1;
  });
  await waitForDespiteErrors('broker 1 dropped its copy', async () => !existsSync(join(cluster.brokers.get(1)!.dir, 'moves-0')));
  const copy = await kcat(['-C', '-b', cluster.brokers.get(3)!.bootstrap, '-t', 'moves', '-p', '0', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.equal(copy.stdout.trim().split('\n').length, 2000, 'the records are readable after the move');

  // A partition the controller's broker leads, then SIGKILL that broker.
  const other = firstController === 1 ? 2 : 1;
  t.equal((await runKts(['topics', '--create', '--topic', 'pref', '--replica-assignment', `${firstController}:${other}`, '--bootstrap-server', cluster.bootstrap()])).code, 0);
  await waitForDespiteErrors('pref led by the controller broker with a full ISR', async () => {
    const s = (await zk.getPartitionStates([{ topic: 'pref', partition: 0 }])).get('pref-0');
    return s?.state.leader === firstController && s.state.isr.length === 2;
  });
  await cluster.brokers.get(firstController)!.kill();
  const next = await waitForDespiteErrors('a new controller', async () => {
    const id = await zk.getControllerId();
    return id !== undefined && id !== firstController ? id : undefined;
  });
  t.not(next, firstController, `broker ${next} took over`);
  await waitForDespiteErrors('pref-0 led by the other replica', async () => (await zk.getPartitionStates([{ topic: 'pref', partition: 0 }])).get('pref-0')?.state.leader === other);
  t.ok((await zk.getControllerEpoch())!.epoch > firstEpoch, 'with a higher controller epoch');
  const survivors = [...cluster.brokers.values()].filter((b) => b.id !== firstController).map((b) => b.bootstrap).join(',');
  const again = await runKts(['topics', '--create', '--topic', 'after', '--partitions', '2', '--replication-factor', '2', '--bootstrap-server', survivors]);
  t.equal(again.code, 0, `topic creation goes on: ${again.stderr}`);
  const produced = await waitForDespiteErrors('acks=all produce to the new topic', async () => {
    const r = await kcat(['-P', '-b', survivors, '-t', 'after', '-X', 'acks=all', '-X', 'message.timeout.ms=10000'], 'a\nb\nc\n', 30_000);
    return r.code === 0 ? r : undefined;
  });
  t.equal(produced.code, 0, 'produce goes on');

  // The broker comes back; a preferred election moves leaders back to the first replicas.
  await cluster.start(firstController);
  await waitForDespiteErrors('ISRs full again', async () => {
    const s = await zk.getPartitionStates([{ topic: 'moves', partition: 0 }, { topic: 'moves', partition: 1 }, { topic: 'pref', partition: 0 }]);
    return [...s.values()].every((p) => p.state.isr.length === 2);
  });
  const elected = await runKts(['leader-election', '--election-type', 'preferred', '--all-topic-partitions', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(elected.code, 0, `kts leader-election: ${elected.stdout}${elected.stderr}`);
  t.match(elected.stdout, /Successfully completed leader election \(PREFERRED\) for partitions pref-0/);
  await waitForDespiteErrors('preferred leaders', async () => {
    const s = await zk.getPartitionStates([{ topic: 'moves', partition: 0 }, { topic: 'moves', partition: 1 }, { topic: 'pref', partition: 0 }]);
    return s.get('moves-0')?.state.leader === 3 && s.get('moves-1')?.state.leader === 2 && s.get('pref-0')?.state.leader === firstController;
  });
  t.pass('leaders are the preferred replicas again');
});
