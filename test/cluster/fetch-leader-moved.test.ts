// A consumer Fetch waiting at a leader (max wait longer than the test) when the leadership
// moves away is answered at once with NOT_LEADER_OR_FOLLOWER, as Kafka's DelayedFetch is.
// The wait loop, woken by the move, read the ex-leader's log again, found nothing, and spun
// on resolved promises without yielding until the request's max wait: the whole broker
// froze (kafkajs waits 5 s by default: the ~5 s acknowledgement gap after each kts broker
// of issue 13's migration stopped, its leaderships moving away under a kafkajs consumer).
// Three kts brokers on a real ZooKeeper; the move is a preferred election after a reassignment
// that puts broker 2 first; the consumer is kcat; the probe is kcat -L to the old leader.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

/** The consumer's fetch max wait (librdkafka's largest): longer than the probe's wait, so only a prompt answer frees the broker. */
const MAX_WAIT_MS = 300_000;

t.test('a fetch parked at a leader that loses the partition is answered, and the broker stays responsive', { skip, timeout: 300_000 }, async (t: Test) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], { 'auto.leader.rebalance.enable': 'false' });
  const logs = (): string => [...cluster.brokers.values()].map((b) => `broker ${b.id} log (last 4 kB):\n${b.output().slice(-4096)}`).join('\n');
  const old = cluster.brokers.get(1)!;
  const topic = 'moving';
  const created = await runKts(['topics', '--create', '--topic', topic, '--replica-assignment', '1:2:3', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  await waitFor('leader 1 and an ISR of 3', async () => {
    const [p] = await describeTopic(cluster.bootstrap(), topic);
    return p?.leader === 1 && p.isr.length === 3 ? true : undefined;
  }, 90_000);

  // A consumer (kcat, librdkafka) that has read everything: its next fetch parks at broker 1.
  await kcat(['-P', '-b', old.bootstrap, '-t', topic, '-p', '0'], 'first\n', 60_000);
  const consumer = spawn('kcat', ['-C', '-b', old.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-u', '-X', `fetch.wait.max.ms=${MAX_WAIT_MS}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void consumer.kill('SIGKILL'));
  let consumed = '';
  consumer.stdout.on('data', (d: Buffer) => (consumed += d.toString()));
  await waitFor('the consumer to read the first record', async () => (consumed.includes('first') ? true : undefined), 120_000);

  const dir = mkdtempSync(join(tmpdir(), 'kts-fetch-moved-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas: [2, 1, 3] }] }));
  const reassigned = await runKts(['reassign', '--execute', '--reassignment-json-file', plan, '--bootstrap-server', cluster.bootstrap()]);
  t.equal(reassigned.code, 0, `replicas reordered: ${reassigned.stderr}`);
  const elected = await runKts(['leader-election', '--election-type', 'preferred', '--topic', topic, '--partition', '0', '--bootstrap-server', cluster.brokers.get(2)!.bootstrap]);
  t.equal(elected.code, 0, `preferred election: ${elected.stdout}${elected.stderr}`);
  await waitFor('broker 2 to lead', async () => ((await describeTopic(cluster.brokers.get(2)!.bootstrap, topic))[0]?.leader === 2 ? true : undefined), 120_000);

  // The old leader answers a metadata request: it is not stuck in the parked fetch.
  const probe = await kcat(['-L', '-b', old.bootstrap, '-t', topic, '-m', '100'], undefined, 120_000).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
  t.equal(probe.code, 0, `broker 1 answers kcat -L after losing the partition${probe.code === 0 ? '' : `: ${probe.stderr}\n${logs()}`}`);
  // The controller's UpdateMetadata reaches each broker on its own channel: broker 2 leading in
  // broker 2's metadata does not mean broker 1 has heard of it yet.
  const named = await waitFor('broker 1 to name broker 2 as the leader', async () => {
    const r = await kcat(['-L', '-b', old.bootstrap, '-t', topic, '-m', '100'], undefined, 120_000).catch(() => undefined);
    return r && /partition 0, leader 2/.test(r.stdout) ? r.stdout : undefined;
  }, 60_000).catch(() => probe.stdout);
  t.match(named, /partition 0, leader 2/, 'and names broker 2 as the leader');
  // The consumer goes on at the new leader.
  await kcat(['-P', '-b', cluster.bootstrap(), '-t', topic, '-p', '0'], 'second\n', 60_000);
  await waitFor('the consumer to read a record from the new leader', async () => (consumed.includes('second') ? true : undefined), 120_000).then(
    () => t.pass('the consumer reads on from broker 2'),
    (err: Error) => t.fail(`${err.message}\n${logs()}`),
  );
});
