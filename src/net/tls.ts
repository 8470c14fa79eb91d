/**
 * TLS settings from Kafka's `ssl.*` keys, for the broker's listeners and for clients.
 * Keystores: PEM (inline `ssl.keystore.key` + `ssl.keystore.certificate.chain`, or key and
 * chain in one file at `ssl.keystore.location`) and PKCS12; truststores: PEM (inline
 * `ssl.truststore.certificates` or a file) and PKCS12. PKCS12 files are read by our own
 * reader (pkcs12.ts), so certificate-only truststores and Java 8's RC2-encrypted stores load
 * and a keystore's certificate dates are checked. JKS is refused with the keytool command that
 * converts it (a PKCS12 file under ssl.*.type=JKS is read, as Java 9+ does). Every problem (missing file, wrong password, a key that does not match its
 * certificate, an expired certificate) is reported naming the key, before anything listens.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type PeerCertificate, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { createPrivateKey } from 'node:crypto';
import { KtsError, errorMessage } from '../util/errors.js';
import { Pkcs12FormatError, Pkcs12PasswordError, readPkcs12, type Pkcs12Contents } from './pkcs12.js';

/** Looks up one `ssl.*` key (the caller applies listener prefixes). */
export type SslLookup = (key: string) => string | undefined;
/** The name of a key as the configuration gave it, for messages (with its listener prefix if it had one). */
export type KeyName = (key: string) => string;
const asIs: KeyName = (key) => key;

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
  const store = key.includes('truststore') ? 'truststore' : 'keystore';
  return sslError(
    key,
    `${path} is a JKS ${store}; kts reads PEM and PKCS12 ${store}s, not JKS.`,
    `Convert it: keytool -importkeystore -srckeystore ${path} -srcstoretype JKS -destkeystore ${path.replace(/\.jks$/i, '')}.p12 -deststoretype PKCS12, then set ssl.${store}.type=PKCS12 (or export PEM with openssl pkcs12${store === 'truststore' ? ' -nokeys' : ' -nodes'}).`,
  );
}

