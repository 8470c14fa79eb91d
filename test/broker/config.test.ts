// Broker config: Java properties syntax, Kafka's own server.properties, defaults, and
// the error messages for typos, bad values and unsupported listeners.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildBrokerConfig, defaultDataDir } from '../../src/broker/config.js';
import { parseProperties } from '../../src/broker/properties.js';
import { KtsError } from '../../src/util/errors.js';

const KAFKA_DEFAULT = `
# Kafka 4's config/server.properties, abridged
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;

function build(text: string, overrides: string[] = []) {
  return buildBrokerConfig({ fileEntries: parseProperties(text), overrides, env: { HOME: '/home/u' } });
}

function failure(fn: () => unknown): KtsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KtsError) return err;
    throw err;
  }
  throw new Error('expected a KtsError');
}

t.test('java properties syntax', async (t) => {
  const entries = parseProperties([
    '# comment',
    '! also a comment',
    'a=1',
    'b : two words ',
    'c three',
    'long.value=first \\',
    '    second',
    'esc=tab\\there\\u0041\\\\',
    'key\\=with\\:seps=v',
    '  indented = yes',
  ].join('\n'));
  t.same(entries.map((e) => [e.key, e.value]), [
    ['a', '1'],
    ['b', 'two words '],
    ['c', 'three'],
    ['long.value', 'first second'],
    ['esc', 'tab\there' + 'A\\'],
    ['key=with:seps', 'v'],
    ['indented', 'yes'],
  ]);
  t.same(entries.map((e) => e.line), [3, 4, 5, 6, 8, 9, 10]);
});

t.test("Kafka's own server.properties is accepted", async (t) => {
  const c = build(KAFKA_DEFAULT);
  t.equal(c.nodeId, 1);
  t.same(c.listeners.map((l) => `${l.name}://${l.host}:${l.port}`), ['PLAINTEXT://:9092']);
  t.same(c.advertisedListeners.map((l) => `${l.name}://${l.host}:${l.port}`), ['PLAINTEXT://localhost:9092']);
  t.same(c.logDirs, ['/tmp/kraft-combined-logs']);
  t.equal(c.topicDefaults['retention.ms'], String(168 * 3_600_000));
  t.equal(c.topicDefaults['segment.bytes'], '1073741824');
  t.ok(c.warnings.some((w) => w.includes('num.io.threads') && w.includes('no effect')));
  t.equal(c.warnings.filter((w) => w.includes('num.io.threads')).length, 1, 'one line per key');
  t.ok(c.warnings.some((w) => w.includes('CONTROLLER')));
});

t.test('defaults with no file', async (t) => {
  const c = buildBrokerConfig({ env: { HOME: '/home/u' } });
  t.same(c.listeners.map((l) => `${l.name}://${l.host}:${l.port}`), ['PLAINTEXT://127.0.0.1:9092']);
  t.same(c.logDirs, ['/home/u/.local/share/kts/data']);
  t.equal(c.autoCreateTopicsEnable, true);
  t.equal(defaultDataDir({ KTS_DATA_DIR: '/d' }), '/d');
  t.equal(defaultDataDir({ XDG_DATA_HOME: '/x', HOME: '/h' }), '/x/kts/data');
  const withDir = buildBrokerConfig({ dataDir: '/data', env: {} });
  t.same(withDir.logDirs, ['/data']);
});

t.test('overrides win over the file; log.retention.ms beats hours', async (t) => {
  const c = build('num.partitions=2\nlog.retention.hours=1\n', ['num.partitions=5', 'log.retention.ms=1000']);
  t.equal(c.numPartitions, 5);
  t.equal(c.topicDefaults['retention.ms'], '1000');
});

t.test('a misspelled key stops startup and suggests the right one', async (t) => {
  const err = failure(() => build('num.partitons=3\n'));
  t.match(err.message, /properties:1: unknown config 'num.partitons'/);
  t.match(err.hint, /num\.partitions/);
  const far = failure(() => build('completely.unrelated.thing=1\n'));
  t.notMatch(far.hint ?? '', /Did you mean/);
});

t.test('invalid values name the key and the allowed values', async (t) => {
  const bool = failure(() => build('auto.create.topics.enable=yes\n'));
  t.match(bool.message, /auto\.create\.topics\.enable/);
  t.match(bool.hint, /true, false/);
  const num = failure(() => build('', ['num.partitions=zero']));
  t.match(num.message, /--override: invalid value 'zero' for num\.partitions/);
  const topicDefault = failure(() => build('log.message.timestamp.type=Wallclock\n'));
  t.match(topicDefault.message, /log\.message\.timestamp\.type/);
  t.match(topicDefault.hint, /CreateTime, LogAppendTime/);
  const role = failure(() => build('process.roles=controller\n'));
  t.match(role.message, /broker role/);
});

t.test('listeners: an SSL listener needs a keystore, 0.0.0.0 is not an advertised address', async (t) => {
  const ssl = failure(() => build('listeners=SSL://127.0.0.1:9093\n'));
  t.match(ssl.message, /ssl\.keystore\.location: a TLS listener needs a keystore/);
  const zero = failure(() => build('listeners=PLAINTEXT://0.0.0.0:9092\n'));
  t.match(zero.message, /0\.0\.0\.0/);
  t.match(zero.hint, /advertised\.listeners/);
  const ok = build('listeners=PLAINTEXT://0.0.0.0:9092\nadvertised.listeners=PLAINTEXT://10.0.0.5:9092\n');
  t.equal(ok.advertisedListeners[0]!.host, '10.0.0.5');
  const unmapped = failure(() => build('listeners=INTERNAL://127.0.0.1:9092\n'));
  t.match(unmapped.hint, /INTERNAL:PLAINTEXT/);
  const rf = failure(() => build('default.replication.factor=3\n'));
  t.match(rf.message, /single broker/);
});

t.test('examples/server.properties is valid', async (t) => {
  const path = fileURLToPath(new URL('../../examples/server.properties', import.meta.url));
  const c = buildBrokerConfig({ fileEntries: parseProperties(readFileSync(path, 'utf8')), env: { HOME: '/h' } });
  t.equal(c.nodeId, 1);
  t.same(c.warnings, [], 'no warnings for our own example');
});

t.test('resource bounds: queued.max.request.bytes, max.broker.partitions, log.open.files.max', async (t) => {
  const defaults = build('');
  t.equal(defaults.queuedMaxRequestBytes, 100 * 1024 * 1024);
  t.equal(defaults.maxBrokerPartitions, 20_000);
  t.ok(defaults.logOpenFilesMax >= 16);
  t.equal(build('', ['queued.max.request.bytes=209715200', 'max.broker.partitions=5', 'log.open.files.max=64']).queuedMaxRequestBytes, 209_715_200);
  const unbounded = failure(() => build('queued.max.request.bytes=-1\n'));
  t.match(unbounded.message, /queued\.max\.request\.bytes=-1 is too small \(kts does not run unbounded\)/);
  t.match(unbounded.hint, /at least 1048576/);
  const tooMany = failure(() => build('', ['log.open.files.max=100000000']));
  t.match(tooMany.message, /log\.open\.files\.max=100000000 does not fit in this process's limit of \d+ open files \(ulimit -n\)/);
});
