// A follower's fetch that was waiting at the leader when the controller took that follower
// out of the ISR (controlled shutdown) must not take it back in when the wait ends. The race
// CI once hit in controlled-shutdown.test.ts ("and it is in no ISR"), made deterministic: the
// follower is frozen (SIGSTOP) with its fetch parked at the leader, its ControlledShutdown is
// sent for it, then a record wakes the parked fetch while the other follower's position still
// holds the high watermark at the frozen follower's old position.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { connectToBroker } from '../../src/net/broker-connect.js';
import { ApiKey } from '../../src/protocol/apis.js';
import { memoryLogger } from '../../src/util/logger.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('a parked fetch of a follower taken out of the ISR does not take it back in', { skip, timeout: 240_000 }, async (t) => {
  // Followers' fetches wait up to 20 s at the leader: long enough to act while one is parked.
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false', 'replica.fetch.wait.max.ms': '20000', 'replica.lag.time.max.ms': '60000',
    // The frozen broker's ZooKeeper session must outlive the test's steps: its expiry would take it out of the ISR too.
    'zookeeper.session.timeout.ms': '30000' });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const controllerId = (await zk.getControllerId())!;
  // The frozen follower is never the controller (a frozen controller answers nothing).
  const victim = [1, 2, 3].find((id) => id !== controllerId)!;
  const [leader, peer] = [1, 2, 3].filter((id) => id !== victim) as [number, number];
  const replicas = [leader, peer, victim];
  const topic = 'ledger';
  const created = await runKts(['topics', '--create', '--topic', topic, '--replica-assignment', replicas.join(':'), '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const tp = { topic, partition: 0 };
  const state = async () => (await zk.getPartitionStates([tp])).get(`${topic}-0`)?.state;
  await waitFor('ISR of 3', async () => ((await state())?.isr.length === 3 ? true : undefined), 90_000);
  const leaderBroker = cluster.brokers.get(leader)!;
  const first = await kcat(['-P', '-b', leaderBroker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], 'a\nb\n');
  t.equal(first.code, 0, `acks=all produce: ${first.stderr}`);
  // Both followers fetched past the records and now wait at the leader for more.
  await new Promise((r) => setTimeout(r, 1500));

  const victimProcess = cluster.brokers.get(victim)!.child;
  victimProcess.kill('SIGSTOP');
  t.teardown(() => victimProcess.kill('SIGCONT'));
  const registration = await zk.getBroker(victim);
  const controller = (await zk.getBroker(controllerId))!.endpoints[0]!;
  const conn = await connectToBroker(controller.host, controller.port, 'stale-fetch-test', 30_000);
  const { body } = await conn.call(ApiKey.ControlledShutdown, () => ({ brokerId: victim, brokerEpoch: Number(registration!.epoch) }), { minVersion: 1 });
  conn.channel.close();
  t.equal(body.errorCode, 0, 'the controller accepted the controlled shutdown of the frozen follower');
  await waitFor('the frozen follower out of the ISR', async () => ((await state())?.isr.includes(victim) === false ? true : undefined), 60_000);

  // Wakes both parked fetches; the peer's next fetch moves the high watermark afterwards.
  const woke = await kcat(['-P', '-b', leaderBroker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=1'], 'c\n');
  t.equal(woke.code, 0, woke.stderr);
  const all = await kcat(['-P', '-b', leaderBroker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], 'd\n');
  t.equal(all.code, 0, `acks=all with the frozen follower out of the ISR: ${all.stderr}`);
  const after = await state();
  t.same(after?.isr.slice().sort(), [leader, peer].sort(), `the ISR is the leader and broker ${peer}, without the frozen broker ${victim}`);
  t.notMatch(leaderBroker.output(), new RegExp(`Expanding ISR from [0-9,]+ to [0-9,]*\\b${victim}\\b`), 'the leader never took the frozen broker back into the ISR');
});
