// console-producer --input-format raw: all of stdin is one record's value, byte for byte
// (newlines, NUL, CR LF, invalid UTF-8), from a pipe and from a file; kcat reads it back.
import t from 'tap';
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KTS_BIN, runKts } from '../../helpers/run-kts.js';
import { needsKcat } from '../../helpers/kcat.js';
import { startCliBroker, tempDir } from '../helpers.js';

/** kcat's value of the record at `offset` of partition 0, as bytes. */
function kcatValue(bootstrap: string, topic: string, offset: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', String(offset), '-c', '1', '-e', '-f', '%s'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`kcat exited ${code}`))));
  });
}

function produceRaw(bootstrap: string, topic: string, stdin: 'pipe' | number, input?: Buffer): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KTS_BIN, 'console-producer', '--topic', topic, '--input-format', 'raw', '--bootstrap-server', bootstrap], { stdio: [stdin, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    if (input) child.stdin!.end(input);
  });
}

t.test('raw stdin: one record, bytes as they are, read back by kcat', { skip: needsKcat }, async (t) => {
  const b = await startCliBroker(t);
  t.equal((await runKts(`topics --create --topic raw --partitions 1 --bootstrap-server ${b.bootstrap}`)).code, 0);
  const small = Buffer.concat([Buffer.from('line one\nline two\r\n'), Buffer.from([0, 0, 10, 0, 0xff, 0xfe, 0xc3]), Buffer.from('\n\n')]);
  // Larger than a stdin read, so the record is assembled from several chunks.
  let x = 1;
  const big = Buffer.alloc(600_000);
  for (let i = 0; i < big.length; i++) big[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;

  const piped = await produceRaw(b.bootstrap, 'raw', 'pipe', small);
  t.equal(piped.code, 0, piped.stderr);
  const dir = await tempDir(t);
  const file = join(dir, 'big.bin');
  writeFileSync(file, big);
  const fd = openSync(file, 'r');
  const fromFile = await produceRaw(b.bootstrap, 'raw', fd);
  closeSync(fd);
  t.equal(fromFile.code, 0, fromFile.stderr);

  t.same(await kcatValue(b.bootstrap, 'raw', 0), small, 'pipe: the same bytes');
  t.same(await kcatValue(b.bootstrap, 'raw', 1), big, 'file: the same bytes');
  const offsets = await runKts(`get-offsets --topic raw --bootstrap-server ${b.bootstrap}`);
  t.equal(offsets.stdout, 'raw:0:2\n', 'two records: one per run');
});

t.test('raw refuses line parsing flags, and says so when stdin is empty', async (t) => {
  const b = await startCliBroker(t);
  t.equal((await runKts(`topics --create --topic raw --partitions 1 --bootstrap-server ${b.bootstrap}`)).code, 0);
  const keyed = await runKts(`console-producer --topic raw --input-format raw --property parse.key=true --bootstrap-server ${b.bootstrap}`, { stdin: 'k\tv\n' });
  t.equal(keyed.code, 2);
  t.match(keyed.stderr, /--input-format raw cannot be combined with --property parse.key: all of stdin is one record's value/);
  const formatted = await runKts(['console-producer', '--topic', 'raw', '--input-format', 'raw', '--format', '%v\n', '--bootstrap-server', b.bootstrap], { stdin: 'v\n' });
  t.equal(formatted.code, 2);
  t.match(formatted.stderr, /cannot be combined with --format/);
  const empty = await runKts(`console-producer --topic raw --input-format raw --bootstrap-server ${b.bootstrap}`, { stdin: '' });
  t.equal(empty.code, 0);
  t.match(empty.stderr, /stdin was empty: no record sent/);
  const offsets = await runKts(`get-offsets --topic raw --bootstrap-server ${b.bootstrap}`);
  t.equal(offsets.stdout, 'raw:0:0\n', 'nothing was sent');
});
