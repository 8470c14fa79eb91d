// TLS and SASL with real clients: kcat (librdkafka) and confluent-kafka-python produce and
// consume over SSL and over SASL_PLAINTEXT and SASL_SSL with each of PLAIN, SCRAM-SHA-256 and
// SCRAM-SHA-512; kafkajs and the kts client over each listener and each mechanism; wrong
// passwords are refused with an authentication error; a plaintext client on a TLS port does
// not hurt the broker; passwords never show in DescribeConfigs or the log.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { makeCerts } from '../helpers/certs.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { createScramUser, runSecureBroker, securityOverrides, type SecureBroker } from '../helpers/security.js';
import { openClient } from '../../src/client/index.js';
import { runKts } from '../helpers/run-kts.js';
import { interBrokerSecurity } from '../../src/broker/auth/inter-broker.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { openTcpChannel } from '../../src/net/tcp-channel.js';
import { authenticateSasl } from '../../src/net/sasl/client.js';

const certs = makeCerts(t);
let b: SecureBroker;
t.before(async () => {
  b = await runSecureBroker(t, securityOverrides(certs));
  t.same((await createScramUser(b.ports.PLAINTEXT!, 'carol', 'carol-secret', 'SCRAM-SHA-256')).results, [{ user: 'carol', errorCode: 0, errorMessage: null }]);
  await createScramUser(b.ports.PLAINTEXT!, 'dave', 'dave-secret', 'SCRAM-SHA-512');
});

const kcatSecurity = (protocol: string, mechanism?: string, user?: string, password?: string): string[] => [
  '-X', `security.protocol=${protocol}`,
  ...(protocol.endsWith('SSL') ? ['-X', `ssl.ca.location=${certs.caCert}`] : []),
  ...(mechanism ? ['-X', `sasl.mechanism=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`] : []),
];

