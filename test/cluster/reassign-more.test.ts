// kts reassign on a 3-broker kts cluster (real ZooKeeper, brokers as processes): replication
// factor 1 -> 3 -> 2, a reassignment that waits for a killed broker and completes once it is
// back, and --cancel of a stuck reassignment restoring the original replicas; on the way,
// topics --alter --partitions of a replicated topic and the min-ISR describe filters.
import t from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKtsCluster, type KtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');


interface Described { partition: number; leader: number; replicas: number[]; isr: number[] }

function tool(cluster: KtsCluster) {
  return (args: string[]) => runKts([...args, '--bootstrap-server', cluster.bootstrap()], { cwd: cluster.zk.dir });
}

async function describe(cluster: KtsCluster, topic: string): Promise<Described | undefined> {
  const r = await tool(cluster)(['topics', '--describe', '--topic', topic, '--json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Array<{ partitions: Described[] }>)[0]?.partitions[0] : undefined;
}

function plan(cluster: KtsCluster, name: string, topic: string, replicas: number[]): string {
  const file = join(cluster.zk.dir, name);
  writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas }] }));
  return file;
}

const hasDir = (cluster: KtsCluster, broker: number, tp: string): boolean => readdirSync(cluster.brokers.get(broker)!.dir).includes(tp);

