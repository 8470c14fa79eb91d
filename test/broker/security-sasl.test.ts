// SASL and mutual TLS on the wire: the client certificate's subject is the principal
// (mapped by ssl.principal.mapping.rules) and ACLs apply to it; clients without a trusted
// certificate are refused under ssl.client.auth=required; the SaslHandshake v0 flow with
// bare tokens; KIP-368 session lifetimes: an expired session is closed unless it
// re-authenticates, and the kts client re-authenticates by itself.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCerts } from '../helpers/certs.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { PLAIN_JAAS, runSecureBroker } from '../helpers/security.js';
import { decodeResponse, encodeRequestChunks } from '../../src/protocol/codec.js';
import { openTcpChannel } from '../../src/net/tcp-channel.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { authenticateSasl } from '../../src/net/sasl/client.js';
import { encodePlainToken } from '../../src/net/sasl/plain.js';
import { Kafka, logLevel } from 'kafkajs';
import { createScramUser } from '../helpers/security.js';

const certs = makeCerts(t);

t.test('mutual TLS: the certificate is the principal', { skip: needsKcat }, async (t) => {
  const b = await runSecureBroker(t, [
    'listeners=SSL://127.0.0.1:0',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverPem}`,
    `ssl.truststore.location=${certs.caCert}`,
    'ssl.client.auth=required',
    'ssl.principal.mapping.rules=RULE:^CN=(.*?),OU=.*$/$1/L,DEFAULT',
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=true',
  ]);
  const port = b.ports.SSL!;
  // ACLs through the in-process door (the data dir's owner); the TLS listener is for clients.
  const acl = (operation: number) => ({ resourceType: 2, resourceName: 'mtls', resourcePatternType: 3, principal: 'User:client1', host: '*', operation, permissionType: 3 });
  const created = await b.broker.handleFrame(Buffer.concat(encodeRequestChunks(30, 3, 1, 'test', { creations: [acl(4), acl(5)] })).subarray(4));
  const results = (decodeResponse(30, 3, Buffer.concat(created!).subarray(4)).body as { results: { errorCode: number }[] }).results;
  t.same(results.map((r) => r.errorCode), [0, 0], 'Write and Create on mtls for User:client1');

  const tls = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.caCert}`];
  const mine = ['-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`];
  const noCert = await kcat(['-b', `127.0.0.1:${port}`, ...tls, '-L', '-m', '3'], undefined, 10_000);
  t.not(noCert.code, 0, 'no client certificate: refused');
  const stranger = await kcat(['-b', `127.0.0.1:${port}`, ...tls, '-X', `ssl.certificate.location=${certs.strangerPem}`, '-X', `ssl.key.location=${certs.strangerPem}`, '-L', '-m', '3'], undefined, 10_000);
  t.not(stranger.code, 0, 'a certificate from an untrusted CA: refused');
  const produced = await kcat(['-b', `127.0.0.1:${port}`, ...tls, ...mine, '-P', '-t', 'mtls'], 'hello\n');
  t.equal(produced.code, 0, `User:client1 (mapped from CN=client1,OU=test,O=kts) may write mtls: ${produced.stderr}`);
  const read = await kcat(['-b', `127.0.0.1:${port}`, ...tls, ...mine, '-C', '-t', 'mtls', '-e', '-o', 'beginning'], undefined, 8_000);
  t.match(read.stderr.slice(0, 2000), /authorization failed/i, 'but not read it: the ACL names the mapped principal');
});

/** One framed exchange on a raw socket. */
function exchange(socket: Socket, frame: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        socket.off('data', onData);
        resolve(got.subarray(4, 4 + got.readInt32BE(0)));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed')));
    socket.write(frame);
  });
}

