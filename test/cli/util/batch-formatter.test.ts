// The console consumer's byte path (BatchFormatter) against the record path (decodeFetchedRecords
// + formatRecord): byte-identical output on varied batches (keys, nulls, headers, empty and
// binary values, every codec, LogAppendTime, leader epochs, transactions with aborts under
// read_committed, control batches, legacy v0/v1 entries, a truncated last batch, 7-byte records) for many
// formatter configurations, offset/count limits, corrupt bytes, and OutputChunks on a real fd.
import t from 'tap';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CompressionType, TimestampType } from '../../../src/records/batch-header.js';
import { encodeEndTransactionMarkerBatch } from '../../../src/records/control.js';
import { encodeLegacyMessageSet } from '../../../src/records/legacy.js';
import { encodeRecordBatch, type RecordInput } from '../../../src/records/record-batch.js';
import { decodeFetchedRecords, type FetchedRecords } from '../../../src/client/fetch-decoder.js';
import { BatchFormatter, batchFormatterFits, OutputChunks } from '../../../src/cli/util/batch-formatter.js';
import { formatRecord, formatterConfig, type FormatterConfig } from '../../../src/cli/util/message-formatter.js';
import { StopSignal } from '../../../src/cli/util/output.js';
import { CorruptDataError } from '../../../src/util/errors.js';

const b = (s: string): Buffer => Buffer.from(s);
const never = new StopSignal(new Promise<void>(() => undefined));

/** Deterministic pseudo-random bytes (no Math.random: the test must not vary). */
function bytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function varied(base: number, count: number): RecordInput[] {
  const out: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const n = base + i;
    const kind = n % 7;
    out.push({
      timestampMs: 1_700_000_000_000 + n * 3,
      key: kind === 0 ? null : kind === 1 ? Buffer.alloc(0) : b(`key-${n}`),
      value: kind === 2 ? null : kind === 3 ? Buffer.alloc(0) : kind === 4 ? bytes(n, 1 + (n % 300)) : b(`value ${n} ${'x'.repeat(n % 40)}`),
      headers:
        kind === 5
          ? [
              { key: 'h1', value: b('a') },
              { key: 'nul', value: null },
              { key: 'ünï', value: bytes(n, 3) },
            ]
          : kind === 6
            ? [{ key: '', value: Buffer.alloc(0) }]
            : [],
    });
  }
  return out;
}

const txn = (baseOffset: number, producerId: number, records: RecordInput[]): Buffer =>
  encodeRecordBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, transactional: true, partitionLeaderEpoch: 3, records });
const marker = (baseOffset: number, producerId: number, commit: boolean): Buffer =>
  encodeEndTransactionMarkerBatch({ baseOffset, producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, timestampMs: 1000 });

/** A partition's log: every kind of entry a fetch can return, offsets 0..63. */
function sampleLog(): Buffer {
  return Buffer.concat([
    encodeRecordBatch({ baseOffset: 0, partitionLeaderEpoch: 0, records: varied(0, 10) }),
    encodeRecordBatch({ baseOffset: 10, compression: CompressionType.Gzip, partitionLeaderEpoch: 1, records: varied(10, 8) }),
    encodeRecordBatch({ baseOffset: 18, compression: CompressionType.Snappy, records: varied(18, 5) }),
    encodeRecordBatch({ baseOffset: 23, compression: CompressionType.Lz4, timestampType: TimestampType.LogAppendTime, logAppendTimeMs: 1_800_000_000_000, records: varied(23, 5) }),
    encodeRecordBatch({ baseOffset: 28, compression: CompressionType.Zstd, partitionLeaderEpoch: 2, records: varied(28, 6) }),
    txn(34, 7, varied(34, 3)), // aborted below
    txn(37, 8, varied(37, 3)), // committed below
    marker(40, 7, false),
    marker(41, 8, true),
    encodeLegacyMessageSet({ magic: 1, baseOffset: 42, messages: [{ timestampMs: 5, key: b('lk'), value: b('legacy v1') }, { timestampMs: 6, key: null, value: null }] }),
    encodeLegacyMessageSet({ magic: 0, baseOffset: 44, messages: [{ timestampMs: -1, key: null, value: b('legacy v0') }] }),
    encodeLegacyMessageSet({ magic: 1, baseOffset: 45, compression: CompressionType.Gzip, messages: [{ timestampMs: 7, key: b('w'), value: b('wrapped 1') }, { timestampMs: 8, key: null, value: b('wrapped 2') }] }),
    encodeRecordBatch({ baseOffset: 47, records: varied(47, 17) }),
    // Timestamps before the epoch, far from the base timestamp, and large.
    encodeRecordBatch({
      baseOffset: 64,
      records: [-1, -5000, 0, 2 ** 51, 1_700_000_000_000].map((timestampMs) => ({ timestampMs, key: null, value: b(`t${timestampMs}`) })),
    }),
    // The smallest records (7 bytes): output as long as the record itself with a 7-byte null.literal + line.separator.
    encodeRecordBatch({ baseOffset: 69, records: [0, 1, 2, 3, 4, 5].map((i) => ({ timestampMs: 1000, key: null, value: i % 2 === 0 ? null : Buffer.alloc(0) })) }),
  ]);
}

