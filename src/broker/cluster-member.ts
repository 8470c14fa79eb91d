/**
 * What makes a broker a member of a ZooKeeper-coordinated cluster (Kafka's ZooKeeper mode),
 * next to the single-node broker: the ZooKeeper session, the cluster id check against
 * meta.properties, the broker's registration in /brokers/ids, the ISR writes and
 * isr_change notifications of the partitions it leads, topic admin through ZooKeeper, and
 * controlled shutdown. broker.ts wires these in when `zookeeper.connect` is set.
 */
import { randomKafkaUuid, readMetaProperties } from '../storage/meta-properties.js';
import { KafkaZkClient, ZkSessionExpiredError, checkClusterId, type BrokerRegistration, type TopicPartition } from '../zk/index.js';
import { ApiKey } from '../protocol/apis.js';
import { ErrorCode } from '../protocol/errors.js';
import { connectToBroker, type ConnectionSecurity } from '../net/broker-connect.js';
import { interBrokerSecurity } from './auth/inter-broker.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { join } from 'node:path';
import type { BrokerConfig } from './config.js';
import type { BrokerContext, ListenerEndpoint } from './handler.js';
import { startConfigSync } from './configs/zk-config-sync.js';
import type { ReplicaManager } from './replica/replica-manager.js';
import { interBrokerListenerName } from './replica/replication-config.js';
import { createController } from '../controller/broker-controller.js';
import type { IsrWriter } from './replica/partition.js';
import type { TopicAdminZk } from './metadata/cluster-image.js';

export interface ClusterSettings {
  connect: string;
  sessionTimeoutMs: number;
  maxInFlightRequests: number;
  connectionTimeoutMs: number;
  controlledShutdownEnable: boolean;
  controlledShutdownMaxRetries: number;
  controlledShutdownRetryBackoffMs: number;
  rack: string | undefined;
}

function int(raw: Record<string, string>, key: string, fallback: number): number {
  const v = raw[key]?.trim();
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

/** The cluster keys of server.properties with Kafka's defaults, or undefined without `zookeeper.connect`. */
export function clusterSettingsOf(config: BrokerConfig): ClusterSettings | undefined {
  const raw = config.raw;
  const connect = raw['zookeeper.connect']?.trim();
  if (!connect) return undefined;
  const sessionTimeoutMs = int(raw, 'zookeeper.session.timeout.ms', 18_000);
  return {
    connect,
    sessionTimeoutMs,
    maxInFlightRequests: int(raw, 'zookeeper.max.in.flight.requests', 10),
    connectionTimeoutMs: int(raw, 'zookeeper.connection.timeout.ms', sessionTimeoutMs),
    controlledShutdownEnable: (raw['controlled.shutdown.enable']?.trim() ?? 'true') !== 'false',
    controlledShutdownMaxRetries: int(raw, 'controlled.shutdown.max.retries', 3),
    controlledShutdownRetryBackoffMs: int(raw, 'controlled.shutdown.retry.backoff.ms', 5000),
    rack: raw['broker.rack']?.trim() || undefined,
  };
}

/**
 * Connects to ZooKeeper, creates Kafka's top-level paths and settles the cluster id: the one
 * in ZooKeeper (created from meta.properties' or a new one by the first broker), which must
 * match meta.properties of every log dir.
 */
export async function joinZooKeeper(settings: ClusterSettings, config: BrokerConfig, log: Logger): Promise<{ zk: KafkaZkClient; clusterId: string }> {
  const zk = await KafkaZkClient.connect({ ...settings, log });
  try {
    return await retryOnSessionLoss('joining the cluster', log, async () => {
      await zk.createTopLevelPaths();
      const metas = config.logDirs.map((dir) => ({ dir, meta: readMetaProperties(dir) }));
      // Kafka before 2.x wrote meta.properties version 0 without cluster.id: no id is no mismatch.
      const idOf = (m: (typeof metas)[number]): string | undefined => m.meta?.clusterId || undefined;
      const known = metas.map(idOf).find((id) => id !== undefined);
      const clusterId = await zk.getOrCreateClusterId(known ?? config.clusterId ?? randomKafkaUuid());
      for (const m of metas) checkClusterId(clusterId, idOf(m), join(m.dir, 'meta.properties'), settings.connect);
      if (config.nodeId === -1) config.nodeId = await generatedBrokerId(zk, config, metas.map((m) => m.meta?.nodeId), log);
      return { zk, clusterId };
    });
  } catch (err) {
    await zk.close().catch(() => undefined);
    throw err;
  }
}

/**
 * broker.id=-1 (broker.id.generation.enable): the id a log dir's meta.properties already
 * holds, else a new one above reserved.broker.max.id from /brokers/seqid, as Kafka does.
 */
async function generatedBrokerId(zk: KafkaZkClient, config: BrokerConfig, stored: Array<number | undefined>, log: Logger): Promise<number> {
  const known = stored.find((id) => id !== undefined);
  if (known !== undefined) return known;
  const id = await zk.generateBrokerId(Number(config.raw['reserved.broker.max.id']?.trim() ?? '1000'));
  log.info(`Generated broker id ${id} from ZooKeeper's /brokers/seqid (broker.id.generation.enable)`);
  return id;
}

export function brokerRegistrationOf(nodeId: number, advertised: readonly ListenerEndpoint[], rack: string | undefined): BrokerRegistration {
  return {
    id: nodeId,
    endpoints: advertised.map((l) => ({ listenerName: l.name, securityProtocol: l.securityProtocol ?? 'PLAINTEXT', host: l.host, port: l.port })),
    rack,
  };
}

const ISR_WRITE_TIMEOUT_MS = 10_000;
const STARTUP_SESSION_ATTEMPTS = 5;

/**
 * A ZooKeeper step of startup, run again when the session is lost under it: a busy machine
 * can stall the process past the session timeout (loading logs, a swapping host). The client
 * opens a new session by itself and every step here is idempotent on it.
 */
async function retryOnSessionLoss<T>(what: string, log: Logger, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof ZkSessionExpiredError) || attempt >= STARTUP_SESSION_ATTEMPTS) throw err;
      log.warn(`ZooKeeper session lost while ${what}; trying again on a new session (attempt ${attempt + 1} of ${STARTUP_SESSION_ATTEMPTS})`);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The leader's ISR writes: compare-and-set on the state znode, then (batched, as Kafka's
 * maybePropagateIsrChanges does) one isr_change_ notification for the controller.
 */
