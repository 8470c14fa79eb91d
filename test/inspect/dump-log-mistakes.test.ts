// dump-log on a file that is not a Kafka file says so and exits 1 (Kafka's tool exits 0,
// which hides a wrong path in a script); a dropped tail kept by crash recovery is read.
import t from 'tap';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKts } from '../helpers/run-kts.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';

t.test('a file that is not a log dir file exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-dump-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const notKafka = join(dir, 'passwd');
  await writeFile(notKafka, 'root:x:0:0:root:/root:/bin/bash\n');
  const r = await runKts(['dump-log', '--files', notKafka]);
  t.equal(r.code, 1);
  t.match(r.stderr, `Ignoring unknown file ${notKafka}`);
  const dropped = join(dir, '00000000000000000000.log.dropped-5-1700000000000');
  await writeFile(dropped, encodeRecordBatch({ baseOffset: 5, records: [{ timestampMs: 1000, key: null, value: Buffer.from('v') }] }));
  const d = await runKts(['dump-log', '--files', dropped]);
  t.equal(d.code, 0, d.stderr);
  t.match(d.stdout, 'baseOffset: 5 lastOffset: 5 count: 1');
});

t.test('a renamed segment is one problem per file, not one per index entry', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-dump-renamed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dd = ['--data-dir', join(dir, 'data')];
  t.equal((await runKts(['topics', '--create', '--topic', 'r', '--config', 'index.interval.bytes=50', ...dd])).code, 0);
  for (let i = 0; i < 3; i++) {
    const lines = Array.from({ length: 200 }, (_, n) => `${i}-${n}\n`).join('');
    t.equal((await runKts(['console-producer', '--topic', 'r', ...dd], { stdin: lines })).code, 0);
  }
  const healthy = await runKts(['dump-log', '--check', '--files', join(dir, 'data', 'r-0')]);
  t.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  await mkdir(join(dir, 'copy'));
  for (const ext of ['log', 'index', 'timeindex']) await copyFile(join(dir, 'data', 'r-0', `00000000000000000000.${ext}`), join(dir, 'copy', `00000000000000000042.${ext}`));
  const r = await runKts(['dump-log', '--check', '--json', '--files', join(dir, 'copy')]);
  t.equal(r.code, 1);
  const problems = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind?: string; path?: string }).filter((e) => e.type === 'problem');
  t.ok(problems.length >= 2, `the log and its time index are reported (${problems.length})`);
  t.same(new Set(problems.map((p) => p.kind)), new Set(['segment-name-mismatch']), 'only the name mismatch, not every entry');
  t.equal(new Set(problems.map((p) => p.path)).size, problems.length, 'once per file');
});
