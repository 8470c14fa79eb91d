/**
 * Broker configuration: server.properties (Java properties syntax) plus `--override k=v`,
 * validated against a table of every key kts knows. Keys fall in four groups:
 * - used: kts acts on them (listeners, log.dirs, node.id, num.partitions, ...);
 * - topic defaults: broker synonyms of topic configs (`log.retention.ms`, `log.segment.bytes`,
 *   `message.max.bytes`, ...), validated with storage's topic config table and handed to the
 *   LogManager as defaults;
 * - parsed for later: coordinator settings (`offsets.*`, `transaction.*`, `group.*`) kept
 *   typed for the coordinators;
 * - no effect: JVM / ZooKeeper / thread-pool tuning, accepted with one warning line.
 * Unknown keys and bad values stop startup with a message naming the key, the allowed
 * values, and the closest known key.
 */
import { closest } from '../util/closest.js';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { KtsError, errorMessage } from '../util/errors.js';
import { validateConnectString } from '../zk/zookeeper-client.js';
import { KafkaError } from '../protocol/errors.js';
import { TOPIC_CONFIGS, parseConfigValue, type TopicConfigDef } from '../storage/log-config.js';
import type { ListenerEndpoint } from './handler.js';
import type { PropertyEntry } from './properties.js';
import { buildListenerSecurity, type ListenerSecurity } from './auth/listener-security.js';
import { defaultOpenFilesMax } from '../storage/file-cache.js';
import { descriptorLimit } from '../util/descriptor-limit.js';

export const DEFAULT_MAX_BROKER_PARTITIONS = 20_000;
/** 100 MiB: the bytes in flight of every connection together (Kafka's default, -1, is unbounded). */
export const DEFAULT_QUEUED_MAX_REQUEST_BYTES = 100 * 1024 * 1024;


export interface BrokerConfig {
  /** -1 in cluster mode when the id is to be generated from ZooKeeper (broker.id.generation.enable). */
  nodeId: number;
  processRoles: string[];
  /** Listeners this broker binds (controller listeners excluded: kts has no separate quorum). */
  listeners: ListenerEndpoint[];
  /** What Metadata returns to clients; port 0 is replaced by the bound port at startup. */
  advertisedListeners: ListenerEndpoint[];
  controllerListenerNames: string[];
  logDirs: string[];
  clusterId: string | undefined;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  messageMaxBytes: number;
  socketRequestMaxBytes: number;
  /** Upper bound on one fetch response, whatever the client asks (Kafka's fetch.max.bytes). */
  fetchMaxBytes: number;
  connectionsMaxIdleMs: number;
  maxConnections: number;
  queuedMaxRequests: number;
  /** Bytes of requests read and responses not yet sent, across every connection (Kafka's queued.max.request.bytes). */
  queuedMaxRequestBytes: number;
  /** Partitions this broker may hold across every topic (KIP-578's max.broker.partitions). */
  maxBrokerPartitions: number;
  /** Segment and index descriptors open at most (kts's bounded descriptor cache). */
  logOpenFilesMax: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  logRetentionCheckIntervalMs: number;
  logFlushOffsetCheckpointIntervalMs: number;
  producerIdExpirationMs: number;
  offsetsTopicNumPartitions: number;
  /** Cluster mode: replicas of `__consumer_offsets` (single-node mode uses 1). */
  offsetsTopicReplicationFactor: number;
  /** How long an offset commit waits for the ISR (acks=all) before COORDINATOR_NOT_AVAILABLE. */
  offsetsCommitTimeoutMs: number;
  offsetsRetentionMinutes: number;
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  transactionStateLogNumPartitions: number;
  /** Cluster mode: replicas of `__transaction_state` and its min.insync.replicas. */
  transactionStateLogReplicationFactor: number;
  transactionStateLogMinIsr: number;
  /** Broker-level defaults for topic configs, by topic config name (`retention.ms`). */
  topicDefaults: Record<string, string>;
  /** TLS and SASL settings of each listener, by listener name. */
  listenerSecurity: Map<string, ListenerSecurity>;
  /** The ACL authorizer, when authorizer.class.name names one; undefined: every request allowed. */
  authorizer: AuthorizerConfig | undefined;
  /** Every key as given (file then overrides), after validation. */
  raw: Record<string, string>;
  /** One line each, printed once at startup (no-effect keys, noted keys). */
  warnings: string[];
}

export interface AuthorizerConfig {
  className: string;
  /** Principals allowed everything (`User:admin`). */
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
}

/** Kafka's authorizer class names (ZooKeeper-era and KRaft); kts serves them with one ACL authorizer. */
export const AUTHORIZER_CLASSES = [
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
] as const;

type Kind = 'int' | 'long' | 'boolean' | 'string' | 'list';

