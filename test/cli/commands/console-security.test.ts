// kts console-producer / console-consumer / consumer-groups over SSL, SASL_PLAINTEXT and
// SASL_SSL with PLAIN and both SCRAM mechanisms, the security settings coming from
// --producer.config / --consumer.config / --command-config files as Kafka's tools take them.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { makeCerts } from '../../helpers/certs.js';
import { createScramUser, runSecureBroker, securityOverrides } from '../../helpers/security.js';

const certs = makeCerts(t);

t.test('console tools over every secured listener', async (t) => {
  const b = await runSecureBroker(t, securityOverrides(certs));
  await createScramUser(b.ports.PLAINTEXT!, 'carol', 'carol-secret', 'SCRAM-SHA-256');
  await createScramUser(b.ports.PLAINTEXT!, 'dave', 'dave-secret', 'SCRAM-SHA-512');
  const jaas = (module: string, user: string) => `sasl.jaas.config=org.apache.kafka.common.security.${module} required username="${user}" password="${user}-secret";`;
  const tls = ['ssl.truststore.type=PEM', `ssl.truststore.location=${certs.caCert}`];
  const cases = [
    { name: 'ssl', port: b.ports.SSL!, props: ['security.protocol=SSL', ...tls] },
    { name: 'sasl-plain', port: b.ports.SASL_PLAINTEXT!, props: ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=PLAIN', jaas('plain.PlainLoginModule', 'alice')] },
    { name: 'scram-256', port: b.ports.SASL_SSL!, props: ['security.protocol=SASL_SSL', ...tls, 'sasl.mechanism=SCRAM-SHA-256', jaas('scram.ScramLoginModule', 'carol')] },
    { name: 'scram-512', port: b.ports.SASL_PLAINTEXT!, props: ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-512', jaas('scram.ScramLoginModule', 'dave')] },
  ];
  for (const c of cases) {
    const file = join(certs.dir, `${c.name}.properties`);
    writeFileSync(file, c.props.join('\n') + '\n');
    const server = `--bootstrap-server localhost:${c.port}`;
    const p = await runKts(`console-producer ${server} --topic cs-${c.name} --producer.config ${file}`, { stdin: 'one\ntwo\nthree\n' });
    t.equal(p.code, 0, `${c.name}: console-producer ${p.stderr}`);
    const r = await runKts(`console-consumer ${server} --topic cs-${c.name} --from-beginning --max-messages 3 --group g-${c.name} --consumer.config ${file}`);
    t.equal(r.stdout, 'one\ntwo\nthree\n', `${c.name}: console-consumer in a group`);
    const g = await runKts(`consumer-groups ${server} --describe --group g-${c.name} --command-config ${file}`);
    t.match(g.stdout, new RegExp(`g-${c.name}\\s+cs-${c.name}\\s+0\\s+3\\s+3\\s+0`), `${c.name}: consumer-groups sees the committed offsets`);
  }
  const noTls = await runKts(`console-consumer --bootstrap-server localhost:${b.ports.SSL} --topic cs-ssl --from-beginning --max-messages 1 --consumer-property request.timeout.ms=3000 --consumer-property default.api.timeout.ms=3000`);
  t.not(noTls.code, 0, 'a plaintext client on the TLS listener fails');
  const badMech = await runKts(`console-consumer --bootstrap-server localhost:${b.ports.SASL_SSL} --topic t --consumer-property security.protocol=SASL_SSL --consumer-property sasl.mechanism=GSSAPI`);
  t.match(badMech.stderr, /sasl\.mechanism GSSAPI is not supported by kts/, 'an unsupported mechanism is refused before connecting');
});
