// `kts configs --entity-type users`: SCRAM credentials as kafka-configs.sh manages them,
// over the wire (AlterUserScramCredentials) and through the local engine (data dir), then
// used by kcat to log in; the password never reaches the broker or the disk.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { kcat, needsKcat } from '../../helpers/kcat.js';
import { runSecureBroker } from '../../helpers/security.js';
import { tempDir } from '../../broker/helpers.js';

const overrides = ['listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512'];
const login = (port: number, mechanism: string, user: string, password: string) =>
  kcat(['-b', `127.0.0.1:${port}`, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanism=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`, '-L', '-m', '3'], undefined, 10_000);

t.test('SCRAM users over the wire', { skip: needsKcat }, async (t) => {
  const b = await runSecureBroker(t, overrides);
  const kts = (args: string) => runKts(`configs --bootstrap-server 127.0.0.1:${b.ports.PLAINTEXT} ${args}`);
  const add = await kts("--alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'");
  t.same([add.code, add.stdout], [0, 'Completed updating config for user alice.\n'], add.stderr);
  const described = await kts('--describe --entity-type users --entity-name alice');
  t.equal(described.stdout, "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n");
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'SCRAM-SHA-256', 'alice', 'alice-secret')).code, 0, 'kcat logs in with SCRAM-SHA-256');
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'SCRAM-SHA-512', 'alice', 'alice-secret')).code, 0, 'and with SCRAM-SHA-512');

  const stored = readFileSync(join(b.dataDir, 'kts-scram-credentials.json'), 'utf8');
  t.notMatch(stored, /alice-secret/, 'only salted, hashed credentials are stored');
  t.match(stored, /"SCRAM-SHA-256": "salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=8192"/, "Kafka's credential format");

  const del = await kts('--alter --user alice --delete-config SCRAM-SHA-256');
  t.equal(del.code, 0, del.stderr);
  t.not((await login(b.ports.SASL_PLAINTEXT!, 'SCRAM-SHA-256', 'alice', 'alice-secret')).code, 0, 'the deleted mechanism no longer logs in');
  t.equal((await kts('--describe --entity-type users')).stdout, "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=4096\n");

  const few = await kts("--alter --user bob --add-config 'SCRAM-SHA-256=[iterations=100,password=x]'");
  t.not(few.code, 0);
  t.match(few.stderr, /Too few iterations/);
  const quota = await kts("--alter --user bob --add-config 'producer_byte_rate=1024'");
  t.match(quota.stderr, /User config 'producer_byte_rate' is not supported/);
  const gone = await kts('--alter --user nobody --delete-config SCRAM-SHA-512');
  t.match(gone.stderr, /Attempt to delete a user credential that does not exist/);
});

t.test('SCRAM users through the local engine, then a broker on that data dir', { skip: needsKcat }, async (t) => {
  const dir = await tempDir(t, 'kts-scram-local-');
  const add = await runKts(`configs --data-dir ${dir} --alter --user carol --add-config 'SCRAM-SHA-512=[password=carol-secret]'`, { env: { KTS_DATA_DIR: undefined } });
  t.equal(add.code, 0, add.stderr);
  const b = await runSecureBroker(t, overrides, dir);
  t.equal((await login(b.ports.SASL_PLAINTEXT!, 'SCRAM-SHA-512', 'carol', 'carol-secret')).code, 0, 'the broker reads the credential the local engine stored');
});