t.test('SaslHandshake v0: bare tokens, then requests', async (t) => {
  const b = await runSecureBroker(t, ['listeners=SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms=PLAIN', `sasl.jaas.config=${PLAIN_JAAS}`]);
  const socket = connect(b.ports.SASL_PLAINTEXT!, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  const hs = await exchange(socket, Buffer.concat(encodeRequestChunks(17, 0, 1, 'raw', { mechanism: 'PLAIN' })));
  t.same(decodeResponse(17, 0, hs).body, { errorCode: 0, mechanisms: ['PLAIN'] });
  const token = encodePlainToken('alice', 'alice-secret');
  const size = Buffer.alloc(4);
  size.writeInt32BE(token.length);
  const answer = await exchange(socket, Buffer.concat([size, token]));
  t.equal(answer.length, 0, 'an empty token: authenticated');
  const md = await exchange(socket, Buffer.concat(encodeRequestChunks(3, 1, 2, 'raw', { topics: [] })));
  t.equal(decodeResponse(3, 1, md).correlationId, 2, 'Metadata served after the bare-token exchange');

  const bad = connect(b.ports.SASL_PLAINTEXT!, '127.0.0.1');
  t.teardown(() => bad.destroy());
  await new Promise((resolve) => bad.once('connect', resolve));
  await t.rejects(exchange(bad, Buffer.concat(encodeRequestChunks(3, 1, 1, 'raw', { topics: [] }))), /closed/, 'Metadata before authentication closes the connection');
});

t.test('KIP-368: session lifetime and re-authentication', async (t) => {
  const b = await runSecureBroker(t, ['listeners=SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms=PLAIN', `sasl.jaas.config=${PLAIN_JAAS}`, 'connections.max.reauth.ms=300']);
  const port = b.ports.SASL_PLAINTEXT!;
  const sasl = { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' };

  const raw = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 5000), 'raw', 5000);
  t.teardown(() => raw.channel.close());
  const hs = await raw.call(17, () => ({ mechanism: 'PLAIN' }), { minVersion: 1, maxVersion: 1 });
  t.equal(hs.body.errorCode, 0);
  const auth = await raw.call(36, () => ({ authBytes: encodePlainToken('alice', 'alice-secret') }));
  t.same([auth.body.errorCode, Number(auth.body.sessionLifetimeMs)], [0, 300], 'SaslAuthenticate tells the session lifetime');
  await sleep(400); // let the session expire: the broker must now refuse anything but re-authentication
  await t.rejects(raw.call(3, () => ({ topics: [] })), /closed/, 'an expired session is closed on its next request');

  const kts = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 5000), 'kts', 5000);
  t.teardown(() => kts.channel.close());
  await authenticateSasl(kts, sasl);
  await sleep(700); // two lifetimes: the client re-authenticates at 85% of each
  const md = await kts.call(3, () => ({ topics: [] }));
  t.equal(md.body.brokers.length, 1, 'the kts client re-authenticated and kept its connection');
  t.ok(kts.channel.isOpen);

  // A busy client whose re-authentication timer cannot fire in time (the event loop is held
  // past the session's end): the next request re-authenticates first instead of being refused.
  const busy = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 5000), 'busy', 5000);
  t.teardown(() => busy.channel.close());
  await authenticateSasl(busy, sasl);
  const heldUntil = Date.now() + 400;
  while (Date.now() < heldUntil) {
    // hold the event loop, as a long synchronous task would
  }
  const after = await busy.call(3, () => ({ topics: [] }));
  t.equal(after.body.brokers.length, 1, 'a request after a missed re-authentication timer re-authenticates first');
});

t.test('failed logins: each answered and closed, at most 10 logged a minute, never a password', async (t) => {
  const b = await runSecureBroker(t, ['listeners=SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms=PLAIN', `sasl.jaas.config=${PLAIN_JAAS}`]);
  const port = b.ports.SASL_PLAINTEXT!;
  for (let i = 0; i < 25; i++) {
    const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 5000), 'guesser', 5000);
    await t.rejects(authenticateSasl(conn, { mechanism: 'PLAIN', username: 'alice', password: `guess-${i}` }), /Authentication failed/);
    await t.rejects(conn.call(3, () => ({ topics: [] })), /closed|not open/i, 'the broker closed the connection');
    conn.channel.close();
  }
  const lines = b.log.lines.join('\n');
  t.equal(lines.match(/Failed SASL PLAIN authentication from 127\.0\.0\.1 for user "alice"/g)?.length, 10, '10 failures logged');
  t.equal(lines.match(/More than 10 failed SASL authentications within a minute/g)?.length, 1, 'then one line says the rest are counted');
  t.notMatch(lines, /guess-/, 'no password in the log');
});

