// The built binary as a subprocess: produce through a pipe, consume into `| head` (EPIPE).
import t from 'tap';
import { spawn } from 'node:child_process';
import { KTS_BIN, runKts, runKtsProcess } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

function sh(script: string, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, NO_COLOR: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
  const v = await runKtsProcess('version');
  t.equal(v.code, 0, v.stderr);
  const produce = await sh(`seq 1 2000 | ${kts} console-producer --topic big ${bs}`);
  t.equal(produce.code, 0, produce.stderr);
  const head = await sh(`${kts} console-consumer --topic big --from-beginning ${bs} | head -n 3; echo "exit=\${PIPESTATUS[0]}" >&2`);
  t.equal(head.stdout, '1\n2\n3\n');
  t.match(head.stderr, /exit=0/);
  t.match(head.stderr, /Processed a total of \d+ messages/);
  t.notMatch(head.stderr, /EPIPE|Error:|at /);
  const all = await runKts(`console-consumer --topic big --from-beginning --until-end ${bs}`);
  t.equal(all.stdout, Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join(''));
});
