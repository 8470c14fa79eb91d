/**
 * TLS settings from Kafka's `ssl.*` keys, for the broker's listeners and for clients.
 * Keystores: PEM (inline `ssl.keystore.key` + `ssl.keystore.certificate.chain`, or key and
 * chain in one file at `ssl.keystore.location`) and PKCS12; truststores: PEM (inline
 * `ssl.truststore.certificates` or a file). JKS is refused with the keytool command that
 * converts it. Every problem (missing file, wrong password, a key that does not match its
 * certificate, an expired certificate) is reported naming the key, before anything listens.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type PeerCertificate, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { KtsError, errorMessage } from '../util/errors.js';

/** Looks up one `ssl.*` key (the caller applies listener prefixes). */
export type SslLookup = (key: string) => string | undefined;

export type SslClientAuth = 'required' | 'requested' | 'none';

export interface TlsServerSettings {
  context: SecureContextOptions;
  clientAuth: SslClientAuth;
  /** Maps a client certificate's subject (RFC 2253) to a principal name (ssl.principal.mapping.rules). */
  principalRules: PrincipalRule[];
}

export interface TlsClientSettings {
  context: SecureContextOptions;
  /** ssl.endpoint.identification.algorithm=https (the default): check the host name. */
  verifyHostname: boolean;
}

const PROTOCOL_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof PROTOCOL_VERSIONS)[number];

function sslError(key: string, problem: string, hint?: string): KtsError {
  return new KtsError('KTS_SSL_CONFIG', `${key}: ${problem}`, hint);
}

function readFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw sslError(key, code === 'ENOENT' ? `file ${path} does not exist.` : `cannot read ${path}: ${errorMessage(err)}.`, `Check ${key}.`);
  }
}

const JKS_MAGIC = 0xfeedfeed;

function jksRefusal(key: string, path: string): KtsError {
  return sslError(
    key,
    `${path} is a JKS keystore; kts reads PEM and PKCS12 keystores, not JKS.`,
    `Convert it: keytool -importkeystore -srckeystore ${path} -srcstoretype JKS -destkeystore ${path.replace(/\.jks$/i, '')}.p12 -deststoretype PKCS12, then set ssl.keystore.type=PKCS12 (or export PEM with openssl pkcs12 -nodes).`,
  );
}

/** The keystore (our own key and certificate chain), or undefined when none is configured. */
function keystore(get: SslLookup, prefix: string): SecureContextOptions | undefined {
  const type = (get('ssl.keystore.type') ?? '').toUpperCase();
  const location = get('ssl.keystore.location');
  const inlineKey = get('ssl.keystore.key');
  const inlineChain = get('ssl.keystore.certificate.chain');
  const keyPassword = get('ssl.key.password') ?? undefined;
  if (inlineKey !== undefined || inlineChain !== undefined) {
    if (type !== 'PEM') throw sslError(`${prefix}ssl.keystore.key`, 'an inline key and certificate chain need ssl.keystore.type=PEM.', `Set ${prefix}ssl.keystore.type=PEM.`);
    if (!inlineKey || !inlineChain) {
      throw sslError(`${prefix}ssl.keystore.${inlineKey ? 'certificate.chain' : 'key'}`, 'is missing: an inline PEM keystore needs both ssl.keystore.key and ssl.keystore.certificate.chain.');
    }
    return checkedPair(`${prefix}ssl.keystore.key`, inlineKey, inlineChain, keyPassword);
  }
  if (location === undefined || location === '') return undefined;
  const bytes = readFile(`${prefix}ssl.keystore.location`, location);
  if (type === 'JKS' || (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC)) throw jksRefusal(`${prefix}ssl.keystore.location`, location);
  const text = bytes.toString('latin1');
  if (type === 'PEM' || (type === '' && text.includes('-----BEGIN'))) {
    const key = pemBlocks(text).filter((b) => / PRIVATE KEY-----/.test(b)).join('\n');
    const chain = pemBlocks(text).filter((b) => /-----BEGIN CERTIFICATE-----/.test(b)).join('\n');
    if (!key || !chain) throw sslError(`${prefix}ssl.keystore.location`, `${location} must hold the private key and the certificate chain (PEM).`);
    return checkedPair(`${prefix}ssl.keystore.location`, key, chain, keyPassword);
  }
  if (type !== '' && type !== 'PKCS12') {
    throw sslError(`${prefix}ssl.keystore.type`, `unknown keystore type ${type}.`, 'Use PEM or PKCS12 (JKS: convert with keytool -importkeystore ... -deststoretype PKCS12).');
  }
  const options: SecureContextOptions = { pfx: bytes, passphrase: get('ssl.keystore.password') ?? undefined };
  // Node does not expose a PKCS12 store's certificate, so its dates are checked by clients at handshake.
  tryContext(`${prefix}ssl.keystore.location`, options, `Check ${prefix}ssl.keystore.password.`);
  return options;
}

