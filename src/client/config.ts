/**
 * Client configuration by Kafka's own names (`acks`, `linger.ms`, ...): the known keys,
 * their defaults, validation, and a "did you mean" for unknown keys.
 */
import { closest } from '../util/closest.js';
import { UsageError } from '../util/errors.js';

type Kind = 'int' | 'string' | 'bool' | 'list';

interface KeySpec {
  kind: Kind;
  default: string;
  choices?: readonly string[];
  min?: number;
}

const KEYS: Readonly<Record<string, KeySpec>> = {
  'bootstrap.servers': { kind: 'list', default: '' },
  'client.id': { kind: 'string', default: 'kts' },
  'request.timeout.ms': { kind: 'int', default: '30000', min: 1 },
  'socket.connection.setup.timeout.ms': { kind: 'int', default: '10000', min: 1 },
  'default.api.timeout.ms': { kind: 'int', default: '60000', min: 1 },
  'metadata.max.age.ms': { kind: 'int', default: '300000', min: 0 },
  'retries': { kind: 'int', default: '2147483647', min: 0 },
  'retry.backoff.ms': { kind: 'int', default: '100', min: 0 },
  'delivery.timeout.ms': { kind: 'int', default: '120000', min: 1 },
  'acks': { kind: 'string', default: 'all', choices: ['0', '1', '-1', 'all'] },
  'compression.type': { kind: 'string', default: 'none', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
  'linger.ms': { kind: 'int', default: '5', min: 0 },
  'batch.size': { kind: 'int', default: '16384', min: 0 },
  'buffer.memory': { kind: 'int', default: '33554432', min: 1 },
  'max.request.size': { kind: 'int', default: '1048576', min: 1 },
  'max.block.ms': { kind: 'int', default: '60000', min: 0 },
  'enable.idempotence': { kind: 'bool', default: 'true' },
  'max.in.flight.requests.per.connection': { kind: 'int', default: '5', min: 1 },
  'transactional.id': { kind: 'string', default: '' },
  'transaction.timeout.ms': { kind: 'int', default: '60000', min: 1 },
  'partitioner.ignore.keys': { kind: 'bool', default: 'false' },
  'isolation.level': { kind: 'string', default: 'read_uncommitted', choices: ['read_uncommitted', 'read_committed'] },
  'max.partition.fetch.bytes': { kind: 'int', default: '1048576', min: 1 },
  'fetch.max.wait.ms': { kind: 'int', default: '500', min: 0 },
  'fetch.min.bytes': { kind: 'int', default: '1', min: 0 },
  'fetch.max.bytes': { kind: 'int', default: '52428800', min: 1 },
  'max.poll.records': { kind: 'int', default: '500', min: 1 },
  'auto.offset.reset': { kind: 'string', default: 'latest', choices: ['earliest', 'latest', 'none'] },
  'check.crcs': { kind: 'bool', default: 'true' },
  'client.rack': { kind: 'string', default: '' },
  'security.protocol': { kind: 'string', default: 'plaintext', choices: ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] },
  // TLS and SASL: checked together by client/security.ts.
  'sasl.mechanism': { kind: 'string', default: 'GSSAPI' },
  'sasl.jaas.config': { kind: 'string', default: '' },
  'ssl.keystore.type': { kind: 'string', default: '' },
  'ssl.keystore.location': { kind: 'string', default: '' },
  'ssl.keystore.password': { kind: 'string', default: '' },
  'ssl.keystore.key': { kind: 'string', default: '' },
  'ssl.keystore.certificate.chain': { kind: 'string', default: '' },
  'ssl.key.password': { kind: 'string', default: '' },
  'ssl.truststore.type': { kind: 'string', default: '' },
  'ssl.truststore.location': { kind: 'string', default: '' },
  'ssl.truststore.password': { kind: 'string', default: '' },
  'ssl.truststore.certificates': { kind: 'string', default: '' },
  'ssl.enabled.protocols': { kind: 'string', default: 'TLSv1.2,TLSv1.3' },
  'ssl.protocol': { kind: 'string', default: 'TLSv1.3' },
  'ssl.cipher.suites': { kind: 'string', default: '' },
  'ssl.endpoint.identification.algorithm': { kind: 'string', default: 'https' },
};

