// The quick start as a new user runs it: a mistyped --data-dir is not silently a new
// cluster (commands that only read refuse, a write says it creates the dir), and
// server-start prints where it really listens, warning when it advertises another port.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

t.test('commands that only read leave the files of a data dir as they were (checkpoints, indexes, snapshots)', async (t) => {
  const dir = await tempDir(t);
  t.equal((await runKts(`topics --create --topic t --partitions 2 --data-dir ${dir}`)).code, 0);
  t.equal((await runKts(`console-producer --topic t --data-dir ${dir}`, { stdin: 'a\nb\nc\n' })).code, 0);
  // Every file but the clean-shutdown marker (removed while a data dir is open, written
  // again at close) with its bytes and modification time.
  const files = (): Map<string, string> => {
    const out = new Map<string, string>();
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const path = join(d, name);
        const st = statSync(path);
        if (st.isDirectory()) walk(path);
        else if (name !== '.kafka_cleanshutdown') out.set(path.slice(dir.length), `${st.mtimeMs} ${readFileSync(path).toString('base64')}`);
      }
    };
    walk(dir);
    return out;
  };
  const before = files();
  for (const cmd of ['topics --list', 'topics --describe', 'get-offsets', 'console-consumer --topic t --from-beginning --max-messages 3', 'consumer-groups --list', 'log-dirs --describe']) {
    const r = await runKts(`${cmd} --data-dir ${dir}`);
    t.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  }
  t.same(files(), before, 'nothing rewritten');
  t.ok(existsSync(join(dir, '.kafka_cleanshutdown')), 'still marked as cleanly shut down');
});

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
