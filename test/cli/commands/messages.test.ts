// What a new user trips on, said clearly: the closest flag or topic config for a typo, a
// too-large record explained once with the fix, a refused connection that does not tell
// the user to pass the flag they passed, an HTTP server recognised, and where commands
// connect without --bootstrap-server ($KTS_BOOTSTRAP_SERVER, kts profile).
import t from 'tap';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';
import { buildBrokerConfig } from '../../../src/broker/config.js';

async function tempHome(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-home-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a mistyped flag or topic config gets the closest one', async (t) => {
  const flag = await runKts('topics --crete --topic x --bootstrap-server 127.0.0.1:1');
  t.equal(flag.code, 2);
  t.match(flag.stderr, 'Unknown argument: crete');
  t.match(flag.stderr, 'Did you mean --create?');
  const b = await startCliBroker(t);
  const config = await runKts(`topics --create --topic x --config retension.ms=5 --bootstrap-server ${b.bootstrap}`);
  t.equal(config.code, 1);
  t.match(config.stderr, "Unknown topic config name: retension.ms. Did you mean 'retention.ms'?");
});

t.test('MESSAGE_TOO_LARGE is said once per record, with the fix once', async (t) => {
  const b = await startCliBroker(t);
  const big = 'a'.repeat(1_100_000);
  const r = await runKts(`console-producer --topic big --producer-property max.request.size=5000000 --bootstrap-server ${b.bootstrap}`, { stdin: `${big}\n${big}\n` });
  t.equal(r.code, 1);
  t.notMatch(r.stderr, 'MESSAGE_TOO_LARGE: MESSAGE_TOO_LARGE');
  t.match(r.stderr, 'record 1 was not delivered: MESSAGE_TOO_LARGE: batch of');
  t.equal(r.stderr.split('fix: Raise the topic').length - 1, 1, 'the hint once');
});

t.test('a refused connection and an HTTP port are named for what they are', async (t) => {
  const refused = await runKts('topics --list --bootstrap-server 127.0.0.1:1');
  t.equal(refused.code, 1);
  t.match(refused.stderr, 'Connection to 127.0.0.1:1 refused');
  t.notMatch(refused.stderr, 'pass --bootstrap-server');
  const http = createServer((_req, res) => res.end('hello'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => http.close(r)));
  const port = (http.address() as { port: number }).port;
  const r = await runKts(`topics --list --bootstrap-server 127.0.0.1:${port}`);
  t.equal(r.code, 1);
  t.match(r.stderr, `127.0.0.1:${port} answered HTTP, not the Kafka protocol`);
});

t.test('$KTS_BOOTSTRAP_SERVER and named profiles stand in for --bootstrap-server', async (t) => {
  const b = await startCliBroker(t);
  const home = await tempHome(t);
  const env = { XDG_CONFIG_HOME: home, XDG_DATA_HOME: join(home, 'data'), KTS_DATA_DIR: undefined, KTS_BOOTSTRAP_SERVER: undefined, KTS_PROFILE: undefined };
  t.equal((await runKts('topics --create --topic viaenv', { env: { ...env, KTS_BOOTSTRAP_SERVER: b.bootstrap } })).code, 0);
  t.match((await runKts(`topics --list --bootstrap-server ${b.bootstrap}`)).stdout, /^viaenv$/m, 'created on the broker the variable names');

  const created = await runKts(`profile create dev --bootstrap-server ${b.bootstrap}`, { env });
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, 'Created profile dev');
  t.equal((await runKts('profile use dev', { env })).code, 0);
  const list = await runKts('topics --list', { env });
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^viaenv$/m, 'the current profile is used');
  t.match((await runKts('profile list', { env })).stdout, `* dev\t${b.bootstrap}`);
  const missing = await runKts('topics --list', { env: { ...env, KTS_PROFILE: 'nope' } });
  t.equal(missing.code, 2);
  t.match(missing.stderr, "Profile 'nope' does not exist (from $KTS_PROFILE)");
  t.equal((await runKts('profile use --none', { env })).code, 0);
  t.equal((await runKts('profile delete dev', { env })).code, 0);
  t.same(JSON.parse((await runKts('profile list --json', { env })).stdout), { current: null, profiles: [] });
});

t.test("a bare broker's first rebalance does not wait (group.initial.rebalance.delay.ms embedded default 0)", async (t) => {
  const config = buildBrokerConfig({ dataDir: '/nonexistent', env: {} });
  t.equal(config.groupInitialRebalanceDelayMs, 0);
});

t.test('with --json an error is one JSON document on stderr, with the same exit code', async (t) => {
  const b = await startCliBroker(t);
  const r = await runKts(`topics --describe --topic nope --json --bootstrap-server ${b.bootstrap}`);
  t.equal(r.code, 1);
  const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
  t.match(error.code, /^(KAFKA|KTS)_[A-Z_]+$/, 'a stable code');
  t.match(error.message, 'nope');
  const usage = await runKts('topics --crete --json');
  t.equal(usage.code, 2);
  t.same(JSON.parse(usage.stderr), { error: { code: 'KTS_USAGE', message: 'Unknown argument: crete', hint: 'Did you mean --create?' } });
});
