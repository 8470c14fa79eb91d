/**
 * Where ACLs live.
 * - Cluster mode: ZooKeeper, in Kafka's layout (`/kafka-acl/<Type>/<name>` for literal
 *   patterns, `/kafka-acl-extended/prefixed/<Type>/<name>` for prefixed ones), written with
 *   compare-and-set on the znode version and announced with an `acl_changes_` notification so
 *   every broker reloads that resource (Kafka's AclAuthorizer; Kafka's own kafka-acls.sh
 *   --authorizer-properties zookeeper.connect=... reads and writes the same znodes).
 * - Single-node mode: `<first log dir>/kts-acls.json`, the same per-resource JSON, written
 *   through (fsync + rename).
 * Either way the change is stored before CreateAcls/DeleteAcls answer.
 */
import { join } from 'node:path';
import type { BrokerContext } from '../handler.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import { sameBinding, type AclBinding } from '../../protocol/acl.js';
import { aclBindingOf, aclEntryOf, aclResourceKey, groupByAclResource, withAclEntries, withoutAclEntries, type KafkaZkClient, type AclEntryJson, type AclResourceRef } from '../../zk/index.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export const ACL_FILE = 'kts-acls.json';

export interface AclStore {
  /**
   * Every ACL this broker knows (cheap: the authorizer calls it per check). A new array
   * whenever the ACLs change, never the same one modified: the authorizer indexes by identity.
   */
  all(): readonly AclBinding[];
  /** Adds the bindings not already present; stored before it resolves. */
  add(bindings: readonly AclBinding[]): Promise<void>;
  /** Removes exactly these bindings; stored before it resolves. */
  remove(bindings: readonly AclBinding[]): Promise<void>;
}

interface StoredResource {
  resourceType: string;
  name: string;
  patternType: 'LITERAL' | 'PREFIXED';
  version: 1;
  acls: AclEntryJson[];
}

/** Single-node mode: a JSON file in the data dir, cached in memory (this process owns the dir). */
export class FileAclStore implements AclStore {
  private bindings: AclBinding[] = [];
  private readonly path: string | null;

  constructor(path: string | null) {
    this.path = path;
    const stored = path ? (readJsonFile(path) as { resources?: StoredResource[] } | undefined) : undefined;
    for (const r of stored?.resources ?? []) {
      for (const a of r.acls) {
        const b = aclBindingOf(r.resourceType, r.name, r.patternType, a);
        if (b) this.bindings.push(b);
      }
    }
  }

  all(): readonly AclBinding[] {
    return this.bindings;
  }

  async add(bindings: readonly AclBinding[]): Promise<void> {
    const added = bindings.filter((b, i) => !this.bindings.some((x) => sameBinding(x, b)) && bindings.findIndex((y) => sameBinding(y, b)) === i);
    this.bindings = [...this.bindings, ...added];
    this.persist();
  }

  async remove(bindings: readonly AclBinding[]): Promise<void> {
    this.bindings = this.bindings.filter((x) => !bindings.some((b) => sameBinding(x, b)));
    this.persist();
  }

  private persist(): void {
    if (!this.path) return;
    const resources = [...groupByAclResource(this.bindings).values()].map(({ ref, bindings }): StoredResource => ({
      resourceType: ref.resourceType,
      name: ref.name,
      patternType: ref.patternType,
      version: 1,
      acls: bindings.map(aclEntryOf),
    }));
    writeJsonFile(this.path, { version: 1, resources });
  }
}

/** What the ZooKeeper store needs of KafkaZkClient. */
export type AclZk = Pick<KafkaZkClient, 'createAclPaths' | 'getAclResources' | 'getResourceAcls' | 'updateResourceAcls' | 'watchAclChanges' | 'onNewSession'>;

/**
 * Cluster mode: ACLs in ZooKeeper, cached per resource. Loads, reloads on notification and
 * writes run one at a time, so an older read never overwrites a newer state in the cache.
 */
