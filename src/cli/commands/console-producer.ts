/**
 * `kts console-producer`: kafka-console-producer.sh. Reads stdin record by record (lines by
 * default, parsed like Kafka's LineMessageReader; or JSON lines; or a kcat-style format),
 * sends each to the topic and exits once every record is acknowledged. Memory stays
 * bounded: reading pauses while too many bytes await acknowledgement.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { BadLineError, MAX_RECORD_BYTES, type ParsedRecord, lineReaderConfig, parseLine } from '../util/line-reader.js';
import { compileInputFormat, parseWithFormat } from '../util/format-string.js';
import { parseJsonRecord } from '../util/record-json.js';
import { mergeProperties, parseKeyValuePairs, readPropertiesFile, stringList } from '../util/properties.js';
import { StopSignal } from '../util/output.js';
import { stdinChunks } from '../util/stdin-chunks.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import type { Producer, ProducerRecord } from '../../client/index.js';
import { setTimeout as delay } from 'node:timers/promises';
import { isUtf8 } from 'node:buffer';

/** Bytes of records sent but not yet acknowledged before reading pauses. */
const MAX_UNACKED_BYTES = 32 * 1024 * 1024;
/**
 * Records sent but not yet acknowledged before reading pauses: each costs a callback too.
 * Larger than one full batch of small records, so reading never stalls a batch mid-fill.
 */
const MAX_UNACKED_RECORDS = 65536;
const MAX_REPORTED_ERRORS = 10;
/** Shared by plain lines; nothing mutates a record's headers. */
const NO_HEADERS: ParsedRecord['headers'] = [];

const numberOpt = (describe: string) => ({ type: 'number' as const, placeholder: '<n>', describe });

