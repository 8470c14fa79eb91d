// The quick start as a new user runs it: a mistyped --data-dir is not silently a new
// cluster (commands that only read refuse, a write says it creates the dir), and
// server-start prints where it really listens, warning when it advertises another port.
import t from 'tap';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kts-quick-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('commands that only read never create a data dir; the first write does, and says so', async (t) => {
  const dir = join(await tempDir(t), 'typo');
  for (const cmd of ['topics --list', 'topics --describe', 'get-offsets', 'consumer-groups --list', 'console-consumer --topic t --timeout-ms 100', 'log-dirs --describe']) {
    const r = await runKts(`${cmd} --data-dir ${dir}`);
    t.equal(r.code, 1, `${cmd} refuses`);
    t.match(r.stderr, `No kts data in ${dir}: nothing has been written there yet`);
    t.notOk(existsSync(dir), `${cmd} did not create the dir`);
  }
  const created = await runKts(`topics --create --topic t --data-dir ${dir}`);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stderr, `creating a new data dir in ${dir}`);
  const listed = await runKts(`topics --list --data-dir ${dir}`);
  t.equal(listed.stdout, 't\n');
  t.notMatch(listed.stderr, 'creating');
});

// That they also leave an existing data dir as it was is test/cli/commands/read-only.test.ts.

t.test('server-start prints the bound address and warns when the advertised port differs', async (t) => {
  const dir = await tempDir(t);
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const r = await runKts(
    ['server-start', '--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'advertised.listeners=PLAINTEXT://127.0.0.1:9'],
    {
      interruptWhen: started,
      onStdout: (text) => {
        if (text.includes('started (kts')) ready();
      },
    },
  );
  t.equal(r.code, 0, r.stderr);
  const bound = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(r.stdout)?.[1];
  t.ok(bound !== undefined && bound !== '0' && bound !== '9', `the bound port (${bound}), not the advertised one`);
  t.match(r.stdout, `WARN listener PLAINTEXT listens on port ${bound} but advertises PLAINTEXT://127.0.0.1:9`);
});
