/**
 * The broker: opens the log engine on the configured log dirs, builds the context every
 * handler sees, and serves requests through one entry point, `handleFrame` — the TCP
 * server calls it for each frame, and the client's in-process transport calls exactly the
 * same function (no socket). Periodic work: retention/flush checks and checkpoints.
 * `stop()` is graceful: stop accepting, finish in-flight requests (long polls are woken),
 * flush, write checkpoints and the clean-shutdown marker, unlock, remove kts-server.json.
 */
import { resolve } from 'node:path';
import { parseTopicConfigs } from '../storage/log-config.js';
import { LogManager } from '../storage/index.js';
import { KafkaError } from '../protocol/errors.js';
import { KtsError, errorMessage } from '../util/errors.js';
import { KTS_VERSION } from '../util/version.js';
import { apiHandlers } from './apis/index.js';
import type { BrokerConfig } from './config.js';
import type { AnyApiHandler, BrokerContext, ListenerEndpoint } from './handler.js';
import { streamLogger, type Logger } from '../util/logger.js';
import { createMetadataImage } from './metadata.js';
import { defaultConnectionLimits, type ConnectionInfo } from '../net/server-connection.js';
import { RequestMemoryBudget } from '../net/memory-budget.js';
import { startNetworkServer, type BoundListener, type NetworkServer } from '../net/server.js';
import { acquireLogDirsOwnership, localSocketPath } from '../net/local-socket.js';
import { logDirLockedError, readLockHolder } from '../storage/log-dir-lock.js';
import { readAttachedLogDirs } from '../storage/attached-log-dirs.js';
import type { TlsServerSettings } from '../net/tls.js';
import { openProducerIdAllocator, zkProducerIdAllocator } from './producer-ids.js';
import { createPurgatory } from './purgatory.js';
import { createRouter } from './router.js';
import { stopGroupCoordinator } from './group/coordinator.js';
import { startTransactionCoordinator, stopTransactionCoordinator } from './txn/coordinator.js';
import { restoreDynamicBrokerConfigs } from './configs/apply.js';
import { brokerRate } from './configs/dynamic-configs.js';
import { topicOverrides } from './configs/topic-configs.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { backgroundOptionsFrom, startBackgroundWork } from './background/scheduler.js';
import type { RunningBrokerMetrics } from './metrics/index.js';
import { MetadataCache, securityProtocolId } from './metadata/metadata-cache.js';
import { createClusterMetadataImage, derivedTopicId } from './metadata/cluster-image.js';
import { partitionLimitsOf } from './partition-limits.js';
import { clusterSettingsOf, joinZooKeeper, startClusterMember, topicAdminOf, zkIsrWriter, type RunningClusterMember } from './cluster-member.js';
import { ReplicaManager } from './replica/replica-manager.js';
import { interBrokerListenerName, replicationConfigOf } from './replica/replication-config.js';
import type { IsrWriter } from './replica/partition.js';
import { openZkAclStore, type ZkAclStore } from './auth/acl-store.js';
import { checkBrokerPrincipal } from './auth/authorizer.js';
import { interBrokerPrincipal } from './auth/inter-broker.js';

export interface StartBrokerOptions {
  /** Open the TCP listeners (false: in-process only, for the client's in-process transport). */
  listen: boolean;
  log?: Logger;
  /** Handlers to serve (tests); default: every handler in apis/index.ts. */
  apis?: readonly AnyApiHandler[];
  nowMs?: () => number;
  /** Recorded in the log dir lock so a second process can name the holder. */
  command?: string;
  /** Serve the other local kts processes on the data dir's Unix socket (net/local-socket.ts). */
  localSocket?: boolean;
}

export interface Broker {
  readonly config: BrokerConfig;
  readonly context: BrokerContext;
  readonly nodeId: number;
  readonly clusterId: string;
  /** The log dirs open: log.dirs, and any attached to the first (storage/attached-log-dirs.ts). */
  readonly logDirs: readonly string[];
  /** The listeners actually bound (port 0 resolved); empty when not listening. */
  readonly boundPorts: readonly BoundListener[];
  /** Advertised endpoints as `NAME://host:port`. */
  readonly advertisedListeners: readonly string[];
  /** `http://host:port/metrics` when `kts.metrics.listener` is set. */
  readonly metricsUrl: string | undefined;
  /** A request frame (no size prefix) in; size-prefixed response chunks out, null for acks=0. */
  handleFrame(frame: Buffer, conn?: ConnectionInfo): Promise<Buffer[] | null>;
  /** Graceful stop; safe to call twice. */
  stop(): Promise<void>;
}

