// kts reassign with `log_dirs` across brokers (issue 14): a replica moved to a broker with two
// log dirs lands in the dir the plan names. The broker usually does not host the replica yet
// when --execute asks for the dir (AlterReplicaLogDirs answers REPLICA_NOT_AVAILABLE until the
// reassignment has created it; the tool retries within --timeout, as Kafka's does, and the
// broker remembers the dir for the replica it is about to create); either way the replica
// must end up there. Real ZooKeeper, three kts broker processes, kcat.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrokerProcess, startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { waitFor } from '../helpers/cluster-checks.js';

t.setTimeout(600_000);

const waitForLong = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> => waitFor(what, probe, 120_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');


/**
 * A kts cluster of `ids` and broker 3 with two log dirs, d1 and d2, in a temp dir `root`;
 * `kts` runs the CLI against the cluster from `root`.
 */
async function clusterWithTwoDirBroker3(t: Test, ids: number[]) {
  const cluster = await startKtsCluster(t, ids);
  const root = mkdtempSync(join(tmpdir(), 'kts-reassign-dirs-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const [d1, d2] = [join(root, 'd1'), join(root, 'd2')];
  cluster.brokers.set(3, await startBrokerProcess(t, 3, d1, cluster.zk.connect, { 'log.dirs': `${d1},${d2}` }));
  const kts = (args: string[]) => runKts([...args, '--bootstrap-server', cluster.bootstrap()], { cwd: root });
  return { cluster, root, d1, d2, kts };
}

function segmentBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => readFileSync(join(dir, f))));
}

t.test('a replica moved to another broker lands in the log dir the plan names', { skip }, async (t) => {
  const { cluster, root, d1, d2, kts } = await clusterWithTwoDirBroker3(t, [1, 2]);

  t.equal((await kts(['topics', '--create', '--topic', 'ld', '--replica-assignment', '1:2'])).code, 0);
  const lines = Array.from({ length: 2000 }, (_, i) => `r${i}`);
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'ld', '-X', 'acks=all'], `${lines.join('\n')}\n`, 60_000)).code, 0);
  const plan = join(root, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'ld', partition: 0, replicas: [1, 3], log_dirs: ['any', d2] }] }));

  const execute = await kts(['reassign', '--execute', '--reassignment-json-file', plan, '--timeout', '120000']);
  t.equal(execute.code, 0, execute.stderr);
  t.match(execute.stdout, `Successfully started moving log directory to ${d2} for replica ld-0 with broker 3`, 'the log-dir move started once broker 3 hosted the replica');
  const verify = await kts(['reassign', '--verify', '--wait', '--reassignment-json-file', plan]);
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stdout, 'Reassignment of partition ld-0 is completed.');
  t.match(verify.stdout, 'Reassignment of replica ld-0-3 completed successfully.');

  t.same([existsSync(join(d1, 'ld-0')), existsSync(join(d2, 'ld-0'))], [false, true], "broker 3's replica is in the dir the plan names, and only there");
  const described = await kts(['log-dirs', '--describe', '--broker-list', '3', '--json']);
  const doc = JSON.parse(described.stdout) as { brokers: { broker: number; logDirs: { logDir: string; partitions: { partition: string; isFuture: boolean }[] }[] }[] };
  t.same(doc.brokers[0]!.logDirs.map((d) => [d.logDir, d.partitions.map((p) => p.partition)]), [[d1, []], [d2, ['ld-0']]], 'log-dirs --describe agrees');
  await waitForLong("broker 3's replica byte-identical to the leader's", () => {
    const leader = segmentBytes(join(cluster.brokers.get(1)!.dir, 'ld-0'));
    return leader.length > 0 && segmentBytes(join(d2, 'ld-0')).equals(leader) ? true : undefined;
  });
  t.pass("broker 3's replica is byte-identical to the leader's");
  await waitForLong('broker 2 to drop its replica', () => (existsSync(join(cluster.brokers.get(2)!.dir, 'ld-0')) ? undefined : true));
  t.pass('broker 2 no longer has the partition');
  const read = await kcat(['-b', cluster.bootstrap(), '-C', '-t', 'ld', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
  t.same(read.stdout.split('\n').filter((l) => l !== ''), lines, 'every record once, in order');
});

// A follower's log swapped for its copy in another dir must keep following: the fetcher used
// to hold on to the closed log and stop, so the replica fell out of the ISR for good.
t.test('a follower moved between its log dirs keeps following the leader', { skip }, async (t) => {
  const { cluster, root, d1, d2, kts } = await clusterWithTwoDirBroker3(t, [1]);

  t.equal((await kts(['topics', '--create', '--topic', 'fl', '--replica-assignment', '1:3'])).code, 0);
  const produce = async (from: number, n: number): Promise<string[]> => {
    const lines = Array.from({ length: n }, (_, i) => `r${from + i}`);
    t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'fl', '-X', 'acks=all'], `${lines.join('\n')}\n`, 60_000)).code, 0);
    return lines;
  };
  const lines = await produce(0, 2000);
  const leaderDir = join(cluster.brokers.get(1)!.dir, 'fl-0');
  const sameAsLeader = (dir: string) => () => {
    const leader = segmentBytes(leaderDir);
    return leader.length > 0 && existsSync(dir) && segmentBytes(dir).equals(leader) ? true : undefined;
  };
  const [from, to] = existsSync(join(d1, 'fl-0')) ? [d1, d2] : [d2, d1];
  await waitForLong("broker 3's replica caught up", sameAsLeader(join(from, 'fl-0')));

  const plan = join(root, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'fl', partition: 0, replicas: [1, 3], log_dirs: ['any', to] }] }));
  const execute = await kts(['reassign', '--execute', '--reassignment-json-file', plan]);
  t.equal(execute.code, 0, execute.stderr);
  const verify = await kts(['reassign', '--verify', '--wait', '--reassignment-json-file', plan]);
  t.match(verify.stdout, 'Reassignment of replica fl-0-3 completed successfully.');
  t.notOk(existsSync(join(from, 'fl-0')), 'the replica left its old dir');

  lines.push(...(await produce(2000, 1000)));
  await waitForLong("broker 3's moved replica follows the leader's new records", sameAsLeader(join(to, 'fl-0')));
  t.pass("broker 3's moved replica is byte-identical to the leader's");
  await waitForLong('broker 3 in the ISR', async () => ((await kts(['topics', '--describe', '--topic', 'fl', '--under-replicated-partitions'])).stdout.trim() === '' ? true : undefined));
  t.pass('and in the ISR');
  const read = await kcat(['-b', cluster.bootstrap(), '-C', '-t', 'fl', '-e', '-q', '-f', '%s\n'], undefined, 60_000);
  t.same(read.stdout.split('\n').filter((l) => l !== ''), lines, 'every record once, in order');
});
