// Bad security configuration stops startup with a message naming the key and the problem:
// a missing key file, a key that does not match its certificate, an expired certificate,
// a JKS keystore, a JAAS line with a syntax error, a SASL listener without mechanisms or
// users, an unsupported mechanism. Also PKCS12 and inline PEM keystores that are fine.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { parseJaasConfig } from '../../src/net/sasl/jaas.js';
import { makeCerts } from '../helpers/certs.js';
import { brokerConfigFailure } from '../helpers/security.js';

const certs = makeCerts(t);
const build = (overrides: string[]) => buildBrokerConfig({ dataDir: certs.dir, env: {}, overrides });
const failure = (overrides: string[]) => brokerConfigFailure(certs.dir, overrides);
const ssl = (...more: string[]) => ['listeners=SSL://127.0.0.1:0', ...more];

t.test('keystores that load', async (t) => {
  t.ok(build(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.serverPem}`)).listenerSecurity.get('SSL')!.tls, 'PEM file with key and chain');
  t.ok(build(ssl('ssl.keystore.type=PKCS12', `ssl.keystore.location=${certs.serverP12}`, `ssl.keystore.password=${certs.p12Password}`)).listenerSecurity.get('SSL')!.tls, 'PKCS12');
  const key = readFileSync(certs.serverKey, 'utf8');
  const chain = readFileSync(certs.serverCert, 'utf8');
  t.ok(build(ssl('ssl.keystore.type=PEM', `ssl.keystore.key=${key}`, `ssl.keystore.certificate.chain=${chain}`)).listenerSecurity.get('SSL')!.tls, 'inline PEM');
  const prefixed = build(['listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'listener.name.ssl.ssl.keystore.type=PEM', `listener.name.ssl.ssl.keystore.location=${certs.serverPem}`, 'listener.name.ssl.ssl.client.auth=required', `listener.name.ssl.ssl.truststore.location=${certs.caCert}`]);
  t.equal(prefixed.listenerSecurity.get('SSL')!.tls!.clientAuth, 'required', 'listener.name.<l>.ssl.* overrides');
});

t.test('keystore problems name the key', async (t) => {
  const missing = failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${join(certs.dir, 'nope.pem')}`));
  t.match(missing.message, /^ssl\.keystore\.location: file .*nope\.pem does not exist\./);

  const mismatched = join(certs.dir, 'mismatch.pem');
  writeFileSync(mismatched, readFileSync(certs.clientKey, 'utf8') + readFileSync(certs.serverCert, 'utf8'));
  t.match(failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${mismatched}`)).message, /^ssl\.keystore\.location: the private key does not match the certificate\./);

  const expired = failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.expiredPem}`));
  t.match(expired.message, /^ssl\.keystore\.location: the certificate \(CN=expired\) expired on Jan  2 00:00:00 2020 GMT\./);

  t.match(failure(ssl('ssl.keystore.type=PKCS12', `ssl.keystore.location=${certs.serverP12}`, 'ssl.keystore.password=wrong')).message, /^ssl\.keystore\.password: does not open the PKCS12 keystore .*: wrong password/);

  const jks = join(certs.dir, 'server.jks');
  writeFileSync(jks, Buffer.from('feedfeed0000000200000001', 'hex'));
  const refused = failure(ssl(`ssl.keystore.location=${jks}`));
  t.match(refused.message, /is a JKS keystore; kts reads PEM and PKCS12 keystores, not JKS\./);
  t.match(refused.hint, /keytool -importkeystore -srckeystore .*server\.jks -srcstoretype JKS -destkeystore .*server\.p12 -deststoretype PKCS12/);

  t.match(failure(ssl()).message, /^ssl\.keystore\.location: a TLS listener needs a keystore/);
  t.match(failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.serverPem}`, 'ssl.client.auth=required')).message, /ssl\.client\.auth=required needs a truststore/);
  t.match(failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.serverPem}`, 'ssl.client.auth=sometimes')).message, /ssl\.client\.auth: invalid value 'sometimes'/);
  t.match(failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.serverPem}`, 'ssl.enabled.protocols=TLSv1')).message, /ssl\.enabled\.protocols: TLSv1 is not supported/);
  t.match(failure(ssl('ssl.keystore.type=PEM', `ssl.keystore.location=${certs.serverPem}`, 'ssl.protocol=SSLv3')).message, /^ssl\.protocol: SSLv3 is not supported/);
  t.match(failure(ssl('ssl.keystore.locaton=x')).hint, /Did you mean 'ssl\.keystore\.location'\?/);
  const jvmOnly = build(['ssl.keymanager.algorithm=SunX509', 'listener.name.ssl.ssl.provider=SunJSSE']);
  t.same(jvmOnly.warnings, ["Configs ssl.keymanager.algorithm, listener.name.ssl.ssl.provider have no effect in kts: Node's TLS has no JVM security providers."], 'JVM provider keys: accepted with one warning');
});

t.test('SASL configuration problems', async (t) => {
  const sasl = (...more: string[]) => ['listeners=SASL_PLAINTEXT://127.0.0.1:0', ...more];
  t.match(failure(sasl()).message, /sasl\.enabled\.mechanisms is not set \(Kafka's default is GSSAPI\/Kerberos, which kts does not serve\)/);
  t.match(failure(sasl('sasl.enabled.mechanisms=GSSAPI')).message, /SASL mechanism GSSAPI is not supported by kts/);
  t.match(failure(sasl('sasl.enabled.mechanisms=PLAIN')).hint, /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config=/);
  const broken = failure(sasl('sasl.enabled.mechanisms=PLAIN', 'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret'));
  t.match(broken.message, /^listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config: invalid JAAS configuration at character \d+: a quoted value is not closed\./);
  t.match(failure(sasl('sasl.enabled.mechanisms=PLAIN', 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule mandatory;')).message, /the control flag must be one of required, requisite, sufficient, optional, not 'mandatory'/);
  t.match(failure(sasl('sasl.enabled.mechanisms=PLAIN', 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required user_a="b";')).message, /does not serve SASL mechanism PLAIN/);
  t.match(failure(sasl('sasl.enabled.mechanisms=PLAIN', 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";')).message, /the PLAIN login module lists no users/);
  t.match(failure(sasl('sasl.enabled.mechanisms=SCRAM-SHA-256', 'sasl.server.callback.handler.class=com.example.Handler')).message, /is not supported by kts/);
  t.match(failure(['authorizer.class.name=com.example.MyAuthorizer']).message, /invalid value 'com\.example\.MyAuthorizer' for authorizer\.class\.name/);
  t.match(failure(['authorizer.class.name=kafka.security.authorizer.AclAuthorizer', 'super.users=admin']).message, /super\.users: 'admin' is not a principal/);
});

t.test('JAAS parsing', async (t) => {
  const e = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="al\\"ice" password=bare user_x="y z";');
  t.equal(e.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule');
  t.same([...e.options], [['username', 'al"ice'], ['password', 'bare'], ['user_x', 'y z']]);
  t.throws(() => parseJaasConfig('a required x="1"'), /must end with ';'/);
  t.throws(() => parseJaasConfig('a required x="1"; b required;'), /only one login module entry/);
});