export function zkIsrWriter(zk: KafkaZkClient, log: Logger, batchMs = 500): IsrWriter & { close(): void } {
  const changed = new Map<string, TopicPartition>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const tps = [...changed.values()];
    changed.clear();
    zk.propagateIsrChanges(tps).catch((err: unknown) => log.warn(`Could not write the ISR change notification for ${tps.length} partition(s): ${errorMessage(err)}`));
  };
  return {
    async writeIsr(topic, partition, state, expectedZkVersion) {
      try {
        // A write stuck in a lost session must not hold the partition's ISR changes forever.
        const write = zk.updatePartitionStates([{ tp: { topic, partition }, state, expectedZkVersion }]);
        const results = await Promise.race([write, delay(ISR_WRITE_TIMEOUT_MS).then(() => undefined)]);
        if (!results) {
          log.warn(`Updating the ISR of ${topic}-${partition} in ZooKeeper did not finish within ${ISR_WRITE_TIMEOUT_MS} ms; will retry`);
          return undefined;
        }
        const r = [...results.values()][0];
        if (r && 'zkVersion' in r) return r.zkVersion;
        log.info(`Cached zkVersion ${expectedZkVersion} of ${topic}-${partition} is not the one in ZooKeeper (${r?.error ?? 'no result'}): skip updating ISR to [${state.isr.join(',')}]`);
        return undefined;
      } catch (err) {
        log.warn(`Updating the ISR of ${topic}-${partition} in ZooKeeper failed: ${errorMessage(err)}`);
        return undefined;
      }
    },
    recordIsrChange(topic, partition) {
      changed.set(`${topic}-${partition}`, { topic, partition });
      timer ??= setTimeout(flush, batchMs);
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (changed.size > 0) flush();
    },
  };
}

/** The zk calls the cluster metadata image makes, over KafkaZkClient. */
export function topicAdminOf(zk: KafkaZkClient): TopicAdminZk {
  return {
    createTopic: (topic, assignment, config) => zk.createTopic(topic, assignment, config),
    async getReplicaAssignment(topics) {
      const found = await zk.getReplicaAssignment(topics);
      return new Map([...found].map(([t, z]) => [t, { partitions: z.assignment, zkVersion: z.zkVersion }]));
    },
    setReplicaAssignment: (topic, assignment, expectedVersion) => zk.setReplicaAssignment(topic, assignment, expectedVersion),
    createTopicDeletion: (topic) => zk.createTopicDeletion(topic),
    getEntityConfig: (type, name) => zk.getEntityConfig(type, name),
  };
}

/**
 * Kafka's controlled shutdown (KafkaServer.controlledShutdown): ask the active controller to
 * move this broker's leaderships away, retrying while partitions remain, up to
 * `controlled.shutdown.max.retries` times. Returns true when the controller said it is done.
 */
