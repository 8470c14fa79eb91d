/**
 * Entity configs of a cluster (Kafka's DynamicConfigManager): topic overrides live in
 * `/config/topics/T`, dynamic broker configs in `/config/brokers/<id>` and the cluster-wide
 * default in `/config/brokers/<default>`. Each broker reads them at start and again on every
 * `/config/changes` notification, so a change made through any broker (or Kafka's
 * `kafka-configs.sh --zookeeper`) reaches all of them; writes go to ZooKeeper first.
 */
import type { KafkaZkClient } from '../../zk/index.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import type { BrokerContext } from '../handler.js';
import { applyTopicDefaults, applyTopicOverridesLocally } from './topic-configs.js';
import { dynamicConfigsOf, type DynamicScope } from './dynamic-configs.js';
import { validateDynamicBrokerConfigs } from './alter.js';

/** Kafka's entity name of the cluster-wide broker default. */
export const DEFAULT_BROKER_ENTITY = '<default>';

export async function startConfigSync(zk: KafkaZkClient, context: BrokerContext, log: Logger): Promise<void> {
  const refreshTopic = await startTopicConfigSync(zk, context);
  const refreshBroker = await startBrokerConfigSync(zk, context, log);
  zk.watchConfigChanges((type, name) => {
    const work = type === 'topics' ? refreshTopic(name) : type === 'brokers' ? refreshBroker(name) : null;
    work?.catch((err: unknown) => log.warn(`Applying the config change of ${type}/${name} failed: ${errorMessage(err)}`));
  });
}

/**
 * Topic overrides: read at start, applied to the logs this broker hosts on each change. When
 * unclean leader election gets enabled on a topic, the active controller elects leaders for its
 * offline partitions (as Kafka 2.7+ does).
 */
async function startTopicConfigSync(zk: KafkaZkClient, context: BrokerContext): Promise<(topic: string) => Promise<void>> {
  const configs = new Map<string, Record<string, string>>();
  for (const topic of await zk.getEntityNames('topics')) configs.set(topic, await zk.getEntityConfig('topics', topic));
  context.clusterTopicConfigs = {
    overrides: (topic) => ({ ...(configs.get(topic) ?? {}) }),
    remember: (topic, overrides) => void configs.set(topic, { ...overrides }),
    async set(topic, overrides) {
      await zk.setEntityConfig('topics', topic, overrides);
      configs.set(topic, { ...overrides });
      applyTopicOverridesLocally(context, topic, overrides);
    },
  };
  return async (topic) => {
    const overrides = await zk.getEntityConfig('topics', topic);
    configs.set(topic, overrides);
    applyTopicOverridesLocally(context, topic, overrides);
    if (overrides['unclean.leader.election.enable'] === 'true' && context.controller?.isActive()) {
      const offline = (context.metadataCache.topicPartitions(topic) ?? []).filter((p) => p.leader < 0 || !context.metadataCache.aliveBroker(p.leader));
      if (offline.length > 0) await context.controller.electLeaders(UNCLEAN_ELECTION, offline.map((p) => ({ topic, partition: p.partition })));
    }
  };
}

const UNCLEAN_ELECTION = 1;

/**
 * Dynamic broker configs: ZooKeeper is the source of truth in a cluster; the local store
 * (the data dir file of single-node mode) mirrors it so describe and the throttles read
 * one place. Values kts cannot apply at runtime (set by Kafka's tools for a key kts keeps
 * static) are logged and skipped, never half-applied.
 */
async function startBrokerConfigSync(zk: KafkaZkClient, context: BrokerContext, log: Logger): Promise<(name: string) => Promise<void>> {
  const store = dynamicConfigsOf(context);
  const entityOf = (scope: DynamicScope): string => (scope === 'cluster' ? DEFAULT_BROKER_ENTITY : String(context.nodeId));
  const adopt = (scope: DynamicScope, values: Record<string, string>): void => {
    const usable = usableBrokerConfigs(values, (key, why) => log.warn(`Ignoring dynamic broker config ${key} of ${entityOf(scope)} in ZooKeeper: ${why}`));
    store.replace(scope, usable);
  };
  for (const scope of ['cluster', 'broker'] as const) adopt(scope, await zk.getEntityConfig('brokers', entityOf(scope)));
  applyTopicDefaults(context);
  context.clusterBrokerConfigs = {
    async set(scope, values) {
      await zk.setEntityConfig('brokers', entityOf(scope), values);
      store.replace(scope, values);
    },
  };
  return async (name) => {
    const scope: DynamicScope | null = name === DEFAULT_BROKER_ENTITY ? 'cluster' : name === String(context.nodeId) ? 'broker' : null;
    if (scope === null) return;
    adopt(scope, await zk.getEntityConfig('brokers', name));
    applyTopicDefaults(context);
    log.info(`Applied dynamic broker configs of ${name === DEFAULT_BROKER_ENTITY ? 'the cluster-wide default' : `broker ${name}`} from ZooKeeper`);
  };
}

function usableBrokerConfigs(values: Record<string, string>, skip: (key: string, why: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    try {
      validateDynamicBrokerConfigs({ [key]: value });
      out[key] = value;
    } catch (err) {
      skip(key, errorMessage(err));
    }
  }
  return out;
}
