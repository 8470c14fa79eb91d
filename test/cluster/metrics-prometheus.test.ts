// A real Prometheus scrapes the /metrics endpoint of each broker of a 3-broker kts cluster
// (real ZooKeeper, `kts server-start` processes) while brokers fail and come back:
// - healthy: partition and leader counts per broker, one active controller, nothing
//   under-replicated, offline or under min ISR, the fetchers' MaxLag and the request queue;
// - a follower frozen (SIGSTOP): a kcat acks=all produce waits in the leader's Produce
//   purgatory until the ISR shrinks;
// - that broker killed: under-replicated partitions go up (and the example alert goes
//   pending), its single-replica topic is offline on the controller;
// - a second broker killed: the partitions left fall under min.insync.replicas;
// - both restarted on their ports and log dirs: everything comes back to 0, ISR expansions
//   are counted, the fetchers have caught up (MaxLag 0).
import t from 'tap';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMetricsCluster } from '../helpers/metrics-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { needsPrometheus, runPrometheus } from '../helpers/prometheus.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || needsPrometheus || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');
const ALERTS = resolve(import.meta.dirname, '../../examples/prometheus/alerts.yml');

type Vector = { metric: Record<string, string>; value: [number, string] }[];
const scalar = (r: Vector): number | undefined => (r.length === 1 ? Number(r[0]!.value[1]) : undefined);

