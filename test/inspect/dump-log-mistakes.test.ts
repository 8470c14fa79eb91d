// dump-log on a file that is not a Kafka file says so and exits 1 (Kafka's tool exits 0,
// which hides a wrong path in a script); a dropped tail kept by crash recovery is read.
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