/** The keystore (our own key and certificate chain), or undefined when none is configured. */
function keystore(get: SslLookup, n: KeyName): SecureContextOptions | undefined {
  const type = (get('ssl.keystore.type') ?? '').toUpperCase();
  const location = get('ssl.keystore.location');
  const inlineKey = get('ssl.keystore.key');
  const inlineChain = get('ssl.keystore.certificate.chain');
  const keyPassword = get('ssl.key.password') ?? undefined;
  if (inlineKey !== undefined || inlineChain !== undefined) {
    if (type !== 'PEM') throw sslError(n('ssl.keystore.key'), 'an inline key and certificate chain need ssl.keystore.type=PEM.', `Set ${n('ssl.keystore.type')}=PEM.`);
    if (!inlineKey || !inlineChain) {
      throw sslError(n(`ssl.keystore.${inlineKey ? 'certificate.chain' : 'key'}`), 'is missing: an inline PEM keystore needs both ssl.keystore.key and ssl.keystore.certificate.chain.');
    }
    return checkedPair(n('ssl.keystore.key'), inlineKey, inlineChain, keyPassword);
  }
  if (location === undefined || location === '') return undefined;
  const bytes = readFile(n('ssl.keystore.location'), location);
  if (isJks(bytes)) throw jksRefusal(n('ssl.keystore.location'), location);
  const text = bytes.toString('latin1');
  if (type === 'PEM' || (type === '' && text.includes('-----BEGIN'))) {
    const key = pemBlocks(text).filter((b) => / PRIVATE KEY-----/.test(b)).join('\n');
    const chain = pemBlocks(text).filter((b) => /-----BEGIN CERTIFICATE-----/.test(b)).join('\n');
    if (!key || !chain) throw sslError(n('ssl.keystore.location'), `${location} must hold the private key and the certificate chain (PEM).`);
    return checkedPair(n('ssl.keystore.location'), key, chain, keyPassword);
  }
  if (type !== '' && type !== 'PKCS12' && type !== 'JKS') {
    throw sslError(n('ssl.keystore.type'), `unknown keystore type ${type}.`, 'Use PEM or PKCS12 (JKS: convert with keytool -importkeystore ... -deststoretype PKCS12).');
  }
  const store = openPkcs12(n, 'keystore', location, bytes, get('ssl.keystore.password'), keyPassword);
  const key = store.privateKeys[0];
  if (!key) throw sslError(n('ssl.keystore.location'), `the PKCS12 keystore ${location} holds no private key.`, 'A keystore needs the key and certificate chain of this side (keytool -genkeypair or openssl pkcs12 -export -inkey ...).');
  // The key's own certificate (same localKeyId) first, then the rest of the chain.
  const own = store.certificates.filter((c) => key.localKeyId !== undefined && c.localKeyId === key.localKeyId);
  const chain = [...own, ...store.certificates.filter((c) => !own.includes(c))].map((c) => derToPem(c.der)).join('');
  if (!chain) throw sslError(n('ssl.keystore.location'), `the PKCS12 keystore ${location} holds no certificate.`);
  const keyPem = createPrivateKey({ key: key.der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return checkedPair(n('ssl.keystore.location'), keyPem, chain);
}

const isJks = (bytes: Buffer): boolean => bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC;

/** A PKCS12 store's contents; a wrong password or a file that is not PKCS12 names the key. */
function openPkcs12(n: KeyName, store: 'keystore' | 'truststore', location: string, bytes: Buffer, password: string | undefined, keyPassword?: string): Pkcs12Contents {
  try {
    return readPkcs12(bytes, password, keyPassword ?? password);
  } catch (err) {
    if (err instanceof Pkcs12PasswordError) {
      const key = /key/.test(err.message) && keyPassword !== undefined && keyPassword !== password ? 'ssl.key.password' : `ssl.${store}.password`;
      throw sslError(n(key), password === undefined ? `is not set; the PKCS12 ${store} ${location} is password-protected.` : `does not open the PKCS12 ${store} ${location}: ${err.message}.`, `Set ${n(key)} to the ${store}'s password.`);
    }
    if (err instanceof Pkcs12FormatError) {
      throw sslError(n(`ssl.${store}.location`), `${location} cannot be read as PKCS12: ${err.message}.`, `Check ${n(`ssl.${store}.type`)} (PEM or PKCS12) and the file.`);
    }
    throw err;
  }
}

function derToPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
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
function truststore(get: SslLookup, n: KeyName): string | undefined {
  const type = (get('ssl.truststore.type') ?? '').toUpperCase();
  const inline = get('ssl.truststore.certificates');
  const location = get('ssl.truststore.location');
  if (inline !== undefined) {
    if (type !== 'PEM') throw sslError(n('ssl.truststore.certificates'), 'inline certificates need ssl.truststore.type=PEM.');
    return inline;
  }
  if (location === undefined || location === '') return undefined;
  const bytes = readFile(n('ssl.truststore.location'), location);
  if (isJks(bytes)) throw jksRefusal(n('ssl.truststore.location'), location);
  const text = bytes.toString('latin1');
  if (type === 'PKCS12' || type === 'JKS' || (type === '' && !text.includes('-----BEGIN'))) {
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      throw sslError(n('ssl.truststore.type'), `is ${type}, but ${location} holds PEM certificates.`, `Set ${n('ssl.truststore.type')}=PEM.`);
    }
    const store = openPkcs12(n, 'truststore', location, bytes, get('ssl.truststore.password'));
    if (store.certificates.length === 0) throw sslError(n('ssl.truststore.location'), `the PKCS12 truststore ${location} holds no certificate.`);
    return store.certificates.map((c) => derToPem(c.der)).join('');
  }
  if (type !== '' && type !== 'PEM') throw sslError(n('ssl.truststore.type'), `unknown truststore type ${type}.`, 'Use PEM or PKCS12.');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw sslError(n('ssl.truststore.location'), `${location} holds no PEM certificate.`, `Set ${n('ssl.truststore.type')}=PKCS12 for a PKCS12 truststore, or give a file of PEM CA certificates.`);
  }
  return text;
}

