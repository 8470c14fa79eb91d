/**
 * A real Apache ZooKeeper server for tests (Debian's `zookeeper` package, or ZOOKEEPER_HOME):
 * a fresh data dir, a free 127.0.0.1 port, `admin.enableServer=false`, four-letter words
 * `srvr,ruok` only. Ready when it answers `ruok`; stopped (and its dir removed) by t.teardown,
 * even when the test fails. Tests that need it skip with `needsZookeeper` when it is absent.
 *
 *   t.test('x', { skip: needsZookeeper }, async (t) => { const zk = await startZooKeeper(t); ... zk.connect ... })
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findZooKeeper, zookeeperArgs, type ZooKeeperInstall } from '../../src/zk/local-server.js';
import { ZooKeeperClient } from '../../src/zk/zookeeper-client.js';
import { silentLogger } from '../../src/util/logger.js';
import { spawnTied } from './tied-spawn.js';

const found = findZooKeeper();
export const zookeeperInstall: ZooKeeperInstall | undefined = typeof found === 'string' ? undefined : found;

/** tap's `skip` option for tests that need a ZooKeeper server. */
export const needsZookeeper: false | string = typeof found === 'string' ? found : false;

interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface ZooKeeperServer {
  port: number;
  /** `127.0.0.1:port` */
  connect: string;
  dir: string;
  pid: number;
  /** SIGSTOP: the server stops answering but keeps its sockets (a hung or partitioned server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  stop(): Promise<void>;
  /** The server's stdout/stderr so far (for failure messages). */
  output(): string;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word; resolves with the answer, or '' when the server does not answer. */
export function fourLetterWord(port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1', () => s.write(word));
    let out = '';
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/**
 * Starts ZooKeeper and waits until it answers `ruok`. `tickTimeMs` bounds the session timeouts
 * the server grants ([2, 20] × tickTime): 500 gives 1-10 s, handy for session-expiry tests.
 */
export async function startZooKeeper(t: Teardownable, opts: { tickTimeMs?: number } = {}): Promise<ZooKeeperServer> {
  if (!zookeeperInstall) throw new Error(`ZooKeeper is not available: ${String(found)}`);
  const dir = mkdtempSync(join(tmpdir(), 'kts-zk-'));
  let server: ZooKeeperServer | undefined;
  t.teardown(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    server = launch(zookeeperInstall, dir, port, opts.tickTimeMs ?? 500);
    if ((await ready(server)) && (await firstSession(server))) return server;
    const output = server.output();
    await server.stop();
    // Another process took the port between our probe and ZooKeeper's bind: try another.
    if (attempt < 3 && /Address already in use|BindException/.test(output)) continue;
    throw new Error(`ZooKeeper did not start on 127.0.0.1:${port}:\n${output}`);
  }
}

function launch(install: ZooKeeperInstall, dir: string, port: number, tickTimeMs: number): ZooKeeperServer {
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(
    cfg,
    [
      `tickTime=${tickTimeMs}`,
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok',
      // A test server needs no fsync per transaction nor a 64 MB preallocated log: on a busy
      // disk both made each write (a session, a znode) take seconds. The log is still written,
      // so the data outlives a SIGKILL of the server.
      'forceSync=no',
      'preAllocSize=1024',
      '',
    ].join('\n'),
  );
  const logFile = join(dir, `zookeeper-${port}.out`);
  const fd = openSync(logFile, 'w');
  // Small heap and the quick JIT tier: a test server starts in about half a second.
  const jvm = ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dzookeeper.jmx.log4j.disable=true'];
  const child = spawnTied(install.java, zookeeperArgs(install, cfg, jvm), { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    live.delete(child);
    resolve();
  }));
  const signal = (s: NodeJS.Signals): void => {
    if (!exited) child.kill(s);
  };
  return {
    port,
    connect: `127.0.0.1:${port}`,
    dir,
    pid: child.pid ?? -1,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    output: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (exited) return;
      signal('SIGCONT');
      signal('SIGKILL');
      await exit;
    },
    get exited() {
      return exited;
    },
  } as ZooKeeperServer;
}

/**
 * Opens and closes one session. A freshly started server answers `ruok` long before it can
 * create sessions quickly: on a loaded machine its first session took up to 7 s (class
 * loading, the first log file), over a test's 10 s connection timeout once the load rose.
 * Paying that here, with a generous bound, lets the tests' own clients connect at once.
 */
async function firstSession(server: ZooKeeperServer & { exited?: boolean }): Promise<boolean> {
  try {
    const zk = await ZooKeeperClient.open({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 120_000, log: silentLogger });
    await zk.exists('/zookeeper');
    await zk.close();
    return true;
  } catch {
    return false;
  }
}

async function ready(server: ZooKeeperServer & { exited?: boolean }): Promise<boolean> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !server.exited) {
    if ((await fourLetterWord(server.port, 'ruok', 500)) === 'imok') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
