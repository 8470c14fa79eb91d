/**
 * Applies config changes to a resource for AlterConfigs and IncrementalAlterConfigs:
 * TOPIC changes are persisted by storage and pushed to the partition logs at once; BROKER
 * changes (this node id, or "" for the cluster-wide default) are kept in the dynamic
 * config store and the new topic defaults pushed to every log. validate_only stops after
 * the checks.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerContext } from '../handler.js';
import { validateTopicName } from '../topic-validation.js';
import { apiError, type ApiError } from './api-error.js';
import { incrementalBrokerConfigs, incrementalTopicOverrides, replacementTopicOverrides, validateDynamicBrokerConfigs, type IncrementalChange } from './alter.js';
import { ConfigResourceType, resourceTypeName } from './config-types.js';
import { dynamicConfigsOf, type DynamicScope } from './dynamic-configs.js';
import { applyTopicDefaults, setTopicOverrides, topicOverrides } from './topic-configs.js';

export interface ResourceRef {
  resourceType: number;
  resourceName: string;
}

/** What a change computes: the new values of the resource, not yet applied. */
type Change =
  | { kind: 'topic'; topic: string; overrides: Record<string, string> }
  | { kind: 'broker'; scope: DynamicScope; values: Record<string, string> };

function brokerScope(name: string, broker: BrokerContext): DynamicScope {
  if (name === '') return 'cluster';
  if (!/^-?\d+$/.test(name.trim())) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (Number(name.trim()) === broker.nodeId) return 'broker';
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
}

function checkTopic(name: string, broker: BrokerContext): void {
  validateTopicName(name);
  if (!broker.metadata.topic(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
}

function unsupportedType(type: number): never {
  if (type === ConfigResourceType.BROKER_LOGGER) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'kts has no runtime-adjustable loggers (BROKER_LOGGER resources are not supported).');
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceTypeName(type)}`);
}

/** AlterConfigs: the given configs replace the resource's whole set. */
export function replacementChange(resource: ResourceRef, configs: ReadonlyArray<{ name: string; value: string | null }>, broker: BrokerContext): Change {
  if (resource.resourceType === ConfigResourceType.TOPIC) {
    checkTopic(resource.resourceName, broker);
    return { kind: 'topic', topic: resource.resourceName, overrides: replacementTopicOverrides(configs) };
  }
  if (resource.resourceType === ConfigResourceType.BROKER) {
    const scope = brokerScope(resource.resourceName, broker);
    const values: Record<string, string> = {};
    for (const c of configs) if (c.value !== null) values[c.name] = c.value;
    validateDynamicBrokerConfigs(values);
    return { kind: 'broker', scope, values };
  }
  return unsupportedType(resource.resourceType);
}

/** IncrementalAlterConfigs: operations over the resource's current values. */
export function incrementalChange(resource: ResourceRef, changes: readonly IncrementalChange[], broker: BrokerContext): Change {
  if (resource.resourceType === ConfigResourceType.TOPIC) {
    checkTopic(resource.resourceName, broker);
    const overrides = incrementalTopicOverrides(topicOverrides(broker, resource.resourceName), changes);
    return { kind: 'topic', topic: resource.resourceName, overrides };
  }
  if (resource.resourceType === ConfigResourceType.BROKER) {
    const scope = brokerScope(resource.resourceName, broker);
    const values = incrementalBrokerConfigs(dynamicConfigsOf(broker).values(scope), changes);
    return { kind: 'broker', scope, values };
  }
  return unsupportedType(resource.resourceType);
}

/** Apply a computed change (after every check passed). */
export async function applyChange(change: Change, broker: BrokerContext): Promise<void> {
  if (change.kind === 'topic') {
    await setTopicOverrides(broker, change.topic, change.overrides);
    broker.log.info(`Updated configs of topic ${change.topic}: ${JSON.stringify(change.overrides)}`);
    return;
  }
  if (broker.clusterBrokerConfigs) await broker.clusterBrokerConfigs.set(change.scope, change.values);
  else dynamicConfigsOf(broker).replace(change.scope, change.values);
  applyTopicDefaults(broker);
  const what = change.scope === 'cluster' ? 'cluster-wide default' : `broker ${broker.nodeId}`;
  broker.log.info(`Updated dynamic configs of ${what}: ${JSON.stringify(change.values)}`);
}

/**
 * At broker start: apply the dynamic broker configs persisted by an earlier run (the topic
 * defaults set through AlterConfigs), so logs run with them before any admin request.
 */
export function restoreDynamicBrokerConfigs(broker: BrokerContext): void {
  const store = dynamicConfigsOf(broker);
  if (store.isEmpty) return;
  const stored = Object.keys(store.values('broker')).length + Object.keys(store.values('cluster')).length;
  broker.log.info(`Applied ${stored} dynamic broker config(s) from ${broker.config.logDirs[0] ?? 'the log dir'}`);
}

const KNOWN_RESOURCE_TYPES: ReadonlySet<number> = new Set(Object.values(ConfigResourceType).filter((t) => t !== ConfigResourceType.UNKNOWN));

/**
 * Kafka's first pass over an alter request: a resource type it does not know is
 * UNSUPPORTED_VERSION, a resource named twice is INVALID_REQUEST "Duplicate resource." (once,
 * and none of its changes apply). The rest is processed in request order.
 */
export function screenResources<R extends ResourceRef>(resources: readonly R[]): Array<{ resource: R; error: ApiError | null }> {
  const key = (r: ResourceRef) => `${r.resourceType}:${r.resourceName}`;
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const reported = new Set<string>();
  const out: Array<{ resource: R; error: ApiError | null }> = [];
  for (const r of resources) {
    if (!KNOWN_RESOURCE_TYPES.has(r.resourceType)) {
      out.push({ resource: r, error: apiError(ErrorCode.UNSUPPORTED_VERSION, `Unknown resource type ${r.resourceType}.`) });
    } else if ((counts.get(key(r)) ?? 0) > 1) {
      if (!reported.has(key(r))) out.push({ resource: r, error: apiError(ErrorCode.INVALID_REQUEST, 'Duplicate resource.') });
      reported.add(key(r));
    } else {
      out.push({ resource: r, error: null });
    }
  }
  return out;
}
