// The built binary as a subprocess: produce through a pipe, consume into `| head` (EPIPE).
import t from 'tap';
import { spawn } from 'node:child_process';
import { KTS_BIN, runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

function sh(script: string, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout kills the pipeline's children too: a surviving kts
    // would hold the stderr pipe open and hang the test until tap's timeout
    const child = spawn('bash', ['-c', script], { env: { ...process.env, NO_COLOR: '1' }, detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

t.test('subprocess: create, produce from a pipe, consume, head -n 3 ends it cleanly', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  const kts = `${process.execPath} ${KTS_BIN}`;
  const c = await runKts(`topics --create --topic big --partitions 1 ${bs}`);
  t.equal(c.code, 0, c.stderr);
  // ~300 KB of lines, several times a pipe's buffer: the consumer cannot write it all before
  // head exits, so it must meet EPIPE (with a few KB it could finish writing and then poll forever)
  const produce = await sh(`seq -f '%0100g' 1 3000 | ${kts} console-producer --topic big ${bs}`);
  t.equal(produce.code, 0, produce.stderr);
  const line = (i: number): string => `${String(i).padStart(100, '0')}\n`;
  const head = await sh(`${kts} console-consumer --topic big --from-beginning ${bs} | head -n 3; echo "exit=\${PIPESTATUS[0]}" >&2`);
  t.equal(head.stdout, line(1) + line(2) + line(3));
  t.match(head.stderr, /exit=0/);
  t.match(head.stderr, /Processed a total of \d+ messages/);
  t.notMatch(head.stderr, /EPIPE|Error:|at /);
  const all = await runKts(`console-consumer --topic big --from-beginning --until-end ${bs}`);
  t.equal(all.stdout, Array.from({ length: 3000 }, (_, i) => line(i + 1)).join(''));
});

t.test('an idle console-consumer exits once the reader of its stdout has gone (| head -2 while waiting for records)', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  const kts = `${process.execPath} ${KTS_BIN}`;
  t.equal((await runKts(`topics --create --topic idle --partitions 1 ${bs}`)).code, 0);
  t.equal((await runKts(`console-producer --topic idle ${bs}`, { stdin: 'a\nb\nc\n' })).code, 0);
  // Three short lines fit in the pipe: no write fails after head exits, the consumer waits
  // for records, and must notice that nobody reads any more (a shell pipe).
  const piped = await sh(`${kts} console-consumer --topic idle --from-beginning ${bs} | head -n 2; echo "exit=\${PIPESTATUS[0]}" >&2`);
  t.equal(piped.stdout, 'a\nb\n');
  t.match(piped.stderr, /exit=0/);
  t.notMatch(piped.stderr, /EPIPE|Error:/);

  // The same with a socket as stdout (how Node and others spawn a child): its peer closes.
  const child = spawn(process.execPath, [KTS_BIN, 'console-consumer', '--topic', 'idle', '--from-beginning', '--bootstrap-server', b.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.split('\n').length > 3) resolve();
    });
  });
  t.equal(seen, 'a\nb\nc\n');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.destroy();
  t.equal(await exited, 0, 'exits by itself once its stdout is closed');
});