/** One node: the ISR is this broker and never changes, so nothing is ever written. */
const SINGLE_NODE_ISR: IsrWriter = {
  writeIsr: () => Promise.resolve(undefined),
  recordIsrChange: () => undefined,
};

const IN_PROCESS: ConnectionInfo = { connectionId: 'in-process', clientHost: 'in-process', listenerName: 'PLAINTEXT' };

export async function startBroker(config: BrokerConfig, options: StartBrokerOptions): Promise<Broker> {
  const log = options.log ?? streamLogger(process.stderr, 'KtsServer', 'WARN');
  const nowMs = options.nowMs ?? Date.now;
  const cluster = clusterSettingsOf(config);
  // Every log dir it opens, the ones attached to the first included (a reader of the data
  // dir may hold one without a .lock file).
  const ownerDirs = [...config.logDirs, ...readAttachedLogDirs(resolve(config.logDirs[0]!))];
  const acquired = await acquireLogDirsOwnership(ownerDirs);
  if ('heldDir' in acquired) throw logDirLockedError(acquired.heldDir, readLockHolder(acquired.heldDir));
  const ownership = acquired.owned;
  let session: Awaited<ReturnType<typeof joinZooKeeper>> | undefined;
  let logManager: LogManager;
  try {
    session = cluster ? await joinZooKeeper(cluster, config, log) : undefined;
    // A local command's ownership excludes every other process (on Linux): it takes `.lock`
    // with its first write, so one that only reads leaves the data dir as it was. A server
    // locks its log dirs at start, as Kafka does.
    logManager = openLogManager(config, options, nowMs, session?.clusterId, !options.listen && ownership.exclusive);
  } catch (err) {
    await session?.zk.close();
    await ownership.release();
    throw err;
  }
  for (const notice of logManager.notices) log.info(notice);
  for (const warning of logManager.warnings) log.warn(warning);

  const advertised: ListenerEndpoint[] = config.advertisedListeners.map((l) => ({ ...l }));
  const purgatory = createPurgatory();
  const metadataCache = new MetadataCache();
  const replication = replicationConfigOf(config);
  const isrWriter = session ? zkIsrWriter(session.zk, log) : undefined;
  const replicaManager = new ReplicaManager({
    localBrokerId: config.nodeId,
    logManager,
    metadataCache,
    purgatory,
    isrWriter: isrWriter ?? SINGLE_NODE_ISR,
    log,
    nowMs,
    clusterMode: session !== undefined,
    replicaLagTimeMaxMs: replication.replicaLagTimeMaxMs,
    fetcher: replication.fetcher,
    throttles: {
      topicOverrides: (topic) => topicOverrides(context, topic),
      rate: (key) => brokerRate(context, key),
    },
    topicInfo: async (topic, topicIdHint) => {
      const configs = session ? await session.zk.getEntityConfig('topics', topic) : {};
      context.clusterTopicConfigs?.remember(topic, configs);
      return { topicId: topicIdHint ?? metadataCache.topicId(topic) ?? derivedTopicId(topic), configs };
    },
  });
  const context: BrokerContext = {
    config,
    logManager,
    nodeId: config.nodeId,
    clusterId: logManager.clusterId,
    advertisedListeners: advertised,
    metadata: session
      ? createClusterMetadataImage({ nodeId: config.nodeId, cache: metadataCache, zk: topicAdminOf(session.zk), waitTimeoutMs: CLUSTER_ADMIN_WAIT_MS, onTopicCreated: (topic, configs) => context.clusterTopicConfigs?.remember(topic, configs), limits: partitionLimitsOf(config) })
      : createMetadataImage(logManager, config.nodeId),
    purgatory,
    nowMs,
    log,
    producerIds: session ? zkProducerIdAllocator(() => session.zk.allocateProducerIdBlock(config.nodeId)) : openProducerIdAllocator(logManager.logDirs[0]!),
    apis: options.apis ?? apiHandlers,
    replicaManager,
    metadataCache,
    requestMemory: new RequestMemoryBudget(config.queuedMaxRequestBytes),
    // SCRAM credentials live in /config/users in cluster mode (security, issue 16).
    ...(session ? { zkEntityConfigs: session.zk } : {}),
  };
  // Topic defaults changed through AlterConfigs in an earlier run apply before any request.
  restoreDynamicBrokerConfigs(context);
  const router = createRouter(context);
  startTransactionCoordinator(context);

  const closeOnFailure = async (): Promise<void> => {
    isrWriter?.close();
    await replicaManager.shutdown();
    logManager.close();
    await session?.zk.close();
    await ownership.release();
  };
  // Cluster mode: ACLs come from ZooKeeper, loaded before any request is authorized (security, issue 16).
  let aclStore: ZkAclStore | undefined;
  if (session && config.authorizer) {
    try {
      aclStore = await openZkAclStore(context, session.zk);
      const interBroker = interBrokerListenerName(config);
      checkBrokerPrincipal(context, interBrokerPrincipal(config, interBroker), advertised.find((l) => l.name === interBroker)?.host ?? '127.0.0.1');
    } catch (err) {
      await closeOnFailure();
      throw err;
    }
  }
  let network: NetworkServer | undefined;
  // Metrics are served before the Kafka listeners open: once clients can connect, they count.
  let metrics: RunningBrokerMetrics | undefined;
  const metricsListener = config.raw['kts.metrics.listener'];
  if (options.listen && metricsListener !== undefined && metricsListener.trim() !== '') {
    try {
      metrics = await startMetrics(context, logManager, () => network?.connectionCount ?? 0, metricsListener);
    } catch (err) {
      await closeOnFailure();
      throw err;
    }
  }
  const firstDir = logManager.logDirs[0]!;
  if (options.listen || options.localSocket) {
    try {
      network = await startNetworkServer({
        listeners: options.listen ? config.listeners : [],
        ...(options.localSocket ? { localSocket: { path: localSocketPath(firstDir), listenerName: config.listeners[0]?.name ?? 'PLAINTEXT' } } : {}),
        handleFrame: router,
        limits: {
          ...defaultConnectionLimits,
          maxRequestBytes: config.socketRequestMaxBytes,
          idleTimeoutMs: config.connectionsMaxIdleMs,
          maxInFlight: Math.min(defaultConnectionLimits.maxInFlight, config.queuedMaxRequests),
        },
        log,
        maxConnections: config.maxConnections,
        tls: tlsSettingsByListener(config),
        memoryBudget: context.requestMemory,
      });
    } catch (err) {
      await metrics?.stop();
      await closeOnFailure();
      throw err;
    }
    resolveAdvertisedPorts(advertised, network.bound);
  }
  let member: RunningClusterMember | undefined;
  if (session && cluster) {
    try {
      member = await startClusterMember({ settings: cluster, zk: session.zk, config, advertised, replicaManager, context, log });
    } catch (err) {
      await network?.stop();
      await metrics?.stop();
      await closeOnFailure();
      throw err;
    }
  } else {
    fillSingleNodeMetadata(metadataCache, config.nodeId, advertised);
  }
  const listenerUrls = advertised.map((l) => `${l.name}://${formatHost(l.host)}:${l.port}`);
  if (options.listen) {
    writeServerFile(firstDir, { pid: process.pid, nodeId: config.nodeId, listeners: listenerUrls, startedAt: new Date(nowMs()).toISOString() });
  }

  const background = startBackgroundWork(logManager, log, {
    // The high watermark is checkpointed with the other offsets, as often as
    // replica.high.watermark.checkpoint.interval.ms (Kafka's 5 s) asks when that is sooner.
    ...backgroundOptionsFrom(config.raw, config.logRetentionCheckIntervalMs, Math.min(config.logFlushOffsetCheckpointIntervalMs, Number(config.raw['replica.high.watermark.checkpoint.interval.ms'] ?? 5000)), nowMs),
    logDirMoveBytesPerSecond: () => brokerRate(context, 'replica.alter.log.dirs.io.max.bytes.per.second'),
  });
  let stopping: Promise<void> | undefined;

  const stop = async (): Promise<void> => {
    // Leaderships move away while this broker still serves (controlled shutdown).
    await member?.controlledShutdown();
    await background.stop();
    stopGroupCoordinator(context);
    stopTransactionCoordinator(context);
    purgatory.completeAll();
    await replicaManager.shutdown();
    await member?.stop();
    aclStore?.stop();
    isrWriter?.close();
    if (network) await network.stop();
    await metrics?.stop();
    try {
      await logManager.closeAsync();
    } finally {
      if (options.listen) removeServerFile(firstDir, process.pid);
      await session?.zk.close();
      // Last: the next owner may take the data dir once this process has let go of every file.
      await ownership.release();
    }
    log.info(`[KtsServer id=${config.nodeId}] shut down completed`);
  };

  // The readiness line users see is printed by `kts server-start`; this one is for debugging.
  log.debug(`[KtsServer id=${config.nodeId}] started (kts ${KTS_VERSION}) on ${listenerUrls.join(', ')}`);
  return {
    config,
    context,
    nodeId: config.nodeId,
    clusterId: logManager.clusterId,
    logDirs: logManager.logDirs,
    boundPorts: options.listen && network ? network.bound : [],
    advertisedListeners: listenerUrls,
    metricsUrl: metrics?.url,
    handleFrame: (frame, conn) => router(frame, conn ?? IN_PROCESS),
    stop: () => (stopping ??= stop()),
  };
}