interface KeyDef {
  name: string;
  kind: Kind;
  min?: number;
  validValues?: readonly string[];
  /** noEffect: accepted with a warning; noted: accepted, an info note. */
  effect: 'used' | 'parsed' | 'noEffect' | 'noted';
  note?: string;
}

const used = (name: string, kind: Kind, extra: Partial<KeyDef> = {}): KeyDef => ({ name, kind, effect: 'used', ...extra });
const parsed = (name: string, kind: Kind, extra: Partial<KeyDef> = {}): KeyDef => ({ name, kind, effect: 'parsed', ...extra });
const noEffect = (name: string, note = 'it only tunes the JVM broker'): KeyDef => ({ name, kind: 'string', effect: 'noEffect', note });

const BROKER_KEYS: readonly KeyDef[] = [
  used('listeners', 'list'),
  used('advertised.listeners', 'list'),
  used('listener.security.protocol.map', 'list'),
  used('inter.broker.listener.name', 'string'),
  used('controller.listener.names', 'list'),
  { name: 'controller.quorum.voters', kind: 'list', effect: 'noted', note: 'kts runs one node; the quorum is this process' },
  { name: 'controller.quorum.bootstrap.servers', kind: 'list', effect: 'noted', note: 'kts runs one node; the quorum is this process' },
  used('process.roles', 'list', { validValues: ['broker', 'controller'] }),
  used('node.id', 'int', { min: 0 }),
  // -1: generated from ZooKeeper (broker.id.generation.enable); checked in resolveNodeId.
  used('broker.id', 'int', { min: -1 }),
  used('log.dirs', 'list'),
  used('log.dir', 'string'),
  { name: 'metadata.log.dir', kind: 'string', effect: 'noted', note: 'kts keeps topic metadata in the first log dir' },
  used('cluster.id', 'string'),
  used('num.partitions', 'int', { min: 1 }),
  used('default.replication.factor', 'int', { min: 1 }),
  used('auto.create.topics.enable', 'boolean'),
  used('delete.topic.enable', 'boolean'),
  used('socket.request.max.bytes', 'int', { min: 1 }),
  used('fetch.max.bytes', 'int', { min: 1024 }),
  used('connections.max.idle.ms', 'long'),
  used('max.connections', 'int', { min: 0 }),
  used('queued.max.requests', 'int', { min: 1 }),
  used('queued.max.request.bytes', 'long'),
  used('max.broker.partitions', 'int', { min: 1 }),
  used('log.open.files.max', 'int', { min: 16 }),
  used('log.retention.check.interval.ms', 'long', { min: 1 }),
  used('log.retention.hours', 'int'),
  used('log.retention.minutes', 'int'),
  used('log.roll.hours', 'int', { min: 1 }),
  used('log.roll.jitter.hours', 'int', { min: 0 }),
  used('log.flush.offset.checkpoint.interval.ms', 'int', { min: 0 }),
  used('log.flush.scheduler.interval.ms', 'long'),
  used('log.flush.start.offset.checkpoint.interval.ms', 'int', { min: 0 }),
  used('log.flush.recovery.point.checkpoint.interval.ms', 'int', { min: 0 }),
  used('producer.id.expiration.ms', 'int', { min: 1 }),
  used('producer.id.expiration.check.interval.ms', 'int', { min: 1 }),
  // kts's own: the Prometheus endpoint (src/broker/metrics/), e.g. http://127.0.0.1:9404.
  used('kts.metrics.listener', 'string'),
  parsed('group.initial.rebalance.delay.ms', 'int', { min: 0 }),
  parsed('group.min.session.timeout.ms', 'int'),
  parsed('group.max.session.timeout.ms', 'int'),
  parsed('group.max.size', 'int', { min: 1 }),
  parsed('group.coordinator.rebalance.protocols', 'list', { validValues: ['classic', 'consumer', 'share', 'streams'] }),
  parsed('offsets.topic.replication.factor', 'int', { min: 1 }),
  parsed('offsets.topic.num.partitions', 'int', { min: 1 }),
  parsed('offsets.topic.segment.bytes', 'int', { min: 1 }),
  parsed('offsets.topic.compression.codec', 'int', { min: 0 }),
  parsed('offsets.retention.minutes', 'int', { min: 1 }),
  parsed('offsets.retention.check.interval.ms', 'long', { min: 1 }),
  parsed('offsets.commit.timeout.ms', 'int', { min: 1 }),
  parsed('offsets.load.buffer.size', 'int', { min: 1 }),
  parsed('offset.metadata.max.bytes', 'int'),
  parsed('transaction.state.log.replication.factor', 'int', { min: 1 }),
  parsed('transaction.state.log.min.isr', 'int', { min: 1 }),
  parsed('transaction.state.log.num.partitions', 'int', { min: 1 }),
  parsed('transaction.state.log.segment.bytes', 'int', { min: 1 }),
  parsed('transaction.max.timeout.ms', 'int', { min: 1 }),
  parsed('transactional.id.expiration.ms', 'int', { min: 1 }),
  parsed('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', { min: 1 }),
  parsed('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', { min: 1 }),
  parsed('share.coordinator.state.topic.replication.factor', 'int', { min: 1 }),
  parsed('share.coordinator.state.topic.min.isr', 'int', { min: 1 }),
  parsed('log.cleaner.enable', 'boolean'),
  parsed('log.cleaner.threads', 'int', { min: 0 }),
  parsed('log.cleaner.dedupe.buffer.size', 'long'),
  parsed('log.cleaner.backoff.ms', 'long', { min: 0 }),
  parsed('log.cleaner.io.buffer.size', 'int', { min: 0 }),
  parsed('log.cleaner.io.max.bytes.per.second', 'string'),
  parsed('log.cleaner.io.buffer.load.factor', 'string'),
  used('authorizer.class.name', 'string', { validValues: ['', ...AUTHORIZER_CLASSES] }),
  used('super.users', 'string'),
  used('allow.everyone.if.no.acl.found', 'boolean'),
  used('connections.max.reauth.ms', 'long'),
  parsed('security.inter.broker.protocol', 'string', { validValues: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] }),
  parsed('sasl.mechanism.inter.broker.protocol', 'string', { validValues: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] }),
  // Cluster mode (zookeeper.connect set): Kafka's ZooKeeper-mode keys, Kafka's defaults.
  used('zookeeper.connect', 'string'),
  used('zookeeper.session.timeout.ms', 'int', { min: 1 }),
  used('zookeeper.connection.timeout.ms', 'int', { min: 1 }),
  used('zookeeper.set.acl', 'boolean'),
  used('zookeeper.max.in.flight.requests', 'int', { min: 1 }),
  used('zookeeper.ssl.client.enable', 'boolean'),
  used('broker.id.generation.enable', 'boolean'),
  used('reserved.broker.max.id', 'int', { min: 0 }),
  used('broker.rack', 'string'),
  used('controlled.shutdown.enable', 'boolean'),
  used('controlled.shutdown.max.retries', 'int', { min: 0 }),
  used('controlled.shutdown.retry.backoff.ms', 'long', { min: 0 }),
  used('auto.leader.rebalance.enable', 'boolean'),
  used('leader.imbalance.per.broker.percentage', 'int', { min: 0 }),
  used('leader.imbalance.check.interval.seconds', 'long', { min: 1 }),
  used('replica.lag.time.max.ms', 'long', { min: 1 }),
  used('replica.fetch.max.bytes', 'int', { min: 0 }),
  used('replica.fetch.min.bytes', 'int', { min: 1 }),
  used('replica.fetch.wait.max.ms', 'int', { min: 0 }),
  used('replica.fetch.backoff.ms', 'int', { min: 0 }),
  used('replica.fetch.response.max.bytes', 'int', { min: 0 }),
  used('num.replica.fetchers', 'int', { min: 1 }),
  used('replica.high.watermark.checkpoint.interval.ms', 'long', { min: 1 }),
  used('replica.socket.timeout.ms', 'int', { min: 1 }),
  used('inter.broker.protocol.version', 'string'),
  used('controller.socket.timeout.ms', 'int', { min: 1 }),
  used('request.timeout.ms', 'int', { min: 0 }),
  used('leader.replication.throttled.rate', 'long', { min: 0 }),
  used('follower.replication.throttled.rate', 'long', { min: 0 }),
  noEffect('replica.socket.receive.buffer.bytes'),
  noEffect('num.network.threads'),
  noEffect('num.io.threads'),
  noEffect('num.recovery.threads.per.data.dir'),
  noEffect('background.threads'),
  noEffect('socket.send.buffer.bytes'),
  noEffect('socket.receive.buffer.bytes'),
  noEffect('socket.listen.backlog.size'),
  noEffect('zookeeper.sync.time.ms', 'it only tuned the old ZooKeeper consumer'),
  noEffect('log.message.format.version'),
  noEffect('metadata.log.segment.bytes', 'kts keeps topic metadata in a small file, not a metadata log'),
  noEffect('metadata.log.max.record.bytes.between.snapshots', 'kts keeps topic metadata in a small file, not a metadata log'),
  noEffect('metadata.max.retention.ms', 'kts keeps topic metadata in a small file, not a metadata log'),
  noEffect('group.share.enable', 'kts has no share groups'),
  noEffect('share.coordinator.state.topic.num.partitions', 'kts has no share groups'),
];

