// PKCS12 truststores and keystores made by the real tools (Java 17's keytool -importcert
// -storetype PKCS12, with Java 17's and Java 8's algorithms; openssl pkcs12 -export -nokeys,
// default and -legacy): a broker checks client certificates against each (kcat with and
// without a certificate), the kts client checks the broker against one and presents a PKCS12
// keystore; wrong or missing passwords and wrong files stop startup naming the key.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { readPkcs12 } from '../../src/net/pkcs12.js';
import { findKeytool, makeCerts, makePkcs12Stores } from '../helpers/certs.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { brokerConfigFailure, runSecureBroker } from '../helpers/security.js';
import { runKts } from '../helpers/run-kts.js';

const certs = makeCerts(t);
const keytool = findKeytool();
const stores = makePkcs12Stores(certs, keytool);
const caSubject = new X509Certificate(readFileSync(certs.caCert)).subject;

const build = (overrides: string[]) => buildBrokerConfig({ dataDir: certs.dir, env: {}, overrides });
const failure = (overrides: string[]) => brokerConfigFailure(certs.dir, overrides);
/** An SSL listener with the legacy PKCS12 keystore and `truststore`; no truststore password. */
const unlocked = (truststore: string, ...more: string[]): string[] => [
  'listeners=SSL://127.0.0.1:0',
  'ssl.keystore.type=PKCS12',
  `ssl.keystore.location=${stores.legacyServerKeystore}`,
  `ssl.keystore.password=${stores.password}`,
  'ssl.truststore.type=PKCS12',
  `ssl.truststore.location=${truststore}`,
  'ssl.client.auth=required',
  ...more,
];
const listener = (truststore: string, ...more: string[]): string[] => unlocked(truststore, `ssl.truststore.password=${stores.password}`, ...more);

t.test('the truststores hold the CA certificate', async (t) => {
  if (!keytool) t.comment('no keytool (no JDK installed): only the OpenSSL-made truststores are tested');
  for (const store of stores.truststores) {
    const contents = readPkcs12(readFileSync(store.path), stores.password);
    t.same(contents.certificates.map((c) => new X509Certificate(c.der).subject), [caSubject], `${store.name}: one certificate, the CA`);
    t.same(contents.privateKeys, [], `${store.name}: no key`);
  }
  const keystore = readPkcs12(readFileSync(stores.legacyServerKeystore), stores.password);
  t.equal(keystore.privateKeys.length, 1, 'the legacy keystore: its 3DES-encrypted key');
  t.equal(keystore.certificates.length, 2, 'and its RC2-encrypted chain (server, CA)');
});

t.test('a broker checks client certificates against each PKCS12 truststore', { skip: needsKcat }, async (t) => {
  const tls = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caCert}`];
  const mine = ['-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`];
  for (const store of stores.truststores) {
    const b = await runSecureBroker(t, listener(store.path));
    const server = `127.0.0.1:${b.ports.SSL}`;
    const topic = `p12-${store.name.replace(/[^a-z0-9]+/gi, '-')}`;
    const p = await kcat(['-b', server, ...tls, ...mine, '-P', '-t', topic], 'signed by the CA\n');
    t.equal(p.code, 0, `${store.name}: a client certificate signed by the CA is accepted: ${p.stderr}`);
    const r = await kcat(['-b', server, ...tls, ...mine, '-C', '-t', topic, '-e', '-o', 'beginning']);
    t.equal(r.stdout, 'signed by the CA\n', `${store.name}: and reads back`);
    const stranger = await kcat(['-b', server, ...tls, '-X', `ssl.certificate.location=${certs.strangerPem}`, '-X', `ssl.key.location=${certs.strangerPem}`, '-L', '-m', '3'], undefined, 10_000);
    t.not(stranger.code, 0, `${store.name}: a certificate from another CA is refused`);
    await b.broker.stop();
  }
});

