/**
 * Wire enums of the config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs,
 * CreateTopics v5+): resource types, config sources, config types and alter operations,
 * with Kafka's numeric ids.
 */

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
export type ConfigSourceId = (typeof ConfigSource)[keyof typeof ConfigSource];

/** Kafka's DescribeConfigsResponse.ConfigType ids (v3+). */
export const ConfigTypeId = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** The config type names used by the topic and broker config tables. */
export type ConfigValueType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'class' | 'password';

export function configTypeId(type: ConfigValueType): number {
  switch (type) {
    case 'boolean':
      return ConfigTypeId.BOOLEAN;
    case 'string':
      return ConfigTypeId.STRING;
    case 'int':
      return ConfigTypeId.INT;
    case 'short':
      return ConfigTypeId.SHORT;
    case 'long':
      return ConfigTypeId.LONG;
    case 'double':
      return ConfigTypeId.DOUBLE;
    case 'list':
      return ConfigTypeId.LIST;
    case 'class':
      return ConfigTypeId.CLASS;
    case 'password':
      return ConfigTypeId.PASSWORD;
  }
}

/** IncrementalAlterConfigs operation ids. */
export const AlterConfigOp = {
  SET: 0,
  DELETE: 1,
  APPEND: 2,
  SUBTRACT: 3,
} as const;

/** One config as DescribeConfigs reports it (before version-specific trimming). */
export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: ConfigSourceId;
  sensitive: boolean;
  synonyms: ConfigSynonym[];
  type: ConfigValueType;
  documentation: string | null;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceId;
}

/** Kafka's name of a resource type id, for messages ("GROUP"); the number when unknown. */
export function resourceTypeName(type: number): string {
  for (const [name, id] of Object.entries(ConfigResourceType)) if (id === type) return name;
  return String(type);
}
