// Cluster-mode startup refusals, through the built `kts server-start`: ZooKeeper down
// (retried until zookeeper.connection.timeout.ms, then a non-zero exit naming the address),
// a broker.id another live broker holds (its endpoint named), a log dir of another cluster
// (both cluster ids named).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKtsProcess } from '../helpers/run-kts.js';
import { freePort, needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';

function tempRoot(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'kts-cluster-errors-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

t.test('ZooKeeper down at start', async (t) => {
  const root = tempRoot(t);
  const zkPort = await freePort();
  const r = await runKtsProcess([
    'server-start', '--data-dir', join(root, 'd'),
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0',
    '--override', `zookeeper.connect=127.0.0.1:${zkPort}/kts`,
    '--override', 'zookeeper.connection.timeout.ms=1500',
  ]);
  t.not(r.code, 0, 'exits non-zero');
  t.match(r.stderr + r.stdout, new RegExp(`could not connect to ZooKeeper at 127\\.0\\.0\\.1:${zkPort} within 1500 ms \\(zookeeper\\.connection\\.timeout\\.ms\\)`));
});

t.test('broker.id in use, log dir of another cluster', { skip: needsZookeeper }, async (t) => {
  const zk = await startZooKeeper(t);
  const root = tempRoot(t);
  const first = await startBrokerProcess(t, 7, join(root, 'a'), `${zk.connect}/c1`);
  const dup = await runKtsProcess(['server-start', '--data-dir', join(root, 'b'), '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'broker.id=7', '--override', `zookeeper.connect=${zk.connect}/c1`]);
  t.not(dup.code, 0);
  t.match(dup.stderr + dup.stdout, new RegExp(`broker\\.id 7 is already registered in ZooKeeper by another broker \\(PLAINTEXT://127\\.0\\.0\\.1:${first.port}\\)`));

  // A log dir that belongs to the cluster of chroot /c1, started against chroot /c2.
  mkdirSync(join(root, 'c'), { recursive: true });
  const meta = `version=1\nnode.id=8\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\ncluster.id=ThisIsAnOtherClusterId\n`;
  writeFileSync(join(root, 'c', 'meta.properties'), meta);
  await startBrokerProcess(t, 9, join(root, 'seed'), `${zk.connect}/c2`);
  const wrong = await runKtsProcess(['server-start', '--data-dir', join(root, 'c'), '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'broker.id=8', '--override', `zookeeper.connect=${zk.connect}/c2`]);
  t.not(wrong.code, 0);
  t.match(wrong.stderr + wrong.stdout, /does not match the cluster id ThisIsAnOtherClusterId stored in .*meta\.properties: the broker is trying to join the wrong cluster/);
  await first.stop();
});
