// readTextIfExists (storage/checkpoint.ts) reads small files with one open, one read and one
// close: the text must come back whole for files past its 4 KiB buffer too, a character
// spanning that boundary intact, a missing file as null, an empty one as ''.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOffsetCheckpoint, readTextIfExists } from '../../src/storage/checkpoint.js';
import { tempDir } from './helpers.js';

t.test('small, large, boundary-spanning, empty and missing files', async (t) => {
  const dir = tempDir(t);
  const cases: [string, string][] = [
    ['small', 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAABw'],
    ['boundary', 'x'.repeat(4095) + 'é' + 'y'.repeat(10)],
    ['large', Array.from({ length: 20_000 }, (_, i) => `topic-é-${i} ${i % 97} ${i * 31}`).join('\n')],
    ['empty', ''],
  ];
  for (const [name, text] of cases) {
    writeFileSync(join(dir, name), text);
    t.equal(readTextIfExists(join(dir, name)), text, `${name}: ${Buffer.byteLength(text)} bytes read back exactly`);
  }
  t.equal(readTextIfExists(join(dir, 'missing')), null, 'a missing file is null');
  mkdirSync(join(dir, 'a-dir'));
  t.throws(() => readTextIfExists(join(dir, 'a-dir')), /EISDIR/, 'a directory is an error, not a file');
});

t.test('an offset checkpoint of 10,000 partitions (past one read) loads every entry', async (t) => {
  const dir = tempDir(t);
  const lines = Array.from({ length: 10_000 }, (_, i) => `idle-${Math.floor(i / 100)} ${i % 100} ${i}`);
  writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), `0\n${lines.length}\n${lines.join('\n')}\n`);
  const read = readOffsetCheckpoint(join(dir, 'recovery-point-offset-checkpoint'));
  t.equal(read.size, 10_000);
  t.equal(read.get('idle-99-99')?.offset, 9999);
});
