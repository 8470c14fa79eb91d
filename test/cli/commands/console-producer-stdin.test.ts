// console-producer as a real process reads its stdin descriptor directly (a socket pair from
// spawn, a shell pipe, a file): input written in uneven pieces with pauses (so reads meet an
// empty descriptor and wait), and what a consumer reads must be exactly the input lines.
import t from 'tap';
import { spawn } from 'node:child_process';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KTS_BIN, runKts } from '../../helpers/run-kts.js';
import { startCliBroker, tempDir } from '../helpers.js';

const lines = Array.from({ length: 30000 }, (_, i) => (i % 101 === 0 ? '' : `line ${i} ${'y'.repeat((i * 13) % 150)}`));
const input = Buffer.from(lines.map((l) => l + '\n').join(''));

function produce(bootstrap: string, topic: string, stdin: 'pipe' | number, shell = false): { done: Promise<number>; stdin: NodeJS.WritableStream | null } {
  const args = [KTS_BIN, 'console-producer', '--topic', topic, '--bootstrap-server', bootstrap];
  const child = shell
    ? spawn('sh', ['-c', `cat | "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')}`], { stdio: [stdin, 'ignore', 'inherit'] })
    : spawn(process.execPath, args, { stdio: [stdin, 'ignore', 'inherit'] });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { done, stdin: child.stdin };
}

/** Writes `input` in pieces of 1..20000 bytes, pausing now and then. */
async function trickle(out: NodeJS.WritableStream): Promise<void> {
  let x = 7;
  for (let at = 0; at < input.length; ) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const size = 1 + (x % 20000);
    if (!out.write(input.subarray(at, at + size))) await new Promise((resolve) => out.once('drain', resolve));
    at += size;
    if (x % 7 === 0) await sleep(2);
  }
  out.end();
}

async function consumed(bootstrap: string, topic: string): Promise<string> {
  return (await runKts(`console-consumer --topic ${topic} --from-beginning --until-end --bootstrap-server ${bootstrap}`)).stdout;
}

t.test('stdin as a socket pair and as a shell pipe, written slowly', async (t) => {
  const b = await startCliBroker(t);
  for (const [topic, shell] of [['pair', false], ['fifo', true]] as const) {
    const p = produce(b.bootstrap, topic, 'pipe', shell);
    await trickle(p.stdin!);
    t.equal(await p.done, 0, `${topic}: exit 0`);
    t.equal(await consumed(b.bootstrap, topic), input.toString(), `${topic}: every line once, in order`);
  }
});

t.test('stdin from a file', async (t) => {
  const b = await startCliBroker(t);
  const dir = await tempDir(t);
  const file = join(dir, 'in.txt');
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  const p = produce(b.bootstrap, 'file', fd);
  closeSync(fd);
  t.equal(await p.done, 0);
  t.equal(await consumed(b.bootstrap, 'file'), input.toString());
});

t.test('stdin that is a directory is refused with a clear message', async (t) => {
  const dir = await tempDir(t);
  const fd = openSync(dir, 'r');
  const child = spawn(process.execPath, [KTS_BIN, 'console-producer', '--topic', 't', '--data-dir', join(dir, 'data')], { stdio: [fd, 'ignore', 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  t.equal(code, 1);
  t.match(stderr, 'stdin is a directory');
});
