/**
 * A client's TLS and SASL settings from Kafka's client keys (`security.protocol`,
 * `ssl.*`, `sasl.mechanism`, `sasl.jaas.config`), checked before any connection is made so
 * a mistake is reported once, naming the key.
 */
import { UsageError } from '../util/errors.js';
import { tlsClientSettings, type TlsClientSettings } from '../net/tls.js';
import { LOGIN_MODULES, checkLoginModule, parseJaasConfig } from '../net/sasl/jaas.js';
import type { SaslClientSettings } from '../net/sasl/client.js';
import type { ClientConfig } from './config.js';

export interface ClientSecurity {
  tls?: TlsClientSettings;
  sasl?: SaslClientSettings;
}

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export function clientSecurity(config: ClientConfig): ClientSecurity {
  const protocol = config.string('security.protocol').toUpperCase();
  const get = (key: string): string | undefined => (config.isSet(key) ? config.string(key) : undefined);
  const out: ClientSecurity = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.tls = tlsClientSettings(get);
  else {
    const stray = ['ssl.truststore.location', 'ssl.keystore.location', 'ssl.truststore.certificates'].find((k) => config.isSet(k));
    if (stray) throw new UsageError(`${stray} is set but security.protocol is ${protocol}, which does not use TLS.`, 'Set security.protocol=SSL or SASL_SSL.');
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') out.sasl = saslSettings(config);
  else if (config.isSet('sasl.jaas.config')) throw new UsageError(`sasl.jaas.config is set but security.protocol is ${protocol}.`, 'Set security.protocol=SASL_PLAINTEXT or SASL_SSL.');
  return out;
}

function saslSettings(config: ClientConfig): SaslClientSettings {
  const mechanism = config.string('sasl.mechanism').toUpperCase();
  if (!MECHANISMS.includes(mechanism)) {
    throw new UsageError(
      `sasl.mechanism ${mechanism} is not supported by kts${config.isSet('sasl.mechanism') ? '' : " (it is Kafka's default)"}.`,
      `Set sasl.mechanism to one of ${MECHANISMS.join(', ')}.`,
    );
  }
  if (!config.isSet('sasl.jaas.config')) {
    throw new UsageError(
      'SASL needs sasl.jaas.config with the username and password.',
      `Example: sasl.jaas.config=${LOGIN_MODULES[mechanism]} required username="alice" password="alice-secret";`,
    );
  }
  const entry = parseJaasConfig(config.string('sasl.jaas.config'));
  checkLoginModule(entry, mechanism, 'sasl.jaas.config');
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (!username || password === undefined) throw new UsageError('sasl.jaas.config: username and password are required.', `Example: ${LOGIN_MODULES[mechanism]} required username="alice" password="alice-secret";`);
  return { mechanism, username, password };
}