export const consoleProducerCommand: CommandSpec = {
  name: 'console-producer',
  mirrors: 'kafka-console-producer.sh',
  summary: 'Produce records read from stdin',
  description: [
    'Each input line becomes a record (parse.key / parse.headers split keys and headers out of it). With --input-format json each line is a JSON record as printed by `kts console-consumer --json` (bytes that are not UTF-8 travel as base64 with "keyEncoding"/"valueEncoding":"base64"), so `consume --json | produce --input-format json` copies records exactly.',
    'Reader properties (--property / --reader-property): parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.',
    'Format strings (-f): %k key, %v value, %h headers as name=value,..., %p partition, %T timestamp ms, %t topic (ignored), %% percent; escapes \\n \\r \\t \\\\ \\xHH. The format must end with a record delimiter.',
    'With --input-format raw all of stdin (up to 64 MiB) is one record, its value the bytes as they are: newlines, NUL bytes and invalid UTF-8 included (as kcat -P does with a file). Kafka\'s LineMessageReader has no such mode.',
    'A line that does not parse is reported with its line number and the exit code is 1; the other lines are still sent.',
    'With --transactional-id all input is sent in one transaction, committed at the end of input. Ctrl-C, a line that does not parse or a record that is not delivered aborts it instead (nothing becomes visible to read_committed consumers) and the exit code is 1.',
  ].join('\n\n'),
  options: {
    ...connectionOptions,
    topic: { type: 'string', placeholder: '<topic>', describe: 'The topic to produce to (required).' },
    partition: { type: 'number', placeholder: '<n>', describe: 'Send every record to this partition (default: by key hash, sticky for null keys).' },
    'input-format': {
      type: 'string',
      choices: ['line', 'json', 'raw'],
      default: 'line',
      describe: "line: Kafka's line reader; json: one JSON record per line; raw: all of stdin is one record's value, bytes as they are (\\n and \\0 included).",
    },
    format: { type: 'string', alias: 'f', placeholder: '<fmt>', describe: "kcat-style input format, e.g. '%k %v\\n' (see the description)." },
    sync: { type: 'boolean', describe: 'Send records one at a time, waiting for each acknowledgement.' },
    'transactional-id': {
      type: 'string',
      placeholder: '<id>',
      describe: 'transactional.id: send all input in one transaction, committed at end of input; aborted on Ctrl-C or any error (exit 1).',
    },
    'compression-codec': {
      type: 'string',
      choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
      bareValue: 'gzip',
      describe: 'compression.type of the producer; given without a value it means gzip, as in Kafka.',
    },
    'batch-size': numberOpt('batch.size: bytes per partition batch (default 16384).'),
    'max-partition-memory-bytes': numberOpt('batch.size as well (Kafka\'s older name; wins over --batch-size).'),
    timeout: numberOpt('linger.ms: how long to wait to fill a batch (default 1000 as in Kafka).'),
    'request-required-acks': { type: 'string', placeholder: '<acks>', choices: ['-1', '0', '1', 'all'], describe: 'acks: -1/all (default), 1 or 0.' },
    'request-timeout-ms': numberOpt('request.timeout.ms (default 1500).'),
    'message-send-max-retries': numberOpt('retries (default 3).'),
    'retry-backoff-ms': numberOpt('retry.backoff.ms (default 100).'),
    'metadata-expiry-ms': numberOpt('metadata.max.age.ms (default 300000).'),
    'max-block-ms': numberOpt('max.block.ms (default 60000).'),
    'max-memory-bytes': numberOpt('buffer.memory (default 33554432).'),
    'line-reader': {
      type: 'string',
      placeholder: '<class>',
      describe: "Kafka's reader class: only the default org.apache.kafka.tools.LineMessageReader (also kafka.tools.LineMessageReader or kafka.tools.ConsoleProducer$LineMessageReader) is accepted; other classes are refused. --input-format and --format choose kts's other readers.",
    },
    'socket-buffer-size': {
      type: 'number',
      placeholder: '<bytes>',
      describe: "Refused: Kafka sets the socket send buffer (send.buffer.bytes); Node exposes no TCP send-buffer size, so kts leaves it to the OS.",
    },
    property: { type: 'array', placeholder: '<key=value>', describe: 'A reader property (repeatable); Kafka 4.2 calls it --reader-property.' },
    'reader-property': { type: 'array', placeholder: '<key=value>', describe: 'A reader property (repeatable), e.g. parse.key=true.' },
    'reader-config': { type: 'string', placeholder: '<file>', describe: 'Properties file of reader properties; --reader-property wins.' },
    'producer-property': { type: 'array', placeholder: '<key=value>', describe: 'A producer config (repeatable); the same as --command-property.' },
    'producer.config': { type: 'string', placeholder: '<file>', describe: 'Producer properties file; the same as --command-config.' },
    ...jsonOption,
  },
  examples: [
    ['kts console-producer --topic orders < orders.txt', 'one record per line'],
    ['kts console-producer --topic orders --property parse.key=true --property key.separator=:', 'lines are key:value'],
    ['kts console-consumer --topic a --from-beginning --until-end --json | kts console-producer --topic b --input-format json', 'copy a topic exactly'],
    ['kts console-producer --topic images --input-format raw < photo.jpg', 'one record whose value is the file, byte for byte'],
    ["kts console-producer --topic orders -f '%k=%v\\n'", 'lines are key=value, kcat style'],
  ],
  async run(args, io) {
    const topic = args.topic;
    if (typeof topic !== 'string' || topic === '') throw new UsageError('console-producer needs --topic <topic>');
    if (args['socket-buffer-size'] !== undefined) {
      throw new UsageError('--socket-buffer-size is not supported by kts', 'Node exposes no TCP send-buffer size; leave the flag out (the OS sizes the buffer)');
    }
    const raw = args['input-format'] === 'raw';
    const parse = raw ? checkRaw(args) : recordParser(args, io);
    const config = producerConfig(args, io);
    return withClient(args, io, config, async (client) => {
      const producer = client.producer();
      const transactional = config.has('transactional.id');
      let interrupted = false;
      void io.interrupted.then(() => (interrupted = true));
      if (transactional) {
        await producer.initTransactions();
        producer.beginTransaction();
      }
      const stats = raw ? await produceRaw(args, io, producer, topic) : await produceAll(args, io, producer, topic, parse!);
      if (transactional && !(await endTransaction(io, producer, stats, interrupted))) {
        await producer.close();
        return 1;
      }
      await producer.close();
      if (stats.failed + stats.badRecords > MAX_REPORTED_ERRORS) {
        io.stderr.write(`kts: ${stats.badRecords} records did not parse and ${stats.failed} were not delivered\n`);
      }
      if (args.json === true) io.stdout.write(JSON.stringify({ topic, ...stats }) + '\n');
      return stats.failed > 0 || stats.badRecords > 0 ? 1 : 0;
    });
  },
};

