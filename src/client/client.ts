/**
 * openClient: resolves where to talk (bootstrap servers, a running kts server on the data
 * dir, or the data dir's local engine) and builds the KafkaClient facade over one transport.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRunningServer } from '../broker/server-file.js';
import { buildBrokerConfig, defaultDataDir as brokerDefaultDataDir } from '../broker/config.js';
import { KtsError, UsageError } from '../util/errors.js';
import { KafkaAdmin } from './admin.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { defaultClientConfig, type ClientConfig } from './config.js';
import { openTcpChannel } from '../net/tcp-channel.js';
import { authenticateSasl } from '../net/sasl/client.js';
import { clientSecurity } from './security.js';
import { LocalEngine } from './local-engine.js';
import { detachLogDir } from '../storage/attached-log-dirs.js';
import { logDirLockedError, readLockHolder } from '../storage/log-dir-lock.js';
import { acquireDataDirOwnership } from '../net/local-socket.js';
import { KafkaConsumer } from './consumer.js';
import { KafkaProducer } from './producer.js';
import { GroupAdmin, GroupConsumer, parseGroupConfig } from './group/index.js';
import { TransactionAdmin } from './transaction-admin.js';
import type { Admin, Consumer, KafkaClient, OpenClientOptions, Producer } from './types.js';

/** --data-dir, else $KTS_DATA_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/kts/data. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return brokerDefaultDataDir(env);
}

export async function openClient(options: OpenClientOptions = {}): Promise<KafkaClient> {
  const { 'bootstrap.servers': bootstrapFromConfig, ...rest } = options.config ?? {};
  const config = defaultClientConfig().with(rest);
  const bootstrap = options.bootstrapServer ?? bootstrapFromConfig;
  if (bootstrap !== undefined && bootstrap.trim() !== '') {
    return tcpClient(parseBootstrap(bootstrap), config, bootstrap.trim());
  }
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? defaultDataDir(env);
  const brokerConfig = buildBrokerConfig({ dataDir, env });
  const logDir = brokerConfig.logDirs[0] ?? dataDir;
  const running = runningServer(logDir);
  if (running) return tcpClient([running], config, `${running.host}:${running.port}`);
  if (!existsSync(join(logDir, 'meta.properties'))) {
    if (options.missingDataDir === 'refuse') {
      throw new KtsError(
        'KTS_NO_DATA_DIR',
        `No kts data in ${logDir}: nothing has been written there yet`,
        'Check --data-dir / $KTS_DATA_DIR (a command that writes, such as kts topics --create or kts console-producer, creates it), or pass --bootstrap-server',
      );
    }
    options.onCreate?.(logDir);
  }
  return localClient(dataDir, env, config);
}

/**
 * Detach a log dir added to a local data dir (kts-log-dirs.json): no process may have the
 * data dir open, and no partition may live in that dir. Returns the data dir's log dirs left.
 */
export async function detachLocalLogDir(dataDir: string, logDir: string): Promise<string[]> {
  // Its ownership too, not only its lock file: a local command that has only read the data
  // dir holds it without one.
  // (A missing data dir is not created for it: detachLogDir refuses it.)
  const ownership = existsSync(dataDir) ? await acquireDataDirOwnership(dataDir) : undefined;
  if (ownership === null) throw logDirLockedError(dataDir, readLockHolder(dataDir));
  try {
    return [dataDir, ...detachLogDir(dataDir, logDir, `kts log-dirs --detach-log-dir ${logDir}`)];
  } finally {
    await ownership?.release();
  }
}

function clusterOptions(config: ClientConfig): ClusterOptions {
  return {
    clientId: config.string('client.id'),
    requestTimeoutMs: config.int('request.timeout.ms'),
    connectTimeoutMs: config.int('socket.connection.setup.timeout.ms'),
    retryBackoffMs: config.int('retry.backoff.ms'),
    apiTimeoutMs: config.int('default.api.timeout.ms'),
    metadataMaxAgeMs: config.int('metadata.max.age.ms'),
  };
}

function tcpClient(bootstrap: { host: string; port: number }[], config: ClientConfig, target: string): KafkaClient {
  const security = clientSecurity(config);
  const sasl = security.sasl;
  const opts: ClusterOptions = { ...clusterOptions(config), ...(sasl ? { authenticate: (conn) => authenticateSasl(conn, sasl) } : {}) };
  const cluster = new Cluster(bootstrap, (host, port) => openTcpChannel(host, port, opts.connectTimeoutMs, security.tls), opts);
  return new Client('tcp', target, cluster, config, async () => undefined);
}