t.test('kts commands with a PKCS12 truststore and keystore', async (t) => {
  const truststore = stores.truststores.at(-1)!;
  const b = await runSecureBroker(t, listener(truststore.path));
  const file = join(certs.dir, 'client-p12.properties');
  writeFileSync(
    file,
    [
      'security.protocol=SSL',
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${truststore.path}`,
      `ssl.truststore.password=${stores.password}`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${stores.clientKeystore}`,
      `ssl.keystore.password=${stores.password}`,
      '',
    ].join('\n'),
  );
  const server = `--bootstrap-server localhost:${b.ports.SSL}`;
  const p = await runKts(`console-producer ${server} --topic p12-kts --producer.config ${file}`, { stdin: 'a\nb\n' });
  t.equal(p.code, 0, `console-producer over mutual TLS (${truststore.name} truststore): ${p.stderr}`);
  const c = await runKts(`console-consumer ${server} --topic p12-kts --from-beginning --max-messages 2 --consumer.config ${file}`);
  t.equal(c.stdout, 'a\nb\n', 'console-consumer reads them back');
  const list = await runKts(`topics ${server} --list --command-config ${file}`);
  t.match(list.stdout, /^p12-kts$/m, 'topics --list');

  const wrong = join(certs.dir, 'client-p12-wrong.properties');
  writeFileSync(wrong, readFileSync(file, 'utf8').replace(`ssl.truststore.password=${stores.password}`, 'ssl.truststore.password=nope'));
  const refused = await runKts(`topics ${server} --list --command-config ${wrong}`);
  t.not(refused.code, 0, 'a wrong truststore password fails');
  t.match(refused.stderr, /ssl\.truststore\.password: does not open the PKCS12 truststore .* wrong password/, 'naming the key');
});

t.test('PKCS12 problems stop startup naming the key', async (t) => {
  const trust = stores.truststores[0]!.path;
  const wrong = failure(unlocked(trust, 'ssl.truststore.password=not-it'));
  t.match(wrong.message, /^ssl\.truststore\.password: does not open the PKCS12 truststore .*trust-openssl\.p12: wrong password \(the MAC does not match\)\./);
  const missing = failure(unlocked(trust));
  t.match(missing.message, /^ssl\.truststore\.password: is not set; the PKCS12 truststore .* is password-protected\./);
  t.match(failure(unlocked(trust, `listener.name.ssl.ssl.truststore.password=x`)).message, /^listener\.name\.ssl\.ssl\.truststore\.password: does not open/, 'a listener override is named as such');
  t.match(failure(unlocked(certs.caCert, 'ssl.truststore.password=x')).message, /^ssl\.truststore\.type: is PKCS12, but .*ca\.crt holds PEM certificates\./);
  const garbage = join(certs.dir, 'garbage.p12');
  writeFileSync(garbage, Buffer.from('3082ffff0201', 'hex'));
  t.match(failure(unlocked(garbage, 'ssl.truststore.password=x')).message, /^ssl\.truststore\.location: .*garbage\.p12 cannot be read as PKCS12: not a PKCS#12 file/);
  t.match(failure(unlocked(trust, `ssl.truststore.password=${stores.password}`, 'ssl.keystore.password=bad')).message, /^ssl\.keystore\.password: does not open the PKCS12 keystore/);
  const expired = failure(['listeners=SSL://127.0.0.1:0', 'ssl.keystore.type=PKCS12', `ssl.keystore.location=${stores.expiredKeystore}`, `ssl.keystore.password=${stores.password}`]);
  t.match(expired.message, /^ssl\.keystore\.location: the certificate \(CN=expired\) expired on Jan  2 00:00:00 2020 GMT\./, "a PKCS12 keystore's certificate dates are checked too");
  t.ok(build(listener(trust)).listenerSecurity.get('SSL')!.tls, 'the right password loads');
  const asJks = unlocked(trust, `ssl.truststore.password=${stores.password}`).map((k) => (k === 'ssl.truststore.type=PKCS12' ? 'ssl.truststore.type=JKS' : k));
  t.ok(build(asJks).listenerSecurity.get('SSL')!.tls, 'a PKCS12 file under ssl.truststore.type=JKS (Kafka\'s default type) is read, as Java 9+ does');
  const jks = join(certs.dir, 'trust.jks');
  writeFileSync(jks, Buffer.from('feedfeed0000000200000001', 'hex'));
  const refused = failure(unlocked(jks, 'ssl.truststore.password=x'));
  t.match(refused.message, /^ssl\.truststore\.location: .*trust\.jks is a JKS truststore; kts reads PEM and PKCS12 truststores, not JKS\./, 'a JKS truststore is refused');
  t.match(refused.hint, /keytool -importkeystore -srckeystore .*trust\.jks -srcstoretype JKS -destkeystore .*trust\.p12 -deststoretype PKCS12, then set ssl\.truststore\.type=PKCS12/, 'with the command that converts it');
});
