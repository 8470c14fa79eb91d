/**
 * dump-log on damaged segments: a torn tail, a bad CRC, garbage, a size field below the
 * minimum, records that do not decode, offsets going backwards, and random mutations
 * (which must never crash the tool). Kafka's own lines are checked where Kafka prints
 * them; the --check report is checked for kinds and byte positions.
 */
import t from 'tap';
import { runKts } from '../helpers/run-kts.js';
import { resolve } from 'node:path';
import { Dumper, INT32_MAX, MAX_REPORT_PAIRS } from '../../src/inspect/dump.js';
import type { RecordInfo } from '../../src/inspect/batch.js';
import type { DumpEvent } from '../../src/inspect/events.js';
import { gzipSync } from 'node:zlib';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { handBatch, handMessage, handRecord, SEG, storedCrc, tempPartitionDir } from './fixtures.js';

const TS = 1700000000000;

function batch(baseOffset: number, values: string[]): Buffer {
  const records = Buffer.concat(values.map((v, i) => handRecord({ offsetDelta: i, timestampDelta: i, key: null, value: Buffer.from(v) })));
  return handBatch({ baseOffset, lastOffsetDelta: values.length - 1, baseTimestamp: TS, maxTimestamp: TS + values.length - 1, count: values.length, records });
}

const b1 = batch(0, ['alpha', 'beta']);
const b2 = batch(2, ['gamma', 'delta', 'epsilon']);

t.test('torn tail: Kafka prints the valid batches, then the invalid byte count', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write(`${SEG}.log`, Buffer.concat([b1, b2.subarray(0, b2.length - 10)]));
  const r = await runKts(['dump-log', '--files', path]);
  t.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  t.equal(lines.length, 5);
  t.match(lines[2], /^baseOffset: 0 lastOffset: 1 /);
  t.equal(lines[3], `Found ${b2.length - 10} invalid bytes at the end of ${SEG}.log`);
  const check = await runKts(['dump-log', '--files', path, '--check']);
  t.equal(check.code, 1);
  t.equal(check.stdout, `Problem in ${path} at byte ${b1.length}: torn-tail: entry of ${b2.length} bytes overruns the end at ${b1.length + b2.length - 10}\nFound 1 problem(s) in 1 file(s).\n`);
});

t.test('bad CRC: isvalid false with the stored crc, and a crc-mismatch at the batch position', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const bad = Buffer.from(b2);
  bad[bad.length - 3] ^= 0x01;
  const path = tmp.write(`${SEG}.log`, Buffer.concat([b1, bad]));
  const r = await runKts(['dump-log', '--files', path]);
  t.equal(r.code, 0);
  t.match(r.stdout.split('\n')[3], new RegExp(`position: ${b1.length} CreateTime: ${TS + 2} size: ${b2.length} magic: 2 compresscodec: none crc: ${storedCrc(b2)} isvalid: false$`));
  const json = await runKts(['dump-log', '--files', path, '--check', '--json']);
  const problems = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; kind: string; position: number }).filter((e) => e.type === 'problem');
  t.same(problems.map((p) => [p.kind, p.position]), [['crc-mismatch', b1.length]]);
  const summary = await runKts(['dump-log', '--files', path, '--summary']);
  t.match(summary.stdout, `validBytes: ${b1.length} invalidBytes: ${bad.length}`, 'the bad batch counts as invalid bytes');
});

t.test('garbage and a size field below 14: reported, not a crash', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write(`${SEG}.log`, Buffer.concat([b1, Buffer.alloc(40, 0xff)]));
  const r = await runKts(['dump-log', '--files', path]);
  t.equal(r.code, 1);
  t.equal(r.stdout.split('\n')[3], `Found 40 invalid bytes at the end of ${SEG}.log`);
  t.equal(r.stderr, `Found record size -1 smaller than minimum record overhead (14) in file ${path} (at byte ${b1.length}).\n`);
  const zeros = tmp.write(`${SEG}.log`, Buffer.alloc(4096));
  const z = await runKts(['dump-log', '--files', zeros, '--check']);
  t.match(z.stdout, /^Problem in .* at byte 0: corrupt-entry: Found record size 0 smaller than minimum record overhead \(14\)\n/);
});

t.test('records that do not decode: reported on stderr, the dump goes on', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const lying = handBatch({
    baseOffset: 0, lastOffsetDelta: 2, baseTimestamp: TS, maxTimestamp: TS, count: 3,
    records: Buffer.concat([handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x') }), handRecord({ offsetDelta: 1, timestampDelta: 0, key: null, value: Buffer.from('y') })]),
  });
  const path = tmp.write(`${SEG}.log`, Buffer.concat([lying, batch(3, ['ok'])]));
  const r = await runKts(['dump-log', '--files', path, '--deep-iteration']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^Cannot decode the records of the batch at position 0: .*at byte \d+/);
  t.match(r.stdout, /\| offset: 3 CreateTime: 1700000000000 keySize: -1 valueSize: 2/);
});

t.test('offsets going backwards are a problem', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write(`${SEG}.log`, Buffer.concat([b2, b1]));
  const r = await runKts(['dump-log', '--files', path, '--check']);
  t.equal(r.stdout.split('\n')[0], `Problem in ${path} at byte ${b2.length}: offset-regression: base offset 0 is not above the previous batch's last offset 4`);
});