/** How long CreateTopics/DeleteTopics/CreatePartitions wait for the controller to act (cluster mode). */
const CLUSTER_ADMIN_WAIT_MS = 30_000;

/** A cluster of one: this broker is the only live broker and its own controller. */
function fillSingleNodeMetadata(cache: MetadataCache, nodeId: number, advertised: readonly ListenerEndpoint[]): void {
  cache.updateMetadata({
    controllerId: nodeId,
    controllerEpoch: 0,
    liveBrokers: [{ id: nodeId, endpoints: advertised.map((l) => ({ port: l.port, host: l.host, listener: l.name, securityProtocol: securityProtocolId(l.securityProtocol ?? 'PLAINTEXT') })), rack: null }],
    topicStates: [],
  });
}

/**
 * The Prometheus endpoint (src/broker/metrics/), loaded only when configured so that other
 * commands never load prom-client. A cluster broker passes its ReplicaManager/controller
 * providers here instead of the single-node ones.
 */
async function startMetrics(context: BrokerContext, logManager: LogManager, connectionCount: () => number, listener: string): Promise<RunningBrokerMetrics> {
  const { startBrokerMetrics, singleNodeProviders, partitionStatsFrom, controllerStatsFrom, IsrChangeCounter } = await import('./metrics/index.js');
  const providers = singleNodeProviders(context, logManager, connectionCount);
  const rm = context.replicaManager;
  if (rm.clusterMode) {
    const isrChanges = new IsrChangeCounter();
    rm.onIsrChange((before, after) => isrChanges.record(before, after));
    providers.partitions = partitionStatsFrom(rm, isrChanges);
    // Cluster-wide figures from the metadata cache, reported by the active controller only (as Kafka does).
    const cache = context.metadataCache;
    const states = () => cache.topicNames().flatMap((t) => cache.topicPartitions(t) ?? []);
    providers.controller = controllerStatsFrom({
      isActive: () => context.controller?.isActive() ?? false,
      offlinePartitionCount: () => states().filter((p) => p.leader < 0 || !cache.aliveBroker(p.leader)).length,
      topicCount: () => cache.topicNames().length,
      partitionCount: () => states().length,
    });
  }
  const metrics = await startBrokerMetrics(context, providers, listener);
  context.metrics = metrics;
  return metrics;
}