const cases = [
  { protocol: 'SSL', mechanism: undefined, user: undefined, password: undefined },
  { protocol: 'SASL_PLAINTEXT', mechanism: 'PLAIN', user: 'alice', password: 'alice-secret' },
  { protocol: 'SASL_SSL', mechanism: 'PLAIN', user: 'alice', password: 'alice-secret' },
  { protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256', user: 'carol', password: 'carol-secret' },
  { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', user: 'dave', password: 'dave-secret' },
  { protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-512', user: 'dave', password: 'dave-secret' },
  { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-256', user: 'carol', password: 'carol-secret' },
] as const;

// 27 s on a quiet machine, and its Python client may take up to 240 s: more than the 120 s tap gives a file (package.json).
t.setTimeout(600_000);

t.test('kcat produces and consumes over every listener and mechanism', { skip: needsKcat }, async (t) => {
  for (const c of cases) {
    const topic = `kcat-${c.protocol}-${c.mechanism ?? 'none'}`.toLowerCase();
    const sec = kcatSecurity(c.protocol, c.mechanism, c.user, c.password);
    const port = b.ports[c.protocol]!;
    const p = await kcat(['-b', `127.0.0.1:${port}`, ...sec, '-P', '-t', topic], 'one\ntwo\n');
    t.equal(p.code, 0, `${c.protocol} ${c.mechanism ?? ''} produce: ${p.stderr}`);
    const r = await kcat(['-b', `127.0.0.1:${port}`, ...sec, '-C', '-t', topic, '-e', '-o', 'beginning']);
    t.equal(r.stdout, 'one\ntwo\n', `${c.protocol} ${c.mechanism ?? ''} consume`);
  }
});

t.test('kcat with a wrong password fails with an authentication error', { skip: needsKcat }, async (t) => {
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256']) {
    const user = mechanism === 'PLAIN' ? 'alice' : 'carol';
    const r = await kcat(['-b', `127.0.0.1:${b.ports.SASL_SSL}`, ...kcatSecurity('SASL_SSL', mechanism, user, 'wrong'), '-L', '-m', '3'], undefined, 15_000);
    t.not(r.code, 0, `${mechanism}: refused`);
    t.match(r.stderr, /SASL authentication error: Authentication failed/, `${mechanism}: librdkafka reports the broker's message`);
  }
  const unknown = await kcat(['-b', `127.0.0.1:${b.ports.SASL_PLAINTEXT}`, ...kcatSecurity('SASL_PLAINTEXT', 'SCRAM-SHA-512', 'nobody', 'x'), '-L', '-m', '3'], undefined, 15_000);
  t.match(unknown.stderr, /Authentication failed/, 'an unknown SCRAM user fails the same way');
  t.match(b.log.lines.join('\n'), /Failed SASL PLAIN authentication from 127\.0\.0\.1 for user "alice"/, 'failures are logged');
  t.notMatch(b.log.lines.join('\n'), /wrong/, 'the password is never logged');
});

t.test('kafkajs over SSL and SASL (plain, scram-sha-256, scram-sha-512)', async (t) => {
  const ca = [readFileSync(certs.caCert, 'utf8')];
  const variants = [
    { name: 'ssl', port: b.ports.SSL!, ssl: { ca }, sasl: undefined },
    { name: 'sasl-plain', port: b.ports.SASL_SSL!, ssl: { ca }, sasl: { mechanism: 'plain' as const, username: 'alice', password: 'alice-secret' } },
    { name: 'scram-256', port: b.ports.SASL_PLAINTEXT!, ssl: undefined, sasl: { mechanism: 'scram-sha-256' as const, username: 'carol', password: 'carol-secret' } },
    { name: 'scram-512', port: b.ports.SASL_SSL!, ssl: { ca }, sasl: { mechanism: 'scram-sha-512' as const, username: 'dave', password: 'dave-secret' } },
  ];
  for (const v of variants) {
    const kafka = new Kafka({ clientId: 'kts-test', brokers: [`localhost:${v.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 }, ...(v.ssl ? { ssl: v.ssl } : {}), ...(v.sasl ? { sasl: v.sasl } : {}) });
    const topic = `kafkajs-${v.name}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${v.name}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === 2) resolve();
      } });
    });
    await consumer.disconnect();
    t.same(seen, ['a', 'b'], `${v.name}: produced and consumed in a group`);
  }
  const bad = new Kafka({ clientId: 'kts-test', brokers: [`localhost:${b.ports.SASL_SSL}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: { ca }, sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'nope' } });
  const admin = bad.admin();
  await t.rejects(admin.connect(), /SASL SCRAM SHA256 authentication failed|Authentication failed/, 'kafkajs: wrong password refused');
});

const needsPython = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka']).status === 0 ? false : 'confluent_kafka is not installed for /usr/bin/python3';


t.test('confluent-kafka-python over every listener and mechanism, and a wrong password', { skip: needsPython }, async (t) => {
  // One interpreter for every case: argv carries JSON [{name, port, conf}], it prints one line per case.
  const script = `
import sys, json
from confluent_kafka import Producer, Consumer
from confluent_kafka.admin import AdminClient
for case in json.loads(sys.argv[1]):
    conf = dict(case['conf'], **{'bootstrap.servers': '127.0.0.1:%d' % case['port']})
    if case.get('wrong'):
        admin = AdminClient(conf)
        try:
            admin.list_topics(timeout=10)
            print(case['name'], 'connected')
        except Exception:
            print(case['name'], 'refused')
        continue
    topic = 'py-' + case['name']
    p = Producer(conf)
    for v in ['x', 'y']:
        p.produce(topic, v.encode())
    left = p.flush(20)
    c = Consumer(dict(conf, **{'group.id': 'py-' + case['name'], 'auto.offset.reset': 'earliest'}))
    c.subscribe([topic])
    got = []
    for _ in range(80):
        m = c.poll(0.5)
        if m is not None and m.error() is None:
            got.append(m.value().decode())
        if len(got) == 2:
            break
    c.close()
    print(case['name'], left, ','.join(got))
`;
  const conf = (c: { protocol: string; mechanism?: string; user?: string; password?: string }): Record<string, string> => ({
    'security.protocol': c.protocol,
    ...(c.protocol.endsWith('SSL') ? { 'ssl.ca.location': certs.caCert } : {}),
    ...(c.mechanism ? { 'sasl.mechanism': c.mechanism, 'sasl.username': c.user!, 'sasl.password': c.password! } : {}),
  });
  const runs = [
    ...cases.map((c) => ({ name: `${c.protocol}-${c.mechanism ?? 'none'}`.toLowerCase(), port: b.ports[c.protocol]!, conf: conf(c) })),
    { name: 'wrong-password', port: b.ports.SASL_SSL!, conf: conf({ protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', user: 'dave', password: 'not-it' }), wrong: true },
  ];
  const out = await new Promise<{ out: string; err: string }>((resolve) => {
    execFile('/usr/bin/python3', ['-c', script, JSON.stringify(runs)], { timeout: 240_000 }, (_e, stdout, stderr) => resolve({ out: stdout, err: stderr }));
  });
  const lines = new Map(out.out.trim().split('\n').map((l) => [l.split(' ')[0]!, l.split(' ').slice(1).join(' ')]));
  for (const r of runs.filter((r) => !('wrong' in r))) t.equal(lines.get(r.name), '0 x,y', `${r.name}: produced and consumed in a group`);
  t.match(lines.get('wrong-password'), /^refused/, 'a wrong SCRAM password is refused');
  t.match(out.err, /SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/, "librdkafka reports the broker's authentication error");
});

t.test('kts client over SASL_SSL with SCRAM, and a clear error for a wrong password', async (t) => {
  const config = {
    'security.protocol': 'SASL_SSL',
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    'sasl.mechanism': 'SCRAM-SHA-256',
    'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="carol-secret";',
  };
  const client = await openClient({ bootstrapServer: `localhost:${b.ports.SASL_SSL}`, config });
  t.teardown(() => client.close());
  const topics = await client.admin.listTopics();
  t.ok(topics.includes('kafkajs-scram-512'), 'listed topics over SASL_SSL');
  const wrong = await openClient({ bootstrapServer: `localhost:${b.ports.SASL_SSL}`, config: { ...config, 'sasl.jaas.config': config['sasl.jaas.config'].replace('carol-secret', 'bad') } });
  t.teardown(() => wrong.close());
  await t.rejects(wrong.admin.listTopics(), /SASL authentication with .* failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/);
});

t.test('passwords never appear in DescribeConfigs or in the log', async (t) => {
  const all = await runKts(`configs --describe --all --broker 1 --bootstrap-server 127.0.0.1:${b.ports.PLAINTEXT}`);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /listeners=/, 'broker configs are described');
  t.match(all.stdout, /^  ssl\.keystore\.password=null sensitive=true synonyms=\{STATIC_BROKER_CONFIG:ssl\.keystore\.password=null\}$/m, "a password is null and sensitive, as in Kafka");
  t.match(all.stdout, /^  listener\.name\.sasl_ssl\.plain\.sasl\.jaas\.config=null sensitive=true /m, 'a per-listener JAAS entry too');
  t.match(all.stdout, /^  ssl\.keystore\.location=\S+server\.pem sensitive=false /m, 'a location is shown');
  t.match(all.stdout, /^  sasl\.enabled\.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 sensitive=false /m);
  t.notMatch(all.stdout, /top-secret-pw|alice-secret|admin-secret/, 'no keystore password or JAAS secret');

  const kafka = new Kafka({ clientId: 'kts-test', brokers: [`127.0.0.1:${b.ports.PLAINTEXT}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const described = await admin.describeConfigs({ resources: [{ type: 4, name: '1', configNames: ['ssl.keystore.password', 'listener.name.sasl_plaintext.plain.sasl.jaas.config', 'ssl.truststore.type'] }], includeSynonyms: false });
  const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, [e.configValue, e.isSensitive]]));
  t.same(entries, { 'ssl.keystore.password': [null, true], 'listener.name.sasl_plaintext.plain.sasl.jaas.config': [null, true], 'ssl.truststore.type': ['PEM', false] }, 'kafkajs sees the same');
  t.notMatch(b.log.lines.join('\n'), /top-secret-pw|alice-secret|admin-secret|carol-secret|dave-secret/, 'no secret in the broker log');
});

