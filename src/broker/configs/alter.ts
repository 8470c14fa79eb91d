/**
 * The config changes of AlterConfigs (replace the whole set) and IncrementalAlterConfigs
 * (SET / DELETE / APPEND / SUBTRACT per key), computed as pure functions over the current
 * values, with Kafka's checks and messages. Applying the result is the caller's job.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { parseTopicConfigs, topicConfigDef, unknownTopicConfig } from '../../storage/log-config.js';
import { brokerConfigDef, topicConfigForBrokerKey } from './broker-configs.js';
import { AlterConfigOp } from './config-types.js';

export interface IncrementalChange {
  name: string;
  configOperation: number;
  value: string | null;
}

function opName(op: number): string {
  switch (op) {
    case AlterConfigOp.APPEND:
      return 'append';
    case AlterConfigOp.SUBTRACT:
      return 'subtract';
    default:
      return String(op);
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Kafka refuses two operations on one key in one resource. */
function checkDuplicateKeys(changes: readonly IncrementalChange[]): void {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`);
    seen.add(c.name);
  }
}

/**
 * Apply incremental operations to `current`. `typeOf` gives a key's config type (undefined:
 * unknown key) and `defaultOf` the value APPEND/SUBTRACT start from when the key is unset.
 */
export function applyIncremental(
  current: Readonly<Record<string, string>>,
  changes: readonly IncrementalChange[],
  typeOf: (name: string) => string | undefined,
  defaultOf: (name: string) => string | null,
): Record<string, string> {
  checkDuplicateKeys(changes);
  const next: Record<string, string> = { ...current };
  for (const change of changes) {
    switch (change.configOperation) {
      case AlterConfigOp.SET:
        if (change.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${change.name}`);
        next[change.name] = change.value;
        break;
      case AlterConfigOp.DELETE:
        delete next[change.name];
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        if (typeOf(change.name) !== 'list') {
          throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${opName(change.configOperation)} is not allowed for config key: ${change.name}`);
        }
        const base = splitList(next[change.name] ?? defaultOf(change.name) ?? '');
        const items = splitList(change.value ?? '');
        const merged =
          change.configOperation === AlterConfigOp.APPEND
            ? [...base, ...items.filter((i) => !base.includes(i))]
            : base.filter((i) => !items.includes(i));
        next[change.name] = merged.join(',');
        break;
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown alter configs operation: ${change.configOperation}`);
    }
  }
  return next;
}

/** Topic overrides after incremental changes, validated through the topic config table. */
export function incrementalTopicOverrides(current: Readonly<Record<string, string>>, changes: readonly IncrementalChange[]): Record<string, string> {
  for (const c of changes) {
    if (!topicConfigDef(c.name)) throw new KafkaError(ErrorCode.INVALID_CONFIG, unknownTopicConfig(c.name));
  }
  const next = applyIncremental(
    current,
    changes,
    (name) => topicConfigDef(name)?.type,
    (name) => topicConfigDef(name)?.defaultValue ?? null,
  );
  parseTopicConfigs(next);
  return next;
}

/** Topic overrides for a legacy AlterConfigs: the given set replaces all (null values are dropped, as Kafka does). */
export function replacementTopicOverrides(configs: ReadonlyArray<{ name: string; value: string | null }>): Record<string, string> {
  const next: Record<string, string> = {};
  for (const c of configs) if (c.value !== null) next[c.name] = c.value;
  parseTopicConfigs(next);
  return next;
}

/**
 * Check dynamic broker config values: the key must be one kts applies at runtime (the
 * broker defaults of topic configs), and the value must be valid for the topic config it
 * feeds (hours/minutes keys must be integers).
 */
export function validateDynamicBrokerConfigs(values: Readonly<Record<string, string>>): void {
  const refused = Object.keys(values).filter((k) => !brokerConfigDef(k)?.dynamic);
  if (refused.length > 0) {
    throw new KafkaError(
      ErrorCode.INVALID_CONFIG,
      `Cannot update these configs dynamically: ${refused.join(', ')}. kts applies at runtime only the broker ` +
        `defaults of topic configs (log.retention.ms, log.segment.bytes, message.max.bytes, ...) and the replication ` +
        `throttles (leader/follower.replication.throttled.rate, replica.alter.log.dirs.io.max.bytes.per.second); set the others ` +
        `in server.properties and restart.`,
    );
  }
  for (const [key, value] of Object.entries(values)) {
    const topicName = topicConfigForBrokerKey(key);
    const def = brokerConfigDef(key)!;
    if (topicName === undefined) {
      // Broker-only dynamic keys (the replication throttles): a number of their type.
      if (!/^-?\d+$/.test(value.trim())) {
        throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${key}: Not a number of type ${def.type.toUpperCase()}`);
      }
      continue;
    }
    if (def.type === 'int' && key !== topicConfigDef(topicName)?.brokerSynonym) {
      if (!/^-?\d+$/.test(value.trim())) {
        throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${key}: Not a number of type INT`);
      }
      continue;
    }
    try {
      parseTopicConfigs({ [topicName]: value });
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      // The topic config's reason, named after the broker key the user set.
      const why = /: ([^:]+)$/.exec(err.message)?.[1];
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${key}${why ? `: ${why}` : ''}`);
    }
  }
}

/** Broker dynamic values after incremental changes. */
export function incrementalBrokerConfigs(current: Readonly<Record<string, string>>, changes: readonly IncrementalChange[]): Record<string, string> {
  const next = applyIncremental(
    current,
    changes,
    (name) => brokerConfigDef(name)?.type,
    (name) => brokerConfigDef(name)?.defaultValue ?? null,
  );
  validateDynamicBrokerConfigs(next);
  return next;
}
