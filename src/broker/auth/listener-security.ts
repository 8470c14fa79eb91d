/**
 * Per-listener security settings from server.properties, resolved as Kafka resolves them:
 * `listener.name.<listener>.<key>` wins over `<key>`; a SASL mechanism's JAAS config is
 * `listener.name.<listener>.<mechanism>.sasl.jaas.config`, else `sasl.jaas.config`.
 * Built once at startup so every problem stops the broker with a message naming the key.
 */
import { KtsError } from '../../util/errors.js';
import { tlsServerSettings, type TlsServerSettings } from '../../net/tls.js';
import { checkLoginModule, parseJaasConfig, type JaasEntry } from '../../net/sasl/jaas.js';
import type { ListenerEndpoint } from '../../net/server.js';

export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface ListenerSecurity {
  name: string;
  securityProtocol: string;
  /** Present on SSL and SASL_SSL listeners. */
  tls?: TlsServerSettings;
  /** SASL mechanisms served (empty unless SASL_PLAINTEXT / SASL_SSL). */
  saslMechanisms: string[];
  /** SASL/PLAIN users and passwords from the JAAS config's `user_<name>` options. */
  plainUsers: ReadonlyMap<string, string>;
  /** connections.max.reauth.ms: 0 = sessions never expire (KIP-368). */
  reauthMs: number;
}

export const isSaslProtocol = (protocol: string): boolean => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
export const isTlsProtocol = (protocol: string): boolean => protocol === 'SSL' || protocol === 'SASL_SSL';

/** Looks a key up for one listener: the listener-prefixed key first. */
export function listenerLookup(raw: Readonly<Record<string, string>>, listenerName: string): (key: string) => string | undefined {
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  return (key) => raw[prefix + key] ?? raw[key];
}

export function buildListenerSecurity(raw: Readonly<Record<string, string>>, listeners: readonly ListenerEndpoint[]): Map<string, ListenerSecurity> {
  const out = new Map<string, ListenerSecurity>();
  for (const l of listeners) out.set(l.name, listenerSecurityOf(raw, l));
  return out;
}

function listenerSecurityOf(raw: Readonly<Record<string, string>>, l: ListenerEndpoint): ListenerSecurity {
  const get = listenerLookup(raw, l.name);
  const prefix = `listener.name.${l.name.toLowerCase()}.`;
  const shown = (key: string): string => (raw[prefix + key] !== undefined ? prefix + key : key);
  const security: ListenerSecurity = { name: l.name, securityProtocol: l.securityProtocol, saslMechanisms: [], plainUsers: new Map(), reauthMs: 0 };
  if (isTlsProtocol(l.securityProtocol)) security.tls = tlsServerSettings(get, shown);
  const reauth = get('connections.max.reauth.ms');
  if (reauth !== undefined) {
    if (!/^\d+$/.test(reauth.trim())) throw new KtsError('KTS_CONFIG', `${shown('connections.max.reauth.ms')}: invalid value '${reauth}': expected milliseconds (0 = never).`);
    security.reauthMs = Number(reauth.trim());
  }
  if (!isSaslProtocol(l.securityProtocol)) return security;

  const mechanismsKey = shown('sasl.enabled.mechanisms');
  const given = get('sasl.enabled.mechanisms');
  if (given === undefined) {
    throw new KtsError(
      'KTS_CONFIG',
      `listener ${l.name} uses ${l.securityProtocol} but sasl.enabled.mechanisms is not set (Kafka's default is GSSAPI/Kerberos, which kts does not serve).`,
      `Set sasl.enabled.mechanisms (or ${prefix}sasl.enabled.mechanisms) to some of ${SUPPORTED_SASL_MECHANISMS.join(', ')}.`,
    );
  }
  const mechanisms = given.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (mechanisms.length === 0) throw new KtsError('KTS_CONFIG', `${mechanismsKey} is empty.`, `Use some of ${SUPPORTED_SASL_MECHANISMS.join(', ')}.`);
  for (const m of mechanisms) {
    if (!(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new KtsError('KTS_CONFIG', `${mechanismsKey}: SASL mechanism ${m} is not supported by kts.`, `Supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')} (GSSAPI and OAUTHBEARER are listed under "Not yet supported").`);
    }
  }
  security.saslMechanisms = mechanisms;
  for (const m of mechanisms) {
    const jaas = jaasFor(raw, l.name, m);
    if (m === 'PLAIN') security.plainUsers = plainUsersOf(jaas, l.name);
  }
  return security;
}

/** The JAAS entry for a mechanism on a listener (validated), or undefined when none is given. */
function jaasFor(raw: Readonly<Record<string, string>>, listenerName: string, mechanism: string): { entry: JaasEntry; key: string } | undefined {
  const prefixed = `listener.name.${listenerName.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const key = raw[prefixed] !== undefined ? prefixed : raw['sasl.jaas.config'] !== undefined ? 'sasl.jaas.config' : undefined;
  if (key === undefined) return undefined;
  const entry = parseJaasConfig(raw[key]!, key);
  checkLoginModule(entry, mechanism, key);
  return { entry, key };
}

function plainUsersOf(jaas: { entry: JaasEntry; key: string } | undefined, listenerName: string): Map<string, string> {
  const key = `listener.name.${listenerName.toLowerCase()}.plain.sasl.jaas.config`;
  if (!jaas) {
    throw new KtsError(
      'KTS_CONFIG',
      `listener ${listenerName} enables SASL mechanism PLAIN but has no JAAS config naming its users.`,
      `Set ${key}=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";`,
    );
  }
  const users = new Map<string, string>();
  for (const [name, value] of jaas.entry.options) {
    if (name.startsWith('user_') && name.length > 5) users.set(name.slice(5), value);
  }
  if (users.size === 0) {
    throw new KtsError('KTS_CONFIG', `${jaas.key}: the PLAIN login module lists no users.`, 'Add user_<name>="<password>" options, e.g. user_alice="alice-secret".');
  }
  return users;
}
