// Availability in a 3-broker kts cluster: a SIGTERMed leader hands its leaderships over before
// it exits (controlled shutdown) while an acks=all producer loses nothing; with two of three
// brokers down acks=all is refused with NOT_ENOUGH_REPLICAS while acks=1 works; a partition
// whose ISR is gone stays offline until unclean leader election is enabled on the topic.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';
import { startAckedLoad } from '../helpers/acked-load.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

async function createTopic(t: Test, bootstrap: string, topic: string, partitions: number, extra: string[] = []): Promise<void> {
  const counts = extra.includes('--replica-assignment') ? [] : ['--partitions', String(partitions), '--replication-factor', '3'];
  const r = await runKts(['topics', '--create', '--topic', topic, ...counts, '--config', 'min.insync.replicas=2', ...extra, '--bootstrap-server', bootstrap]);
  t.equal(r.code, 0, `created ${topic}: ${r.stderr}`);
  await waitFor(`an ISR of 3 on ${topic}`, async () => {
    const p = await describeTopic(bootstrap, topic);
    return p.length === partitions && p.every((x) => x.isr.length === 3) ? true : undefined;
  });
}

t.test('SIGTERM of a leader: leaderships move before it exits; acks=all producer loses nothing', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  await createTopic(t, cluster.bootstrap(), 'events', 3);
  const kafka = new kafkajs.Kafka({ brokers: cluster.bootstrap().split(','), clientId: 'sigterm-test', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect().catch(() => undefined));
  const { acked, errors, stop: stopLoad } = startAckedLoad(producer, 'events', 3, 'e');
  await new Promise((r) => setTimeout(r, 1000));
  const parts = await describeTopic(cluster.bootstrap(), 'events');
  const victim = parts[0]!.leader;
  const led = parts.filter((p) => p.leader === victim).map((p) => p.partition);
  const code = await cluster.brokers.get(victim)!.stop();
  t.equal(code, 0, `broker ${victim} exits 0 after SIGTERM`);
  t.match(cluster.brokers.get(victim)!.output(), /Controlled shutdown succeeded/, 'the controller moved its leaderships before it stopped');
  // The controller writes the new leaders to ZooKeeper before it answers ControlledShutdown; its
  // UpdateMetadata to the other brokers goes out afterwards (as in Kafka), so a broker's metadata
  // read right after the exit may still name the victim: ZooKeeper is what "before it exits" means.
  const zk = await KafkaZkClient.connect({ connect: cluster.zk.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: memoryLogger() });
  t.teardown(() => zk.close());
  const states = await zk.getPartitionStates([0, 1, 2].map((partition) => ({ topic: 'events', partition })));
  const after = [0, 1, 2].map((p) => states.get(`events-${p}`)?.state.leader ?? -1);
  for (const p of led) t.not(after[p], victim, `events-${p} has a new leader`);
  t.ok(after.every((leader) => leader >= 0), 'no partition went offline');
  await new Promise((r) => setTimeout(r, 1500));
  await stopLoad();
  t.same(errors, [], 'the producer saw no failed send (only retriable errors, retried)');
  const read = await kcat(['-C', '-b', cluster.bootstrap(), '-t', 'events', '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\\n'], undefined, 60_000);
  const found = new Map<string, string[]>();
  for (const line of read.stdout.split('\n')) {
    const m = /^(\d+) (\d+) (e\d+)$/.exec(line);
    if (m) found.set(m[3]!, [...(found.get(m[3]!) ?? []), `${m[1]}:${m[2]}`]);
  }
  const lost = [...acked].filter(([v, at]) => !(found.get(v) ?? []).includes(`${at.partition}:${at.offset}`));
  const duplicated = [...found].filter(([, at]) => at.length > 1).map(([v, at]) => `${v} at ${at.join(' and ')}`);
  t.same(duplicated.slice(0, 5), [], `the idempotent producer's records are written once (${duplicated.length} are not)`);
  t.ok(acked.size > 100, `${acked.size} records acknowledged`);
  const shown = lost.slice(0, 5).map(([v, at]) => `${v} acknowledged at ${at.partition}:${at.offset}, found at ${found.get(v)?.join(', ') ?? 'nowhere'}`);
  t.same(shown, [], `every acknowledged record is where it was acknowledged (${lost.length} are not)`);
});

t.test('two of three brokers down: acks=all refused, acks=1 works; unclean election off keeps a partition offline, on brings it back', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  t.teardown(() => {
    if (t.passing()) return;
    for (const b of cluster.brokers.values()) t.comment(`--- broker ${b.id}\n${b.output().split('\n').filter((l) => !l.includes(' Config ')).slice(-40).join('\n')}`);
  });
  // The active controller leads the partition, so killing the two followers leaves the controller up
  // (controller failover is covered by test/cluster/controller.test.ts).
  const admin = new kafkajs.Kafka({ brokers: cluster.bootstrap().split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const controller = (await admin.describeCluster()).controller!;
  await admin.disconnect();
  const followers = [1, 2, 3].filter((id) => id !== controller);
  await createTopic(t, cluster.bootstrap(), 'ledger', 1, ['--replica-assignment', [controller, ...followers].join(':')]);
  const leader = (await describeTopic(cluster.bootstrap(), 'ledger'))[0]!.leader;
  t.equal(leader, controller, `broker ${controller}, the controller, leads ledger-0`);
  for (const id of followers) await cluster.brokers.get(id)!.kill();
  await waitFor('the ISR to shrink to the leader', async () => ((await describeTopic(cluster.bootstrap(), 'ledger'))[0]?.isr.length === 1 ? true : undefined));

  const all = await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'ledger', '-X', 'acks=all', '-X', 'retries=0', '-X', 'message.timeout.ms=5000'], 'must-not-be-acked\n', 30_000);
  t.match(all.stderr, /Not enough in-sync replicas|NOT_ENOUGH_REPLICAS/i, 'acks=all: NOT_ENOUGH_REPLICAS');
  const one = await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'ledger', '-X', 'acks=1', '-X', 'message.timeout.ms=10000'], 'acked-by-one\n', 30_000);
  t.equal(one.code, 0, `acks=1 still works: ${one.stderr}`);

  // The only ISR member dies, then a replica outside the ISR comes back: no clean leader. (Started
  // before the kill, the follower could catch up and rejoin the ISR first, and then lead cleanly.)
  await cluster.brokers.get(leader)!.kill();
  await cluster.start(followers[0]!);
  await waitFor('the partition to go offline', async () => ((await describeTopic(cluster.bootstrap(), 'ledger'))[0]?.leader === -1 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1000));
  t.equal((await describeTopic(cluster.bootstrap(), 'ledger'))[0]!.leader, -1, 'unclean election off: the partition stays offline');

  const alter = await runKts(['configs', '--alter', '--entity-type', 'topics', '--entity-name', 'ledger', '--add-config', 'unclean.leader.election.enable=true', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(alter.code, 0, `topic config set: ${alter.stderr}`);
  const back = await waitFor('an unclean leader', async () => {
    const p = (await describeTopic(cluster.bootstrap(), 'ledger'))[0];
    return p && p.leader >= 0 ? p : undefined;
  });
  t.equal(back.leader, followers[0], `unclean election on: broker ${followers[0]} leads the partition again`);
});
