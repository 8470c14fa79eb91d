/**
 * Builds DescribeConfigs entries for topics and for the broker: value, source, read-only,
 * sensitive, type, documentation and the synonym chain, following Kafka's precedence
 * (topic override > dynamic per-broker > dynamic cluster default > server.properties >
 * Kafka default) and Kafka's synonym order (by source, then by key precedence).
 */
import { TOPIC_CONFIGS, type TopicConfigDef } from '../../storage/log-config.js';
import { BROKER_CONFIGS, brokerConfigDef, isSensitiveBrokerKey, topicConfigForBrokerKey, topicSynonyms, type BrokerConfigDef } from './broker-configs.js';
import { ConfigSource, type ConfigSourceId, type ConfigSynonym, type DescribedConfig } from './config-types.js';

/** Where broker-level values come from, highest precedence first. */
export interface BrokerConfigLayers {
  /** Dynamic configs set for this broker (resource name = node id). */
  perBroker: Readonly<Record<string, string>>;
  /** Dynamic cluster-wide defaults (resource name ""). */
  clusterDefault: Readonly<Record<string, string>>;
  /** server.properties and --override keys as given. */
  staticConfig: Readonly<Record<string, string>>;
  /**
   * What kts runs with for keys it does not take Kafka's default for (node.id, log.dirs,
   * listeners, ...), reported in place of Kafka's default.
   */
  runtimeDefaults?: Readonly<Record<string, string>>;
}

