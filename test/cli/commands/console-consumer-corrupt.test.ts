// A corrupt batch in the middle of a partition: the consumer prints every record before
// it, then fails naming the partition and offset (as Java's consumer does);
// --skip-message-on-error reports the bad batch on stderr and goes on. Both output paths
// (the byte path for text, the record path for --json) and a group member.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

/** Flips a byte inside the records of the `n`th batch (0-based) of a segment: its CRC no longer matches. */
function corruptBatch(segment: string, n: number): void {
  const bytes = readFileSync(segment);
  let position = 0;
  for (let i = 0; i < n; i++) position += 12 + bytes.readInt32BE(position + 8);
  const size = 12 + bytes.readInt32BE(position + 8);
  bytes[position + size - 3] ^= 0xff;
  writeFileSync(segment, bytes);
}

t.test('records before a corrupt batch are printed, then the consumer fails naming it', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic c --partitions 1 ${bs}`)).code, 0);
  for (const v of ['v0', 'v1', 'v2', 'v3', 'v4']) t.equal((await runKts(`console-producer --topic c ${bs}`, { stdin: `${v}\n` })).code, 0);
  corruptBatch(join(b.dataDir, 'c-0', '00000000000000000000.log'), 2);

  const text = await runKts(`console-consumer --topic c --from-beginning --timeout-ms 5000 ${bs}`);
  t.equal(text.code, 1);
  t.equal(text.stdout, 'v0\nv1\n', 'every record before the bad batch');
  t.match(text.stderr, 'Processed a total of 2 messages');
  t.match(text.stderr, 'Received exception when fetching the next record from c-0 at offset 2: record batch CRC mismatch');
  t.match(text.stderr, '--skip-message-on-error');

  const json = await runKts(`console-consumer --topic c --from-beginning --timeout-ms 5000 --json ${bs}`);
  t.equal(json.code, 1);
  t.same(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: string }).value), ['v0', 'v1'], 'the record path too');
  t.match(json.stderr, 'c-0 at offset 2');

  const skipped = await runKts(`console-consumer --topic c --from-beginning --max-messages 4 --timeout-ms 5000 --skip-message-on-error ${bs}`);
  t.equal(skipped.code, 0, skipped.stderr);
  t.equal(skipped.stdout, 'v0\nv1\nv3\nv4\n');
  t.match(skipped.stderr, 'skipping the corrupt batch of c-0 at offsets 2 to 2: record batch CRC mismatch');

  const skippedJson = await runKts(`console-consumer --topic c --from-beginning --max-messages 4 --timeout-ms 5000 --skip-message-on-error --json ${bs}`);
  t.same(skippedJson.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: string }).value), ['v0', 'v1', 'v3', 'v4']);

  const group = await runKts(`console-consumer --topic c --group g --from-beginning --max-messages 4 --timeout-ms 8000 --skip-message-on-error ${bs}`);
  t.equal(group.code, 0, group.stderr);
  t.equal(group.stdout, 'v0\nv1\nv3\nv4\n', 'a group member skips it too');
});
