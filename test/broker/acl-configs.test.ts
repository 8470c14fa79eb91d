// The config APIs are authorized per resource, as Kafka's KafkaApis does: with confluent-kafka-
// python (librdkafka) as a principal allowed ALTER_CONFIGS on one topic only, one
// DescribeConfigs / AlterConfigs request for two topics (and a broker) answers the allowed
// topic and refuses the others with TOPIC_AUTHORIZATION_FAILED / CLUSTER_AUTHORIZATION_FAILED,
// and the refused topic is left as it was. IncrementalAlterConfigs (kts configs) likewise.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { PLAIN_ACL_BROKER, runSecureBroker } from '../helpers/security.js';
import { tempDir } from './helpers.js';

const needsPython = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka']).status === 0 ? false : 'confluent_kafka is not installed for /usr/bin/python3';

const SCRIPT = `
import sys, json
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1], 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret'})
out = {}
def outcome(key, f, show):
    try:
        out[key] = show(f.result())
    except KafkaException as e:
        out[key] = e.args[0].name()
described = a.describe_configs([ConfigResource('topic', 'a'), ConfigResource('topic', 'b'), ConfigResource('broker', sys.argv[2])], request_timeout=20)
for r, f in described.items():
    outcome('describe ' + r.name, f, lambda c: 'retention.ms=' + c['retention.ms'].value)
altered = a.alter_configs([ConfigResource('topic', 'a', set_config={'retention.ms': '123456'}), ConfigResource('topic', 'b', set_config={'retention.ms': '654321'})], request_timeout=20)
for r, f in altered.items():
    outcome('alter ' + r.name, f, lambda _: 'ok')
print(json.dumps(out, sort_keys=True))
`;

t.test('DescribeConfigs / AlterConfigs / IncrementalAlterConfigs per resource', { skip: needsPython }, async (t) => {
  const b = await runSecureBroker(t, [...PLAIN_ACL_BROKER]);
  const dir = await tempDir(t, 'kts-acl-configs-');
  const config = (user: string): string => {
    const path = join(dir, `${user}.properties`);
    writeFileSync(path, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${user}-secret";\n`);
    return path;
  };
  const bootstrap = `127.0.0.1:${b.ports.SASL_PLAINTEXT}`;
  const as = (user: string, args: string[]) => runKts([...args, '--bootstrap-server', bootstrap, '--command-config', config(user)]);
  for (const topic of ['a', 'b']) t.equal((await as('admin', ['topics', '--create', '--topic', topic])).code, 0);
  const granted = await as('admin', ['acls', '--add', '--allow-principal', 'User:alice', '--operation', 'AlterConfigs', '--topic', 'a']);
  t.equal(granted.code, 0, granted.stderr);

  const run = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile('/usr/bin/python3', ['-c', SCRIPT, bootstrap, String(b.broker.nodeId)], { timeout: 60_000 }, (e, out, err) => resolve({ code: e ? 1 : 0, out, err }));
  });
  t.equal(run.code, 0, run.err);
  t.same(JSON.parse(run.out), {
    'describe a': 'retention.ms=604800000',
    'describe b': 'TOPIC_AUTHORIZATION_FAILED',
    [`describe ${b.broker.nodeId}`]: 'CLUSTER_AUTHORIZATION_FAILED',
    'alter a': 'ok',
    'alter b': 'TOPIC_AUTHORIZATION_FAILED',
  }, 'AlterConfigs implies DescribeConfigs on a; b and the broker are refused, each with its own error');

  const described = await as('admin', ['configs', '--describe', '--topic', 'a', '--json']);
  t.match(described.stdout, /"name":"retention.ms","value":"123456"/, 'a was altered');
  const untouched = await as('admin', ['configs', '--describe', '--topic', 'b', '--json']);
  t.notMatch(untouched.stdout, /retention.ms/, 'b was not');

  const incremental = await as('alice', ['configs', '--alter', '--topic', 'a', '--add-config', 'retention.ms=7777']);
  t.equal(incremental.code, 0, incremental.stderr);
  const refused = await as('alice', ['configs', '--alter', '--topic', 'b', '--add-config', 'retention.ms=8888']);
  t.not(refused.code, 0, 'IncrementalAlterConfigs on b is refused');
  t.match(refused.stderr, /authoriz/i, refused.stderr);
});
