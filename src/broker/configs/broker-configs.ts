/**
 * Broker configs as DescribeConfigs reports them for a BROKER resource: the keys kts reads
 * from server.properties (and the topic-default `log.*` keys behind every topic config),
 * with Kafka's names, types and defaults, and whether kts can change them at runtime.
 *
 * Also the synonym chains of topic configs: Kafka lists, for `retention.ms`, the broker keys
 * `log.retention.ms`, `log.retention.minutes` and `log.retention.hours` in that order of
 * precedence, converting minutes/hours to milliseconds.
 */
import { TOPIC_CONFIGS } from '../../storage/log-config.js';
import type { ConfigValueType } from './config-types.js';

export interface BrokerConfigDef {
  name: string;
  type: ConfigValueType;
  /** Kafka's default as DescribeConfigs prints it; null when Kafka has none. */
  defaultValue: string | null;
  /**
   * True when kts applies a change at runtime (IncrementalAlterConfigs on the broker):
   * the defaults of topic configs, which are pushed to every log without an override.
   */
  dynamic: boolean;
  sensitive?: boolean;
  doc: string;
}

const staticDef = (name: string, type: ConfigValueType, defaultValue: string | null, doc: string): BrokerConfigDef => ({
  name,
  type,
  defaultValue,
  dynamic: false,
  doc,
});

/** A password-type key: DescribeConfigs reports it sensitive, with a null value, as Kafka does. */
const secretDef = (name: string, doc: string): BrokerConfigDef => ({ name, type: 'password', defaultValue: null, dynamic: false, sensitive: true, doc });