t.test('a plaintext client on a TLS port is dropped and the broker keeps serving', { skip: needsKcat }, async (t) => {
  const closed = await new Promise<boolean>((resolve) => {
    const s = connect(b.ports.SSL!, '127.0.0.1', () => s.write(Buffer.from('0000001200120000000000010004746573740000', 'hex')));
    s.on('data', () => undefined);
    s.on('close', () => resolve(true));
    s.on('error', () => undefined);
  });
  t.ok(closed, 'connection closed');
  const r = await kcat(['-b', `127.0.0.1:${b.ports.SSL}`, ...kcatSecurity('SSL'), '-L']);
  t.equal(r.code, 0, 'the TLS listener still serves');
});

t.test('inter-broker security: the broker logs in to another broker as Kafka configures it', async (t) => {
  const raw: Record<string, string> = { ...b.broker.config.raw, 'sasl.mechanism.inter.broker.protocol': 'PLAIN' };
  const security = interBrokerSecurity({ ...b.broker.config, raw }, 'SASL_SSL');
  t.equal(security.sasl?.username, 'admin', "the username of the listener's JAAS entry");
  const conn = await BrokerConnection.open(await openTcpChannel('localhost', b.ports.SASL_SSL!, 5000, security.tls), 'kts-replica-fetcher-1', 10_000);
  t.teardown(() => conn.channel.close());
  await authenticateSasl(conn, security.sasl!);
  const md = await conn.call(3, () => ({ topics: [] }));
  t.equal(md.body.brokers.length, 1, 'authenticated over SASL_SSL with the inter-broker credentials');

  const wrongJaas = raw['listener.name.sasl_ssl.plain.sasl.jaas.config']!.replace('password="admin-secret"', 'password="stale"');
  const wrong = interBrokerSecurity({ ...b.broker.config, raw: { ...raw, 'listener.name.sasl_ssl.plain.sasl.jaas.config': wrongJaas } }, 'SASL_SSL');
  const other = await BrokerConnection.open(await openTcpChannel('localhost', b.ports.SASL_SSL!, 5000, wrong.tls), 'kts-replica-fetcher-2', 10_000);
  t.teardown(() => other.channel.close());
  await t.rejects(authenticateSasl(other, wrong.sasl!), /Authentication failed: Invalid username or password/, 'wrong inter-broker credentials cannot join');
  t.throws(() => interBrokerSecurity(b.broker.config, 'SASL_SSL'), /sasl\.mechanism\.inter\.broker\.protocol is not set/);
});
