/**
 * SCRAM credentials, stored salted and hashed as Kafka stores them: per user, a map from
 * mechanism to `salt=...,stored_key=...,server_key=...,iterations=N` (the `config` object of
 * Kafka's `/config/users/<user>` znode). Single-node mode keeps them in
 * `<first log dir>/kts-scram-credentials.json`; passwords themselves are never stored.
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

export class ScramCredentialStore {
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
        if (credential && (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512')) byMechanism.set(mechanism, credential);
      }
      if (byMechanism.size > 0) this.users.set(user, byMechanism);
    }
  }

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Every user with its mechanisms, sorted by user. */
  list(): { user: string; credentials: { mechanism: ScramMechanism; iterations: number }[] }[] {
    return [...this.users.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([user, m]) => ({ user, credentials: [...m.entries()].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })) }));
  }

  /** Applies upserts and deletions together, then persists once. */
  alter(upserts: readonly { user: string; mechanism: ScramMechanism; credential: ScramCredential }[], deletions: readonly { user: string; mechanism: ScramMechanism }[]): void {
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

/** The broker's credential store (opened on first use). */
export function scramCredentialsOf(broker: BrokerContext): ScramCredentialStore {
  let s = stores.get(broker);
  if (!s) stores.set(broker, (s = new ScramCredentialStore(join(broker.config.logDirs[0]!, SCRAM_CREDENTIALS_FILE))));
  return s;
}