/** Source layers in Kafka's synonym order. */
function layers(broker: BrokerConfigLayers): Array<{ values: (key: string) => string | null; source: ConfigSourceId }> {
  const from = (map: Readonly<Record<string, string>>) => (key: string) => (Object.hasOwn(map, key) ? map[key]! : null);
  return [
    { values: from(broker.perBroker), source: ConfigSource.DYNAMIC_BROKER_CONFIG },
    { values: from(broker.clusterDefault), source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
    { values: from(broker.staticConfig), source: ConfigSource.STATIC_BROKER_CONFIG },
    { values: (key) => broker.runtimeDefaults?.[key] ?? brokerConfigDef(key)?.defaultValue ?? null, source: ConfigSource.DEFAULT_CONFIG },
  ];
}

/** Synonyms of a list of broker keys, grouped by source as Kafka orders them. */
function brokerSynonymChain(keys: readonly string[], broker: BrokerConfigLayers): ConfigSynonym[] {
  const out: ConfigSynonym[] = [];
  for (const layer of layers(broker)) {
    for (const key of keys) {
      const value = layer.values(key);
      if (value !== null) out.push({ name: key, value, source: layer.source });
    }
  }
  return out;
}

/** The effective broker-level default of a topic config (in the topic config's units) and its source. */
export function topicDefaultValue(def: TopicConfigDef, broker: BrokerConfigLayers): { value: string | null; source: ConfigSourceId } {
  const chain = topicSynonyms(def.name);
  const synonyms = brokerSynonymChain(
    chain.map((s) => s.name),
    broker,
  );
  const first = synonyms[0];
  if (!first) return { value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  const convert = chain.find((s) => s.name === first.name)!.toTopicValue;
  return { value: first.value === null ? null : convert(first.value), source: first.source };
}

/** Every effective broker-level topic default, by topic config name. */
export function topicDefaults(broker: BrokerConfigLayers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const def of TOPIC_CONFIGS) {
    const { value } = topicDefaultValue(def, broker);
    if (value !== null) out[def.name] = value;
  }
  return out;
}

export interface DescribeOptions {
  /** Only these keys (null: all). */
  keys: readonly string[] | null;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

/**
 * Kafka's synonym list for a broker key: every key of its group (`log.retention.ms`,
 * `log.retention.minutes`, `log.retention.hours`) grouped by source, then everything before
 * the first entry named `key` dropped. So a key that is unset everywhere has no synonyms even
 * when a lower-precedence key of its group is set: Kafka's `retention.ms ... synonyms={}`.
 */
export function brokerKeySynonyms(key: string, broker: BrokerConfigLayers): ConfigSynonym[] {
  const topicName = topicConfigForBrokerKey(key);
  const group = topicName === undefined ? [key] : topicSynonyms(topicName).map((s) => s.name);
  const all = brokerSynonymChain(group, broker);
  const first = all.findIndex((s) => s.name === key);
  return first === -1 ? [] : all.slice(first);
}

/** Topic configs of one topic: its overrides over the broker's defaults. */
export function describeTopicConfigs(
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfigLayers,
  options: DescribeOptions,
): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of TOPIC_CONFIGS) {
    if (options.keys !== null && !options.keys.includes(def.name)) continue;
    const overridden = Object.hasOwn(overrides, def.name);
    const synonyms: ConfigSynonym[] = overridden ? [{ name: def.name, value: overrides[def.name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : [];
    if (def.brokerSynonym !== null) synonyms.push(...brokerKeySynonyms(def.brokerSynonym, broker));
    out.push({
      name: def.name,
      value: overridden ? overrides[def.name]! : topicDefaultValue(def, broker).value,
      readOnly: false,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      sensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [],
      type: def.type,
      documentation: options.includeDocumentation ? def.doc : null,
    });
  }
  return out;
}

/**
 * One broker key. `perBroker` false describes the cluster-wide default resource (name ""),
 * where Kafka keeps only the DYNAMIC_DEFAULT_BROKER_CONFIG synonyms.
 */
function describeBrokerKey(def: BrokerConfigDef, broker: BrokerConfigLayers, options: DescribeOptions, perBroker: boolean): DescribedConfig {
  const own = perBroker
    ? brokerSynonymChain([def.name], broker)[0]
    : { name: def.name, value: broker.clusterDefault[def.name] ?? null, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
  const synonyms = brokerKeySynonyms(def.name, broker).filter((s) => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  return {
    name: def.name,
    value: own?.value ?? null,
    readOnly: !def.dynamic,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    sensitive: def.sensitive ?? false,
    synonyms: options.includeSynonyms ? synonyms : [],
    type: def.type,
    documentation: options.includeDocumentation ? def.doc : null,
  };
}

/** The broker's configs (BROKER resource named by this node's id): every key kts knows. */
export function describeBrokerConfigs(broker: BrokerConfigLayers, options: DescribeOptions): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of BROKER_CONFIGS) {
    if (options.keys !== null && !options.keys.includes(def.name)) continue;
    out.push(describeBrokerKey(def, broker, options, true));
  }
  // Listener overrides from server.properties, listed as Kafka lists its original keys.
  for (const name of Object.keys(broker.staticConfig).filter((k) => k.startsWith('listener.name.')).sort()) {
    if (options.keys !== null && !options.keys.includes(name)) continue;
    const value = broker.staticConfig[name]!;
    const sensitive = isSensitiveBrokerKey(name);
    out.push({
      name,
      value,
      readOnly: true,
      source: ConfigSource.STATIC_BROKER_CONFIG,
      sensitive,
      synonyms: options.includeSynonyms ? [{ name, value, source: ConfigSource.STATIC_BROKER_CONFIG }] : [],
      type: sensitive ? 'password' : 'string',
      documentation: options.includeDocumentation ? 'A per-listener override of the key without its listener.name.<listener>. prefix.' : null,
    });
  }
  return out;
}

/** The cluster-wide dynamic defaults (BROKER resource named ""): only the keys set there. */
export function describeClusterDefaultConfigs(broker: BrokerConfigLayers, options: DescribeOptions): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of BROKER_CONFIGS) {
    if (!Object.hasOwn(broker.clusterDefault, def.name)) continue;
    if (options.keys !== null && !options.keys.includes(def.name)) continue;
    out.push(describeBrokerKey(def, broker, options, false));
  }
  return out;
}
