/**
 * A kts cluster (real ZooKeeper, `kts server-start` processes) whose brokers serve
 * /metrics on fixed loopback ports: a restarted broker keeps its client port, its log dir and
 * its metrics port, so Prometheus and kts ui find it again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerProcess, type KtsBrokerProcess } from './kts-cluster.js';
import { startZooKeeper, type ZooKeeperServer } from './zookeeper.js';
import { freePort } from './prometheus.js';

interface Teardownable {
  teardown(fn: () => unknown): void;
}

export interface MetricsCluster {
  zk: ZooKeeperServer;
  ids: readonly number[];
  brokers: Map<number, KtsBrokerProcess>;
  /** `127.0.0.1:port` of broker `id`'s metrics endpoint (Prometheus's `instance` label). */
  metricsHost(id: number): string;
  /** Live brokers' bootstrap list. */
  bootstrap(): string;
  /** (Re)starts broker `id` on its ports and log dir. */
  start(id: number): Promise<KtsBrokerProcess>;
}

export async function startMetricsCluster(t: Teardownable, ids: readonly number[] = [1, 2, 3], overrides: Record<string, string> = {}): Promise<MetricsCluster> {
  const zk = await startZooKeeper(t);
  const root = mkdtempSync(join(tmpdir(), 'kts-metrics-cluster-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const metricsPorts = new Map<number, number>();
  for (const id of ids) metricsPorts.set(id, await freePort());
  const brokerPorts = new Map<number, number>();
  const brokers = new Map<number, KtsBrokerProcess>();
  const cluster: MetricsCluster = {
    zk,
    ids,
    brokers,
    metricsHost: (id) => `127.0.0.1:${metricsPorts.get(id)}`,
    bootstrap: () => [...brokers.values()].filter((b) => b.child.exitCode === null && b.child.signalCode === null).map((b) => b.bootstrap).join(','),
    async start(id) {
      const props = { 'kts.metrics.listener': `http://127.0.0.1:${metricsPorts.get(id)}`, ...overrides };
      const b = await startBrokerProcess(t, id, join(root, `broker-${id}`), zk.connect, props, brokerPorts.get(id) ?? 0);
      brokerPorts.set(id, b.port);
      brokers.set(id, b);
      return b;
    },
  };
  for (const id of ids) await cluster.start(id);
  return cluster;
}
