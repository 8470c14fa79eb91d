// Controlled shutdown in a 3-broker kts cluster: SIGTERM to a broker that leads partitions
// asks the controller (ControlledShutdown) to move its leaderships and take it out of the
// ISRs before it exits, so right after the exit no partition names it as leader or ISR
// member (a crash would leave them until its ZooKeeper session expires). A concurrent
// idempotent acks=all kafkajs producer loses nothing.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { startAckedLoad } from '../helpers/acked-load.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('SIGTERM moves leadership away before the broker exits', { skip, timeout: 180_000 }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false' });
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const topic = 'orders';
  const created = await runKts(['topics', '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  const tps = [0, 1, 2].map((partition) => ({ topic, partition }));
  const states = async () => [...(await zk.getPartitionStates(tps)).values()].map((s) => s.state);
  await waitFor('ISRs of 3', async () => ((await states()).every((s) => s.isr.length === 3) ? true : undefined), 90_000);
  const controllerId = (await zk.getControllerId())!;
  const leaders = (await states()).map((s) => s.leader);
  const victim = leaders.find((l) => l !== controllerId)!;
  t.ok(victim !== undefined, `broker ${victim} leads a partition and is not the controller`);

  const kafka = new kafkajs.Kafka({ brokers: cluster.bootstrap().split(','), clientId: 'controlled-shutdown-test', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect().catch(() => undefined));
  const { acked, errors, stop: stopLoad } = startAckedLoad(producer, topic, 3, 'v');
  await waitFor('writes flowing', async () => (acked.size > 200 ? true : undefined), 60_000);

  const code = await cluster.brokers.get(victim)!.stop();
  t.equal(code, 0, `broker ${victim} exited cleanly`);
  const right = await states();
  t.same(right.filter((s) => s.leader === victim), [], 'right after the exit no partition is led by it');
  t.same(right.filter((s) => s.isr.includes(victim)), [], 'and it is in no ISR');

  const before = acked.size;
  await waitFor('writes go on', async () => (acked.size > before + 100 ? true : undefined), 60_000);
  await stopLoad();
  t.same(errors, [], 'the producer saw no failed send');

  const read = await kcat(['-C', '-b', cluster.bootstrap(), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n'], undefined, 60_000);
  const at = new Map<string, string>();
  for (const line of read.stdout.split('\n')) {
    const m = /^(\d+) (\d+) (v\d+)$/.exec(line);
    if (m) at.set(`${m[1]}:${m[2]}`, m[3]!);
  }
  const lost = [...acked].filter(([v, p]) => at.get(`${p.partition}:${p.offset}`) !== v);
  t.same(lost.slice(0, 5), [], `all ${acked.size} acknowledged records are at their offsets`);
});
