/**
 * dump-log's byte-level record output against the string renderer it replaced: the same
 * Dumper run through StreamSink (quick walk, lines written as bytes) and through a sink
 * without `recordText` (records module walk, RecordInfo, recordLine strings), on valid
 * batches and on hundreds of randomly damaged ones, must print the same stdout and stderr.
 * Plus ByteLines' pieces on their own: integers against String(n), copied bytes against
 * a string decode of each piece; and backpressure when compressed batches print far more
 * than they take on disk.
 */
import t from 'tap';
import { PassThrough, Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { Dumper, INT32_MAX, type DumpOptions } from '../../src/inspect/dump.js';
import { StreamSink } from '../../src/inspect/output.js';
import { renderEvent, recordLine } from '../../src/inspect/render-text.js';
import type { DumpEvent, DumpSink } from '../../src/inspect/events.js';
import type { BatchInfo, RecordInfo } from '../../src/inspect/batch.js';
import { AsciiConst, ByteLines, DecimalCounter, DigitsCache } from '../../src/inspect/byte-lines.js';
import { utf8Decoder } from '../../src/inspect/decoders/payload.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { CompressionType } from '../../src/records/batch-header.js';
import { SEG, tempPartitionDir } from './fixtures.js';

/** The string path: every record as a RecordInfo rendered by recordLine. */
class StringSink implements DumpSink {
  out: string[] = [];
  err: string[] = [];
  constructor(private readonly skipRecordMetadata: boolean) {}
  emit(e: DumpEvent): void {
    if (e.type === 'problem' || e.type === 'summary') return;
    const r = renderEvent(e, { skipRecordMetadata: this.skipRecordMetadata });
    if (r.out !== undefined) this.out.push(r.out);
    if (r.err !== undefined) this.err.push(r.err);
  }
  record(_path: string, batch: BatchInfo, rec: RecordInfo, key: string | undefined, payload: string | undefined): void {
    this.out.push(recordLine(batch, rec, key, payload, { skipRecordMetadata: this.skipRecordMetadata }));
  }
  async drain(): Promise<void> {}
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

function options(printDataLog: boolean, skipRecordMetadata: boolean): DumpOptions {
  const decoders = { key: utf8Decoder, value: utf8Decoder };
  return {
    printDataLog, deepIteration: true, skipRecordMetadata, verifyIndexOnly: false, indexSanityCheck: false, maxMessageSize: 5242880, maxBytes: INT32_MAX,
    parser: (r) => ({ ...(r.key === null ? {} : { key: utf8Decoder(r.key) }), ...(r.value === null ? {} : { payload: utf8Decoder(r.value) }) }),
    decoders, cwd: '/',
  };
}

async function bothWays(path: string, printDataLog: boolean, skipRecordMetadata: boolean): Promise<{ quick: [string, string]; strings: [string, string] }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const fast = new Dumper(options(printDataLog, skipRecordMetadata), new StreamSink(stdout, stderr, { json: false, summary: false, check: false, skipRecordMetadata }));
  await fast.dumpFile(path);
  fast.finish();
  const stringSink = new StringSink(skipRecordMetadata);
  const slow = new Dumper(options(printDataLog, skipRecordMetadata), stringSink);
  await slow.dumpFile(path);
  slow.finish();
  const lines = (l: string[]): string => l.map((x) => `${x}\n`).join('');
  return { quick: [out(), err()], strings: [lines(stringSink.out), lines(stringSink.err)] };
}

/** Deterministic xorshift32, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function sampleBatches(): Buffer[] {
  const records = Array.from({ length: 6 }, (_, i) => ({
    timestampMs: 1700000000000 + i * 999,
    key: i % 2 === 0 ? null : Buffer.from(`key ${i} é`),
    // Long values are copied natively, short ones a word at a time: both kinds, valid and not.
    value: i === 3 ? Buffer.from([0xf0, 0x28, 0x8c, 0x28]) : i === 4 ? Buffer.concat([Buffer.from('✓'.repeat(200)), Buffer.from([0xff]), Buffer.alloc(300, 0x41)]) : Buffer.from(`value ${i} ✓`.repeat(i * 20 + 1)),
    headers: i % 3 === 0 ? [] : [{ key: `h${i}`, value: null }, { key: 'ü', value: Buffer.from('x') }],
  }));
  return [
    encodeRecordBatch({ baseOffset: 0, producerId: 5, producerEpoch: 0, baseSequence: 10, records }),
    encodeRecordBatch({ baseOffset: 6, compression: CompressionType.Gzip, records }),
    encodeRecordBatch({ baseOffset: 12, timestampType: 1, logAppendTimeMs: 1700000500000, records }),
  ];
}

t.test('valid batches print the same both ways, in every record-level mode', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const path = tmp.write(`${SEG}.log`, Buffer.concat(sampleBatches()));
  for (const [data, skip] of [[false, false], [true, false], [true, true], [false, true]] as const) {
    const r = await bothWays(path, data, skip);
    t.same(r.quick, r.strings, `printDataLog ${data} skipRecordMetadata ${skip}`);
  }
});

t.test('randomly damaged batches print the same both ways (records, errors, reports)', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const random = prng(20261122);
  const [plain, gzip] = sampleBatches() as [Buffer, Buffer];
  const path = `${tmp.dir}/${SEG}.log`;
  let differing = 0;
  let withErrors = 0;
  for (let round = 0; round < 300; round++) {
    const batch = Buffer.from(round % 5 === 4 ? gzip : plain);
    // Damage inside the records (after the 61-byte header) or the record count, not the framing.
    for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
      const at = random() < 0.1 ? 57 + Math.floor(random() * 4) : 61 + Math.floor(random() * (batch.length - 61));
      batch[at] = Math.floor(random() * 256);
    }
    writeFileSync(path, batch);
    const r = await bothWays(path, true, false);
    if (r.strings[1] !== '') withErrors++;
    if (r.quick[0] !== r.strings[0] || r.quick[1] !== r.strings[1]) {
      differing++;
      t.same(r.quick, r.strings, `round ${round}`);
    }
  }
  t.equal(differing, 0);
  t.comment(`${withErrors} of 300 damaged batches had records that could not be decoded`);
  t.ok(withErrors > 100, 'the damage reaches the decoders\' checks');
});

t.test('ByteLines integers match String(n)', async (t) => {
  const stream = new PassThrough();
  const text = collect(stream);
  const lines = new ByteLines(stream);
  const values = [0, 1, -1, 9, 10, 99, 100, 999, 1000, 2147483647, 2147483648, -2147483648, -2147483649, 4294967295, 4294967296, 999999999, 1000000000,
    1700000000000, 1700000099999, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, 1e21, 0.5, -0];
  const expected: string[] = [];
  const counter = new DecimalCounter();
  const cache = new DigitsCache(6);
  const stepped = new DecimalCounter(' T: ');
  const steppedCache = new DigitsCache(6);
  steppedCache.setPrefix(' T: ');
  const emit = (n: number): void => {
    lines.ensure(128);
    lines.int(n);
    lines.put(new AsciiConst(' '));
    lines.counted(n, counter);
    lines.put(new AsciiConst(' '));
    lines.cachedInt(n, cache);
    lines.steppedInt(n, steppedCache, stepped);
    lines.newline();
    expected.push(`${String(n)} ${String(n)} ${String(n)} T: ${String(n)}`);
  };
  for (const v of values) emit(v);
  for (const v of values) {
    emit(v);
    emit(v);
    emit(v + 1);
  }
  // Runs across digit-count changes for the counter and the cached leading digits.
  for (let n = 995; n < 1006; n++) emit(n);
  for (let n = 1699999999990; n < 1700000000012; n++) emit(n);
  for (let n = 99999990; n < 100000012; n++) emit(n);
  await lines.drain();
  t.equal(text(), expected.map((l) => `${l}\n`).join(''));
});

t.test('copied bytes print as a string decode of each piece would', async (t) => {
  const random = prng(7);
  const stream = new PassThrough();
  const text = collect(stream);
  const lines = new ByteLines(stream);
  const alphabet = [0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0xff, 0x00];
  let expected = '';
  for (let i = 0; i < 4000; i++) {
    const piece = Buffer.from(Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]!));
    lines.ensure(piece.length + 2);
    lines.utf8(piece, 0, piece.length);
    lines.byte(i % 7 === 0 ? 10 : 32);
    expected += piece.toString('utf8') + (i % 7 === 0 ? '\n' : ' ');
  }
  await lines.drain();
  t.equal(text(), expected);
});

t.test('a slow reader holds output back even when a few KiB of gzip batches print megabytes', async (t) => {
  const tmp = tempPartitionDir();
  t.teardown(() => tmp.cleanup());
  const records = Array.from({ length: 500 }, (_, i) => ({ timestampMs: 1700000000000 + i, key: null, value: Buffer.alloc(1000, 97 + (i % 3)) }));
  const batches = Array.from({ length: 10 }, (_, b) => encodeRecordBatch({ baseOffset: b * 500, compression: CompressionType.Gzip, records }));
  const path = tmp.write(`${SEG}.log`, Buffer.concat(batches));
  let written = 0;
  let mostQueued = 0;
  // Each write completes on a later turn, like a pipe to a slow reader.
  const slow = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      setImmediate(done);
    },
  });
  const watched = new Proxy(slow, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: Buffer, cb?: () => void): boolean => {
          const more = target.write(chunk, cb);
          mostQueued = Math.max(mostQueued, target.writableLength);
          return more;
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const dumper = new Dumper(options(true, false), new StreamSink(watched, new PassThrough(), { json: false, summary: false, check: false, skipRecordMetadata: false }));
  await dumper.dumpFile(path);
  await new Promise<void>((resolve) => slow.end(resolve));
  t.ok(Buffer.concat(batches).length < 64 * 1024, 'the segment is small');
  t.ok(written > 5_000_000, `${written} bytes printed`);
  t.ok(mostQueued <= 2 * 1024 * 1024, `at most ${mostQueued} bytes queued in the stream`);
});
