// `kts server-start` / `server-stop`: the server itself and -daemon as real subprocesses of
// the built binary (readiness line, SIGTERM → exit 0 with a clean shutdown); startup errors
// and server-stop run in-process through the same CLI entry (faster, same code path).
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKts, runKtsProcess, KTS_BIN } from '../helpers/run-kts.js';
import { isPidAlive, readServerFile } from '../../src/broker/server-file.js';
import { tempDir } from './helpers.js';

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = built ? false : 'dist/kts.cjs is missing: run `npm run build` first (npm test does)';
const READY = /started \(kts [^)]+\) listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+), log dir (\S+), cluster id (\S+)/;

interface Server {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startServer(t: { teardown(fn: () => unknown): void }, args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [KTS_BIN, 'server-start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no readiness line in 20 s:\n${out}\n${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), stdout: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready:\n${out}\n${err}`));
    });
  });
}

t.test('server-start', { skip }, async (t) => {
  await t.test('readiness line; a second server on the dir is refused; SIGTERM exits 0 cleanly; node id checked', async (t) => {
    const dir = await tempDir(t);
    const s = await startServer(t, ['--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0']);
    t.ok(s.port > 0);
    const info = readServerFile(dir);
    t.equal(info?.pid, s.child.pid, 'kts-server.json names the server');
    t.same(info?.listeners, [`PLAINTEXT://127.0.0.1:${s.port}`]);

    const second = await runKts(['server-start', '--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0']);
    t.equal(second.code, 1);
    t.match(second.stderr, new RegExp(`locked by process ${s.child.pid}`));

    s.child.kill('SIGTERM');
    t.equal(await s.exited, 0);
    t.match(s.stdout(), /shut down completed/);
    t.notOk(existsSync(join(dir, 'kts-server.json')), 'kts-server.json removed');
    t.ok(existsSync(join(dir, '.kafka_cleanshutdown')), 'clean shutdown marker written');

    const wrongNode = await runKts(['server-start', '--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'node.id=7']);
    t.equal(wrongNode.code, 1);
    t.match(wrongNode.stderr, /belongs to node 1, not 7/);
  });

  await t.test('a port in use names the port and how to change it', async (t) => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    t.teardown(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const dir = await tempDir(t);
    const r = await runKts(['server-start', '--data-dir', dir, '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`]);
    t.equal(r.code, 1);
    t.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    t.match(r.stderr, /--override listeners=PLAINTEXT:\/\/127\.0\.0\.1:<port>/);
  });

  await t.test('a config typo names the key and suggests the right one', async (t) => {
    const dir = await tempDir(t);
    const r = await runKts(['server-start', '--data-dir', dir, '--override', 'log.retention.hour=1']);
    t.equal(r.code, 1);
    t.match(r.stderr, /unknown config 'log\.retention\.hour'/);
    t.match(r.stderr, /Did you mean 'log\.retention\.hours'\?/);
  });

  await t.test('-daemon returns once ready; server-stop stops it', async (t) => {
    const dir = await tempDir(t);
    const started = await runKtsProcess(['server-start', '-daemon', '--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0']);
    t.equal(started.code, 0, started.stderr);
    const m = /daemon \(pid (\d+)\), listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(started.stdout);
    t.ok(m, started.stdout);
    const pid = Number(m![1]);
    t.teardown(() => {
      if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    t.ok(isPidAlive(pid));
    t.ok(existsSync(join(dir, 'kts-server.log')));
    const wrongNode = await runKts(['server-stop', '--data-dir', dir, '--node-id', '9']);
    t.equal(wrongNode.code, 1);
    t.match(wrongNode.stderr, /No kts server with node id 9/);
    const stopped = await runKts(['server-stop', '--data-dir', dir]);
    t.equal(stopped.code, 0, stopped.stderr);
    t.match(stopped.stdout, new RegExp(`Stopped kts server \\(pid ${pid}, node 1\\)`));
    t.notOk(isPidAlive(pid));
    const again = await runKts(['server-stop', '--data-dir', dir]);
    t.equal(again.code, 1);
    t.match(again.stderr, /No kts server to stop/);
  });
});