export class ZkAclStore implements AclStore {
  private readonly zk: AclZk;
  private readonly log: Logger;
  private readonly cache = new Map<string, AclBinding[]>();
  private flat: AclBinding[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private cancelWatch: (() => void) | undefined;

  constructor(zk: AclZk, log: Logger) {
    this.zk = zk;
    this.log = log;
  }

  /** Creates Kafka's ACL paths, loads every resource, then follows the change notifications. */
  async start(): Promise<void> {
    await this.zk.createAclPaths();
    await this.serially(() => this.loadAll());
    this.cancelWatch = this.zk.watchAclChanges((ref) => void this.serially(() => this.reload(ref)).catch((err: unknown) => this.log.warn(`Reloading the ACLs of ${ref.resourceType}:${ref.name} failed: ${errorMessage(err)}`)));
    // Notifications written while the session was down may be purged before we see them: reload all.
    this.zk.onNewSession(() => void this.serially(() => this.loadAll()).catch((err: unknown) => this.log.warn(`Reloading ACLs from ZooKeeper failed: ${errorMessage(err)}`)));
  }

  stop(): void {
    this.cancelWatch?.();
  }

  all(): readonly AclBinding[] {
    return this.flat;
  }

  add(bindings: readonly AclBinding[]): Promise<void> {
    return this.serially(() => this.update(bindings, 'add'));
  }

  remove(bindings: readonly AclBinding[]): Promise<void> {
    return this.serially(() => this.update(bindings, 'remove'));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Per resource: Kafka's compare-and-set update with a change notification, then the cache.
   * Works on the stored entries, so an entry this broker cannot read is kept as it is.
   */
  private async update(bindings: readonly AclBinding[], mode: 'add' | 'remove'): Promise<void> {
    for (const { ref, bindings: mine } of groupByAclResource(bindings).values()) {
      const stored = await this.zk.updateResourceAcls(ref, (entries) => (mode === 'add' ? withAclEntries(ref, entries, mine) : withoutAclEntries(ref, entries, mine)));
      this.setCached(ref, this.decode(ref, stored));
    }
  }

  /** Every resource, read in parallel (the session pipelines them), the list rebuilt once. */
  private async loadAll(): Promise<void> {
    const refs = await this.zk.getAclResources();
    const loaded = await Promise.all(refs.map(async (ref) => [ref, this.decode(ref, (await this.zk.getResourceAcls(ref)).acls)] as const));
    this.cache.clear();
    for (const [ref, bindings] of loaded) if (bindings.length > 0) this.cache.set(aclResourceKey(ref), bindings);
    this.refreshFlat();
  }

  private async reload(ref: AclResourceRef): Promise<void> {
    this.setCached(ref, this.decode(ref, (await this.zk.getResourceAcls(ref)).acls));
  }

  private decode(ref: AclResourceRef, acls: readonly AclEntryJson[]): AclBinding[] {
    const out: AclBinding[] = [];
    for (const a of acls) {
      const b = aclBindingOf(ref.resourceType, ref.name, ref.patternType, a);
      if (b) out.push(b);
      else this.log.warn(`Ignoring an ACL of ${ref.resourceType}:${ref.name} with an unknown operation or permission type: ${JSON.stringify(a)}`);
    }
    return out;
  }

  private setCached(ref: AclResourceRef, bindings: AclBinding[]): void {
    if (bindings.length === 0) this.cache.delete(aclResourceKey(ref));
    else this.cache.set(aclResourceKey(ref), bindings);
    this.refreshFlat();
  }

  private refreshFlat(): void {
    this.flat = [...this.cache.values()].flat();
  }
}

const stores = new WeakMap<BrokerContext, AclStore>();

/**
 * Cluster mode: the broker's ACLs come from ZooKeeper. Call before the listeners open, so no
 * request is authorized against an empty cache.
 */
export async function openZkAclStore(broker: BrokerContext, zk: AclZk): Promise<ZkAclStore> {
  const store = new ZkAclStore(zk, broker.log);
  await store.start();
  stores.set(broker, store);
  return store;
}

/** The broker's ACL store: ZooKeeper's once opened (cluster mode), else the data dir's file. */
export function aclStoreOf(broker: BrokerContext): AclStore {
  let s = stores.get(broker);
  if (!s) stores.set(broker, (s = new FileAclStore(join(broker.config.logDirs[0]!, ACL_FILE))));
  return s;
}