t.test('KIP-368 with kafkajs: it re-authenticates within the session lifetime and keeps its connection', async (t) => {
  const lifetimeMs = 2000;
  const b = await runSecureBroker(t, [
    'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    `connections.max.reauth.ms=${lifetimeMs}`,
  ]);
  await createScramUser(b.ports.PLAINTEXT!, 'dave', 'dave-secret', 'SCRAM-SHA-512');
  for (const sasl of [{ mechanism: 'plain' as const, username: 'alice', password: 'alice-secret' }, { mechanism: 'scram-sha-512' as const, username: 'dave', password: 'dave-secret' }]) {
    // kafkajs re-authenticates before a request once the session is within the threshold of its end.
    const kafka = new Kafka({ clientId: 'reauth', brokers: [`127.0.0.1:${b.ports.SASL_PLAINTEXT}`], logLevel: logLevel.NOTHING, sasl, reauthenticationThreshold: 1000, retry: { retries: 0 } });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const topic = `reauth-${sasl.mechanism}`;
    const startMs = Date.now();
    let sent = 0;
    // Keep producing across at least three session lifetimes (the pauses only let time pass).
    while (Date.now() - startMs < 3 * lifetimeMs) {
      await producer.send({ topic, messages: [{ value: `m${sent}` }] });
      sent++;
      await sleep(250);
    }
    await producer.disconnect();
    t.ok(sent > 3, `${sasl.mechanism}: ${sent} sends over three lifetimes, no retries needed`);
    const log = b.log.lines.join('\n');
    t.match(log, new RegExp(`Re-authenticated User:${sasl.username} \\(${sasl.mechanism.toUpperCase()}\\)`), `${sasl.mechanism}: the broker saw kafkajs re-authenticate`);
    t.notMatch(log, new RegExp(`SASL session of User:${sasl.username} expired`), `${sasl.mechanism}: no session of kafkajs expired`);
  }
});

t.test('SaslHandshake v0-v1 and SaslAuthenticate v0-v2, each version on its own connection', async (t) => {
  const b = await runSecureBroker(t, ['listeners=SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms=PLAIN', `sasl.jaas.config=${PLAIN_JAAS}`, 'connections.max.reauth.ms=60000']);
  for (const version of [0, 1, 2]) {
    const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', b.ports.SASL_PLAINTEXT!, 5000), `v${version}`, 5000);
    t.teardown(() => conn.channel.close());
    const hs = await conn.call(17, () => ({ mechanism: 'PLAIN' }), { minVersion: 1, maxVersion: 1 });
    t.same(hs.body, { errorCode: 0, mechanisms: ['PLAIN'] }, 'SaslHandshake v1');
    const bad = await conn.call(36, () => ({ authBytes: encodePlainToken('alice', 'nope') }), { minVersion: version, maxVersion: version });
    t.equal(bad.body.errorCode, 58, `SaslAuthenticate v${version}: a wrong password answers SASL_AUTHENTICATION_FAILED`);
    t.match(bad.body.errorMessage, /Authentication failed/);
    await t.rejects(conn.call(3, () => ({ topics: [] })), /closed|not open/i, `v${version}: then the connection is closed`);
    const good = await BrokerConnection.open(await openTcpChannel('127.0.0.1', b.ports.SASL_PLAINTEXT!, 5000), `v${version}-ok`, 5000);
    t.teardown(() => good.channel.close());
    await good.call(17, () => ({ mechanism: 'PLAIN' }), { minVersion: 1, maxVersion: 1 });
    const ok = await good.call(36, () => ({ authBytes: encodePlainToken('alice', 'alice-secret') }), { minVersion: version, maxVersion: version });
    t.equal(ok.body.errorCode, 0, `SaslAuthenticate v${version}: authenticated`);
    if (version >= 1) t.equal(Number(ok.body.sessionLifetimeMs), 60000, `v${version} carries the session lifetime`);
    const md = await good.call(3, () => ({ topics: [] }));
    t.equal(md.body.brokers.length, 1, `v${version}: requests served after it`);
  }
});
