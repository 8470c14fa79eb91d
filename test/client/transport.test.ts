// How openClient picks its transport: a bootstrap server (TCP), a live kts server found
// through kts-server.json on the data dir (TCP), or the local engine (this process's, or the
// data dir owner's over its socket); config checks.
import t from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient } from '../../src/client/index.js';
import { UsageError } from '../../src/util/errors.js';
import { tempDir } from './helpers.js';
import { acquireDataDirOwnership } from '../../src/net/local-socket.js';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

t.test('in-process engine: same API, data survives close and reopen', async (t) => {
  const dataDir = await tempDir(t);
  const client = await openClient({ dataDir, env: {} });
  t.equal(client.transport, 'local');
  await client.admin.createTopics([{ topic: 'local', numPartitions: 2 }]);
  const producer = client.producer();
  const sent = await Promise.all([0, 1, 2].map((i) => producer.send({ topic: 'local', partition: i % 2, value: `v${i}` })));
  t.same(sent.map((m) => [m.partition, m.offset]), [[0, 0], [1, 0], [0, 1]]);
  await client.close();

  const again = await openClient({ dataDir, env: {}, config: { 'auto.offset.reset': 'earliest' } });
  t.teardown(() => again.close());
  t.same(await again.admin.listTopics(), ['local']);
  const consumer = again.consumer();
  consumer.assign([{ topic: 'local', partition: 0 }]);
  const records = await consumer.poll(2000);
  t.same(records.map((r) => r.value?.toString()), ['v0', 'v2']);
});

t.test('a second client of a held data dir shares the engine of its owner over its socket', async (t) => {
  const dataDir = await tempDir(t);
  const first = await openClient({ dataDir, env: {} });
  t.teardown(() => first.close());
  await first.admin.createTopics([{ topic: 'shared', numPartitions: 1 }]);
  const second = await openClient({ dataDir, env: {} });
  t.teardown(() => second.close());
  t.equal(second.transport, 'local');
  const sent = await second.producer().send({ topic: 'shared', value: 'through the socket' });
  t.equal(sent.offset, 0);
  const consumer = first.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'shared', partition: 0 }]);
  const records = await consumer.poll(5000);
  t.same(records.map((r) => r.value?.toString()), ['through the socket']);
});

t.test('a data dir held by a process that does not serve it: the wait ends naming the holder', async (t) => {
  const dataDir = await tempDir(t);
  // This process holds the ownership and the lock file but serves nothing, as a kts server
  // does while it starts up.
  const ownership = await acquireDataDirOwnership(dataDir);
  t.ok(ownership);
  t.teardown(() => ownership?.release());
  writeFileSync(join(dataDir, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'kts server-start', startedAt: 'now' }));
  writeFileSync(join(dataDir, 'meta.properties'), 'version=1\nnode.id=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\n');
  const err = await openClient({ dataDir, env: {}, config: { 'default.api.timeout.ms': '300' } }).then(
    (c) => c.close().then(() => null),
    (e: unknown) => e,
  );
  t.ok(err instanceof Error, 'refused');
  t.match((err as Error).message, new RegExp(`locked by process ${process.pid} .*kts server-start`));
  t.match((err as { hint?: string }).hint ?? '', /--bootstrap-server/);
});

t.test('without --bootstrap-server, a running kts server on the data dir is used over TCP', async (t) => {
  const dataDir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0'] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger() });
  t.teardown(() => broker.stop());
  const client = await openClient({ dataDir, env: {} });
  t.teardown(() => client.close());
  t.equal(client.transport, 'tcp');
  t.equal(client.target, `127.0.0.1:${broker.boundPorts[0]!.port}`);
  await client.admin.createTopics([{ topic: 'shared', numPartitions: 1 }]);
  t.same(await client.admin.listTopics(), ['shared']);
});

t.test('config keys and values are checked', async (t) => {
  await t.rejects(openClient({ bootstrapServer: '127.0.0.1:1', config: { 'linger.ms': 'soon' } }), UsageError);
  const unknown = await openClient({ bootstrapServer: '127.0.0.1:1', config: { 'linger.msec': '5' } }).catch((e: unknown) => e);
  t.ok(unknown instanceof UsageError);
  t.match((unknown as UsageError).hint, /linger\.ms/);
  await t.rejects(openClient({ bootstrapServer: 'no-port' }), /expected host:port/);
  await t.rejects(openClient({ bootstrapServer: '127.0.0.1:1', config: { acks: '2' } }), /acks/);
});

t.test('a refused bootstrap server fails cleanly with a hint', async (t) => {
  const client = await openClient({ bootstrapServer: '127.0.0.1:1', config: { 'default.api.timeout.ms': '500' } });
  t.teardown(() => client.close());
  const err = await client.admin.listTopics().catch((e: unknown) => e);
  t.match((err as Error).message, /refused: is a broker running\?/);
});

t.test('known Kafka settings kts does not implement are refused with the reason', async (t) => {
  await t.rejects(openClient({ bootstrapServer: '127.0.0.1:1', config: { 'group.id': 'g' } }), /consumer groups are not supported/);
  await t.rejects(openClient({ bootstrapServer: '127.0.0.1:1', config: { 'security.protocol': 'BOGUS' } }), /expected one of plaintext, ssl, sasl_plaintext, sasl_ssl/);
  await t.rejects(openClient({ bootstrapServer: '127.0.0.1:1', config: { 'sasl.mechanism': 'GSSAPI', 'security.protocol': 'SASL_PLAINTEXT' } }), /GSSAPI is not supported/);
  const ok = await openClient({ bootstrapServer: '127.0.0.1:1', config: { 'security.protocol': 'PLAINTEXT' } });
  await ok.close();
});

t.test('bootstrap lists: IPv6 literals, schemes, and a dead first address', async (t) => {
  const { parseBootstrap } = await import('../../src/client/client.js');
  t.same(parseBootstrap('[::1]:9092, PLAINTEXT://host-a:19092'), [
    { host: '::1', port: 9092 },
    { host: 'host-a', port: 19092 },
  ]);
  t.throws(() => parseBootstrap('host:99999'), /expected host:port/);
  const { startTestBroker, connect } = await import('./helpers.js');
  const broker = await startTestBroker(t);
  const client = await connect(t, { ...broker, bootstrap: `127.0.0.1:1,${broker.bootstrap}` });
  await client.admin.createTopics([{ topic: 'second', numPartitions: 1 }]);
  t.same(await client.admin.listTopics(), ['second']);
});

t.test('acks other than all turn default idempotence off; an explicit conflict is refused', async (t) => {
  const client = await openClient({ bootstrapServer: '127.0.0.1:1' });
  t.teardown(() => client.close());
  t.doesNotThrow(() => client.producer({ acks: '1' }));
  t.doesNotThrow(() => client.producer({ 'max.in.flight.requests.per.connection': '10' }));
  t.throws(() => client.producer({ acks: '1', 'enable.idempotence': 'true' }), /requires acks=all/);
  t.throws(() => client.producer({ 'max.in.flight.requests.per.connection': '6', 'enable.idempotence': 'true' }), /<= 5/);
});