function fetched(bytesIn: Buffer, over: Partial<FetchedRecords> = {}): FetchedRecords {
  return { topic: 't', partition: 4, bytes: bytesIn, fetchOffset: 0, readCommitted: false, abortedTransactions: [], verifyCrc: true, ...over };
}

/** What the record path prints for f, within the same limits. */
function viaRecords(cfg: FormatterConfig, f: FetchedRecords, maxRecords = Infinity, endOffset = Infinity): Buffer {
  const records = decodeFetchedRecords(f.topic, f.partition, f.bytes, f).records.filter((r) => r.offset < endOffset).slice(0, maxRecords);
  return Buffer.concat(records.map((r) => formatRecord(cfg, { ...r, leaderEpoch: r.leaderEpoch ?? -1 })));
}

async function viaBytes(cfg: FormatterConfig, fs: FetchedRecords[], maxRecords = Infinity, endOffset = Infinity): Promise<{ out: Buffer; counts: number[]; formatter: BatchFormatter }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const out = new OutputChunks(stream);
  const formatter = new BatchFormatter(cfg);
  const counts = fs.map((f) => formatter.print(f, out, maxRecords, endOffset).count);
  await out.flush(never);
  return { out: Buffer.concat(chunks), counts, formatter };
}

const CONFIGS: Record<string, string>[] = [
  {},
  { 'print.key': 'true' },
  { 'print.key': 'true', 'print.headers': 'true', 'print.timestamp': 'true' },
  { 'print.partition': 'true', 'print.offset': 'true', 'print.epoch': 'true', 'print.value': 'false' },
  { 'print.value': 'false' },
  {
    'print.key': 'true',
    'print.headers': 'true',
    'print.timestamp': 'true',
    'print.partition': 'true',
    'print.offset': 'true',
    'print.epoch': 'true',
    'key.separator': ' | ',
    'line.separator': '\r\n--\n',
    'headers.separator': ';;',
    'null.literal': '<nil>',
  },
  { 'line.separator': '', 'null.literal': '' },
  { 'line.separator': '<<end of record>>\n', 'null.literal': '(null value)' },
  { 'line.separator': '\n', 'null.literal': 'nullnu' },
];

t.test('byte path prints exactly what the record path prints, for every configuration', async (t) => {
  const log = sampleLog();
  for (const props of CONFIGS) {
    const cfg = formatterConfig(new Map(Object.entries(props)));
    t.ok(batchFormatterFits(cfg));
    for (const readCommitted of [false, true]) {
      const f = fetched(log, { readCommitted, abortedTransactions: readCommitted ? [{ producerId: 7, firstOffset: 34 }] : [] });
      const { out, counts, formatter } = await viaBytes(cfg, [f]);
      const expected = viaRecords(cfg, f);
      t.ok(out.equals(expected), `${JSON.stringify(props)} readCommitted=${readCommitted}`);
      t.equal(counts[0], decodeFetchedRecords('t', 4, log, f).records.length);
      t.equal(formatter.stats.byteBatches, readCommitted ? 9 : 10, 'v2 data batches went the byte path');
      t.equal(formatter.stats.legacyEntries, 4, 'legacy entries (one per uncompressed message, one per wrapper) went the record path');
    }
  }
});

t.test('aborted records are hidden under read_committed, shown under read_uncommitted; markers never', async (t) => {
  const cfg = formatterConfig(new Map([['print.offset', 'true']]));
  const log = sampleLog();
  const committed = (await viaBytes(cfg, [fetched(log, { readCommitted: true, abortedTransactions: [{ producerId: 7, firstOffset: 34 }] })])).out.toString('latin1');
  const all = (await viaBytes(cfg, [fetched(log)])).out.toString('latin1');
  t.notMatch(committed, /Offset:3[456]\t/);
  t.match(committed, /Offset:37\t/);
  t.match(all, /Offset:34\t/);
  t.notMatch(all, /Offset:4[01]\t/, 'control records are not printed');
});