const BROKER_KEY_BY_NAME = new Map(BROKER_KEYS.map((k) => [k.name, k]));

/** Topic configs settable at broker level, by broker key (`log.retention.ms` → retention.ms def). */
const TOPIC_SYNONYMS = new Map<string, TopicConfigDef>(
  TOPIC_CONFIGS.filter((d) => d.brokerSynonym !== null).map((d) => [d.brokerSynonym!, d]),
);

/** The data dir used with no --data-dir / log.dirs: $KTS_DATA_DIR, else XDG data home. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.KTS_DATA_DIR) return env.KTS_DATA_DIR;
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'kts', 'data');
}

export interface BuildConfigOptions {
  /** Entries from server.properties, in file order (empty with no file). */
  fileEntries?: readonly PropertyEntry[];
  /** `--override k=v` strings, applied after the file. */
  overrides?: readonly string[];
  /** `--data-dir`: replaces log.dirs. */
  dataDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Names the file in messages. */
  source?: string;
}

function configError(message: string, hint?: string): KtsError {
  return new KtsError('KTS_CONFIG', message, hint);
}

/** Parses and validates everything; throws KtsError('KTS_CONFIG') naming the key. */
export function buildBrokerConfig(options: BuildConfigOptions = {}): BrokerConfig {
  const raw: Record<string, string> = {};
  const where: Record<string, string> = {};
  const source = options.source ?? 'server.properties';
  for (const entry of options.fileEntries ?? []) {
    raw[entry.key] = entry.value;
    where[entry.key] = `${source}:${entry.line}`;
  }
  for (const override of options.overrides ?? []) {
    const eq = override.indexOf('=');
    if (eq <= 0) throw configError(`Invalid --override "${override}": expected key=value.`, 'Example: --override num.partitions=3');
    const key = override.slice(0, eq).trim();
    raw[key] = override.slice(eq + 1);
    where[key] = '--override';
  }
  const warnings: string[] = [];
  const topicDefaults: Record<string, string> = {};
  const noEffectKeys = new Map<string, string[]>();
  for (const [key, value] of Object.entries(raw)) {
    validateKey(key, value, where[key]!, warnings, topicDefaults, noEffectKeys);
  }
  // One line per reason, however many such keys a Kafka server.properties carries.
  for (const [note, keys] of noEffectKeys) {
    warnings.push(keys.length === 1 ? `Config ${keys[0]} has no effect in kts: ${note}.` : `Configs ${keys.join(', ')} have no effect in kts: ${note}.`);
  }
  applyTimeUnitSynonyms(raw, topicDefaults);

  const int = (key: string, fallback: number): number => (raw[key] !== undefined ? Number(raw[key]!.trim()) : fallback);
  const bool = (key: string, fallback: boolean): boolean =>
    raw[key] !== undefined ? raw[key]!.trim().toLowerCase() === 'true' : fallback;

  const zookeeperConnect = checkClusterKeys(raw);
  const nodeId = resolveNodeId(raw, zookeeperConnect !== undefined);
  const processRoles = raw['process.roles'] !== undefined ? splitList(raw['process.roles']) : ['broker', 'controller'];
  if (!processRoles.includes('broker')) {
    throw configError(
      `process.roles=${raw['process.roles']} has no 'broker' role; kts serves clients, so it needs the broker role.`,
      'Use process.roles=broker,controller (or just broker) for a single kts node.',
    );
  }
  const controllerListenerNames = splitList(raw['controller.listener.names'] ?? '');
  const protocolMap = parseProtocolMap(raw['listener.security.protocol.map']);
  const allListeners = parseListeners('listeners', raw['listeners'] ?? 'PLAINTEXT://127.0.0.1:9092', protocolMap);
  const listeners = allListeners.filter((l) => !controllerListenerNames.includes(l.name));
  if (listeners.length === 0) {
    throw configError('listeners has no broker listener (every listener is a controller listener).', 'Add one, e.g. listeners=PLAINTEXT://127.0.0.1:9092');
  }
  for (const l of allListeners) {
    if (controllerListenerNames.includes(l.name)) {
      warnings.push(`Listener ${l.name}://${l.host}:${l.port} is a controller listener; kts is its own single-node quorum and does not open it.`);
    }
  }
  const advertisedListeners = resolveAdvertised(raw, listeners, protocolMap, controllerListenerNames);

  const logDirs = options.dataDir
    ? [options.dataDir]
    : raw['log.dirs'] !== undefined
      ? splitList(raw['log.dirs'])
      : raw['log.dir'] !== undefined
        ? [raw['log.dir']!.trim()]
        : [defaultDataDir(options.env ?? process.env)];
  if (logDirs.length === 0) throw configError('log.dirs is empty.', 'Give at least one directory, e.g. log.dirs=/var/lib/kts');

  const defaultReplicationFactor = int('default.replication.factor', 1);
  if (defaultReplicationFactor > 1 && zookeeperConnect === undefined) {
    throw configError(
      `default.replication.factor=${defaultReplicationFactor} cannot be met: kts runs a single broker.`,
      'Set default.replication.factor=1, or run a cluster (zookeeper.connect).',
    );
  }

  return {
    nodeId,
    processRoles,
    listeners,
    advertisedListeners,
    controllerListenerNames,
    logDirs,
    clusterId: raw['cluster.id']?.trim() || undefined,
    numPartitions: int('num.partitions', 1),
    defaultReplicationFactor,
    autoCreateTopicsEnable: bool('auto.create.topics.enable', true),
    deleteTopicEnable: bool('delete.topic.enable', true),
    messageMaxBytes: int('message.max.bytes', 1_048_588),
    socketRequestMaxBytes: int('socket.request.max.bytes', 104_857_600),
    fetchMaxBytes: int('fetch.max.bytes', 57_671_680),
    connectionsMaxIdleMs: int('connections.max.idle.ms', 600_000),
    maxConnections: int('max.connections', 2_147_483_647),
    queuedMaxRequests: int('queued.max.requests', 500),
    queuedMaxRequestBytes: queuedMaxRequestBytes(int('queued.max.request.bytes', DEFAULT_QUEUED_MAX_REQUEST_BYTES)),
    maxBrokerPartitions: int('max.broker.partitions', DEFAULT_MAX_BROKER_PARTITIONS),
    logOpenFilesMax: openFilesMax(raw['log.open.files.max']),
    groupInitialRebalanceDelayMs: int('group.initial.rebalance.delay.ms', 0),
    groupMinSessionTimeoutMs: int('group.min.session.timeout.ms', 6_000),
    groupMaxSessionTimeoutMs: int('group.max.session.timeout.ms', 1_800_000),
    logRetentionCheckIntervalMs: int('log.retention.check.interval.ms', 300_000),
    logFlushOffsetCheckpointIntervalMs: int('log.flush.offset.checkpoint.interval.ms', 60_000),
    producerIdExpirationMs: int('producer.id.expiration.ms', 86_400_000),
    offsetsTopicNumPartitions: int('offsets.topic.num.partitions', 50),
    offsetsTopicReplicationFactor: int('offsets.topic.replication.factor', 3),
    offsetsCommitTimeoutMs: int('offsets.commit.timeout.ms', 5_000),
    offsetsRetentionMinutes: int('offsets.retention.minutes', 10_080),
    transactionMaxTimeoutMs: int('transaction.max.timeout.ms', 900_000),
    transactionalIdExpirationMs: int('transactional.id.expiration.ms', 604_800_000),
    transactionStateLogNumPartitions: int('transaction.state.log.num.partitions', 50),
    transactionStateLogReplicationFactor: int('transaction.state.log.replication.factor', 3),
    transactionStateLogMinIsr: int('transaction.state.log.min.isr', 2),
    topicDefaults,
    listenerSecurity: buildListenerSecurity(raw, listeners),
    authorizer: authorizerConfig(raw),
    raw,
    warnings,
  };
}

