// TLS settings end to end, with real peers (kcat, `openssl s_client`, the kts client):
// ssl.endpoint.identification.algorithm on the kts client (https checks the broker's host
// name, empty does not), ssl.enabled.protocols and ssl.cipher.suites on the broker,
// ssl.client.auth=requested (no certificate: ANONYMOUS; a certificate: its mapped principal),
// an inline ssl.truststore.certificates, and listeners with their own names
// (listener.security.protocol.map) and their own listener.name.<l>.* settings.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCerts, makeSignedCert } from '../helpers/certs.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runSecureBroker } from '../helpers/security.js';
import { runKts } from '../helpers/run-kts.js';
import { encodeRequestChunks, decodeResponse } from '../../src/protocol/codec.js';

const certs = makeCerts(t);
const otherHostPem = makeSignedCert(certs, 'otherhost', '/CN=broker.example/O=kts', 'DNS:broker.example');
const tlsListener = (pem: string, ...more: string[]): string[] => ['listeners=SSL://127.0.0.1:0', 'ssl.keystore.type=PEM', `ssl.keystore.location=${pem}`, ...more];

/** `openssl s_client` against a port with extra flags; resolves its exit code and output. */
function sClient(port: number, flags: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', certs.caCert, ...flags], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(); // EOF: s_client closes after the handshake
  });
}

t.test('ssl.endpoint.identification.algorithm on the kts client', async (t) => {
  const b = await runSecureBroker(t, tlsListener(otherHostPem));
  const file = (name: string, lines: string[]): string => {
    const path = join(certs.dir, name);
    writeFileSync(path, [...lines, ''].join('\n'));
    return path;
  };
  const base = ['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.caCert}`];
  const checked = await runKts(`topics --list --bootstrap-server localhost:${b.ports.SSL} --command-config ${file('https.properties', base)}`);
  t.not(checked.code, 0, 'https (the default): a certificate for broker.example is refused at localhost');
  t.match(checked.stderr, /TLS connection to localhost:\d+ failed: .*(Hostname|altnames|broker\.example)/, 'the error says the host name does not match');
  const unchecked = await runKts(`topics --list --bootstrap-server localhost:${b.ports.SSL} --command-config ${file('nohost.properties', [...base, 'ssl.endpoint.identification.algorithm='])}`);
  t.equal(unchecked.code, 0, `empty: the host name is not checked (the CA still is): ${unchecked.stderr}`);
  const bad = await runKts(`topics --list --bootstrap-server localhost:${b.ports.SSL} --command-config ${file('badalg.properties', [...base, 'ssl.endpoint.identification.algorithm=ldap'])}`);
  t.match(bad.stderr, /ssl\.endpoint\.identification\.algorithm: invalid value 'ldap'/, 'anything else is refused naming the key');
  const stranger = await runKts(`topics --list --bootstrap-server localhost:${b.ports.SSL} --command-config ${file('stranger.properties', ['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.strangerPem}`, 'ssl.endpoint.identification.algorithm='])}`);
  t.not(stranger.code, 0, 'without host name checks an untrusted CA is still refused');
});

t.test('ssl.enabled.protocols and ssl.cipher.suites on the broker', async (t) => {
  const only13 = await runSecureBroker(t, tlsListener(certs.serverPem, 'ssl.enabled.protocols=TLSv1.3'));
  const v12 = await sClient(only13.ports.SSL!, ['-tls1_2']);
  t.not(v12.code, 0, 'TLSv1.3 only: openssl s_client -tls1_2 fails the handshake');
  const v13 = await sClient(only13.ports.SSL!, ['-tls1_3']);
  t.match(v13.out, /New, TLSv1\.3, Cipher is TLS_/, 'and -tls1_3 connects');
  const file = join(certs.dir, 'tls12.properties');
  writeFileSync(file, ['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.caCert}`, 'ssl.enabled.protocols=TLSv1.2', ''].join('\n'));
  const kts12 = await runKts(`topics --list --bootstrap-server localhost:${only13.ports.SSL} --command-config ${file}`);
  t.not(kts12.code, 0, 'a kts client limited to TLSv1.2 cannot connect either');

  const suites = await runSecureBroker(t, tlsListener(certs.serverPem, 'ssl.enabled.protocols=TLSv1.2', 'ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'));
  const allowed = await sClient(suites.ports.SSL!, ['-tls1_2']);
  t.match(allowed.out, /Cipher is ECDHE-RSA-AES256-GCM-SHA384/, 'the one allowed suite is negotiated');
  const other = await sClient(suites.ports.SSL!, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
  t.not(other.code, 0, 'a client offering only another suite fails the handshake');
  if (!needsKcat) {
    const r = await kcat(['-b', `127.0.0.1:${suites.ports.SSL}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caCert}`, '-L']);
    t.equal(r.code, 0, `kcat negotiates it: ${r.stderr}`);
  }
});