export async function controlledShutdown(
  zk: KafkaZkClient,
  settings: ClusterSettings,
  brokerId: number,
  brokerEpoch: number,
  listenerName: string,
  log: Logger,
  security: ConnectionSecurity = {},
): Promise<boolean> {
  for (let attempt = 1; attempt <= Math.max(1, settings.controlledShutdownMaxRetries); attempt++) {
    try {
      const controllerId = await zk.getControllerId();
      const controller = controllerId === undefined ? undefined : await zk.getBroker(controllerId);
      const endpoint = controller?.endpoints.find((e) => e.listenerName === listenerName) ?? controller?.endpoints[0];
      if (!endpoint) throw new Error('no active controller is registered');
      const conn = await connectToBroker(endpoint.host, endpoint.port, `kts-controlled-shutdown-${brokerId}`, 30_000, security);
      const channel = conn.channel;
      try {
        const { body } = await conn.call(ApiKey.ControlledShutdown, () => ({ brokerId, brokerEpoch }), { minVersion: 1 });
        if (body.errorCode === ErrorCode.NONE && body.remainingPartitions.length === 0) {
          log.info(`[KtsServer id=${brokerId}] Controlled shutdown succeeded`);
          return true;
        }
        log.warn(`[KtsServer id=${brokerId}] Controlled shutdown attempt ${attempt}: error code ${body.errorCode}, ${body.remainingPartitions.length} partition(s) still led here`);
      } finally {
        channel.close();
      }
    } catch (err) {
      log.warn(`[KtsServer id=${brokerId}] Controlled shutdown attempt ${attempt} failed: ${errorMessage(err)}`);
    }
    if (attempt < settings.controlledShutdownMaxRetries) await new Promise((r) => setTimeout(r, settings.controlledShutdownRetryBackoffMs));
  }
  log.warn(`[KtsServer id=${brokerId}] Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed`);
  return false;
}

export interface ClusterMemberOptions {
  settings: ClusterSettings;
  zk: KafkaZkClient;
  config: BrokerConfig;
  advertised: readonly ListenerEndpoint[];
  replicaManager: ReplicaManager;
  context: BrokerContext;
  log: Logger;
}

export interface RunningClusterMember {
  readonly brokerEpoch: number;
  /** Ask the controller to move leaderships away (when controlled.shutdown.enable). */
  controlledShutdown(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Joins the cluster once the listeners are bound: registers /brokers/ids/N (refused when
 * another live broker holds the id), starts the ISR checks and this broker's controller
 * (which becomes active if it wins /controller). A new ZooKeeper session re-registers.
 */
export async function startClusterMember(opts: ClusterMemberOptions): Promise<RunningClusterMember> {
  const { zk, config, log } = opts;
  const registration = brokerRegistrationOf(config.nodeId, opts.advertised, opts.settings.rack);
  let brokerEpoch = Number(await retryOnSessionLoss('registering in /brokers/ids', log, () => zk.registerBroker(registration)));
  opts.replicaManager.startup();
  const controller = createController({ config, brokerId: config.nodeId, brokerEpoch, zk, log, interBrokerListenerName: interBrokerListenerName(config) });
  opts.context.controller = controller;
  zk.onSessionExpired(() => {
    opts.replicaManager.canGuaranteeAcks = false;
    log.warn(`[KtsServer id=${config.nodeId}] ZooKeeper session lost: refusing acks=all writes until a new session`);
  });
  zk.onNewSession(() => {
    opts.replicaManager.canGuaranteeAcks = true;
    zk.registerBroker(registration)
      .then((epoch) => {
        brokerEpoch = Number(epoch);
        log.info(`[KtsServer id=${config.nodeId}] Re-registered in ZooKeeper after a new session (broker epoch ${brokerEpoch})`);
      })
      .catch((err: unknown) => log.error(`[KtsServer id=${config.nodeId}] Re-registration in ZooKeeper failed: ${errorMessage(err)}`));
  });
  await retryOnSessionLoss('reading /config', log, () => startConfigSync(zk, opts.context, log));
  await controller.startup();
  let shutDown = false;
  return {
    get brokerEpoch() {
      return brokerEpoch;
    },
    async controlledShutdown() {
      if (shutDown || !opts.settings.controlledShutdownEnable) return;
      shutDown = true;
      await opts.replicaManager.beginControlledShutdown();
      await controlledShutdown(zk, opts.settings, config.nodeId, brokerEpoch, interBrokerListenerName(config), log, interBrokerSecurity(config, interBrokerListenerName(config)));
    },
    async stop() {
      await controller.shutdown();
    },
  };
}

