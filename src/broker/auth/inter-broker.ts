/**
 * How this broker connects to other brokers (replica fetchers, the controller's channel,
 * controlled shutdown), as Kafka configures it: the inter-broker listener's security
 * protocol; TLS with that listener's `ssl.*` keys (its truststore, and its keystore for
 * mutual TLS); SASL with `sasl.mechanism.inter.broker.protocol` and the `username` /
 * `password` options of the listener's JAAS entry for that mechanism.
 *
 * Callers: `openTcpChannel(host, port, timeoutMs, security.tls)`, then after
 * `BrokerConnection.open(...)`, `if (security.sasl) await authenticateSasl(conn, security.sasl)`.
 */
import { KtsError } from '../../util/errors.js';
import { pemSubjectRfc2253, principalName, tlsClientSettings, type TlsClientSettings } from '../../net/tls.js';
import { checkLoginModule, parseJaasConfig } from '../../net/sasl/jaas.js';
import type { SaslClientSettings } from '../../net/sasl/client.js';
import type { BrokerConfig } from '../config.js';
import { isSaslProtocol, isTlsProtocol, listenerLookup } from './listener-security.js';

export interface InterBrokerSecurity {
  tls?: TlsClientSettings;
  sasl?: SaslClientSettings;
}

export function interBrokerSecurity(config: BrokerConfig, listenerName: string): InterBrokerSecurity {
  const security = config.listenerSecurity.get(listenerName);
  if (!security) throw new KtsError('KTS_CONFIG', `inter-broker listener ${listenerName} is not in listeners.`, 'Set inter.broker.listener.name to one of the listeners.');
  const get = listenerLookup(config.raw, listenerName);
  const out: InterBrokerSecurity = {};
  if (isTlsProtocol(security.securityProtocol)) {
    // The broker checks other brokers' certificates against its own truststore; host names
    // are checked only when the listener asks for it (Kafka's default for brokers is https too).
    out.tls = tlsClientSettings(get);
  }
  if (isSaslProtocol(security.securityProtocol)) {
    const mechanism = (config.raw['sasl.mechanism.inter.broker.protocol'] ?? '').trim().toUpperCase();
    if (!mechanism) {
      throw new KtsError('KTS_CONFIG', `the inter-broker listener ${listenerName} uses ${security.securityProtocol} but sasl.mechanism.inter.broker.protocol is not set (Kafka's default is GSSAPI, which kts does not serve).`, 'Set sasl.mechanism.inter.broker.protocol=PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.');
    }
    if (!security.saslMechanisms.includes(mechanism)) {
      throw new KtsError('KTS_CONFIG', `sasl.mechanism.inter.broker.protocol=${mechanism} is not enabled on listener ${listenerName} (enabled: ${security.saslMechanisms.join(', ')}).`);
    }
    const key = `listener.name.${listenerName.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
    const text = config.raw[key] ?? config.raw['sasl.jaas.config'];
    const shown = config.raw[key] !== undefined ? key : 'sasl.jaas.config';
    if (text === undefined) throw new KtsError('KTS_CONFIG', `the inter-broker listener ${listenerName} needs ${key} with the username and password this broker logs in with.`);
    const entry = parseJaasConfig(text, shown);
    checkLoginModule(entry, mechanism, shown);
    const username = entry.options.get('username');
    const password = entry.options.get('password');
    if (!username || password === undefined) {
      throw new KtsError('KTS_CONFIG', `${shown}: the inter-broker login needs username="..." and password="..." options.`, 'Kafka brokers log in to each other with these; add them next to the user_<name> entries.');
    }
    out.sasl = { mechanism, username, password };
  }
  return out;
}

/**
 * The principal other brokers see when this broker connects to them: `User:<username>` of the
 * inter-broker SASL login, `User:ANONYMOUS` over PLAINTEXT (and over SSL without client
 * authentication); over SSL with client certificates, its own certificate's subject mapped by
 * the listener's ssl.principal.mapping.rules (the brokers share the listener's settings).
 */
export function interBrokerPrincipal(config: BrokerConfig, listenerName: string): string | undefined {
  const listener = config.listenerSecurity.get(listenerName);
  const protocol = listener?.securityProtocol;
  if (protocol === 'PLAINTEXT') return 'User:ANONYMOUS';
  if (protocol === 'SSL' && listener?.tls) {
    if (listener.tls.clientAuth === 'none') return 'User:ANONYMOUS';
    const chain = interBrokerSecurity(config, listenerName).tls?.context.cert;
    const subject = typeof chain === 'string' ? pemSubjectRfc2253(chain) : undefined;
    return subject ? `User:${principalName(subject, listener.tls.principalRules)}` : undefined;
  }
  const sasl = protocol !== undefined && isSaslProtocol(protocol) ? interBrokerSecurity(config, listenerName).sasl : undefined;
  return sasl ? `User:${sasl.username}` : undefined;
}