/** TLS, SASL and authorizer keys (read per listener by auth/listener-security.ts). */
const SECURITY_CONFIGS: readonly BrokerConfigDef[] = [
  staticDef('allow.everyone.if.no.acl.found', 'boolean', 'false', 'With an authorizer: allow a resource that has no ACL to everyone.'),
  staticDef('authorizer.class.name', 'string', '', "Kafka's authorizer class names switch the ACL authorizer on; empty: no authorization."),
  staticDef('connections.max.reauth.ms', 'long', '0', 'KIP-368: lifetime of a SASL session; the client must re-authenticate before it ends (0: never).'),
  staticDef('inter.broker.listener.name', 'string', null, 'Listener the brokers use to reach each other.'),
  staticDef('listener.security.protocol.map', 'string', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', 'Security protocol of each listener name.'),
  staticDef('sasl.enabled.mechanisms', 'list', 'GSSAPI', 'SASL mechanisms served (kts: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).'),
  secretDef('sasl.jaas.config', 'JAAS login module entry: users of PLAIN, and the broker\'s own login to other brokers.'),
  staticDef('sasl.mechanism.inter.broker.protocol', 'string', 'GSSAPI', 'SASL mechanism the brokers log in to each other with.'),
  staticDef('security.inter.broker.protocol', 'string', 'PLAINTEXT', 'Security protocol between brokers when inter.broker.listener.name is not set.'),
  staticDef('ssl.cipher.suites', 'list', '', 'Cipher suites allowed (empty: the TLS library\'s defaults).'),
  staticDef('ssl.client.auth', 'string', 'none', 'Client certificates: required, requested or none.'),
  staticDef('ssl.enabled.protocols', 'list', 'TLSv1.2,TLSv1.3', 'TLS versions allowed.'),
  staticDef('ssl.endpoint.identification.algorithm', 'string', 'https', 'https: a client checks the host name in the server certificate.'),
  secretDef('ssl.key.password', 'Password of the private key in the keystore.'),
  secretDef('ssl.keystore.certificate.chain', 'Certificate chain in PEM (ssl.keystore.type=PEM).'),
  secretDef('ssl.keystore.key', 'Private key in PEM (ssl.keystore.type=PEM).'),
  staticDef('ssl.keystore.location', 'string', null, 'Keystore file: key and certificate chain.'),
  secretDef('ssl.keystore.password', 'Password of the keystore file.'),
  staticDef('ssl.keystore.type', 'string', 'JKS', 'PEM or PKCS12 (JKS is refused with the command that converts it).'),
  staticDef('ssl.principal.mapping.rules', 'string', 'DEFAULT', 'Rules mapping a client certificate subject to a principal name.'),
  secretDef('ssl.truststore.certificates', 'Trusted certificates in PEM (ssl.truststore.type=PEM).'),
  staticDef('ssl.truststore.location', 'string', null, 'Truststore file: the trusted CA certificates.'),
  secretDef('ssl.truststore.password', 'Password of the truststore file.'),
  staticDef('ssl.truststore.type', 'string', 'JKS', 'PEM or PKCS12.'),
  staticDef('super.users', 'string', null, 'Principals every ACL check allows, separated by semicolons.'),
];

/**
 * Sensitivity of any broker key, as Kafka decides it: by the type of the key without its
 * `listener.name.<listener>.` (and `<mechanism>.` for JAAS) prefix; a key of unknown type is
 * treated as sensitive.
 */
export function isSensitiveBrokerKey(name: string): boolean {
  const base = name.replace(/^listener\.name\.[^.]+\./, '').replace(/^[a-z0-9-]+\.(sasl\.jaas\.config)$/, '$1');
  const def = brokerConfigDef(base);
  return def === undefined || def.sensitive === true;
}

/** Kafka's Long.MAX_VALUE default of the replication throttles: no throttle. */
const UNTHROTTLED = '9223372036854775807';
const throttleDef = (name: string, doc: string): BrokerConfigDef => ({ name, type: 'long', defaultValue: UNTHROTTLED, dynamic: true, doc });

/** Broker keys that are not topic-config synonyms. */
const SERVER_CONFIGS: readonly BrokerConfigDef[] = [
  staticDef('advertised.listeners', 'string', null, 'Listeners published to clients in Metadata; defaults to listeners.'),
  staticDef('auto.create.topics.enable', 'boolean', 'true', 'Create a topic when a client asks for metadata of an unknown one.'),
  staticDef('broker.id', 'int', '-1', 'Id of this broker; in KRaft mode the same as node.id.'),
  staticDef('connections.max.idle.ms', 'long', '600000', 'Close connections idle for longer than this.'),
  staticDef('controller.listener.names', 'string', null, 'Listeners used by the controller.'),
  // kts's own: where the broker serves Prometheus metrics (kts ui finds the endpoint here).
  staticDef('kts.metrics.listener', 'string', null, 'http://host:port on which the broker serves GET /metrics in Prometheus text format; off when unset.'),
  staticDef('zookeeper.connect', 'string', null, 'ZooKeeper connection string (host:port[,host:port][/chroot]) of a cluster member; unset for a single node.'),
  staticDef('default.replication.factor', 'int', '1', 'Replication factor of topics created without one.'),
  staticDef('delete.topic.enable', 'boolean', 'true', 'Whether DeleteTopics may delete topics.'),
  throttleDef('follower.replication.throttled.rate', 'Bytes per second a follower fetches for the replicas in its topics\' follower.replication.throttled.replicas (kafka-reassign-partitions.sh --throttle).'),
  staticDef('group.initial.rebalance.delay.ms', 'int', '0', "How long the coordinator waits for more members before the first rebalance (Kafka's code default is 3000; kts embeds 0, as Kafka's shipped server.properties sets)."),
  staticDef('group.max.session.timeout.ms', 'int', '1800000', 'Largest session timeout a consumer may ask for.'),
  staticDef('group.min.session.timeout.ms', 'int', '6000', 'Smallest session timeout a consumer may ask for.'),
  throttleDef('leader.replication.throttled.rate', 'Bytes per second a leader serves to followers of the replicas in its topics\' leader.replication.throttled.replicas (kafka-reassign-partitions.sh --throttle).'),
  staticDef('listeners', 'string', 'PLAINTEXT://:9092', 'Addresses the broker listens on.'),
  staticDef('log.dir', 'string', '/tmp/kafka-logs', 'Log directory, used when log.dirs is not set.'),
  staticDef('log.dirs', 'string', null, 'Comma-separated log directories.'),
  staticDef('log.retention.check.interval.ms', 'long', '300000', 'How often retention is enforced.'),
  staticDef('node.id', 'int', '-1', 'Id of this node.'),
  staticDef('num.partitions', 'int', '1', 'Partition count of topics created without one.'),
  staticDef('offsets.retention.minutes', 'int', '10080', 'How long committed offsets of empty groups are kept.'),
  staticDef('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.'),
  staticDef('offsets.topic.replication.factor', 'short', '3', 'Replication factor of __consumer_offsets (capped at the broker count).'),
  staticDef('process.roles', 'list', '', 'broker, controller, or both.'),
  staticDef('producer.id.expiration.ms', 'int', '86400000', 'How long an idle producer id is remembered.'),
  throttleDef('replica.alter.log.dirs.io.max.bytes.per.second', 'Bytes per second copied when moving replicas between this broker\'s log dirs (kafka-reassign-partitions.sh --replica-alter-log-dirs-throttle).'),
  staticDef('socket.request.max.bytes', 'int', '104857600', 'Largest request the broker accepts.'),
  staticDef('transaction.state.log.min.isr', 'int', '2', 'min.insync.replicas of __transaction_state.'),
  staticDef('transaction.state.log.num.partitions', 'int', '50', 'Partitions of __transaction_state.'),
  staticDef('transaction.state.log.replication.factor', 'short', '3', 'Replication factor of __transaction_state (capped at the broker count).'),
  staticDef('transactional.id.expiration.ms', 'int', '604800000', 'How long an idle transactional id is remembered.'),
];

/** A broker key behind a topic config; `toTopicValue` converts e.g. hours to milliseconds. */
export interface TopicSynonym {
  name: string;
  toTopicValue: (value: string) => string;
}

const same = (value: string): string => value;
const scaled =
  (factor: number) =>
  (value: string): string => {
    const n = Number(value.trim());
    return Number.isFinite(n) ? String(n * factor) : value;
  };

/** Extra unit keys Kafka has for three topic configs, lowest precedence last. */
const UNIT_SYNONYMS: Readonly<Record<string, readonly BrokerConfigDef[]>> = {
  'retention.ms': [
    { name: 'log.retention.minutes', type: 'int', defaultValue: null, dynamic: true, doc: 'Retention in minutes; used when log.retention.ms is not set.' },
    { name: 'log.retention.hours', type: 'int', defaultValue: '168', dynamic: true, doc: 'Retention in hours; used when log.retention.ms and log.retention.minutes are not set.' },
  ],
  'segment.ms': [{ name: 'log.roll.hours', type: 'int', defaultValue: '168', dynamic: true, doc: 'Segment roll time in hours; used when log.roll.ms is not set.' }],
  'segment.jitter.ms': [{ name: 'log.roll.jitter.hours', type: 'int', defaultValue: '0', dynamic: true, doc: 'Segment roll jitter in hours; used when log.roll.jitter.ms is not set.' }],
};
const UNIT_FACTORS: Readonly<Record<string, number>> = {
  'log.retention.minutes': 60_000,
  'log.retention.hours': 3_600_000,
  'log.roll.hours': 3_600_000,
  'log.roll.jitter.hours': 3_600_000,
};

/**
 * The primary `log.*` key's default: Kafka leaves it unset when a unit key supplies the
 * value (log.retention.ms, log.roll.ms, log.roll.jitter.ms) or when it falls back to another
 * key (log.flush.interval.ms).
 */
function primarySynonymDefault(topicName: string, topicDefault: string | null): string | null {
  if (UNIT_SYNONYMS[topicName] || topicName === 'flush.ms') return null;
  return topicDefault;
}

function buildSynonymDefs(): BrokerConfigDef[] {
  const out: BrokerConfigDef[] = [];
  for (const topic of TOPIC_CONFIGS) {
    if (topic.brokerSynonym === null) continue;
    out.push({
      name: topic.brokerSynonym,
      type: topic.type,
      defaultValue: primarySynonymDefault(topic.name, topic.defaultValue),
      dynamic: true,
      doc: `Broker default for the topic config ${topic.name}. ${topic.doc}`,
    });
    for (const unit of UNIT_SYNONYMS[topic.name] ?? []) out.push(unit);
  }
  return out;
}

/** Every broker config kts reports, sorted by name as Kafka's describe output is. */
export const BROKER_CONFIGS: readonly BrokerConfigDef[] = dedupe([...SERVER_CONFIGS, ...SECURITY_CONFIGS, ...buildSynonymDefs()]).sort((a, b) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
);

function dedupe(defs: BrokerConfigDef[]): BrokerConfigDef[] {
  const seen = new Map<string, BrokerConfigDef>();
  for (const d of defs) if (!seen.has(d.name)) seen.set(d.name, d);
  return [...seen.values()];
}

const BROKER_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): BrokerConfigDef | undefined {
  return BROKER_BY_NAME.get(name);
}

/** The broker keys behind a topic config, highest precedence first. */
export function topicSynonyms(topicName: string): TopicSynonym[] {
  const topic = TOPIC_CONFIGS.find((d) => d.name === topicName);
  if (!topic || topic.brokerSynonym === null) return [];
  const chain: TopicSynonym[] = [{ name: topic.brokerSynonym, toTopicValue: same }];
  for (const unit of UNIT_SYNONYMS[topicName] ?? []) {
    chain.push({ name: unit.name, toTopicValue: scaled(UNIT_FACTORS[unit.name] ?? 1) });
  }
  return chain;
}

/** The topic config a broker key is a default for (`log.retention.hours` → `retention.ms`). */
export function topicConfigForBrokerKey(brokerKey: string): string | undefined {
  for (const topic of TOPIC_CONFIGS) {
    if (topicSynonyms(topic.name).some((s) => s.name === brokerKey)) return topic.name;
  }
  return undefined;
}