function validateKey(
  key: string,
  value: string,
  where: string,
  warnings: string[],
  topicDefaults: Record<string, string>,
  noEffectKeys: Map<string, string[]>,
): void {
  const topicDef = TOPIC_SYNONYMS.get(key);
  if (topicDef) {
    try {
      parseConfigValue(topicDef, value);
    } catch (err) {
      const why = err instanceof KafkaError ? err.message.replace(topicDef.name, key) : String(err);
      throw configError(`${where}: ${why}`, allowedHint(topicDef.type, topicDef.validValues, topicDef.min, topicDef.max));
    }
    topicDefaults[topicDef.name] = value.trim();
    return;
  }
  const def = BROKER_KEY_BY_NAME.get(key);
  if (!def) {
    if (checkSecurityKey(key, where)) {
      const bare = key.replace(/^listener\.name\.[a-z0-9_]+\./, '');
      if (SECURITY_NO_EFFECT.has(bare)) {
        const note = "Node's TLS has no JVM security providers";
        noEffectKeys.set(note, [...(noEffectKeys.get(note) ?? []), key]);
      }
      return;
    }
    // Kafka 2.5+'s ZooKeeper TLS settings: only read when zookeeper.ssl.client.enable=true, which is refused.
    if (key.startsWith('zookeeper.ssl.') || key === 'zookeeper.clientCnxnSocket') {
      const note = 'ZooKeeper TLS is off (zookeeper.ssl.client.enable=false)';
      noEffectKeys.set(note, [...(noEffectKeys.get(note) ?? []), key]);
      return;
    }
    const suggestion = closestKey(key);
    throw configError(
      `${where}: unknown config '${key}'.`,
      suggestion ? `Did you mean '${suggestion}'?` : 'See examples/server.properties for the keys kts knows.',
    );
  }
  checkValue(def, value, where);
  if (def.effect === 'noEffect') noEffectKeys.set(def.note!, [...(noEffectKeys.get(def.note!) ?? []), key]);
  if (def.effect === 'noted') warnings.push(`Config ${key} accepted: ${def.note}.`);
}