function protocolRange(get: SslLookup, n: KeyName): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  // Java's SSLContext protocol: the enabled protocols decide what is negotiated, so it is only checked.
  const contextProtocol = get('ssl.protocol');
  if (contextProtocol !== undefined && !['TLS', 'TLSv1.2', 'TLSv1.3'].includes(contextProtocol.trim())) {
    throw sslError(n('ssl.protocol'), `${contextProtocol} is not supported.`, 'Allowed: TLS, TLSv1.2, TLSv1.3 (the versions negotiated come from ssl.enabled.protocols).');
  }
  const given = get('ssl.enabled.protocols');
  const list = given === undefined ? [...PROTOCOL_VERSIONS] : given.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of list) {
    if (!(PROTOCOL_VERSIONS as readonly string[]).includes(p)) {
      throw sslError(n('ssl.enabled.protocols'), `${p} is not supported.`, `Allowed: ${PROTOCOL_VERSIONS.join(', ')}.`);
    }
  }
  if (list.length === 0) throw sslError(n('ssl.enabled.protocols'), 'is empty.', `Allowed: ${PROTOCOL_VERSIONS.join(', ')}.`);
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

function cipherOptions(get: SslLookup, n: KeyName): { ciphers?: string; ciphersuites?: string } {
  const given = get('ssl.cipher.suites');
  if (given === undefined || given.trim() === '') return {};
  const tls12: string[] = [];
  const tls13: string[] = [];
  for (const name of given.split(',').map((s) => s.trim()).filter(Boolean)) {
    const openssl = CIPHERS[name];
    if (!openssl) {
      throw sslError(n('ssl.cipher.suites'), `cipher suite ${name} is not supported by kts.`, `Supported: ${Object.keys(CIPHERS).join(', ')}.`);
    }
    (openssl.startsWith('TLS_') ? tls13 : tls12).push(openssl);
  }
  return { ...(tls12.length > 0 ? { ciphers: tls12.join(':') } : {}), ...(tls13.length > 0 ? { ciphersuites: tls13.join(':') } : {}) };
}

/** Server-side TLS for one listener; `n` names a key in messages as it was given (`listener.name.ssl.ssl.keystore.location`). */
export function tlsServerSettings(get: SslLookup, n: KeyName = asIs): TlsServerSettings {
  const own = keystore(get, n);
  if (!own) {
    throw sslError(n('ssl.keystore.location'), 'a TLS listener needs a keystore (its key and certificate).', 'Set ssl.keystore.type=PEM with ssl.keystore.location=<key+chain.pem>, or ssl.keystore.type=PKCS12 with ssl.keystore.location and ssl.keystore.password.');
  }
  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase();
  if (clientAuth !== 'required' && clientAuth !== 'requested' && clientAuth !== 'none') {
    throw sslError(n('ssl.client.auth'), `invalid value '${clientAuth}'.`, 'Allowed values: required, requested, none.');
  }
  const ca = truststore(get, n);
  if (clientAuth !== 'none' && !ca) {
    throw sslError(n('ssl.truststore.location'), `ssl.client.auth=${clientAuth} needs a truststore to check client certificates.`, 'Set ssl.truststore.type=PEM and ssl.truststore.location=<ca.pem>.');
  }
  return {
    context: { ...own, ...(ca ? { ca } : {}), ...protocolRange(get, n), ...cipherOptions(get, n) },
    clientAuth,
    principalRules: parsePrincipalRules(get('ssl.principal.mapping.rules') ?? 'DEFAULT', n('ssl.principal.mapping.rules')),
  };
}

/** Client-side TLS (kts commands, and the broker as a client of other brokers). */
export function tlsClientSettings(get: SslLookup): TlsClientSettings {
  const ca = truststore(get, asIs);
  const own = keystore(get, asIs);
  const algorithm = get('ssl.endpoint.identification.algorithm') ?? 'https';
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https') {
    throw sslError('ssl.endpoint.identification.algorithm', `invalid value '${algorithm}'.`, "Allowed: https (check the broker's host name) or empty (do not).");
  }
  return { context: { ...(own ?? {}), ...(ca ? { ca } : {}), ...protocolRange(get, asIs), ...cipherOptions(get, asIs) }, verifyHostname: algorithm !== '' };
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
  return rfc2253(new X509Certificate(cert.raw));
}

/** The subject (RFC 2253) of the first certificate of a PEM chain: our own, in a keystore. */
export function pemSubjectRfc2253(chain: string): string | undefined {
  const first = pemBlocks(chain).find((b) => /BEGIN CERTIFICATE/.test(b));
  return first ? rfc2253(new X509Certificate(first)) : undefined;
}

function rfc2253(x509: X509Certificate): string {
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