/** One sample of a broker's own /metrics text (`name{labels} value`), or undefined. */
async function sampleOf(metricsUrl: string, series: string): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('Prometheus follows a 3-broker kts cluster through broker failures', { skip }, async (t) => {
  // A frozen follower leaves the ISR by the leader's lag check (counted as an ISR shrink)
  // before its ZooKeeper session expires (when the controller would remove it instead).
  const cluster = await startMetricsCluster(t, [1, 2, 3], { 'replica.lag.time.max.ms': '2000', 'zookeeper.session.timeout.ms': '10000' });
  const { ids, brokers } = cluster;
  const instance = (id: number): string => cluster.metricsHost(id);
  const start = async (id: number): Promise<void> => void (await cluster.start(id));
  const idOf = (inst: string | undefined): number => ids.find((id) => instance(id) === inst) ?? -1;
  const bootstrap = (): string => cluster.bootstrap();
  const prom = await runPrometheus(t, ids.map(instance), [ALERTS]);
  const until = async (promql: string, accept: (r: Vector) => boolean, what: string): Promise<Vector> => {
    const r = await prom.waitFor(promql, accept, 60_000);
    t.ok(accept(r), `${what} (${promql} = ${JSON.stringify(r.map((x) => [x.metric.instance, x.value[1]]))})`);
    return r;
  };

  const created = await runKts(['topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', bootstrap()]);
  t.equal(created.code, 0, `orders created: ${created.stderr}`);
  const parts = await waitFor('an ISR of 3 on every partition', async () => {
    const p = await describeTopic(bootstrap(), 'orders');
    return p.length === 3 && p.every((x) => x.isr.length === 3) ? p : undefined;
  });
  const lines = Array.from({ length: 300 }, (_, i) => `order-${i}`).join('\n') + '\n';
  const produced = await kcat(['-P', '-b', bootstrap(), '-t', 'orders', '-X', 'acks=all'], lines, 60_000);
  t.equal(produced.code, 0, `kcat acks=all: ${produced.stderr}`);

  // Healthy: every broker hosts the 3 partitions, leads its share, one controller.
  await until('kafka_server_replicamanager_partitioncount', (r) => r.length === 3 && r.every((x) => x.value[1] === '3'), 'each broker hosts 3 partitions');
  await until('sum(kafka_server_replicamanager_leadercount)', (r) => scalar(r) === 3, 'the 3 partitions have one leader each');
  const active = await until('kafka_controller_kafkacontroller_activecontrollercount == 1', (r) => r.length === 1, 'exactly one active controller');
  const controller = idOf(active[0]?.metric.instance);
  t.ok(ids.includes(controller), `broker ${controller} is the active controller`);
  await until('sum(kafka_controller_kafkacontroller_activecontrollercount)', (r) => scalar(r) === 1, 'the other brokers report 0');
  await until(`kafka_controller_kafkacontroller_globalpartitioncount{instance="${instance(controller)}"}`, (r) => scalar(r) === 3, 'the controller counts the partitions of the cluster');
  await until('sum(kafka_server_replicamanager_underreplicatedpartitions)', (r) => scalar(r) === 0, 'nothing under-replicated');
  await until('sum(kafka_controller_kafkacontroller_offlinepartitionscount)', (r) => scalar(r) === 0, 'nothing offline');
  await until('sum(kafka_server_brokertopicmetrics_messagesin_total{topic="orders"})', (r) => scalar(r) === 300, 'leaders counted every record kcat produced');
  await until('kafka_server_replicafetchermanager_maxlag{clientId="Replica"}', (r) => r.length === 3 && r.every((x) => x.value[1] === '0'), 'followers caught up: MaxLag 0 on every broker');
  // Idle but for the followers' long polls, which wait in purgatory, not in the queue.
  await until('kafka_network_requestchannel_requestqueuesize', (r) => r.length === 3 && r.every((x) => x.value[1] === '0'), 'request queue size on every broker: 0 when idle');
  await until('sum(kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Fetch"})', (r) => (scalar(r) ?? 0) >= 1, "the followers' long polls wait in the Fetch purgatory");
  await until('sum(rate(kafka_network_requestmetrics_requests_total{request="FetchFollower"}[10s]))', (r) => (scalar(r) ?? 0) > 0, 'followers fetch');

  const [first, second] = ids.filter((id) => id !== controller) as [number, number];
  const solo = await runKts(['topics', '--create', '--topic', 'solo', '--replica-assignment', String(first), '--bootstrap-server', bootstrap()]);
  t.equal(solo.code, 0, `solo (one replica on broker ${first}) created: ${solo.stderr}`);
  await until(`kafka_controller_kafkacontroller_globalpartitioncount{instance="${instance(controller)}"}`, (r) => scalar(r) === 4, 'the controller counts the new partition');

  // Freeze a follower: an acks=all produce to a partition led elsewhere waits in the leader's purgatory.
  const target = parts.find((p) => p.leader !== first)!;
  const leaderMetrics = `http://${instance(target.leader)}/metrics`;
  brokers.get(first)!.child.kill('SIGSTOP');
  // Bootstrapped from the leader only: the frozen broker would hold kcat's first request.
  const waiting = kcat(['-P', '-b', brokers.get(target.leader)!.bootstrap, '-t', 'orders', '-p', String(target.partition), '-X', 'acks=all', '-X', 'request.timeout.ms=60000'], 'held\n', 90_000);
  const parked = await waitFor('a delayed produce on the leader', async () => ((await sampleOf(leaderMetrics, 'kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Produce"}')) ?? 0) >= 1 ? true : undefined, 60_000);
  t.ok(parked, `broker ${target.leader} holds the acks=all produce in its Produce purgatory while broker ${first} is frozen`);
  const released = await waiting;
  t.equal(released.code, 0, `the produce completes once the ISR shrinks without broker ${first}: ${released.stderr}`);
  await until(`kafka_server_replicamanager_isrshrinks_total{instance="${instance(target.leader)}"}`, (r) => (scalar(r) ?? 0) >= 1, `broker ${target.leader}'s ISR shrink is counted`);
  await until(`kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Produce",instance="${instance(target.leader)}"}`, (r) => scalar(r) === 0, 'the Produce purgatory is empty again');

  // Kill it: its partitions are under-replicated on the survivors, its single-replica topic is offline.
  await brokers.get(first)!.kill();
  await until(`up{instance="${instance(first)}"}`, (r) => scalar(r) === 0, `Prometheus sees broker ${first} down`);
  await until('sum(kafka_server_replicamanager_underreplicatedpartitions)', (r) => scalar(r) === 3, 'the 3 orders partitions are under-replicated');
  await until('ALERTS{alertname="UnderReplicatedPartitions"}', (r) => r.length >= 1, 'the example UnderReplicatedPartitions alert is pending');
  await until(`kafka_controller_kafkacontroller_offlinepartitionscount{instance="${instance(controller)}"}`, (r) => scalar(r) === 1, 'the controller reports solo-0 offline');
  await until('sum(kafka_server_replicamanager_underminisrpartitioncount)', (r) => scalar(r) === 0, 'ISR 2 is not under min.insync.replicas=2');

  // Kill a second one: the controller leads everything with an ISR of 1 < min.insync.replicas.
  await brokers.get(second)!.kill();
  await until(`kafka_server_replicamanager_underminisrpartitioncount{instance="${instance(controller)}"}`, (r) => scalar(r) === 3, 'the 3 orders partitions are under min ISR');
  await until(`sum(kafka_cluster_partition_underminisr{topic="orders"})`, (r) => scalar(r) === 3, 'per-partition under-min-ISR flags');
  await until(`kafka_server_replicamanager_leadercount{instance="${instance(controller)}"}`, (r) => scalar(r) === 3, 'the controller leads every orders partition');

  // Both come back: everything returns to 0.
  await start(first);
  await start(second);
  await until('sum(kafka_server_replicamanager_underreplicatedpartitions)', (r) => scalar(r) === 0, 'under-replicated back to 0');
  await until('sum(kafka_server_replicamanager_underminisrpartitioncount)', (r) => scalar(r) === 0, 'under min ISR back to 0');
  await until('sum(kafka_controller_kafkacontroller_offlinepartitionscount)', (r) => scalar(r) === 0, 'offline back to 0');
  await until('sum(kafka_server_replicamanager_isrexpands_total)', (r) => (scalar(r) ?? 0) >= 3, 'ISR expansions are counted');
  await until('sum(kafka_server_replicamanager_partitioncount)', (r) => scalar(r) === 10, '3 orders replicas on each broker plus solo');
  await until('kafka_server_replicafetchermanager_maxlag{clientId="Replica"}', (r) => r.length === 3 && r.every((x) => x.value[1] === '0'), 'the restarted followers caught up: MaxLag 0');
  const after = await waitFor('ISR of 3 again', async () => {
    const p = await describeTopic(bootstrap(), 'orders');
    return p.length === 3 && p.every((x) => x.isr.length === 3) ? p : undefined;
  });
  t.equal(after.length, 3, 'the admin API agrees: every orders partition has its 3 replicas in sync');
});