function checkValue(def: KeyDef, value: string, where: string): void {
  const v = value.trim();
  const fail = (why: string): never => {
    throw configError(`${where}: invalid value '${value}' for ${def.name}: ${why}.`, allowedHint(def.kind, def.validValues, def.min));
  };
  if (def.kind === 'int' || def.kind === 'long') {
    if (!/^-?\d+$/.test(v)) fail(`not a number of type ${def.kind.toUpperCase()}`);
    const n = Number(v);
    if (def.kind === 'int' && (n > 2_147_483_647 || n < -2_147_483_648)) fail('out of range for INT');
    if (def.min !== undefined && n < def.min) fail(`must be at least ${def.min}`);
  } else if (def.kind === 'boolean') {
    if (!/^(true|false)$/i.test(v)) fail('expected true or false');
  } else if (def.kind === 'string' && def.validValues) {
    if (!def.validValues.includes(v)) fail(`allowed values are ${def.validValues.filter(Boolean).join(', ')}`);
  } else if (def.kind === 'list' && def.validValues) {
    for (const item of splitList(v)) {
      if (!def.validValues.includes(item)) fail(`'${item}' is not one of ${def.validValues.join(', ')}`);
    }
  }
}

function allowedHint(kind: string, validValues?: readonly string[], min?: number, max?: number): string {
  if (validValues) return `Allowed values: ${validValues.join(', ')}.`;
  if (kind === 'boolean') return 'Allowed values: true, false.';
  if (kind === 'int' || kind === 'long') {
    const range = min !== undefined ? (max !== undefined ? ` between ${min} and ${max}` : ` >= ${min}`) : '';
    return `Expected an integer${range}.`;
  }
  return `Expected a ${kind}.`;
}

