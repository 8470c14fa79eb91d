// A 3-broker kts cluster whose only listener, INTERNAL, is SASL_PLAINTEXT (PLAIN) through
// listener.security.protocol.map and inter.broker.listener.name: brokers reach each
// other with the inter-broker login (replica fetchers, the controller's channel), and a kcat
// client with its own user writes with acks=all to a replication-factor-3 topic.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { replicaBytes, waitFor } from '../helpers/cluster-checks.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_alice="alice-secret";';
const CLIENT = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];

t.test('SASL_PLAINTEXT between brokers on a named listener (inter.broker.listener.name): replication and the controller work with the inter-broker login', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2, 3], {
    // A listener with its own name: the brokers find theirs through inter.broker.listener.name.
    listeners: 'INTERNAL://127.0.0.1:{port}',
    'listener.security.protocol.map': 'INTERNAL:SASL_PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'listener.name.internal.plain.sasl.jaas.config': JAAS,
    'default.replication.factor': '3',
  });
  const bootstrap = cluster.bootstrap();
  const lines = Array.from({ length: 3000 }, (_, i) => `s${i}`).join('\n') + '\n';
  // The topic is auto-created with default.replication.factor=3 through the controller.
  const produced = await waitFor('a topic the controller made', async () => {
    const r = await kcat(['-P', '-b', bootstrap, ...CLIENT, '-t', 'secured', '-X', 'acks=all', '-X', 'message.timeout.ms=20000'], lines, 60_000);
    return r.code === 0 ? r : undefined;
  }, 90_000);
  t.equal(produced.code, 0, 'kcat over SASL_PLAINTEXT, acks=all');
  const read = await kcat(['-C', '-b', bootstrap, ...CLIENT, '-t', 'secured', '-o', 'beginning', '-e', '-q'], undefined, 60_000);
  t.ok(read.stdout.trim().split('\n').length >= 3000, 'the records read back');
  const size = await waitFor('identical replicas', async () => {
    const bytes = [...cluster.brokers.values()].map((b) => replicaBytes(b.dir, 'secured', 0));
    return bytes.every((b) => b.equals(bytes[0]!)) && bytes[0]!.length > 0 ? bytes[0]!.length : undefined;
  });
  t.ok(size > 0, `followers replicated over SASL: ${size} identical bytes on the three brokers`);
});