/** Kafka client settings kts knows but does not implement: refused with the reason. */
const UNSUPPORTED: readonly (readonly [RegExp, string])[] = [
  [/^group\.|^enable\.auto\.commit$|^auto\.commit\.interval\.ms$|^session\.timeout\.ms$|^heartbeat\.interval\.ms$|^partition\.assignment\.strategy$/, 'consumer groups are not supported by the kts client yet (it consumes assigned partitions)'],
  [/^sasl\.kerberos\.|^sasl\.oauthbearer\.|^sasl\.login\.|^sasl\.client\.callback\.handler\.class$|^ssl\.engine\.factory\.class$/, 'kts clients authenticate with PLAIN and SCRAM only (no Kerberos, OAuth or plug-in classes)'],
  [/^ssl\.(keymanager|trustmanager)\.algorithm$|^ssl\.secure\.random\.implementation$|^ssl\.provider$/, 'it tunes the JVM security provider; kts uses OpenSSL through Node'],
  [/\.(serializer|deserializer)$/, 'the kts client sends and returns raw bytes; it has no serializer classes'],
];

export const CLIENT_CONFIG_KEYS: readonly string[] = Object.keys(KEYS);

/** Validated config: every known key present, values checked. */
export class ClientConfig {
  private readonly values: Map<string, string>;
  private readonly given: ReadonlySet<string>;

  constructor(values: Map<string, string>, given: ReadonlySet<string> = new Set()) {
    this.values = values;
    this.given = given;
  }

  /** Validates `overrides` and returns a new config with them applied. */
  with(overrides: Readonly<Record<string, string>> | undefined): ClientConfig {
    const next = new Map(this.values);
    const given = new Set(this.given);
    for (const [key, raw] of Object.entries(overrides ?? {})) {
      next.set(key, validate(key, String(raw)));
      given.add(key);
    }
    return new ClientConfig(next, given);
  }

  /** True when the user set `key` (rather than it holding its default). */
  isSet(key: string): boolean {
    return this.given.has(key);
  }

  string(key: string): string {
    const v = this.values.get(key);
    if (v === undefined) throw new Error(`client config key ${key} is not defined`);
    return v;
  }

  int(key: string): number {
    return Number(this.string(key));
  }

  bool(key: string): boolean {
    return this.string(key) === 'true';
  }

  /** acks as the wire value: 0, 1 or -1. */
  acks(): number {
    const a = this.string('acks');
    return a === 'all' ? -1 : Number(a);
  }
}

export function defaultClientConfig(): ClientConfig {
  return new ClientConfig(new Map(Object.entries(KEYS).map(([k, spec]) => [k, spec.default])));
}

function validate(key: string, value: string): string {
  const spec = KEYS[key];
  const unsupported = UNSUPPORTED.find(([pattern]) => pattern.test(key));
  if (!spec && unsupported) throw new UsageError(`Client config '${key}' is not supported: ${unsupported[1]}`);
  if (!spec) {
    const near = closestKey(key);
    throw new UsageError(
      `Unknown client config '${key}'`,
      near ? `Did you mean '${near}'?` : `Known keys: ${CLIENT_CONFIG_KEYS.join(', ')}`,
    );
  }
  const v = value.trim();
  if (spec.kind === 'int') return validateInt(key, v, spec);
  if (spec.kind === 'bool') {
    const lower = v.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw new UsageError(`Invalid value '${value}' for ${key}: expected true or false`);
    return lower;
  }
  if (spec.choices) {
    const lower = v.toLowerCase();
    if (!spec.choices.includes(lower)) {
      throw new UsageError(`Invalid value '${value}' for ${key}: expected one of ${spec.choices.join(', ')}`);
    }
    return lower;
  }
  return v;
}

function validateInt(key: string, v: string, spec: KeySpec): string {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`Invalid value '${v}' for ${key}: expected an integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min)) {
    throw new UsageError(`Invalid value '${v}' for ${key}: expected an integer >= ${spec.min ?? 0}`);
  }
  return String(n);
}

function closestKey(key: string): string | undefined {
  return closest(key, CLIENT_CONFIG_KEYS, Math.max(3, Math.floor(key.length / 3)));
}