/** log.retention.hours/minutes, log.roll.hours, log.roll.jitter.hours → the ms topic defaults (ms wins, as in Kafka). */
function applyTimeUnitSynonyms(raw: Record<string, string>, topicDefaults: Record<string, string>): void {
  const hour = 3_600_000;
  if (topicDefaults['retention.ms'] === undefined) {
    if (raw['log.retention.minutes'] !== undefined) {
      const m = Number(raw['log.retention.minutes']);
      topicDefaults['retention.ms'] = String(m < 0 ? -1 : m * 60_000);
    } else if (raw['log.retention.hours'] !== undefined) {
      const h = Number(raw['log.retention.hours']);
      topicDefaults['retention.ms'] = String(h < 0 ? -1 : h * hour);
    }
  }
  if (topicDefaults['segment.ms'] === undefined && raw['log.roll.hours'] !== undefined) {
    topicDefaults['segment.ms'] = String(Number(raw['log.roll.hours']) * hour);
  }
  if (topicDefaults['segment.jitter.ms'] === undefined && raw['log.roll.jitter.hours'] !== undefined) {
    topicDefaults['segment.jitter.ms'] = String(Number(raw['log.roll.jitter.hours']) * hour);
  }
}

/**
 * node.id / broker.id. In cluster mode Kafka's default is -1, "generate one": with
 * broker.id.generation.enable (default true) the id comes from ZooKeeper's /brokers/seqid,
 * above reserved.broker.max.id, so configured ids must stay at or below it.
 */
function resolveNodeId(raw: Record<string, string>, clusterMode: boolean): number {
  const node = raw['node.id']?.trim();
  const broker = raw['broker.id']?.trim();
  if (node !== undefined && broker !== undefined && node !== broker) {
    throw configError(`node.id=${node} and broker.id=${broker} disagree.`, 'Set only node.id (broker.id is its old name).');
  }
  const given = node ?? broker;
  if (!clusterMode) {
    if (given === '-1') {
      throw configError('broker.id=-1 asks for a generated id, which needs a cluster: ids are generated from ZooKeeper (/brokers/seqid).', 'Set broker.id to a number >= 0, or set zookeeper.connect.');
    }
    return Number(given ?? '1');
  }
  const generation = (raw['broker.id.generation.enable']?.trim().toLowerCase() ?? 'true') === 'true';
  const reservedMax = Number(raw['reserved.broker.max.id']?.trim() ?? '1000');
  if (given === undefined || given === '-1') {
    if (!generation) throw configError('broker.id is not set and broker.id.generation.enable=false.', 'Set broker.id, or broker.id.generation.enable=true to have one generated.');
    return -1;
  }
  const id = Number(given);
  if (generation && id > reservedMax) {
    throw configError(
      `broker.id=${id} is above reserved.broker.max.id=${reservedMax}: ids above it are generated ones.`,
      `Use a broker.id of at most ${reservedMax}, raise reserved.broker.max.id, or set broker.id.generation.enable=false.`,
    );
  }
  return id;
}