function openLogManager(config: BrokerConfig, options: StartBrokerOptions, nowMs: () => number, clusterId: string | undefined, lockAtFirstWrite: boolean): LogManager {
  let defaultConfig;
  try {
    defaultConfig = parseTopicConfigs(config.topicDefaults);
  } catch (err) {
    throw new KtsError('KTS_CONFIG', `Invalid topic default in broker config: ${errorMessage(err)}`);
  }
  try {
    return LogManager.open({
      logDirs: config.logDirs,
      nodeId: config.nodeId,
      clusterId: clusterId ?? config.clusterId,
      writeMetaPropertiesAtOpen: clusterId !== undefined,
      // In a cluster the replica manager moves the high watermark (ISR); alone it follows the LEO.
      highWatermarkFollowsLeo: clusterId === undefined,
      defaultConfig,
      producerIdExpirationMs: config.producerIdExpirationMs,
      command: options.command,
      lockAtFirstWrite,
      nowMs,
      openFilesMax: config.logOpenFilesMax,
    });
  } catch (err) {
    if (err instanceof KafkaError) throw new KtsError('KTS_STORAGE', err.message);
    throw err;
  }
}

function tlsSettingsByListener(config: BrokerConfig): Map<string, TlsServerSettings> {
  const out = new Map<string, TlsServerSettings>();
  for (const [name, security] of config.listenerSecurity) if (security.tls) out.set(name, security.tls);
  return out;
}

function resolveAdvertisedPorts(advertised: ListenerEndpoint[], bound: readonly BoundListener[]): void {
  for (const a of advertised) {
    if (a.port !== 0) continue;
    const b = bound.find((x) => x.name === a.name);
    if (b) a.port = b.port;
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