t.test('fetch offset inside a batch, end offsets, record limits and a truncated last batch', async (t) => {
  const cfg = formatterConfig(new Map([['print.offset', 'true'], ['print.key', 'true']]));
  const log = sampleLog();
  const cut = log.subarray(0, log.length - 9);
  for (const fetchOffset of [0, 3, 12, 35, 43, 46, 50]) {
    for (const [max, end] of [
      [Infinity, Infinity],
      [5, Infinity],
      [Infinity, 20],
      [3, 46],
      [0, Infinity],
    ] as const) {
      const f = fetched(cut, { fetchOffset });
      const { out, counts } = await viaBytes(cfg, [f], max, end);
      const expected = viaRecords(cfg, f, max, end);
      t.ok(out.equals(expected), `fetchOffset ${fetchOffset} max ${max} end ${end}`);
      t.equal(counts[0], expected.toString('latin1').split('\n').length - 1);
    }
  }
  const f = fetched(cut, { fetchOffset: 40 });
  const formatter = new BatchFormatter(cfg);
  const range = formatter.print(f, new OutputChunks(new PassThrough()), 4, Infinity);
  t.same(range, { count: 4, lastOffset: 45, corrupt: null }, 'control offsets are skipped; the last printed offset is reported');
});

t.test('large values and many records span output chunks intact', async (t) => {
  const records: RecordInput[] = [];
  for (let i = 0; i < 300; i++) records.push({ timestampMs: i, key: null, value: bytes(i, i % 3 === 0 ? 20_000 : 17) });
  records.push({ timestampMs: 1, key: null, value: bytes(9, 3 * 1024 * 1024) });
  const log = Buffer.concat([encodeRecordBatch({ baseOffset: 0, records }), encodeRecordBatch({ baseOffset: 301, compression: CompressionType.Zstd, records })]);
  const cfg = formatterConfig(new Map());
  const f = fetched(log);
  const { out } = await viaBytes(cfg, [f, fetched(log, { fetchOffset: 200 })]);
  t.ok(out.equals(Buffer.concat([viaRecords(cfg, f), viaRecords(cfg, fetched(log, { fetchOffset: 200 }))])));
});

t.test('corrupt bytes stop both paths at the same place, naming the offset', async (t) => {
  const cfg = formatterConfig(new Map());
  const log = Buffer.from(sampleLog());
  log[70] = (log[70]! + 1) & 0xff; // inside the first batch's records: CRC mismatch
  const viaRecordPath = decodeFetchedRecords('t', 4, log, fetched(log));
  const viaBytePath = new BatchFormatter(cfg).print(fetched(log), new OutputChunks(new PassThrough()), Infinity, Infinity);
  t.same([viaRecordPath.records.length, viaRecordPath.corrupt?.offset], [0, 0]);
  t.same([viaBytePath.count, viaBytePath.corrupt?.offset, viaBytePath.corrupt?.skipTo], [0, 0, viaRecordPath.corrupt?.skipTo]);
  const garbage = Buffer.concat([encodeRecordBatch({ baseOffset: 0, records: varied(0, 2) }), Buffer.alloc(30, 0xff)]);
  const tail = new BatchFormatter(cfg).print(fetched(garbage), new OutputChunks(new PassThrough()), Infinity, Infinity);
  t.same([tail.count, tail.corrupt?.offset, tail.corrupt?.skipTo], [2, 2, -1], 'the records before garbage are printed; nothing after it can be skipped to');
});