/** Cross-key checks of cluster mode; returns zookeeper.connect when set. */
function checkClusterKeys(raw: Record<string, string>): string | undefined {
  if (raw['zookeeper.set.acl']?.trim().toLowerCase() === 'true') {
    throw configError(
      'zookeeper.set.acl=true is not supported yet: Kafka secures its znodes with SASL authentication to ZooKeeper, which kts\'s ZooKeeper client cannot do.',
      'Set zookeeper.set.acl=false and protect ZooKeeper by network access instead.',
    );
  }
  if (raw['zookeeper.ssl.client.enable']?.trim().toLowerCase() === 'true') {
    throw configError(
      "zookeeper.ssl.client.enable=true is not supported yet: kts's ZooKeeper client (node-zookeeper-client) speaks plain TCP only.",
      'Set zookeeper.ssl.client.enable=false and reach ZooKeeper over a trusted network (or a TLS tunnel such as stunnel).',
    );
  }
  const ibp = raw['inter.broker.protocol.version']?.trim();
  if (ibp !== undefined && !/^(0\.(8|9|10|11)\.\d(\.\d)?|[1-3]\.\d+)(-IV\d+)?$/.test(ibp)) {
    throw configError(`invalid value '${ibp}' for inter.broker.protocol.version: not a Kafka version.`, 'Examples: 1.1, 2.8, 0.11.0, 1.0-IV0.');
  }
  const connect = raw['zookeeper.connect']?.trim();
  if (connect === undefined || connect === '') return undefined;
  try {
    validateConnectString(connect);
  } catch (err) {
    throw configError(errorMessage(err), 'Use host:port[,host:port][/chroot], e.g. zookeeper.connect=127.0.0.1:2181/kafka');
  }
  return connect;
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const KNOWN_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

function parseProtocolMap(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const protocol of KNOWN_PROTOCOLS) map.set(protocol, protocol);
  if (value === undefined) return map;
  map.clear();
  for (const item of splitList(value)) {
    const [name, protocol] = item.split(':').map((s) => s.trim());
    if (!name || !protocol || !KNOWN_PROTOCOLS.includes(protocol.toUpperCase())) {
      throw configError(
        `invalid listener.security.protocol.map entry '${item}'.`,
        `Expected LISTENER_NAME:PROTOCOL with PROTOCOL one of ${KNOWN_PROTOCOLS.join(', ')}.`,
      );
    }
    map.set(name.toUpperCase(), protocol.toUpperCase());
  }
  return map;
}

