/**
 * SCRAM credentials, stored salted and hashed as Kafka stores them: per user, a map from
 * mechanism to `salt=...,stored_key=...,server_key=...,iterations=N`. In cluster mode they
 * are the `/config/users/<user>` znodes, exactly as Kafka (and kafka-configs.sh
 * --zookeeper) writes them, so every broker sees every user; single-node mode keeps the same
 * objects in `<first log dir>/kts-scram-credentials.json`. Passwords are never stored.
 */
import { join } from 'node:path';
import type { BrokerContext } from '../handler.js';
import { formatCredential, parseCredential, type ScramCredential, type ScramMechanism } from '../../net/sasl/scram.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export const SCRAM_CREDENTIALS_FILE = 'kts-scram-credentials.json';

interface StoredUsers {
  version: 1;
  users: Record<string, { version: 1; config: Record<string, string> }>;
}

export interface UserScramCredentials {
  user: string;
  credentials: { mechanism: ScramMechanism; iterations: number }[];
}

export interface ScramUpsert {
  user: string;
  mechanism: ScramMechanism;
  credential: ScramCredential;
}

export interface ScramCredentialStore {
  get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined>;
  /** Every user with credentials, sorted by user. */
  list(): Promise<UserScramCredentials[]>;
  /** Applies upserts and deletions together. */
  alter(upserts: readonly ScramUpsert[], deletions: readonly { user: string; mechanism: ScramMechanism }[]): Promise<void>;
}

/** The `/config/<type>/<name>` entity configs of ZooKeeper (KafkaZkClient's methods). */
export interface EntityConfigs {
  getEntityConfig(type: 'users', name: string): Promise<Record<string, string>>;
  getEntityNames(type: 'users'): Promise<string[]>;
  setEntityConfig(type: 'users', name: string, config: Record<string, string>): Promise<void>;
}

const isMechanism = (m: string): m is ScramMechanism => m === 'SCRAM-SHA-256' || m === 'SCRAM-SHA-512';

/** Cluster mode: `/config/users/<user>`; other keys of the user (quotas) are kept as they are. */
export class ZkScramCredentialStore implements ScramCredentialStore {
  private readonly zk: EntityConfigs;

  constructor(zk: EntityConfigs) {
    this.zk = zk;
  }

  async get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined> {
    const text = (await this.zk.getEntityConfig('users', user))[mechanism];
    return text === undefined ? undefined : parseCredential(text);
  }

  async list(): Promise<UserScramCredentials[]> {
    const out: UserScramCredentials[] = [];
    for (const user of (await this.zk.getEntityNames('users')).sort()) {
      const config = await this.zk.getEntityConfig('users', user);
      const credentials = Object.entries(config)
        .filter(([k]) => isMechanism(k))
        .map(([mechanism, text]) => ({ mechanism: mechanism as ScramMechanism, iterations: parseCredential(text)?.iterations ?? -1 }));
      if (credentials.length > 0) out.push({ user, credentials });
    }
    return out;
  }

  async alter(upserts: readonly ScramUpsert[], deletions: readonly { user: string; mechanism: ScramMechanism }[]): Promise<void> {
    const users = new Set([...upserts.map((u) => u.user), ...deletions.map((d) => d.user)]);
    for (const user of users) {
      const config = { ...(await this.zk.getEntityConfig('users', user)) };
      for (const d of deletions) if (d.user === user) delete config[d.mechanism];
      for (const u of upserts) if (u.user === user) config[u.mechanism] = formatCredential(u.credential);
      await this.zk.setEntityConfig('users', user, config);
    }
  }
}

/** Single-node mode: a JSON file in the data dir, cached in memory (this process owns the dir). */
export class FileScramCredentialStore implements ScramCredentialStore {
  private users: Map<string, Map<ScramMechanism, ScramCredential>>;
  private readonly path: string | null;

  constructor(path: string | null) {
    this.path = path;
    this.users = new Map();
    const stored = path ? (readJsonFile(path) as StoredUsers | undefined) : undefined;
    for (const [user, entry] of Object.entries(stored?.users ?? {})) {
      const byMechanism = new Map<ScramMechanism, ScramCredential>();
      for (const [mechanism, text] of Object.entries(entry.config ?? {})) {
        const credential = parseCredential(text);
        if (credential && isMechanism(mechanism)) byMechanism.set(mechanism, credential);
      }
      if (byMechanism.size > 0) this.users.set(user, byMechanism);
    }
  }

  async get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | undefined> {
    return this.users.get(user)?.get(mechanism);
  }

  async list(): Promise<UserScramCredentials[]> {
    return [...this.users.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([user, m]) => ({ user, credentials: [...m.entries()].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })) }));
  }

  async alter(upserts: readonly ScramUpsert[], deletions: readonly { user: string; mechanism: ScramMechanism }[]): Promise<void> {
    for (const d of deletions) {
      const m = this.users.get(d.user);
      m?.delete(d.mechanism);
      if (m && m.size === 0) this.users.delete(d.user);
    }
    for (const u of upserts) {
      let m = this.users.get(u.user);
      if (!m) this.users.set(u.user, (m = new Map()));
      m.set(u.mechanism, u.credential);
    }
    this.persist();
  }

  private persist(): void {
    if (!this.path) return;
    const body: StoredUsers = { version: 1, users: {} };
    for (const [user, m] of this.users) {
      body.users[user] = { version: 1, config: Object.fromEntries([...m.entries()].map(([k, c]) => [k, formatCredential(c)])) };
    }
    writeJsonFile(this.path, body);
  }
}

const stores = new WeakMap<BrokerContext, ScramCredentialStore>();

/** The broker's credential store (opened on first use): ZooKeeper in cluster mode, else the data dir. */
export function scramCredentialsOf(broker: BrokerContext): ScramCredentialStore {
  let s = stores.get(broker);
  if (!s) {
    s = broker.zkEntityConfigs ? new ZkScramCredentialStore(broker.zkEntityConfigs) : new FileScramCredentialStore(join(broker.config.logDirs[0]!, SCRAM_CREDENTIALS_FILE));
    stores.set(broker, s);
  }
  return s;
}
