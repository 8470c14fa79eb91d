/**
 * The progress spinner: shown on stderr only when stderr is a terminal and the file is
 * large; stdout carries the same dump either way.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { closeSync, openSync, writeSync } from 'node:fs';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { writeInt64 } from '../../src/records/batch-header.js';
import { runKts } from '../helpers/run-kts.js';
import { SEG, tempPartitionDir } from './fixtures.js';

async function runWithTtyStderr(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  // What ora uses of a tty.WriteStream.
  const stderr = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 80,
    cursorTo: (_x: number, cb?: () => void) => (cb?.(), true),
    moveCursor: (_dx: number, _dy: number, cb?: () => void) => (cb?.(), true),
    clearLine: (_dir: number, cb?: () => void) => (cb?.(), true),
  });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIo = {
    stdin: new PassThrough(), stdout, stderr, stdoutIsTty: false, stdinIsTty: false,
    env: { ...process.env, NO_COLOR: '1' }, interrupted: new Promise<void>(() => {}), cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, stdout: out, stderr: err };
}

t.test('a large file shows progress on a terminal stderr only', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const batch = encodeRecordBatch({ baseOffset: 0, records: Array.from({ length: 600 }, (_, i) => ({ timestampMs: 1700000000000 + i, key: null, value: Buffer.alloc(100, i) })) });
  const path = `${tmp.dir}/${SEG}.log`;
  const fd = openSync(path, 'w');
  for (let written = 0, offset = 0; written < 72 * 1024 * 1024; written += batch.length, offset += 600) {
    writeInt64(batch, 0, offset);
    writeSync(fd, batch);
  }
  closeSync(fd);
  const tty = await runWithTtyStderr(['dump-log', '--files', path, '--summary']);
  const plain = await runKts(['dump-log', '--files', path, '--summary']);
  t.equal(tty.code, 0);
  t.equal(tty.stdout, plain.stdout, 'stdout is the same with or without a terminal');
  t.equal(plain.stderr, '', 'no progress when stderr is not a terminal');
  t.match(tty.stderr, /% of 7\d MiB/, 'progress shown on the terminal');
  // a fast scan never let ora's timer redraw, leaving only a first frame drawn before the text was set
  t.notMatch(tty.stderr, /[\u2800-\u28ff] dump-log/, 'every frame drawn shows the progress');
});
