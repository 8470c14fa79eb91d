// console-producer's bulk path for plain lines (a stdin chunk's lines go to the producer as
// one run): input cut into random chunks (inside \r\n and inside multi-byte characters),
// empty lines, a line that is not UTF-8 (that chunk goes line by line), one and three
// partitions; what a consumer reads must be exactly the input lines.
import t from 'tap';
import { Readable } from 'node:stream';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

function lines(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 97 === 0) return Buffer.alloc(0);
    if (i % 50 === 1) return Buffer.from(`ünïcødé ✓ line ${i} ${'é'.repeat(i % 40)}`);
    return Buffer.from(`line ${i} ${'x'.repeat((i * 37) % 200)}`);
  });
}

/** The lines joined with \n or \r\n, cut into pieces of 1..maxPiece bytes. */
function chunked(values: Buffer[], maxPiece: number, seed: number): Buffer[] {
  const whole = Buffer.concat(values.flatMap((v, i) => [v, Buffer.from(i % 3 === 0 ? '\r\n' : '\n')]));
  const pieces: Buffer[] = [];
  let x = seed;
  for (let at = 0; at < whole.length; ) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const size = 1 + (x % maxPiece);
    pieces.push(whole.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

t.test('plain lines in random chunks arrive exactly, in order, on one partition', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic one --partitions 1 ${bs}`);
  const values = lines(20000);
  const p = await runKts(`console-producer --topic one --batch-size 16384 --json ${bs}`, { stdin: Readable.from(chunked(values, 6000, 1)) });
  t.equal(p.code, 0, p.stderr);
  t.same(JSON.parse(p.stdout), { topic: 'one', records: 20000, failed: 0, badRecords: 0 });
  const c = await runKts(`console-consumer --topic one --from-beginning --until-end ${bs}`);
  t.equal(c.stdout, values.map((v) => v.toString() + '\n').join(''));
});

t.test('a chunk with a line that is not UTF-8 goes line by line; three partitions get every line once', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic three --partitions 3 ${bs}`);
  const values = lines(5000);
  values[2500] = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x21]);
  const p = await runKts(`console-producer --topic three --batch-size 2000 ${bs}`, { stdin: Readable.from(chunked(values, 3000, 2)) });
  t.equal(p.code, 0, p.stderr);
  const c = await runKts(`console-consumer --topic three --from-beginning --until-end --property print.partition=true ${bs}`);
  const got = c.stdout.split('\n').slice(0, -1);
  t.equal(got.length, 5000);
  const expected = values.map((v) => Buffer.from(v.toString('utf8')).toString());
  t.same(got.map((l) => l.replace(/^Partition:\d\t/, '')).sort(), expected.sort(), 'every line once (bad bytes replaced as Java does)');
  t.ok(new Set(got.map((l) => l.slice(0, 11))).size >= 2, 'the sticky partitioner spread full batches');
});

t.test('a missing topic without auto-create: failures are reported as line ranges, exit 1', async (t) => {
  const b = await startCliBroker(t, ['auto.create.topics.enable=false']);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  const p = await runKts(`console-producer --topic nope --max-block-ms 300 ${bs}`, { stdin: 'a\nb\nc\n' });
  t.equal(p.code, 1);
  t.match(p.stderr, /kts: error: records? 1(-3)? (was|were) not delivered: .*nope/);
});