/** Commits, or aborts after an interrupt or any error; false when it aborted. */
async function endTransaction(io: CliIo, producer: Producer, stats: ProduceStats, interrupted: boolean): Promise<boolean> {
  const reason = interrupted
    ? 'interrupted'
    : stats.failed > 0 || stats.badRecords > 0
      ? `${stats.badRecords} records did not parse and ${stats.failed} were not delivered`
      : null;
  if (reason === null) {
    await producer.commitTransaction();
    return true;
  }
  await producer.abortTransaction();
  io.stderr.write(`kts: transaction aborted (${reason}): none of its ${stats.records} sent records are committed\n`);
  return false;
}

/** Raw input has no lines to parse keys, headers or formats out of: those flags are refused. */
function checkRaw(args: ParsedArgs): null {
  const props = [...stringList(args.property), ...stringList(args['reader-property'])].map((p) => p.split('=')[0]!.trim());
  const parsing = props.find((k) => ['parse.key', 'parse.headers', 'null.marker', 'key.separator', 'headers.delimiter', 'headers.separator', 'headers.key.separator', 'ignore.error'].includes(k));
  const conflict = args.format !== undefined ? '--format' : args['line-reader'] !== undefined ? '--line-reader' : args['reader-config'] !== undefined ? '--reader-config' : parsing !== undefined ? `--property ${parsing}` : null;
  if (conflict !== null) {
    throw new UsageError(`--input-format raw cannot be combined with ${conflict}: all of stdin is one record's value`, 'Drop the flag, or use --input-format line / --format to split the input into records');
  }
  return null;
}

/** All of stdin (up to the largest record kts reads) as one record's value. */
async function produceRaw(args: ParsedArgs, io: CliIo, producer: Producer, topic: string): Promise<ProduceStats> {
  const stats: ProduceStats = { records: 0, failed: 0, badRecords: 0 };
  const chunks: Buffer[] = [];
  let bytes = 0;
  const it = stdinChunks(io);
  const stop = new StopSignal(io.interrupted);
  try {
    for (;;) {
      const next = await stop.race(it.next());
      if (next === null) return stats;
      if (next.done) break;
      bytes += next.value.length;
      if (bytes > MAX_RECORD_BYTES) {
        throw new KtsError('KTS_RECORD_TOO_LARGE', `stdin holds more than ${MAX_RECORD_BYTES} bytes: too large for one record`, 'Split the input (--input-format line or --format with a delimiter), or send it in parts');
      }
      // Chunks are read into again: keep a copy.
      chunks.push(Buffer.from(next.value));
    }
  } finally {
    void it.return?.();
  }
  if (bytes === 0) {
    io.stderr.write('kts: stdin was empty: no record sent\n');
    return stats;
  }
  const partition = typeof args.partition === 'number' ? args.partition : undefined;
  try {
    await producer.send({ topic, ...(partition !== undefined ? { partition } : {}), key: null, value: Buffer.concat(chunks, bytes) });
    stats.records = 1;
  } catch (err) {
    stats.failed = 1;
    io.stderr.write(`kts: the record (${bytes} bytes) was not delivered: ${errorMessage(err)}\n`);
  }
  return stats;
}

interface Parser {
  delimiter: Buffer;
  /** `utf8`: the caller already knows the bytes are valid UTF-8. */
  parse(bytes: Buffer, n: number, utf8: boolean): ParsedRecord;
  /** Plain lines: a valid UTF-8 line is the value as is (no key, headers or markers). */
  plain?: boolean;
}