function checkedPair(key: string, privateKey: string, chain: string, passphrase?: string): SecureContextOptions {
  const options: SecureContextOptions = { key: privateKey, cert: chain, passphrase };
  tryContext(key, options, 'The key must be the private key of the first certificate in the chain (and ssl.key.password must open it if it is encrypted).');
  checkCertificateDates(key, chain);
  return options;
}

function tryContext(key: string, options: SecureContextOptions, hint: string): void {
  try {
    createSecureContext(options);
  } catch (err) {
    const why = errorMessage(err);
    const problem = /key values mismatch/.test(why)
      ? 'the private key does not match the certificate.'
      : /bad decrypt|mac verify failure|bad password/i.test(why)
        ? 'wrong password.'
        : `cannot be loaded: ${why}.`;
    throw sslError(key, problem, hint);
  }
}

function checkCertificateDates(key: string, chain: string | undefined, nowMs = Date.now()): void {
  if (!chain) return;
  const first = pemBlocks(chain).find((b) => /BEGIN CERTIFICATE/.test(b));
  if (!first) throw sslError(key, 'holds no PEM certificate.');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(first);
  } catch (err) {
    throw sslError(key, `the certificate cannot be read: ${errorMessage(err)}.`);
  }
  if (Date.parse(cert.validTo) < nowMs) throw sslError(key, `the certificate (${cert.subject.replace(/\n/g, ', ')}) expired on ${cert.validTo}.`, 'Renew the certificate.');
  if (Date.parse(cert.validFrom) > nowMs) throw sslError(key, `the certificate is not valid before ${cert.validFrom}.`, "Check the certificate's dates and this machine's clock.");
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g) ?? [];
}

/** The trusted CA certificates (PEM), or undefined for the system's default roots. */
function truststore(get: SslLookup, prefix: string): string | undefined {
  const type = (get('ssl.truststore.type') ?? '').toUpperCase();
  const inline = get('ssl.truststore.certificates');
  const location = get('ssl.truststore.location');
  if (inline !== undefined) {
    if (type !== 'PEM') throw sslError(`${prefix}ssl.truststore.certificates`, 'inline certificates need ssl.truststore.type=PEM.');
    return inline;
  }
  if (location === undefined || location === '') return undefined;
  const bytes = readFile(`${prefix}ssl.truststore.location`, location);
  if (type === 'JKS' || (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC)) throw jksRefusal(`${prefix}ssl.truststore.location`, location);
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw sslError(
      `${prefix}ssl.truststore.location`,
      `${location} is not a PEM truststore; kts reads truststores as PEM certificates.`,
      `Export the CA certificates: openssl pkcs12 -in ${location} -nokeys -out ca.pem, then set ssl.truststore.type=PEM and ssl.truststore.location=ca.pem.`,
    );
  }
  return text;
}

function protocolRange(get: SslLookup, prefix: string): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const given = get('ssl.enabled.protocols');
  const list = given === undefined ? [...PROTOCOL_VERSIONS] : given.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of list) {
    if (!(PROTOCOL_VERSIONS as readonly string[]).includes(p)) {
      throw sslError(`${prefix}ssl.enabled.protocols`, `${p} is not supported.`, `Allowed: ${PROTOCOL_VERSIONS.join(', ')}.`);
    }
  }
  if (list.length === 0) throw sslError(`${prefix}ssl.enabled.protocols`, 'is empty.', `Allowed: ${PROTOCOL_VERSIONS.join(', ')}.`);
  const sorted = PROTOCOL_VERSIONS.filter((p) => list.includes(p));
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! };
}

/** Java (IANA) cipher suite names → OpenSSL names, for the suites TLS 1.2/1.3 servers use. */
const CIPHERS: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

function cipherOptions(get: SslLookup, prefix: string): { ciphers?: string; ciphersuites?: string } {
  const given = get('ssl.cipher.suites');
  if (given === undefined || given.trim() === '') return {};
  const tls12: string[] = [];
  const tls13: string[] = [];
  for (const name of given.split(',').map((s) => s.trim()).filter(Boolean)) {
    const openssl = CIPHERS[name];
    if (!openssl) {
      throw sslError(`${prefix}ssl.cipher.suites`, `cipher suite ${name} is not supported by kts.`, `Supported: ${Object.keys(CIPHERS).join(', ')}.`);
    }
    (openssl.startsWith('TLS_') ? tls13 : tls12).push(openssl);
  }
  return { ...(tls12.length > 0 ? { ciphers: tls12.join(':') } : {}), ...(tls13.length > 0 ? { ciphersuites: tls13.join(':') } : {}) };
}