t.test('replication factor 1 -> 3 -> 2; a killed broker; --cancel', { skip }, async (t) => {
  const cluster = await startKtsCluster(t);
  const kts = tool(cluster);

  t.equal((await kts(['topics', '--create', '--topic', 'rf', '--replica-assignment', '1'])).code, 0);
  const lines = Array.from({ length: 2000 }, (_, i) => `r${i}`).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'rf', '-X', 'acks=all'], lines, 30_000)).code, 0);
  const up = plan(cluster, 'up.json', 'rf', [1, 2, 3]);
  t.equal((await kts(['reassign', '--execute', '--reassignment-json-file', up])).code, 0);
  const upDone = await kts(['reassign', '--verify', '--reassignment-json-file', up, '--wait']);
  t.match(upDone.stdout, 'Reassignment of partition rf-0 is completed.');
  const three = await waitFor('rf-0 on 3 replicas, all in sync', async () => {
    const d = await describe(cluster, 'rf');
    return d?.replicas.join(',') === '1,2,3' && d.isr.length === 3 ? d : undefined;
  });
  t.same(three.replicas, [1, 2, 3], 'replication factor 1 -> 3');
  const down = plan(cluster, 'down.json', 'rf', [2, 3]);
  t.equal((await kts(['reassign', '--execute', '--reassignment-json-file', down])).code, 0);
  t.match((await kts(['reassign', '--verify', '--reassignment-json-file', down, '--wait'])).stdout, 'Reassignment of partition rf-0 is completed.');
  const two = await waitFor('rf-0 on [2,3]', async () => {
    const d = await describe(cluster, 'rf');
    return d?.replicas.join(',') === '2,3' && d.isr.length === 2 ? d : undefined;
  });
  t.same(two.replicas, [2, 3], 'replication factor 3 -> 2');
  await waitFor('broker 1 drops rf-0', () => (hasDir(cluster, 1, 'rf-0') ? undefined : true));
  const consumed = await kcat(['-C', '-b', cluster.bootstrap(), '-t', 'rf', '-e', '-q', '-f', '%s\n'], undefined, 30_000);
  t.equal(consumed.stdout.trim().split('\n').length, 2000, 'every record is still there');

  // Broker 3 stops answering as two reassignments onto it start, then is killed: they stay
  // in progress; one is cancelled, the other completes once broker 3 is back.
  t.equal((await kts(['topics', '--create', '--topic', 'kb', '--replica-assignment', '1:2'])).code, 0);
  t.equal((await kts(['topics', '--create', '--topic', 'cx', '--replica-assignment', '1:2'])).code, 0);
  await waitFor('kb and cx in sync', async () => ((await describe(cluster, 'kb'))?.isr.length === 2 && (await describe(cluster, 'cx'))?.isr.length === 2 ? true : undefined));
  // topics --alter --partitions on a replicated topic, then (broker 3 gone) the min-ISR filters.
  t.equal((await kts(['topics', '--create', '--topic', 'mi', '--replica-assignment', '1:2:3', '--config', 'min.insync.replicas=2'])).code, 0);
  const grown = await kts(['topics', '--alter', '--topic', 'mi', '--partitions', '2']);
  t.equal(grown.code, 0, grown.stderr);
  const partitionsOf = async (topic: string): Promise<Described[] | undefined> => {
    const r = await kts(['topics', '--describe', '--topic', topic, '--json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Array<{ partitions: Described[] }>)[0]?.partitions : undefined;
  };
  const miParts = await waitFor('mi-1 with 3 replicas in sync', async () => {
    const parts = await partitionsOf('mi');
    return parts?.length === 2 && parts.every((p) => p.isr.length === 3) ? parts : undefined;
  });
  t.same([...miParts[1]!.replicas].sort(), [1, 2, 3], 'topics --alter --partitions: the new partition of a 3-replica topic gets 3 replicas, in sync');
  t.equal((await kts(['configs', '--alter', '--entity-type', 'topics', '--entity-name', 'rf', '--add-config', 'min.insync.replicas=2'])).code, 0);
  process.kill(cluster.brokers.get(3)!.child.pid!, 'SIGSTOP');
  const kb = plan(cluster, 'kb.json', 'kb', [1, 3]);
  const kbExec = await kts(['reassign', '--execute', '--reassignment-json-file', kb]);
  t.equal(kbExec.code, 0, kbExec.stderr);
  const cx = plan(cluster, 'cx.json', 'cx', [1, 3]);
  const cxExec = await kts(['reassign', '--execute', '--reassignment-json-file', cx, '--additional']);
  t.equal(cxExec.code, 0, cxExec.stderr);
  await cluster.brokers.get(3)!.kill();
  await waitFor('the cluster sees broker 3 gone', async () => {
    const r = await kts(['broker-api-versions', '--json']);
    return r.code === 0 && (JSON.parse(r.stdout) as { nodeId: number }[]).map((b) => b.nodeId).join(',') === '1,2' ? true : undefined;
  });
  await waitFor('ISRs without broker 3', async () => {
    const [mi, rf] = [await partitionsOf('mi'), await partitionsOf('rf')];
    return mi?.every((p) => p.isr.length === 2) && rf?.[0]?.isr.join(',') === '2' ? true : undefined;
  });
  const underMin = await kts(['topics', '--describe', '--under-min-isr-partitions']);
  t.match(underMin.stdout, /^\tTopic: rf\tPartition: 0\t/m, '--under-min-isr-partitions: rf-0 (ISR 1, min.insync.replicas 2)');
  t.notMatch(underMin.stdout, /Topic: mi\t/, '--under-min-isr-partitions: not mi (ISR 2 = min)');
  const atMin = await kts(['topics', '--describe', '--at-min-isr-partitions']);
  t.match(atMin.stdout, /^\tTopic: mi\tPartition: 0\t[^\n]*\n\tTopic: mi\tPartition: 1\t/m, '--at-min-isr-partitions: both partitions of mi');
  t.notMatch(atMin.stdout, /Topic: rf\t/, '--at-min-isr-partitions: not rf-0 (below min)');
  t.equal((await kts(['reassign', '--verify', '--reassignment-json-file', kb])).stdout, 'Status of partition reassignment:\nReassignment of partition kb-0 is still in progress.\n\n');
  t.equal((await kts(['reassign', '--list'])).stdout, 'Current partition reassignments:\ncx-0: replicas: 1,3,2. adding: 3. removing: 2.\nkb-0: replicas: 1,3,2. adding: 3. removing: 2.\n');
  const described = await kts(['topics', '--describe', '--topic', 'kb']);
  t.match(described.stdout, /\tReplicas: 1,3,2\tIsr: [12],[12]\tAdding Replicas: 3\tRemoving Replicas: 2\t/, 'topics --describe shows the reassignment');
  t.match(described.stdout, /ReplicationFactor: 2\t/, 'replicas being added do not count in the replication factor');
  const urp = await kts(['topics', '--describe', '--under-replicated-partitions']);
  t.notMatch(urp.stdout, /Topic: kb\t/, 'kb-0 has its replication factor in sync: not under-replicated');

  const cancel = await kts(['reassign', '--cancel', '--reassignment-json-file', cx]);
  t.equal(cancel.code, 0, cancel.stderr);
  t.match(cancel.stdout, 'Successfully cancelled partition reassignment for: cx-0\n');
  const restored = await waitFor('cx-0 back on [1,2]', async () => {
    const d = await describe(cluster, 'cx');
    return d?.replicas.join(',') === '1,2' ? d : undefined;
  });
  t.same(restored.replicas, [1, 2], '--cancel restores the original assignment');

  await cluster.start(3);
  const kbDone = await kts(['reassign', '--verify', '--reassignment-json-file', kb, '--wait']);
  t.match(kbDone.stdout, 'Reassignment of partition kb-0 is completed.', 'the reassignment completes once broker 3 is back');
  const moved = await waitFor('kb-0 on [1,3]', async () => {
    const d = await describe(cluster, 'kb');
    return d?.replicas.join(',') === '1,3' && d.isr.length === 2 ? d : undefined;
  });
  t.same(moved.replicas, [1, 3]);
  await waitFor('broker 2 drops kb-0', () => (hasDir(cluster, 2, 'kb-0') ? undefined : true));
  t.notOk(hasDir(cluster, 3, 'cx-0'), 'the cancelled reassignment left no replica on broker 3');
});