function recordParser(args: ParsedArgs, io: CliIo): Parser {
  const readerFile = typeof args['reader-config'] === 'string' ? readPropertiesFile(args['reader-config'], io.cwd, '--reader-config') : new Map<string, string>();
  const props = mergeProperties(
    readerFile,
    parseKeyValuePairs(stringList(args.property), '--property'),
    parseKeyValuePairs(stringList(args['reader-property']), '--reader-property'),
  );
  checkLineReader(args);
  const fmt = args.format;
  if (typeof fmt === 'string') {
    if (args['input-format'] === 'json') throw new UsageError('--format and --input-format json cannot be combined');
    const f = compileInputFormat(fmt);
    return { delimiter: f.terminator, parse: (b, n) => parseWithFormat(f, b, n) };
  }
  if (args['input-format'] === 'json') return { delimiter: Buffer.from('\n'), parse: (b, n) => parseJsonRecord(b.toString('utf8'), n) };
  const cfg = lineReaderConfig(props);
  const generic = (b: Buffer, n: number): ParsedRecord => parseLine(cfg, b.toString('utf8'), n);
  // Plain lines: the value is the line's bytes. Java decodes and re-encodes UTF-8 (bad bytes
  // become U+FFFD), so only valid UTF-8 skips that round trip.
  const plain = !cfg.parseKey && !cfg.parseHeaders && cfg.nullMarker === null;
  const fast = (b: Buffer, n: number, utf8: boolean): ParsedRecord => (utf8 || isUtf8(b) ? { key: null, value: b, headers: NO_HEADERS } : generic(b, n));
  return { delimiter: Buffer.from('\n'), parse: plain ? fast : generic, plain };
}

/** The class names Kafka's console producer knows for its default reader. */
const LINE_READER_CLASSES = ['org.apache.kafka.tools.LineMessageReader', 'kafka.tools.LineMessageReader', 'kafka.tools.ConsoleProducer$LineMessageReader', 'LineMessageReader'];

function checkLineReader(args: ParsedArgs): void {
  const cls = args['line-reader'];
  if (cls === undefined) return;
  if (typeof cls !== 'string' || !LINE_READER_CLASSES.includes(cls.trim())) {
    throw new UsageError(`unsupported --line-reader class '${String(cls)}'`, `supported: ${LINE_READER_CLASSES[0]} (Kafka's default line reader); kts reads JSON lines with --input-format json and kcat formats with --format`);
  }
  if (args['input-format'] === 'json' || args.format !== undefined) {
    throw new UsageError(`--line-reader ${cls} cannot be combined with ${args.format !== undefined ? '--format' : '--input-format json'}`);
  }
}

/** Kafka's console-producer flags mapped to client configs; explicit configs win. */
function producerConfig(args: ParsedArgs, io: CliIo): Map<string, string> {
  const fromFlags = new Map<string, string>([
    ['client.id', 'console-producer'],
    ['linger.ms', '1000'],
    ['request.timeout.ms', '1500'],
    ['retries', '3'],
  ]);
  const map: [string, string][] = [
    ['compression-codec', 'compression.type'],
    ['batch-size', 'batch.size'],
    ['max-partition-memory-bytes', 'batch.size'],
    ['timeout', 'linger.ms'],
    ['request-required-acks', 'acks'],
    ['request-timeout-ms', 'request.timeout.ms'],
    ['message-send-max-retries', 'retries'],
    ['retry-backoff-ms', 'retry.backoff.ms'],
    ['metadata-expiry-ms', 'metadata.max.age.ms'],
    ['max-block-ms', 'max.block.ms'],
    ['max-memory-bytes', 'buffer.memory'],
  ];
  for (const [flag, key] of map) if (args[flag] !== undefined) fromFlags.set(key, String(args[flag]));
  if (typeof args['transactional-id'] === 'string') fromFlags.set('transactional.id', args['transactional-id']);
  const merged = mergeProperties(fromFlags, clientConfig(args, io, ['producer.config', 'command-config'], ['producer-property', 'command-property']));
  // As in Kafka's producer: asking for acks other than all quietly turns idempotence off
  // unless enable.idempotence was set explicitly.
  const acks = merged.get('acks');
  if (acks !== undefined && acks !== 'all' && acks !== '-1' && !merged.has('enable.idempotence')) merged.set('enable.idempotence', 'false');
  return merged;
}