t.test('ssl.client.auth=requested, inline truststore, principals from the certificate', { skip: needsKcat }, async (t) => {
  const ca = readFileSync(certs.caCert, 'utf8');
  const b = await runSecureBroker(t, [
    ...tlsListener(certs.serverPem, 'ssl.client.auth=requested', 'ssl.truststore.type=PEM', `ssl.truststore.certificates=${ca}`),
    'ssl.principal.mapping.rules=RULE:^CN=(.*?),.*$/$1/,DEFAULT',
    'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
  ]);
  // Write on topic `req` for User:client1 only, through the in-process door (the data dir's owner).
  const acl = (operation: number) => ({ resourceType: 2, resourceName: 'req', resourcePatternType: 3, principal: 'User:client1', host: '*', operation, permissionType: 3 });
  const created = await b.broker.handleFrame(Buffer.concat(encodeRequestChunks(30, 3, 1, 'test', { creations: [acl(4), acl(5), acl(3)] })).subarray(4));
  t.same((decodeResponse(30, 3, Buffer.concat(created!).subarray(4)).body as { results: { errorCode: number }[] }).results.map((r) => r.errorCode), [0, 0, 0]);
  const tls = ['-b', `127.0.0.1:${b.ports.SSL}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caCert}`];
  const mine = ['-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`];
  const anonymous = await kcat([...tls, '-L']);
  t.equal(anonymous.code, 0, 'requested: a client without a certificate connects');
  const denied = await kcat([...tls, '-P', '-t', 'req', '-X', 'message.timeout.ms=8000'], 'x\n', 15_000);
  t.match(denied.stderr, /authorization failed/i, 'as User:ANONYMOUS, which may not write req');
  const written = await kcat([...tls, ...mine, '-P', '-t', 'req'], 'from client1\n');
  t.equal(written.code, 0, `with its certificate (checked against the inline truststore) it is User:client1: ${written.stderr}`);
  const stranger = await kcat([...tls, '-X', `ssl.certificate.location=${certs.strangerPem}`, '-X', `ssl.key.location=${certs.strangerPem}`, '-L', '-m', '3'], undefined, 10_000);
  t.not(stranger.code, 0, 'an untrusted certificate is refused even under requested');
});

t.test('named listeners with their own security settings', { skip: needsKcat }, async (t) => {
  const jaas = (users: string) => `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`;
  const b = await runSecureBroker(t, [
    'listeners=INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0,CLIENTS://127.0.0.1:0',
    'listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_SSL,CLIENTS:SSL',
    'inter.broker.listener.name=INTERNAL',
    'sasl.enabled.mechanisms=PLAIN',
    `listener.name.internal.plain.sasl.jaas.config=${jaas('user_alice="alice-internal"')}`,
    `listener.name.external.plain.sasl.jaas.config=${jaas('user_alice="alice-external"')}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverPem}`,
    `listener.name.clients.ssl.truststore.location=${certs.caCert}`,
    'listener.name.clients.ssl.client.auth=required',
  ]);
  const plain = (password: string) => ['-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`];
  const internal = ['-b', `127.0.0.1:${b.ports.INTERNAL}`, '-X', 'security.protocol=SASL_PLAINTEXT'];
  const external = ['-b', `127.0.0.1:${b.ports.EXTERNAL}`, '-X', 'security.protocol=SASL_SSL', '-X', `ssl.ca.location=${certs.caCert}`];
  t.equal((await kcat([...internal, ...plain('alice-internal'), '-L'])).code, 0, "INTERNAL (SASL_PLAINTEXT) takes its own listener's password");
  t.not((await kcat([...internal, ...plain('alice-external'), '-L', '-m', '3'], undefined, 10_000)).code, 0, "and not the other listener's");
  t.equal((await kcat([...external, ...plain('alice-external'), '-L'])).code, 0, 'EXTERNAL (SASL_SSL) takes its own');
  t.not((await kcat([...external, ...plain('alice-internal'), '-L', '-m', '3'], undefined, 10_000)).code, 0, "and not INTERNAL's");
  const clients = ['-b', `127.0.0.1:${b.ports.CLIENTS}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caCert}`];
  t.not((await kcat([...clients, '-L', '-m', '3'], undefined, 10_000)).code, 0, 'CLIENTS (SSL, listener.name.clients.ssl.client.auth=required): no certificate, refused');
  t.equal((await kcat([...clients, '-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`, '-L'])).code, 0, 'a client certificate: served');
  const noCertOnExternal = await kcat([...external, ...plain('alice-external'), '-P', '-t', 'named'], 'ok\n');
  t.equal(noCertOnExternal.code, 0, `EXTERNAL does not ask for a certificate (the override is CLIENTS' only): ${noCertOnExternal.stderr}`);
});