/** Parses `NAME://host:port,...` (host may be empty, [v6], or a name). */
export function parseListeners(key: string, value: string, protocolMap: Map<string, string>): ListenerEndpoint[] {
  const out: ListenerEndpoint[] = [];
  for (const item of splitList(value)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(item);
    if (!m) {
      throw configError(`invalid ${key} entry '${item}'.`, 'Expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092 (empty host = every interface).');
    }
    const name = m[1]!.toUpperCase();
    const port = Number(m[3]);
    if (port > 65535) throw configError(`invalid ${key} entry '${item}': port ${port} is above 65535.`);
    const securityProtocol = protocolMap.get(name);
    if (!securityProtocol) {
      throw configError(
        `${key} entry '${item}' uses listener name ${name}, which listener.security.protocol.map does not map.`,
        `Add ${name}:PLAINTEXT to listener.security.protocol.map.`,
      );
    }
    if (out.some((l) => l.name === name)) throw configError(`${key} names listener ${name} twice.`);
    out.push({ name, securityProtocol, host: m[2]!.replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

/** TLS and SASL keys, read per listener by auth/listener-security.ts (values checked there). */
const SECURITY_KEYS = new Set([
  'ssl.keystore.type', 'ssl.keystore.location', 'ssl.keystore.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain',
  'ssl.key.password', 'ssl.truststore.type', 'ssl.truststore.location', 'ssl.truststore.password', 'ssl.truststore.certificates',
  'ssl.client.auth', 'ssl.enabled.protocols', 'ssl.protocol', 'ssl.cipher.suites', 'ssl.endpoint.identification.algorithm',
  'ssl.principal.mapping.rules', 'sasl.enabled.mechanisms', 'sasl.jaas.config', 'connections.max.reauth.ms',
]);
/** Accepted, no effect: JVM security-provider tuning. */
const SECURITY_NO_EFFECT = new Set(['ssl.keymanager.algorithm', 'ssl.trustmanager.algorithm', 'ssl.secure.random.implementation', 'ssl.provider']);
/** Refused: plug-in classes and Kerberos. */
const SECURITY_REFUSED = /^(ssl\.engine\.factory\.class|sasl\.server\.callback\.handler\.class|sasl\.login\.callback\.handler\.class|sasl\.login\.class|principal\.builder\.class|sasl\.kerberos\..*|sasl\.oauthbearer\..*)$/;

/** True when `key` is a security key kts reads (possibly listener-prefixed); throws for refused ones. */
function checkSecurityKey(key: string, where: string): boolean {
  const m = /^listener\.name\.[a-z0-9_]+\.(.+)$/.exec(key);
  const bare = m ? m[1]!.replace(/^(plain|scram-sha-256|scram-sha-512)\.(?=sasl\.jaas\.config$)/, '') : key;
  if (SECURITY_REFUSED.test(bare)) {
    throw configError(`${where}: ${key} is not supported by kts (Java plug-in classes and Kerberos are not).`, 'Remove it; kts serves PLAIN and SCRAM with its own credential stores. See README "Not yet supported".');
  }
  if (SECURITY_NO_EFFECT.has(bare)) return true;
  if (!SECURITY_KEYS.has(bare) && !(m && bare === 'sasl.jaas.config')) {
    if (m) throw configError(`${where}: unknown listener config '${key}'.`, `Listener overrides are listener.name.<listener>.<key> with <key> one of ${[...SECURITY_KEYS].join(', ')}.`);
    return false;
  }
  return true;
}

function authorizerConfig(raw: Record<string, string>): AuthorizerConfig | undefined {
  const className = raw['authorizer.class.name']?.trim();
  if (!className) return undefined;
  const superUsers = (raw['super.users'] ?? '').split(';').map((s) => s.trim()).filter(Boolean);
  for (const u of superUsers) {
    if (!/^[^:]+:.+$/.test(u)) throw configError(`super.users: '${u}' is not a principal.`, 'Expected principals separated by semicolons, e.g. super.users=User:admin;User:ops');
  }
  return { className, superUsers, allowEveryoneIfNoAclFound: raw['allow.everyone.if.no.acl.found']?.trim().toLowerCase() === 'true' };
}

function resolveAdvertised(
  raw: Record<string, string>,
  listeners: ListenerEndpoint[],
  protocolMap: Map<string, string>,
  controllerNames: string[],
): ListenerEndpoint[] {
  const given = raw['advertised.listeners'];
  const advertised = given !== undefined
    ? parseListeners('advertised.listeners', given, protocolMap).filter((l) => !controllerNames.includes(l.name))
    : listeners.map((l) => ({ ...l, host: l.host === '' ? hostname() : l.host }));
  for (const a of advertised) {
    if (a.host === '0.0.0.0' || a.host === '::') {
      throw configError(
        `advertised listener ${a.name}://${a.host}:${a.port} is not reachable: ${a.host} means "every interface" when listening, but clients cannot connect to it.`,
        given !== undefined
          ? `Set advertised.listeners to an address clients can reach, e.g. ${a.name}://127.0.0.1:${a.port} or ${a.name}://<host name>:${a.port}.`
          : `Listening on ${a.host} is fine, but then set advertised.listeners=${a.name}://<address clients use>:${a.port}.`,
      );
    }
    if (!listeners.some((l) => l.name === a.name)) {
      throw configError(
        `advertised.listeners names ${a.name}, which is not in listeners.`,
        `Every advertised listener must be one of: ${listeners.map((l) => l.name).join(', ')}.`,
      );
    }
    if (a.host === '') a.host = hostname();
  }
  return advertised;
}

/** The known key with the smallest edit distance, if close enough to be a typo. */
export function closestKey(key: string): string | undefined {
  return closest(key, [...BROKER_KEY_BY_NAME.keys(), ...TOPIC_SYNONYMS.keys(), ...SECURITY_KEYS]);
}

/** Every key kts accepts (for docs and tests). */
export function knownBrokerKeys(): string[] {
  return [...BROKER_KEY_BY_NAME.keys(), ...TOPIC_SYNONYMS.keys(), ...SECURITY_KEYS].sort();
}

/** Kafka's -1 (no bound) is refused: the budget is what keeps slow readers from exhausting memory. */
function queuedMaxRequestBytes(n: number): number {
  if (n < 1024 * 1024) {
    throw configError(
      `queued.max.request.bytes=${n} is too small${n <= 0 ? ' (kts does not run unbounded)' : ''}: kts needs at least 1048576 bytes for the requests and responses in flight across connections.`,
      `Use the default (${DEFAULT_QUEUED_MAX_REQUEST_BYTES}) or any value of at least 1048576.`,
    );
  }
  return n;
}

/** log.open.files.max must leave descriptors for connections under the process limit (ulimit -n). */
function openFilesMax(value: string | undefined, limit = descriptorLimit()): number {
  if (value === undefined) return defaultOpenFilesMax(limit);
  const n = Number(value.trim());
  if (limit !== undefined && n > limit - 64) {
    throw configError(
      `log.open.files.max=${n} does not fit in this process's limit of ${limit} open files (ulimit -n), which must also hold connections.`,
      `Use at most ${Math.max(16, limit - 256)}, or raise the limit (ulimit -n, LimitNOFILE in systemd).`,
    );
  }
  return n;
}