interface ProduceStats {
  records: number;
  failed: number;
  badRecords: number;
}

async function produceAll(args: ParsedArgs, io: CliIo, producer: Producer, topic: string, parser: Parser): Promise<ProduceStats> {
  const stats: ProduceStats = { records: 0, failed: 0, badRecords: 0 };
  const fixedPartition = typeof args.partition === 'number' ? args.partition : undefined;
  const sync = args.sync === true;
  let unackedBytes = 0;
  let unackedRecords = 0;
  let waiting: { done: () => boolean; wake: () => void } | null = null;
  const hinted = new Set<string>();
  /** One line per failure (up to a limit); the fix for a kind of failure once. */
  const report = (msg: string, err?: unknown): void => {
    if (stats.failed + stats.badRecords <= MAX_REPORTED_ERRORS) io.stderr.write(`kts: error: ${msg}\n`);
    const hint = err instanceof KtsError ? err.hint : undefined;
    if (hint !== undefined && !hinted.has(hint)) {
      hinted.add(hint);
      io.stderr.write(`  fix: ${hint}\n`);
    }
  };
  const prompt = (): void => {
    if (io.stdinIsTty) io.stdout.write('>');
  };
  /** Bytes and single records acknowledged (runs count their records in runRecords). */
  const settled = (size: number, records = 1): void => {
    unackedBytes -= size;
    unackedRecords -= records;
    if (waiting !== null && waiting.done()) {
      const { wake } = waiting;
      waiting = null;
      wake();
    }
  };
  const waitUntil = (done: () => boolean): Promise<void> =>
    done() ? Promise.resolve() : new Promise<void>((wake) => (waiting = { done, wake }));
  const out: ProducerRecord = { topic, partition: undefined, key: null, value: null, headers: undefined, timestampMs: undefined };
  const sendOne = (rec: ParsedRecord, n: number): void => {
    // One record object for every line: the producer does not keep it past the call.
    out.partition = fixedPartition ?? rec.partition;
    out.key = rec.key;
    out.value = rec.value;
    out.headers = rec.headers;
    out.timestampMs = rec.timestampMs;
    sendOut(n);
  };
  const sendValue = (value: Buffer, n: number): void => {
    out.partition = fixedPartition;
    out.key = null;
    out.value = value;
    out.headers = undefined;
    out.timestampMs = undefined;
    sendOut(n);
  };
  const sendOut = (n: number): void => {
    const size = (out.key?.length ?? 0) + (out.value?.length ?? 0) + 64;
    unackedBytes += size;
    unackedRecords += 1;
    producer.sendWithCallback(
      out,
      (err) => {
        if (err === null) {
          stats.records += 1;
        } else {
          stats.failed += 1;
          report(`record ${n} was not delivered: ${errorMessage(err)}`, err);
        }
        settled(size);
      },
    );
  };
  // Records go through sendWithCallback: no promise per record, and a whole stdin chunk is
  // split and queued without an await unless the unacknowledged window is full. Plain lines
  // (no key, headers or null marker; not interactive) take the bulk path: a chunk's lines go
  // to the producer as one run of values, without an object per line.
  const bulk = parser.plain === true && !sync && !io.stdinIsTty;
  const asciiDelimiter = parser.delimiter.every((c) => c < 0x80);
  let runRecords = 0;
  const sendRun = (data: Buffer, firstNumber: number): void => {
    const { count, valueBytes } = splitter;
    const runBytes = valueBytes + count * 64;
    let left = count;
    unackedBytes += runBytes;
    runRecords += count;
    const run = { topic, partition: fixedPartition, source: data, bounds: splitter.bounds, count, valueBytes, maxValueBytes: splitter.maxValueBytes };
    producer.sendValues(run, (err, first, delivered) => {
      if (err === null) {
        stats.records += delivered;
      } else {
        const which = delivered === 1 ? `record ${firstNumber + first}` : `records ${firstNumber + first}-${firstNumber + first + delivered - 1}`;
        // Reported before counting, so a whole failed batch still gets its line.
        stats.failed += 1;
        report(`${which} ${delivered === 1 ? 'was' : 'were'} not delivered: ${errorMessage(err)}`, err);
        stats.failed += delivered - 1;
      }
      runRecords -= delivered;
      left -= delivered;
      if (left === 0) settled(runBytes, 0);
    });
  };
  const sendPiece = (piece: Buffer, known: boolean): void => {
    n += 1;
    if (parser.plain === true && (known || isUtf8(piece))) {
      sendValue(piece, n);
      return;
    }
    let rec: ParsedRecord;
    try {
      rec = parser.parse(piece, n, known);
    } catch (err) {
      if (!(err instanceof BadLineError)) throw err;
      stats.badRecords += 1;
      report(err.message);
      return;
    }
    sendOne(rec, n);
  };
  const windowFull = (): boolean => unackedBytes > MAX_UNACKED_BYTES || unackedRecords >= MAX_UNACKED_RECORDS;
  const waitForWindow = async (): Promise<void> => {
    // Reading pauses until half the window is acknowledged (so this runs once per half
    // window, not once per record); push out partly filled batches now instead of
    // waiting out linger.ms.
    producer.flush().catch(() => undefined);
    await waitUntil(() => unackedBytes <= MAX_UNACKED_BYTES / 2 && unackedRecords <= MAX_UNACKED_RECORDS / 2);
  };
  const splitter = new RecordSplitter(parser.delimiter);
  const it = stdinChunks(io);
  const stop = new StopSignal(io.interrupted);
  let n = 0;
  prompt();
  reading: for (;;) {
    const next = await stop.race(it.next());
    if (next === null) break;
    if (next.done) splitter.end();
    else splitter.push(next.value);
    const data = splitter.data;
    // Complete lines of valid UTF-8 split at an ASCII delimiter are valid UTF-8 records
    // (the chunk's ends, cut anywhere, belong to the joined and pending records).
    const utf8 = asciiDelimiter && splitter.count > 0 && isUtf8(data.subarray(splitter.bounds[0], splitter.bounds[2 * splitter.count - 1]));
    if (splitter.joined !== null) {
      if (stop.stopped) break;
      sendPiece(splitter.joined, false);
      if (sync) await sendSync();
      prompt();
    }
    if (bulk && utf8 && splitter.count > 0) {
      if (stop.stopped) break;
      sendRun(data, n + 1);
      n += splitter.count;
    } else {
      const { bounds, count } = splitter;
      for (let i = 0; i < count; i++) {
        if (stop.stopped) break reading;
        sendPiece(data.subarray(bounds[2 * i]!, bounds[2 * i + 1]!), utf8);
        if (sync) await sendSync();
        else if (windowFull()) await waitForWindow();
        prompt();
      }
    }
    if (windowFull()) await waitForWindow();
    if (next.done) break;
  }
  // Stop reading (after Ctrl-C the descriptor may still be open).
  void it.return?.();
  // Records whose metadata lookup is still running join a batch after this flush starts;
  // flush again until every record is settled rather than waiting out linger.ms.
  while (unackedRecords > 0 || runRecords > 0) {
    await producer.flush().catch(() => undefined);
    await Promise.race([waitUntil(() => unackedRecords === 0 && runRecords === 0), delay(10)]);
  }
  return stats;

  async function sendSync(): Promise<void> {
    await producer.flush().catch(() => undefined);
    await waitUntil(() => unackedRecords === 0);
  }
}

