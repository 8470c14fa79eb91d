/**
 * Dynamic broker configs: values set at runtime through (Incremental)AlterConfigs on a
 * BROKER resource, either for this broker (resource name = node id) or as the cluster-wide
 * default (resource name ""). Kafka keeps them in the metadata log; kts keeps them in
 * `<first log dir>/kts-dynamic-broker-configs.json` (written tmp + rename) and loads them
 * when a broker first needs them. One store per running broker.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerContext, ListenerEndpoint } from '../handler.js';
import { brokerKeySynonyms, type BrokerConfigLayers } from './describe.js';
import { applyTopicDefaults, logDirs } from './topic-configs.js';

export const DYNAMIC_CONFIG_FILE = 'kts-dynamic-broker-configs.json';

export type DynamicScope = 'broker' | 'cluster';

interface StoredConfigs {
  version: 1;
  perBroker: Record<string, string>;
  clusterDefault: Record<string, string>;
}

export class DynamicBrokerConfigs {
  private perBroker: Record<string, string> = {};
  private clusterDefault: Record<string, string> = {};

  constructor(private readonly filePath: string | null) {
    if (filePath !== null) this.load(filePath);
  }

  private load(filePath: string): void {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch {
      return;
    }
    const parsed = JSON.parse(text) as Partial<StoredConfigs>;
    this.perBroker = stringRecord(parsed.perBroker);
    this.clusterDefault = stringRecord(parsed.clusterDefault);
  }

  get isEmpty(): boolean {
    return Object.keys(this.perBroker).length === 0 && Object.keys(this.clusterDefault).length === 0;
  }

  values(scope: DynamicScope): Readonly<Record<string, string>> {
    return scope === 'broker' ? this.perBroker : this.clusterDefault;
  }

  /** Replace one scope's values and persist them. */
  replace(scope: DynamicScope, values: Readonly<Record<string, string>>): void {
    if (scope === 'broker') this.perBroker = { ...values };
    else this.clusterDefault = { ...values };
    this.rates.clear();
    this.persist();
  }

  /** Rates read on hot paths (every replica fetch, every move tick): computed once per change. */
  readonly rates = new Map<string, number>();

  layers(staticConfig: Readonly<Record<string, string>>, runtimeDefaults: Readonly<Record<string, string>> = {}): BrokerConfigLayers {
    return { perBroker: this.perBroker, clusterDefault: this.clusterDefault, staticConfig, runtimeDefaults };
  }

  private persist(): void {
    if (this.filePath === null) return;
    const body: StoredConfigs = { version: 1, perBroker: this.perBroker, clusterDefault: this.clusterDefault };
    const tmp = `${this.filePath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(tmp, this.filePath);
  }
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const stores = new WeakMap<BrokerContext, DynamicBrokerConfigs>();

/**
 * The dynamic config store of a running broker, loaded on first use; configs persisted by
 * an earlier run are applied to the logs at that moment (the broker also calls
 * restoreDynamicBrokerConfigs at start, so produce traffic never runs without them).
 */
export function dynamicConfigsOf(broker: BrokerContext): DynamicBrokerConfigs {
  let store = stores.get(broker);
  if (!store) {
    const dir = broker.config.logDirs[0];
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    store = new DynamicBrokerConfigs(dir === undefined ? null : join(dir, DYNAMIC_CONFIG_FILE));
    stores.set(broker, store);
    if (!store.isEmpty) applyTopicDefaults(broker);
  }
  return store;
}

/** All config layers of a running broker, for describing topic and broker configs. */
export function brokerLayersOf(broker: BrokerContext): BrokerConfigLayers {
  return dynamicConfigsOf(broker).layers(broker.config.raw, runtimeDefaults(broker));
}

/** A bytes-per-second broker config (the replication throttles) as now set; Infinity when unset or unparsable. */
export function brokerRate(broker: BrokerContext, key: string): number {
  const store = dynamicConfigsOf(broker);
  const known = store.rates.get(key);
  if (known !== undefined) return known;
  const value = brokerKeySynonyms(key, brokerLayersOf(broker))[0]?.value;
  const n = value === undefined || value === null ? Number.NaN : Number(value);
  const rate = Number.isFinite(n) && n > 0 && n < Number.MAX_SAFE_INTEGER ? n : Number.POSITIVE_INFINITY;
  store.rates.set(key, rate);
  return rate;
}

const endpoint = (l: ListenerEndpoint): string => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;

/** Values kts derives itself where Kafka has no usable default (a node must have an id and log dirs). */
function runtimeDefaults(broker: BrokerContext): Record<string, string> {
  return {
    'node.id': String(broker.nodeId),
    'broker.id': String(broker.nodeId),
    // The dirs open, with any attached to the data dir (local mode's second disk).
    'log.dirs': logDirs(broker).join(','),
    'process.roles': broker.config.processRoles.join(','),
    listeners: broker.config.listeners.map(endpoint).join(','),
    'advertised.listeners': broker.advertisedListeners.map(endpoint).join(','),
  };
}
