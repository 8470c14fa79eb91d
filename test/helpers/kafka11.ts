/**
 * A real Apache Kafka 1.1 broker for tests, from `../shared/kafka-1.1` (relative to the
 * repo root). Tests that use it must skip when it is absent: pass `kafka11Skip` as tap's
 * `skip` option. Reusable for mixed clusters: `startKafka11({ brokerId, zookeeperConnect,
 * logDirs, properties })` starts one broker and returns its port, pid and stop/kill.
 * JVMs are heavy on 2 cores: start one Kafka per test file.
 *
 * Java 17 needs KAFKA_GC_LOG_OPTS=" " and KAFKA_JVM_PERFORMANCE_OPTS="-server" (Kafka
 * 1.1's kafka-run-class.sh misreads Java 17's version string); see the folder's README.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTied } from './tied-spawn.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KAFKA_11_DIR = resolve(REPO_ROOT, '../shared/kafka-1.1');
const TARBALL = join(KAFKA_11_DIR, 'kafka_2.11-1.1.0.tgz');
const DIST_NAME = 'kafka_2.11-1.1.0';
const DEBIAN_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const READY_TIMEOUT_MS = 120_000;

const hasJava = spawnSync('java', ['-version']).status === 0;

/** tap's `skip` option for tests that need Kafka 1.1: false when it can run. */
export const kafka11Skip: string | false = !existsSync(TARBALL)
  ? `needs ${TARBALL} (../shared/kafka-1.1 is absent)`
  : !hasJava
    ? 'needs java on PATH to run Kafka 1.1'
    : false;

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Children still running when the test process exits are killed, never left behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The unpacked distribution (once per machine, in the temp dir; safe against concurrent tests). */
export function kafka11Home(): string {
  const home = join(tmpdir(), `kts-${DIST_NAME}`);
  if (existsSync(join(home, 'bin', 'kafka-server-start.sh'))) return home;
  const staging = mkdtempSync(join(tmpdir(), 'kts-kafka11-unpack-'));
  const tar = spawnSync('tar', ['xzf', TARBALL, '-C', staging]);
  if (tar.status !== 0) throw new Error(`tar xzf ${TARBALL} failed: ${tar.stderr.toString()}`);
  try {
    renameSync(join(staging, DIST_NAME), home);
  } catch (err) {
    // Another test unpacked it first: use theirs.
    if (!existsSync(join(home, 'bin', 'kafka-server-start.sh'))) throw err;
  }
  rmSync(staging, { recursive: true, force: true });
  return home;
}