t.test('damaged record bytes (CRC not checked): the byte path prints or throws exactly as the record path', async (t) => {
  const log = encodeRecordBatch({ baseOffset: 0, records: varied(0, 12) });
  const header = 61;
  let same = 0;
  let rechecked = 0;
  const everything = { 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.epoch': 'true', 'print.headers': 'true', 'print.key': 'true' };
  for (const cfgProps of [{}, { 'line.separator': '<<end of record>>\n' }, everything]) {
    const cfg = formatterConfig(new Map(Object.entries(cfgProps)));
    for (let at = header; at < log.length; at += 3) {
      for (const value of [0x00, 0x01, 0x7f, 0x80, 0xff, log[at]! ^ 0x40]) {
        const bad = Buffer.from(log);
        bad[at] = value;
        const f = fetched(bad, { verifyCrc: false });
        let expected: Buffer | Error;
        try {
          expected = viaRecords(cfg, f);
        } catch (err) {
          expected = err as Error;
        }
        const formatter = new BatchFormatter(cfg);
        const stream = new PassThrough();
        const out = new OutputChunks(stream);
        let got: Buffer | Error;
        try {
          formatter.print(f, out, Infinity, Infinity);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          await out.flush(never);
          got = Buffer.concat(chunks);
        } catch (err) {
          got = err as Error;
        }
        rechecked += formatter.stats.recheckedBatches;
        if (expected instanceof Error || got instanceof Error) {
          if (!(got instanceof CorruptDataError) || !(expected instanceof CorruptDataError) || got.message !== expected.message) {
            t.fail(`byte ${at} = ${value}: ${String(got)} vs ${String(expected)}`);
            continue;
          }
        } else if (!got.equals(expected)) {
          t.fail(`byte ${at} = ${value}: different output`);
          continue;
        }
        same++;
      }
    }
  }
  t.ok(same > 1000, `${same} damaged batches, same outcome`);
  t.ok(rechecked > 100, `${rechecked} of them went from the value-only loop to the careful walk`);
});

t.test('a timestamp delta beyond 2^53 prints as the record path prints it', async (t) => {
  const plain = encodeRecordBatch({ baseOffset: 0, records: [{ timestampMs: 1000, key: null, value: b('x') }] });
  // attributes 0, timestamp delta 2^61 (zig-zag 2^62: eight 0x80 bytes, then 0x40), offset delta 0,
  // null key, value 'x', no headers
  const body = Buffer.from([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0, 1, 2, 0x78, 0]);
  const record = Buffer.concat([Buffer.from([body.length * 2]), body]);
  const batch = Buffer.concat([plain.subarray(0, 61), record]);
  batch.writeInt32BE(batch.length - 12, 8);
  const cfg = formatterConfig(new Map([['print.timestamp', 'true']]));
  const f = fetched(batch, { verifyCrc: false });
  const { out } = await viaBytes(cfg, [f]);
  t.equal(out.toString(), viaRecords(cfg, f).toString());
  t.equal(out.toString(), `CreateTime:${1000 + 2 ** 61}\tx\n`);
});

t.test('deserializers are not for the byte path', async (t) => {
  const cfg = formatterConfig(new Map([['value.deserializer', 'org.apache.kafka.common.serialization.ByteArrayDeserializer']]));
  t.notOk(batchFormatterFits(cfg));
  t.throws(() => new BatchFormatter(cfg));
});

t.test('OutputChunks over a file descriptor reuses chunks only once written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-chunks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'out');
  const stream = createWriteStream(path);
  await new Promise((resolve) => stream.once('open', resolve));
  const out = new OutputChunks(stream);
  const expected: Buffer[] = [];
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < 400; i++) {
      const piece = bytes(round * 1000 + i, 1 + ((i * 7919) % 9000));
      out.append(piece);
      expected.push(piece);
    }
    await out.flush(never);
  }
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  t.ok((await readFile(path)).equals(Buffer.concat(expected)), 'the file holds every byte in order');
});

t.test('OutputChunks rewind drops what was written since the mark, across a chunk switch', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kts-chunks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const overFd of [false, true]) {
    const path = join(dir, `out-${overFd}`);
    const got: Buffer[] = [];
    let stream: PassThrough | ReturnType<typeof createWriteStream>;
    if (overFd) {
      stream = createWriteStream(path);
      await new Promise((resolve) => stream.once('open', resolve));
    } else {
      stream = new PassThrough();
      stream.on('data', (c: Buffer) => got.push(c));
    }
    const out = new OutputChunks(stream);
    const expected: Buffer[] = [];
    for (let round = 0; round < 6; round++) {
      const head = bytes(round, 1000 + round);
      out.append(head);
      const mark = out.mark();
      out.append(bytes(2, 700_000));
      out.append(bytes(3, 700_000)); // does not fit the chunk: a second one
      out.rewind(mark);
      // Two more chunks before the flush: the one the rewind went back to is still to be written.
      const tail = bytes(round + 10, 1_048_000);
      const tail2 = bytes(round + 20, 1_048_000);
      out.append(tail);
      out.append(tail2);
      expected.push(head, tail, tail2);
      await out.flush(never);
    }
    out.append(b('more'));
    const again = out.mark();
    out.append(bytes(4, 3 * 1024 * 1024)); // larger than a chunk
    out.rewind(again);
    out.discard();
    out.append(b('!'));
    expected.push(b('!'));
    await out.flush(never);
    if (overFd) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const written = overFd ? await readFile(path) : Buffer.concat(got);
    t.ok(written.equals(Buffer.concat(expected)), overFd ? 'over a file descriptor' : 'over a PassThrough');
  }
});