/**
 * The data dir's engine: in this process, or in the process that already owns it (over its
 * Unix socket); either way through the same Cluster, so a takeover is just a reconnect.
 */
async function localClient(dataDir: string, env: Readonly<Record<string, string | undefined>>, config: ClientConfig): Promise<KafkaClient> {
  const brokerConfig = buildBrokerConfig({ dataDir, env });
  const opts = clusterOptions(config);
  const target = `local engine on ${dataDir}`;
  const engine = new LocalEngine(brokerConfig, target, opts.apiTimeoutMs);
  // Open (or reach) the engine now, so a data dir that cannot be opened fails here, once.
  const first = await engine.channel();
  let handedOut = false;
  const cluster = new Cluster([{ host: 'local', port: 0 }], async () => {
    if (!handedOut) {
      handedOut = true;
      if (first.isOpen) return first;
    }
    return engine.channel();
  }, opts);
  return new Client('local', target, cluster, config, () => engine.stop());
}

/** host:port[,host:port]; `[v6]:port` for IPv6 literals. */
export function parseBootstrap(value: string): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const address = part.replace(/^[A-Za-z_]+:\/\//, '');
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`Invalid bootstrap server '${part}': expected host:port`, 'Example: --bootstrap-server localhost:9092');
    }
    out.push({ host: m[1]!, port });
  }
  if (out.length === 0) throw new UsageError('Empty bootstrap server list', 'Example: --bootstrap-server localhost:9092');
  return out;
}

/** The listener of a live kts server on this data dir, if any. */
function runningServer(logDir: string): { host: string; port: number } | null {
  const info = findRunningServer(logDir);
  for (const listener of info?.listeners ?? []) {
    try {
      const [first] = parseBootstrap(listener);
      if (first) return { host: first.host === '0.0.0.0' || first.host === '::' ? '127.0.0.1' : first.host, port: first.port };
    } catch {
      // A listener we cannot parse: try the next one.
    }
  }
  return null;
}

class Client implements KafkaClient {
  readonly transport: 'tcp' | 'local';
  readonly target: string;
  readonly admin: Admin;
  readonly groups: GroupAdmin;
  readonly transactions: TransactionAdmin;
  private readonly cluster: Cluster;
  private readonly config: ClientConfig;
  private readonly producers = new Set<Producer>();
  private readonly consumers = new Set<Consumer | GroupConsumer>();
  private readonly forks = new Set<Cluster>();
  private readonly stopEngine: () => Promise<void>;
  private closed = false;

  constructor(transport: 'tcp' | 'local', target: string, cluster: Cluster, config: ClientConfig, stopEngine: () => Promise<void>) {
    this.transport = transport;
    this.target = target;
    this.cluster = cluster;
    this.config = config;
    this.stopEngine = stopEngine;
    this.admin = new KafkaAdmin(cluster);
    this.groups = new GroupAdmin(cluster);
    this.transactions = new TransactionAdmin(cluster);
  }

  producer(config?: Readonly<Record<string, string>>): Producer {
    const cluster = this.cluster.fork();
    const p = new KafkaProducer(cluster, this.config.with(config));
    this.producers.add(p);
    this.forks.add(cluster);
    return p;
  }

  consumer(config?: Readonly<Record<string, string>>): Consumer {
    const cluster = this.cluster.fork();
    const c = new KafkaConsumer(cluster, this.config.with(config));
    this.consumers.add(c);
    this.forks.add(cluster);
    return c;
  }

  groupConsumer(config: Readonly<Record<string, string>>): GroupConsumer {
    const { settings, rest } = parseGroupConfig(config);
    const cluster = this.cluster.fork();
    const c = new GroupConsumer(cluster, this.config.with(rest), settings);
    this.consumers.add(c);
    this.forks.add(cluster);
    return c;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.allSettled([...this.producers].map((p) => p.close()));
      await Promise.allSettled([...this.consumers].map((c) => c.close()));
    } finally {
      for (const fork of this.forks) fork.close();
      this.cluster.close();
      await this.stopEngine();
    }
  }
}