/**
 * Splits stdin chunks into records at the delimiter, a chunk at a time (the delimiter is
 * dropped; with `\n`, a trailing `\r` too, as Java's readLine does). Records are given as
 * bounds into the chunk (`data`), so a line costs no object; only the record that straddles
 * a chunk boundary is joined into a buffer of its own (`joined`, which comes first).
 */
const EMPTY = Buffer.alloc(0);

export class RecordSplitter {
  private pending: Buffer = EMPTY;
  private readonly stripCr: boolean;
  /** The chunk the last push() split; `bounds` index into it. */
  data: Buffer = EMPTY;
  /** The record joined from the previous chunk's tail and this chunk's head, if any. */
  joined: Buffer | null = null;
  /** Record i is data[bounds[2i], bounds[2i+1]) for i < count. Replaced on each push(). */
  bounds = new Int32Array(0);
  count = 0;
  /** Sum and maximum of the records' lengths in `bounds`. */
  valueBytes = 0;
  maxValueBytes = 0;

  constructor(private readonly delimiter: Buffer) {
    this.stripCr = delimiter.length === 1 && delimiter[0] === 0x0a;
  }

  push(chunk: Buffer): void {
    const pending = this.pending;
    const d = this.delimiter.length;
    this.joined = null;
    if (pending.length === 0) return this.scan(chunk, 0);
    // Only the record that straddles the chunk boundary is joined (not the whole chunk).
    let end = -1;
    if (d > 1) {
      // A multi-byte delimiter may itself straddle the boundary.
      const tail = pending.subarray(Math.max(0, pending.length - d + 1));
      const at = Buffer.concat([tail, chunk.subarray(0, d - 1)]).indexOf(this.delimiter);
      if (at !== -1) end = pending.length - tail.length + at;
    }
    if (end === -1) {
      const at = chunk.indexOf(this.delimiter);
      if (at === -1) return this.scan(Buffer.concat([pending, chunk]), 0);
      end = pending.length + at;
    }
    const joined = end <= pending.length ? pending.subarray(0, end) : Buffer.concat([pending, chunk.subarray(0, end - pending.length)]);
    this.joined = this.trim(joined);
    this.pending = EMPTY;
    this.scan(chunk, end + d - pending.length);
  }

