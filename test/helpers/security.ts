// A kts broker with PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL listeners side by side, and
// SCRAM users created over the wire with AlterUserScramCredentials (as kafka-configs does).
import { randomBytes } from 'node:crypto';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { KtsError } from '../../src/util/errors.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openTcpChannel } from '../../src/net/tcp-channel.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { SCRAM_MECHANISM_IDS, saltedPassword, type ScramMechanism } from '../../src/net/sasl/scram.js';
import type { AlterUserScramCredentialsResponse } from '../../src/protocol/messages/51-alter-user-scram-credentials.js';
import { tempDir } from '../broker/helpers.js';
import type { TestCerts } from './certs.js';

export interface SecureBroker {
  broker: Broker;
  ports: Record<string, number>;
  dataDir: string;
  log: ReturnType<typeof memoryLogger>;
}

export const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';

/** One SASL_PLAINTEXT listener serving PLAIN_JAAS's users, Kafka's ACL authorizer, admin as super user. */
export const PLAIN_ACL_BROKER: readonly string[] = [
  'listeners=SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms=PLAIN',
  `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
  'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
  'super.users=User:admin',
];

/** The error a broker configuration is refused with at startup; throws when it is accepted. */
export function brokerConfigFailure(dataDir: string, overrides: string[]): KtsError {
  try {
    buildBrokerConfig({ dataDir, env: {}, overrides });
  } catch (err) {
    if (err instanceof KtsError) return err;
    throw err;
  }
  throw new Error('expected a config error');
}

/** A PLAIN JAAS line: the broker logs in as `broker` and serves `users`, each with the password `<user>-secret`. */
export function plainBrokerJaas(users: readonly string[]): string {
  const served = ['broker', ...users].map((u) => `user_${u}="${u}-secret"`).join(' ');
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" ${served};`;
}

/** kcat's flags to log in as `user` (password `<user>-secret`) with PLAIN over SASL_PLAINTEXT. */
export function kcatPlainLogin(user: string): string[] {
  return ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${user}-secret`];
}

/** Cluster brokers on one SASL_PLAINTEXT listener, PLAIN between them too, with Kafka's ACL authorizer. */
export function saslPlainAclOverrides(jaas: string, superUsers: string): Record<string, string> {
  return {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:{port}',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'security.inter.broker.protocol': 'SASL_PLAINTEXT',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaas,
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': superUsers,
  };
}

export function securityOverrides(certs: TestCerts): string[] {
  return [
    'listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverPem}`,
    // Not needed by an unencrypted PEM key; here so tests can check it is never shown.
    'ssl.keystore.password=top-secret-pw',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caCert}`,
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${PLAIN_JAAS}`,
  ];
}

export async function runSecureBroker(t: { teardown(fn: () => unknown): void }, overrides: string[], dir?: string): Promise<SecureBroker> {
  const dataDir = dir ?? (await tempDir(t, 'kts-secure-'));
  const config = buildBrokerConfig({ dataDir, env: {}, overrides });
  const log = memoryLogger();
  const broker = await startBroker(config, { listen: true, log });
  t.teardown(() => broker.stop());
  return { broker, ports: Object.fromEntries(broker.boundPorts.map((b) => [b.name, b.port])), dataDir, log };
}

/** Upserts a SCRAM credential through a listener that needs no authentication. */
export async function createScramUser(port: number, user: string, password: string, mechanism: ScramMechanism, iterations = 4096): Promise<AlterUserScramCredentialsResponse> {
  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 5000), 'kts-test', 10_000);
  try {
    const salt = randomBytes(16);
    const r = await conn.call(51, () => ({
      deletions: [],
      upsertions: [{ name: user, mechanism: SCRAM_MECHANISM_IDS[mechanism], iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) }],
    }));
    return r.body;
  } finally {
    conn.channel.close();
  }
}
