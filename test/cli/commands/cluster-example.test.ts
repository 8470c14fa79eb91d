// The README's five commands on examples/cluster/ (ports and /tmp dirs rewritten to free ones
// so tests never collide): ZooKeeper and three brokers as daemons, a topic with replication
// factor 3 whose every partition has a leader and an ISR of 3, then everything stopped.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKtsProcess } from '../../helpers/run-kts.js';
import { freePort, needsZookeeper } from '../../helpers/zookeeper.js';
import { readZooKeeperPidFile } from '../../../src/zk/local-server.js';
import { findRunningServer } from '../../../src/broker/server-file.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/cluster/', import.meta.url));

t.test('examples/cluster in five commands', { skip: needsZookeeper }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kts-example-cluster-'));
  const zkPort = await freePort();
  const ports = [await freePort(), await freePort(), await freePort()];
  const rewrite = (text: string): string =>
    text
      .replaceAll('/tmp/kts-cluster', root)
      .replaceAll('2181', String(zkPort))
      .replace(/:909([234])/g, (_, d: string) => `:${ports[Number(d) - 2]}`);
  for (const f of ['zookeeper.properties', 'server-1.properties', 'server-2.properties', 'server-3.properties']) {
    writeFileSync(join(root, f), rewrite(readFileSync(join(EXAMPLES, f), 'utf8')));
  }
  // Whatever happens, nothing stays running.
  t.teardown(() => {
    const pids = [readZooKeeperPidFile(join(root, 'zookeeper'))?.pid, ...[1, 2, 3].map((n) => findRunningServer(join(root, `broker-${n}`))?.pid)];
    for (const pid of pids) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  const kts = async (args: string[]) => {
    const r = await runKtsProcess(args, { cwd: root, timeoutMs: 90_000 });
    t.equal(r.code, 0, `kts ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  await kts(['zookeeper-start', 'zookeeper.properties', '-daemon']);
  // The README starts them one after another; in parallel here to keep the test short.
  await Promise.all([1, 2, 3].map((n) => kts(['server-start', `server-${n}.properties`, '-daemon'])));
  const bootstrap = `127.0.0.1:${ports[0]}`;
  await kts(['topics', '--bootstrap-server', bootstrap, '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3']);
  let partitions: Array<{ leader: number; replicas: number[]; isr: number[] }> = [];
  for (let i = 0; i < 30; i++) {
    const described = await runKtsProcess(['topics', '--bootstrap-server', bootstrap, '--describe', '--topic', 'orders', '--json'], { cwd: root });
    if (described.code === 0) partitions = (JSON.parse(described.stdout) as Array<{ partitions: typeof partitions }>)[0]?.partitions ?? [];
    if (partitions.length === 3 && partitions.every((p) => p.leader > 0 && p.isr.length === 3)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.equal(partitions.length, 3);
  t.ok(partitions.every((p) => p.replicas.length === 3 && p.isr.length === 3), JSON.stringify(partitions));
  t.same(new Set(partitions.map((p) => p.leader)), new Set([1, 2, 3]), 'leaders spread over the three brokers');

  await Promise.all([1, 2, 3].map((n) => kts(['server-stop', `server-${n}.properties`])));
  await kts(['zookeeper-stop', 'zookeeper.properties']);
});