  /** The unterminated tail, as `joined`; no other records. */
  end(): void {
    const rest = this.pending;
    this.pending = EMPTY;
    this.data = EMPTY;
    this.count = 0;
    this.joined = rest.length > 0 ? this.trim(rest) : null;
  }

  /** Splits `data` from `start`, keeping a copy of the unterminated tail. */
  private scan(data: Buffer, start: number): void {
    const delimiter = this.delimiter;
    const single = delimiter.length === 1 ? delimiter[0]! : -1;
    let bounds = this.bounds.length > 0 ? this.bounds : new Int32Array(1024);
    let count = 0;
    let valueBytes = 0;
    let maxValueBytes = 0;
    for (;;) {
      // A number argument is indexOf's fast path.
      const i = single >= 0 ? data.indexOf(single, start) : data.indexOf(delimiter, start);
      if (i === -1) break;
      let end = i;
      if (this.stripCr && end > start && data[end - 1] === 0x0d) end--;
      if (2 * count + 2 > bounds.length) {
        const grown = new Int32Array(bounds.length * 2);
        grown.set(bounds);
        bounds = grown;
      }
      bounds[2 * count] = start;
      bounds[2 * count + 1] = end;
      count++;
      valueBytes += end - start;
      if (end - start > maxValueBytes) maxValueBytes = end - start;
      start = i + delimiter.length;
    }
    if (data.length - start > MAX_RECORD_BYTES) {
      throw new KtsError('KTS_RECORD_TOO_LARGE', `an input record is longer than ${MAX_RECORD_BYTES} bytes`, 'check the delimiter, or split the input');
    }
    this.pending = start === data.length ? EMPTY : Buffer.from(data.subarray(start));
    this.data = data;
    this.bounds = bounds;
    this.count = count;
    this.valueBytes = valueBytes;
    this.maxValueBytes = maxValueBytes;
  }

  private trim(b: Buffer): Buffer {
    return this.stripCr && b.length > 0 && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b;
  }
}