/** Runs one of Kafka 1.1's scripts (`bin/<script>`) to its end; stdout and stderr together; killed after `timeoutMs`. */
export function runKafka11Tool(home: string, env: NodeJS.ProcessEnv, script: string, args: string[], timeoutMs = 120_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(home, 'bin', script), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Java 17 settings for Kafka 1.1's scripts; Kafka's own log4j files go to `logDir`. */
export function kafka11Env(logDir: string, heapMb = 256): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KAFKA_GC_LOG_OPTS: ' ',
    KAFKA_JVM_PERFORMANCE_OPTS: '-server -XX:TieredStopAtLevel=1',
    KAFKA_JMX_OPTS: ' ',
    KAFKA_HEAP_OPTS: `-Xmx${heapMb}m -Xms${heapMb}m`,
    LOG_DIR: logDir,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

export interface JavaServer {
  port: number;
  pid: number;
  /** SIGTERM (Kafka: controlled shutdown) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
}

function track(child: ChildProcess, port: number): JavaServer & { tail: string[] } {
  live.add(child);
  child.once('exit', () => live.delete(child));
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(chunk.toString('utf8'));
    if (tail.length > 400) tail.splice(0, tail.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited(child);
  };
  return { port, pid: child.pid ?? -1, tail, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL'), output: () => tail.join('') };
}

/**
 * A ZooKeeper for Kafka 1.1: Debian's zookeeper package when installed (what CI has),
 * else the ZooKeeper 3.4 bundled with Kafka 1.1. Prefer test/helpers/zookeeper.ts for
 * kts's own cluster tests; this one exists so a Kafka 1.1 test needs nothing else.
 */
export async function startZooKeeperFor11(t: Teardown): Promise<JavaServer & { connect: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-zk11-'));
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(cfg, [`dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'tickTime=2000', 'maxClientCnxns=0', 'admin.enableServer=false', ''].join('\n'));
  const child = existsSync(DEBIAN_ZOOKEEPER_JAR)
    ? spawnTied('java', ['-Xmx64m', '-cp', `/etc/zookeeper/conf:${DEBIAN_ZOOKEEPER_JAR}`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawnTied(join(kafka11Home(), 'bin', 'zookeeper-server-start.sh'), [cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: kafka11Env(join(dir, 'logs'), 64) });
  const server = track(child, port);
  t.teardown(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`ZooKeeper exited with ${child.exitCode}:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`ZooKeeper did not open port ${port}:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...server, connect: `127.0.0.1:${port}` };
}

export interface Kafka11Options {
  /** broker.id (default 1). */
  brokerId?: number;
  /** host:port[/chroot] of ZooKeeper. */
  zookeeperConnect: string;
  /** log.dirs (default: a fresh temp dir, removed at teardown). */
  logDirs?: string;
  /** More server.properties keys; they win over the defaults below. */
  properties?: Readonly<Record<string, string>>;
  heapMb?: number;
}

export interface Kafka11Broker extends JavaServer {
  brokerId: number;
  host: string;
  /** "127.0.0.1:port" for --bootstrap-server. */
  bootstrap: string;
  logDirs: string;
  /** Kafka 1.1's distribution, for its tools (`${home}/bin/kafka-topics.sh`). */
  home: string;
  /** Environment for running Kafka 1.1's own scripts on Java 17. */
  env: NodeJS.ProcessEnv;
}

/**
 * Starts one Kafka 1.1 broker on a free loopback port (listeners port 0: the port is
 * read back from the broker's registration line) and waits until it logs `started`.
 * Stopped (SIGKILL) at teardown, and its temp dirs removed.
 */
export async function startKafka11(t: Teardown, options: Kafka11Options): Promise<Kafka11Broker> {
  const home = kafka11Home();
  const brokerId = options.brokerId ?? 1;
  const dir = mkdtempSync(join(tmpdir(), `kts-kafka11-${brokerId}-`));
  const logDirs = options.logDirs ?? join(dir, 'data');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const properties: Record<string, string> = {
    'broker.id': String(brokerId),
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': logDirs,
    'zookeeper.connect': options.zookeeperConnect,
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'group.initial.rebalance.delay.ms': '0',
    'num.partitions': '1',
    'default.replication.factor': '1',
    'num.network.threads': '2',
    'num.io.threads': '2',
    'log.cleaner.enable': 'false',
    ...options.properties,
  };
  const file = join(dir, 'server.properties');
  writeFileSync(file, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const env = kafka11Env(join(dir, 'logs'), options.heapMb);
  const child = spawnTied(join(home, 'bin', 'kafka-server-start.sh'), [file], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const server = track(child, -1);
  t.teardown(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await new Promise<number>((res, rej) => {
    let bound = -1;
    const timer = setTimeout(() => rej(new Error(`Kafka 1.1 broker ${brokerId} not ready after ${READY_TIMEOUT_MS} ms:\n${server.output()}`)), READY_TIMEOUT_MS);
    const onData = (): void => {
      const text = server.output();
      const registered = /Registered broker \d+ at path \S+ with addresses: .*?EndPoint\([^,]+,(\d+),/.exec(text);
      if (registered) bound = Number(registered[1]);
      if (bound > 0 && /\] started \(kafka\.server\.KafkaServer\)/.test(text)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        res(bound);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`Kafka 1.1 broker ${brokerId} exited with ${code}:\n${server.output()}`));
    });
  });
  return { ...server, port, brokerId, host: '127.0.0.1', bootstrap: `127.0.0.1:${port}`, logDirs, home, env };
}
