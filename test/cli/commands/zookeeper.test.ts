// `kts zookeeper-start` / `zookeeper-stop` running the real ZooKeeper of this machine
// (Debian's package on CI): -daemon, foreground until Ctrl-C, refusals, and what is said
// when ZooKeeper or a config key is missing.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { freePort, needsZookeeper } from '../../helpers/zookeeper.js';
import { zooKeeperStatus } from '../../../src/zk/local-server.js';
import { KafkaZkClient } from '../../../src/zk/index.js';
import { silentLogger } from '../../../src/util/logger.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-zkcli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function killOnTeardown(t: { teardown(fn: () => void): void }, pid: () => number | undefined): void {
  t.teardown(() => {
    const p = pid();
    if (p === undefined) return;
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}

async function writeConfig(dir: string, extra = ''): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const file = join(dir, 'zookeeper.properties');
  writeFileSync(file, `dataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\ntickTime=500\n${extra}`);
  return { file, port };
}

t.test('-daemon, then zookeeper-stop', { skip: needsZookeeper }, async (t) => {
  const dir = tempDir(t);
  const { file, port } = await writeConfig(dir);
  let pid: number | undefined;
  killOnTeardown(t, () => pid);
  const started = await runKts(['zookeeper-start', file, '-daemon']);
  t.equal(started.code, 0, started.stderr);
  const m = new RegExp(`ZooKeeper (\\S+) started as a daemon \\(pid (\\d+)\\), listening on 127\\.0\\.0\\.1:${port}; log: (.*)`).exec(started.stdout);
  t.ok(m, started.stdout);
  pid = Number(m?.[2]);
  t.ok(existsSync(join(dir, 'data', 'kts-zookeeper.json')), 'pid file in the data dir');

  const zk = await KafkaZkClient.connect({ connect: `127.0.0.1:${port}/kafka`, sessionTimeoutMs: 4000, connectionTimeoutMs: 10_000, log: silentLogger });
  await zk.createTopLevelPaths();
  t.ok(await zk.zk.exists('/brokers/ids'), 'a working ZooKeeper');
  await zk.close();

  const again = await runKts(['zookeeper-start', file, '-daemon']);
  t.equal(again.code, 1);
  t.match(again.stderr, new RegExp(`A ZooKeeper server \\(pid ${pid}\\) is already running`));

  const stopped = await runKts(['zookeeper-stop', file]);
  t.equal(stopped.code, 0, stopped.stderr);
  t.match(stopped.stdout, new RegExp(`Stopped ZooKeeper \\(pid ${pid}\\) on 127\\.0\\.0\\.1:${port}`));
  t.equal(await zooKeeperStatus('127.0.0.1', port, 300), '', 'no longer answering');
  t.notOk(existsSync(join(dir, 'data', 'kts-zookeeper.json')), 'pid file removed');
  pid = undefined;

  const none = await runKts(['zookeeper-stop', file]);
  t.equal(none.code, 1);
  t.match(none.stderr, /No ZooKeeper started by kts is running/);
});

t.test('foreground until Ctrl-C', { skip: needsZookeeper }, async (t) => {
  const dir = tempDir(t);
  const { file, port } = await writeConfig(dir);
  const ready = (async () => {
    for (let i = 0; i < 600 && !(await zooKeeperStatus('127.0.0.1', port, 200)).includes('Zookeeper version'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const run = await runKts(['zookeeper-start', file], { interruptWhen: ready });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, new RegExp(`ZooKeeper \\S+ is ready on 127\\.0\\.0\\.1:${port} \\(pid \\d+\\)`));
  t.equal(await zooKeeperStatus('127.0.0.1', port, 300), '', 'stopped with the command');
});

t.test('a port in use', { skip: needsZookeeper }, async (t) => {
  const dir = tempDir(t);
  const { file, port } = await writeConfig(dir);
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
  t.teardown(() => blocker.close());
  const run = await runKts(['zookeeper-start', file, '-daemon']);
  t.equal(run.code, 1);
  t.match(run.stderr, /ZooKeeper (exited \(code \d+\) before answering|did not answer) on 127\.0\.0\.1:\d+/);
});

t.test('bad input and missing ZooKeeper', async (t) => {
  const dir = tempDir(t);
  const noData = join(dir, 'no-data.properties');
  writeFileSync(noData, 'clientPort=2181\n');
  let r = await runKts(['zookeeper-start', noData]);
  t.equal(r.code, 1);
  t.match(r.stderr, /has no dataDir/);
  const noPort = join(dir, 'no-port.properties');
  writeFileSync(noPort, `dataDir=${dir}\n`);
  r = await runKts(['zookeeper-start', noPort]);
  t.match(r.stderr, /clientPort is missing/);
  r = await runKts(['zookeeper-start', join(dir, 'absent.properties')]);
  t.match(r.stderr, /Cannot read .*absent\.properties: ENOENT/);
  const { file } = await writeConfig(dir);
  r = await runKts(['zookeeper-start', file], { env: { ZOOKEEPER_HOME: join(dir, 'nowhere') } });
  t.equal(r.code, 1);
  t.match(r.stderr, /ZOOKEEPER_HOME=.*nowhere holds no zookeeper jar/);
  r = await runKts(['zookeeper-start', file, 'extra']);
  t.equal(r.code, 2);
  r = await runKts(['zookeeper-stop'], { env: { XDG_DATA_HOME: dir, KTS_DATA_DIR: join(dir, 'elsewhere') } });
  t.equal(r.code, 1);
  t.match(r.stderr, `No ZooKeeper started by kts is running for ${join(dir, 'kts', 'zookeeper', 'zookeeper.properties')}`, 'the default setup lives in the kts data home');
});
