/**
 * Builds DescribeConfigs entries for topics and for the broker: value, source, read-only,
 * sensitive, type, documentation and the synonym chain, following Kafka's precedence
 * (topic override > dynamic per-broker > dynamic cluster default > server.properties >
 * Kafka default) and Kafka's synonym order (by source, then by key precedence).
 */
import { TOPIC_CONFIGS, type TopicConfigDef } from '../../storage/log-config.js';
import { BROKER_CONFIGS, brokerConfigDef, topicConfigForBrokerKey, topicSynonyms, type BrokerConfigDef } from './broker-configs.js';
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

/** Topic configs of one topic: its overrides over the broker's defaults. */
export function describeTopicConfigs(
  overrides: Readonly<Record<string, string>>,
  broker: BrokerConfigLayers,
  options: DescribeOptions,
): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of TOPIC_CONFIGS) {
    if (options.keys !== null && !options.keys.includes(def.name)) continue;
    const synonyms: ConfigSynonym[] = [];
    if (Object.hasOwn(overrides, def.name)) {
      synonyms.push({ name: def.name, value: overrides[def.name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    synonyms.push(...brokerSynonymChain(topicSynonyms(def.name).map((s) => s.name), broker));
    const fallback = topicDefaultValue(def, broker);
    const own = synonyms[0]?.source === ConfigSource.DYNAMIC_TOPIC_CONFIG ? synonyms[0] : null;
    out.push({
      name: def.name,
      value: own ? own.value : fallback.value,
      readOnly: false,
      source: own ? own.source : fallback.source,
      sensitive: false,
      synonyms: options.includeSynonyms ? synonyms : [],
      type: def.type,
      documentation: options.includeDocumentation ? def.doc : null,
    });
  }
  return out;
}

/** The broker keys whose values feed `key`, itself first (Kafka drops the stronger ones before it). */
function brokerKeyChain(key: string): string[] {
  const topicName = topicConfigForBrokerKey(key);
  if (topicName === undefined) return [key];
  const names = topicSynonyms(topicName).map((s) => s.name);
  return names.slice(names.indexOf(key));
}

function describeBrokerKey(def: BrokerConfigDef, broker: BrokerConfigLayers, options: DescribeOptions): DescribedConfig {
  const own = brokerSynonymChain([def.name], broker)[0];
  const synonyms = options.includeSynonyms ? brokerSynonymChain(brokerKeyChain(def.name), broker) : [];
  return {
    name: def.name,
    value: own?.value ?? null,
    readOnly: !def.dynamic,
    source: own?.source ?? ConfigSource.DEFAULT_CONFIG,
    sensitive: def.sensitive ?? false,
    synonyms,
    type: def.type,
    documentation: options.includeDocumentation ? def.doc : null,
  };
}

/** The broker's configs (BROKER resource). */
export function describeBrokerConfigs(broker: BrokerConfigLayers, options: DescribeOptions): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of BROKER_CONFIGS) {
    if (options.keys !== null && !options.keys.includes(def.name)) continue;
    out.push(describeBrokerKey(def, broker, options));
  }
  return out;
}
