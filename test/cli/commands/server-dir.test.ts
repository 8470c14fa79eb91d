// A command without --bootstrap-server on the data dir of a running `kts server-start`
// talks to that server over TCP (the in-process engine could not lock the dir).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KTS_BIN, runKts } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';

t.test('commands share the data dir of a running server', async (t) => {
  const dir = await tempDir(t);
  const server = spawn(process.execPath, [KTS_BIN, 'server-start', '--data-dir', dir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  t.teardown(async () => {
    server.kill('SIGTERM');
    await exited;
  });
  const serverFile = join(dir, 'kts-server.json');
  for (let i = 0; i < 300 && !existsSync(serverFile); i++) await sleep(100);
  t.ok(existsSync(serverFile), 'the server wrote kts-server.json');
  const info = JSON.parse(readFileSync(serverFile, 'utf8')) as { listeners: string[] };
  t.match(info.listeners[0], /^PLAINTEXT:\/\/127\.0\.0\.1:\d+$/);

  const kts = (cmd: string, stdin?: string) => runKts(`${cmd} --data-dir ${dir}`, { stdin });
  const c = await kts('topics --create --topic shared');
  t.equal(c.code, 0, c.stderr);
  t.equal((await kts('console-producer --topic shared', 'over tcp\n')).code, 0);
  const r = await kts('console-consumer --topic shared --from-beginning --until-end');
  t.equal(r.stdout, 'over tcp\n');
  server.kill('SIGTERM');
  t.equal(await exited, 0, 'the server stops cleanly');
  t.notOk(existsSync(serverFile), 'and removes kts-server.json');
});
