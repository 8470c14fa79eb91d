// Every kts command of the remote matrix over SASL_SSL (TLS + SCRAM-SHA-512), the security
// settings coming from --command-config (and e2e-latency's properties_file), as Kafka's tools
// take them; replica-verification and kts ui too; and a kts profile whose command-config
// carries them.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts } from '../helpers/certs.js';
import { createScramUser, runSecureBroker, securityOverrides } from '../helpers/security.js';
import { runKts } from '../helpers/run-kts.js';
import { runMatrix } from './remote-matrix.js';
import { needsBuild, startUi } from '../ui/helpers.js';

const certs = makeCerts(t);

t.test('every kts command over SASL_SSL with --command-config', async (t) => {
  const b = await runSecureBroker(t, [...securityOverrides(certs), 'group.initial.rebalance.delay.ms=0']);
  await createScramUser(b.ports.PLAINTEXT!, 'dave', 'dave-secret', 'SCRAM-SHA-512');
  const commandConfig = join(certs.dir, 'sasl-ssl.properties');
  writeFileSync(
    commandConfig,
    [
      'security.protocol=SASL_SSL',
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${certs.caCert}`,
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="dave" password="dave-secret";',
      '',
    ].join('\n'),
  );
  const bootstrap = `localhost:${b.ports.SASL_SSL}`;
  await runMatrix(t, { kind: 'kts', bootstrap, brokerId: 1, commandConfig });

  await t.test('replica-verification', async (t) => {
    const r = await runKts(`replica-verification --broker-list ${bootstrap} --command-config ${commandConfig} --time -2 --once`);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /max lag is 0 for partition/);
  });

  await t.test('kts ui', { skip: needsBuild }, async (t) => {
    const url = await startUi(t, { bootstrap }, ['--command-config', commandConfig]);
    const response = await fetch(`${url}api/topics`);
    t.equal(response.status, 200, 'the console reads the cluster over SASL_SSL');
    t.match(await response.text(), /"m1"/, 'and lists its topics');
  });

  await t.test('a profile with a command-config', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'kts-profile-sec-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const env = { XDG_CONFIG_HOME: home, KTS_PROFILE: undefined, KTS_BOOTSTRAP_SERVER: undefined };
    const created = await runKts(`profile create secure --bootstrap-server ${bootstrap} --command-config ${commandConfig}`, { env });
    t.equal(created.code, 0, created.stderr);
    const inProfile = { ...env, KTS_PROFILE: 'secure' };
    const sent = await runKts('console-producer --topic via-profile', { env: inProfile, stdin: 'p1\np2\n' });
    t.equal(sent.code, 0, `console-producer through the profile: ${sent.stderr}`);
    const read = await runKts('console-consumer --topic via-profile --from-beginning --max-messages 2', { env: inProfile });
    t.equal(read.stdout, 'p1\np2\n', 'console-consumer through the profile');
    const listed = await runKts('topics --list', { env: inProfile });
    t.match(listed.stdout, /^via-profile$/m, 'topics --list through the profile');
  });
});