t.test('random mutations never crash the engine', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const zipped = encodeRecordBatch({ baseOffset: 6, compression: 1, records: [{ timestampMs: TS, key: null, value: Buffer.from('eta') }, { timestampMs: TS, key: Buffer.from('k'), value: Buffer.from('theta') }] });
  const wrapper = handMessage({ offset: 9, magic: 1, attributes: 1, timestamp: TS, key: null, value: gzipSync(Buffer.concat([handMessage({ offset: 0, magic: 1, timestamp: TS, key: null, value: Buffer.from('iota') }), handMessage({ offset: 1, magic: 1, timestamp: TS, key: null, value: Buffer.from('kappa') })])) });
  const base = Buffer.concat([b1, b2, batch(5, ['zeta']), zipped, wrapper]);
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const unexpected: string[] = [];
  const sink = {
    events: 0,
    emit(e: DumpEvent): void {
      this.events++;
      // 'unreadable' is how dumpFile reports an exception it did not expect.
      if (e.type === 'problem' && e.kind === 'unreadable') unexpected.push(e.message);
    },
    async drain(): Promise<void> {},
  };
  const opts = {
    printDataLog: true, deepIteration: true, skipRecordMetadata: false, verifyIndexOnly: false, indexSanityCheck: false,
    maxMessageSize: 5242880, maxBytes: INT32_MAX, cwd: tmp.dir, parser: (r: RecordInfo) => ({ payload: String(r.value) }),
  };
  for (let i = 0; i < 300; i++) {
    const m = Buffer.from(base);
    for (let k = 0; k <= rand(4); k++) m[rand(m.length)] = rand(256);
    const cut = rand(3) === 0 ? rand(m.length) : m.length;
    const path = tmp.write(`${SEG}.log`, m.subarray(0, cut));
    const dumper = new Dumper(opts, sink);
    await dumper.dumpFile(path);
    dumper.finish();
  }
  t.same(unexpected, [], 'no exception escaped the decoders');
  t.ok(sink.events > 300, '300 mutated segments dumped');
});

t.test('non-consecutive offsets of a heavily compacted segment: the report is capped', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const n = MAX_REPORT_PAIRS + 2;
  const records = Buffer.concat(Array.from({ length: n }, (_, i) => handRecord({ offsetDelta: 2 * i, timestampDelta: 0, key: null, value: null })));
  const path = tmp.write(`${SEG}.log`, handBatch({ baseOffset: 0, lastOffsetDelta: 2 * (n - 1), baseTimestamp: TS, maxTimestamp: TS, count: n, records }));
  const r = await runKts(['dump-log', '--files', path, '--deep-iteration']);
  t.equal(r.code, 0);
  const lines = r.stderr.trimEnd().split('\n');
  t.equal(lines.length, MAX_REPORT_PAIRS + 2);
  t.equal(lines[0], `Non-consecutive offsets in ${resolve(path)}`);
  t.equal(lines[1], `  ${2 * MAX_REPORT_PAIRS - 2} is followed by ${2 * MAX_REPORT_PAIRS}`, 'newest listed pair first');
  t.equal(lines[lines.length - 1], '  ... and 1 more');
});

t.test('timestamps going backwards: a warning for CreateTime, a problem for LogAppendTime', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const at = (baseOffset: number, ts: number, attributes = 0): Buffer =>
    handBatch({ baseOffset, attributes, lastOffsetDelta: 0, baseTimestamp: ts, maxTimestamp: ts, count: 1, records: handRecord({ offsetDelta: 0, timestampDelta: 0, key: null, value: null }) });
  const create = tmp.write(`${SEG}.log`, Buffer.concat([at(0, TS + 100), at(1, TS)]));
  const c = await runKts(['dump-log', '--files', create, '--check']);
  t.equal(c.code, 0);
  t.match(c.stdout, /^Warning in .* at byte \d+: timestamp-regression: max timestamp 1700000000000 is below the previous batch's 1700000000100\nNo problems found in 1 file\(s\) \(1 warning\(s\)\)\.\n$/);
  const append = tmp.write(`${SEG}.log`, Buffer.concat([at(0, TS + 100, 0x08), at(1, TS, 0x08)]));
  const a = await runKts(['dump-log', '--files', append, '--check', '--json']);
  t.equal(a.code, 1);
  const events = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(events.map((e) => e.type), ['problem', 'checkResult']);
  t.same(events[0], { type: 'problem', path: append, severity: 'error', kind: 'timestamp-regression', position: at(0, TS + 100, 0x08).length, message: `max timestamp ${TS} is below the previous batch's ${TS + 100}` });
  t.same(events[1], { type: 'checkResult', files: 1, problems: 1, warnings: 0 });
});
