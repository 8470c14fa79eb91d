/**
 * A read-only view of a ZooKeeper-mode cluster's znodes (/brokers, /controller, /admin,
 * /config, /isr_change_notification, ...): kts ui opens its own ZooKeeper session, to the
 * connection string given with --zookeeper or else the one the brokers report
 * (DescribeConfigs, zookeeper.connect), and only ever reads (getChildren, getData).
 */
import type { KafkaClient } from '../client/index.js';
import type { Logger } from '../util/logger.js';
import { ZooKeeperClient } from '../zk/zookeeper-client.js';
import { UiInputError } from './actions.js';

const SESSION_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 10_000;
/** A ZooKeeper path: "/" or "/"-separated non-empty names (no "." or ".." names). */
const PATH = /^\/$|^(\/(?!\.\.?(\/|$))[^/\u0000]+)+$/;

export interface ZnodeView {
  connect: string;
  path: string;
  /** The data as text (UTF-8) or base64 when it is not UTF-8; null for a znode without data. */
  data: string | null;
  encoding: 'utf8' | 'base64' | null;
  stat: { version: number; cversion: number; ctimeMs: number; mtimeMs: number; dataLength: number; numChildren: number; ephemeralOwner: string | null };
  children: string[];
}

export class NoSuchZnodeError extends Error {}

export class ZooKeeperView {
  private session: Promise<ZooKeeperClient> | undefined;
  private connect: string | undefined;

  constructor(
    private readonly client: KafkaClient,
    private readonly explicitConnect: string | undefined,
    private readonly log: Logger,
  ) {}

  async node(path: string): Promise<ZnodeView> {
    if (!PATH.test(path)) throw new UiInputError(`'${path}' is not a ZooKeeper path: give an absolute path such as /brokers/ids.`);
    const zk = await this.zk();
    const [read, children] = await Promise.all([zk.getData(path), zk.getChildren(path)]);
    if (!read || !children) throw new NoSuchZnodeError(`No znode ${path} in ZooKeeper ${this.connect}.`);
    const { data, stat } = read;
    const text = data ? data.toString('utf8') : null;
    const utf8 = data !== null && text !== null && Buffer.from(text, 'utf8').equals(data);
    return {
      connect: this.connect!,
      path,
      data: data === null ? null : utf8 ? text : data.toString('base64'),
      encoding: data === null ? null : utf8 ? 'utf8' : 'base64',
      stat: {
        version: stat.version,
        cversion: stat.cversion,
        ctimeMs: stat.ctimeMs,
        mtimeMs: stat.mtimeMs,
        dataLength: stat.dataLength,
        numChildren: stat.numChildren,
        ephemeralOwner: stat.ephemeralOwner === 0n ? null : `0x${stat.ephemeralOwner.toString(16)}`,
      },
      children: children.sort(),
    };
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.then((zk) => zk.close()).catch(() => undefined);
  }

  private zk(): Promise<ZooKeeperClient> {
    this.session ??= this.open().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  private async open(): Promise<ZooKeeperClient> {
    this.connect = this.explicitConnect ?? (await this.reportedConnect());
    return ZooKeeperClient.open({ connect: this.connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, log: this.log });
  }

  /** zookeeper.connect as the controller (or any live broker) reports it. */
  private async reportedConnect(): Promise<string> {
    const cluster = await this.client.admin.describeCluster();
    const ids = [cluster.controllerId, ...cluster.brokers.map((b) => b.nodeId)].filter((id) => id >= 0);
    for (const id of new Set(ids)) {
      try {
        const entries = await this.client.admin.describeConfigs({ type: 'broker', name: String(id) }, { keys: ['zookeeper.connect'] });
        const value = entries.find((e) => e.name === 'zookeeper.connect')?.value;
        if (value) return value;
      } catch {
        // try the next broker
      }
    }
    throw new UiInputError('The brokers report no zookeeper.connect (a single kts node, a KRaft cluster, or a broker that does not say): start kts ui with --zookeeper host:port to browse the znodes.');
  }
}