/** Server-side TLS for one listener; `prefix` (`listener.name.ssl.`) is only for messages. */
export function tlsServerSettings(get: SslLookup, prefix = ''): TlsServerSettings {
  const own = keystore(get, prefix);
  if (!own) {
    throw sslError(`${prefix}ssl.keystore.location`, 'a TLS listener needs a keystore (its key and certificate).', 'Set ssl.keystore.type=PEM with ssl.keystore.location=<key+chain.pem>, or ssl.keystore.type=PKCS12 with ssl.keystore.location and ssl.keystore.password.');
  }
  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase();
  if (clientAuth !== 'required' && clientAuth !== 'requested' && clientAuth !== 'none') {
    throw sslError(`${prefix}ssl.client.auth`, `invalid value '${clientAuth}'.`, 'Allowed values: required, requested, none.');
  }
  const ca = truststore(get, prefix);
  if (clientAuth !== 'none' && !ca) {
    throw sslError(`${prefix}ssl.truststore.location`, `ssl.client.auth=${clientAuth} needs a truststore to check client certificates.`, 'Set ssl.truststore.type=PEM and ssl.truststore.location=<ca.pem>.');
  }
  return {
    context: { ...own, ...(ca ? { ca } : {}), ...protocolRange(get, prefix), ...cipherOptions(get, prefix) },
    clientAuth,
    principalRules: parsePrincipalRules(get('ssl.principal.mapping.rules') ?? 'DEFAULT', `${prefix}ssl.principal.mapping.rules`),
  };
}

/** Client-side TLS (kts commands, and the broker as a client of other brokers). */
export function tlsClientSettings(get: SslLookup): TlsClientSettings {
  const ca = truststore(get, '');
  const own = keystore(get, '');
  const algorithm = get('ssl.endpoint.identification.algorithm') ?? 'https';
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https') {
    throw sslError('ssl.endpoint.identification.algorithm', `invalid value '${algorithm}'.`, "Allowed: https (check the broker's host name) or empty (do not).");
  }
  return { context: { ...(own ?? {}), ...(ca ? { ca } : {}), ...protocolRange(get, ''), ...cipherOptions(get, '') }, verifyHostname: algorithm !== '' };
}

// ssl.principal.mapping.rules: DEFAULT | RULE:pattern/replacement/[LU], comma separated.
export interface PrincipalRule {
  pattern?: RegExp;
  replacement?: string;
  caseChange?: 'L' | 'U';
}

export function parsePrincipalRules(text: string, key: string): PrincipalRule[] {
  const rules: PrincipalRule[] = [];
  const re = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU])?)\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = re.exec(text)) !== null) {
    at = re.lastIndex;
    if (m[1]) rules.push({});
    else {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${m[2]!})$`);
      } catch (err) {
        throw sslError(key, `invalid pattern ${m[2]}: ${errorMessage(err)}.`);
      }
      rules.push({ pattern, replacement: m[3]!.replace(/\\(\d)/g, '$$$1'), ...(m[4] ? { caseChange: m[4] as 'L' | 'U' } : {}) });
    }
    if (m[0] === '') break;
  }
  if (at < text.length || rules.length === 0) {
    throw sslError(key, `invalid rules '${text}'.`, 'Expected DEFAULT or RULE:pattern/replacement/[LU], comma separated, e.g. RULE:^CN=(.*?),OU=.*$/$1/,DEFAULT');
  }
  return rules;
}

/** The principal name of a certificate subject (RFC 2253 order, most specific first, as Java prints it). */
export function principalName(subjectRfc2253: string, rules: readonly PrincipalRule[]): string {
  for (const rule of rules) {
    if (!rule.pattern) return subjectRfc2253;
    if (!rule.pattern.test(subjectRfc2253)) continue;
    const out = subjectRfc2253.replace(rule.pattern, rule.replacement ?? '');
    return rule.caseChange === 'L' ? out.toLowerCase() : rule.caseChange === 'U' ? out.toUpperCase() : out;
  }
  return subjectRfc2253;
}

/** A peer certificate's subject as Java's X500Principal.getName() writes it: `CN=a,OU=b,O=c`. */
export function subjectRfc2253(cert: PeerCertificate | undefined): string | undefined {
  if (!cert || !cert.raw) return undefined;
  const x509 = new X509Certificate(cert.raw);
  return x509.subject
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}

/** The principal of a TLS client: its certificate subject mapped by the rules, or ANONYMOUS. */
export function tlsPrincipal(socket: TLSSocket, rules: readonly PrincipalRule[]): string {
  const subject = socket.authorized ? subjectRfc2253(socket.getPeerCertificate()) : undefined;
  return `User:${subject ? principalName(subject, rules) : 'ANONYMOUS'}`;
}
