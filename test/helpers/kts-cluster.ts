/**
 * A kts cluster for tests: a real ZooKeeper (test/helpers/zookeeper.ts) and kts brokers as
 * real `kts server-start` processes of the built binary, each on a free loopback port with
 * its own log dir, all torn down (SIGKILL if needed) when the test ends.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KTS_BIN } from './run-kts.js';
import { startZooKeeper, type ZooKeeperServer } from './zookeeper.js';
import { spawnTied } from './tied-spawn.js';

interface Teardownable {
  teardown(fn: () => unknown): void;
  /** tap's Test has it: a failed test prints its brokers' logs, so a CI failure explains itself. */
  passing?(): boolean;
}

const LOG_TAIL_BYTES = 12_000;

const READY = /started \(kts [^)]+\) listening on [A-Z_]+:\/\/127\.0\.0\.1:(\d+)/;

export interface KtsBrokerProcess {
  id: number;
  dir: string;
  port: number;
  child: ChildProcess;
  /** `127.0.0.1:port` */
  bootstrap: string;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (controlled shutdown) and wait for the exit; resolves the exit code. */
  stop(): Promise<number | null>;
}

export interface KtsCluster {
  zk: ZooKeeperServer;
  brokers: Map<number, KtsBrokerProcess>;
  bootstrap(): string;
  /** (Re)start broker `id` on its log dir. */
  start(id: number): Promise<KtsBrokerProcess>;
}

export async function startBrokerProcess(
  t: Teardownable,
  id: number,
  dir: string,
  zkConnect: string,
  overrides: Record<string, string> = {},
  port = 0,
): Promise<KtsBrokerProcess> {
  const props: Record<string, string> = {
    'broker.id': String(id),
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'zookeeper.connect': zkConnect,
    'zookeeper.session.timeout.ms': '4000',
    'replica.lag.time.max.ms': '6000',
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    ...overrides,
  };
  // An override may name the port as {port} (a listener other than PLAINTEXT keeps its port on restart).
  props.listeners = props.listeners!.replace('{port}', String(port));
  // `log.dirs` in the overrides (a broker with several log dirs) replaces the data dir `dir`, which --data-dir would set.
  const dataDir = props['log.dirs'] === undefined ? ['--data-dir', dir] : [];
  const args = [KTS_BIN, 'server-start', ...dataDir, ...Object.entries(props).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child = spawnTied(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (t.passing?.() === false || process.env.KTS_TEST_DUMP) console.error(`---- kts broker ${id} (${dir}), last ${LOG_TAIL_BYTES} bytes of its log:\n${out.slice(-LOG_TAIL_BYTES)}`);
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const boundPort = await new Promise<number>((resolve, reject) => {
    // Generous: on a starved 2-core machine a broker loading a Kafka log dir took over 30 s.
    const timer = setTimeout(() => reject(new Error(`broker ${id}: no readiness line in 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker ${id} exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    id,
    dir,
    port: boundPort,
    child,
    bootstrap: `127.0.0.1:${boundPort}`,
    output: () => out,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** ZooKeeper plus `ids.length` kts brokers (started one after another). */
export async function startKtsCluster(t: Teardownable, ids: number[] = [1, 2, 3], overrides: Record<string, string> = {}): Promise<KtsCluster> {
  const zk = await startZooKeeper(t);
  const root = mkdtempSync(join(tmpdir(), 'kts-cluster-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const brokers = new Map<number, KtsBrokerProcess>();
  const ports = new Map<number, number>();
  const cluster: KtsCluster = {
    zk,
    brokers,
    bootstrap: () => [...brokers.values()].filter((b) => b.child.exitCode === null && b.child.signalCode === null).map((b) => b.bootstrap).join(','),
    async start(id) {
      // A restarted broker keeps its port, as a real one would (clients and peers know it).
      const b = await startBrokerProcess(t, id, join(root, `broker-${id}`), zk.connect, overrides, ports.get(id) ?? 0);
      ports.set(id, b.port);
      brokers.set(id, b);
      return b;
    },
  };
  for (const id of ids) await cluster.start(id);
  return cluster;
}
