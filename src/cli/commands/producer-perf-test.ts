/**
 * `kts producer-perf-test`: kafka-producer-perf-test.sh. Sends --num-records records as fast
 * as allowed (or paced by --throughput), prints a progress line every 5 seconds and a final
 * line with throughput and latency percentiles in Kafka's format. Latency is send to
 * acknowledgement; with a fixed --throughput it counts from the record's scheduled send
 * time, so client stalls are not hidden (see perf/throttler.ts).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { mergeProperties } from '../util/properties.js';
import { StopSignal } from '../util/output.js';
import { LatencyHistogram } from '../perf/histogram.js';
import { Throttler } from '../perf/throttler.js';
import { type PayloadSource, filePayload, monotonicPayload, randomPayload } from '../perf/payload.js';
import { metricsTable, producerProgressLine, producerTotalLine } from '../perf/report.js';
import { UsageError, errorMessage } from '../../util/errors.js';
import type { Producer } from '../../client/index.js';

const REPORT_INTERVAL_MS = 5000;
/** Records sent but not acknowledged before the sender waits: bounds promises in memory. */
const MAX_IN_FLIGHT = 50_000;
/**
 * The send loop yields to the event loop this often when it does not sleep (unthrottled, or
 * behind schedule), so socket reads and writes interleave with sends instead of waiting for
 * MAX_IN_FLIGHT records to pile up.
 */
const YIELD_EVERY_RECORDS = 256;
/** Records per sendValues() call when every record has the same payload. */
const RUN_RECORDS = 256;

export const producerPerfTestCommand: CommandSpec = {
  name: 'producer-perf-test',
  mirrors: 'kafka-producer-perf-test.sh',
  summary: 'Measure producer throughput and latency',
  description: [
    'Sends --num-records records of --record-size bytes (or pieces of --payload-file, or increasing numbers with --payload-monotonic) and prints, every 5 seconds, `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.`, then a final line that adds the 50th, 95th, 99th and 99.9th latency percentiles.',
    'Latency runs from send to acknowledgement. With a fixed --throughput, it runs from the time the record was scheduled to be sent, so a stalled sender does not hide the stall (no coordinated omission).',
    'With --transactional-id or --transaction-duration-ms the records are sent in transactions, each committed once it is --transaction-duration-ms old (default 3000), the last at the end; Ctrl-C aborts the open one. Without --transactional-id the id is performance-producer-<uuid>, as in Kafka.',
  ].join('\n\n'),
  options: {
    ...connectionOptions,
    topic: { type: 'string', placeholder: '<topic>', describe: 'The topic to produce to (required).' },
    'num-records': { type: 'number', placeholder: '<n>', describe: 'Number of records to send (required).' },
    'record-size': { type: 'number', placeholder: '<bytes>', describe: 'Size of each record value in bytes.' },
    'payload-file': { type: 'string', placeholder: '<file>', describe: 'Values are picked at random from this file, split by --payload-delimiter.' },
    'payload-delimiter': { type: 'string', default: '\\n', placeholder: '<delim>', describe: 'Splits --payload-file into values (\\n, \\t and \\r are understood).' },
    'payload-monotonic': { type: 'boolean', describe: 'Values are the record numbers 0, 1, 2, ... as text.' },
    throughput: { type: 'number', placeholder: '<rec/s>', describe: 'Target records per second; -1 for unthrottled (required).' },
    'producer-props': { type: 'array', placeholder: '<key=value>', describe: 'Producer configs, e.g. acks=1 linger.ms=5 (the same as --command-property).' },
    'producer.config': { type: 'string', placeholder: '<file>', describe: 'Producer properties file (the same as --command-config).' },
    'transactional-id': { type: 'string', placeholder: '<id>', describe: 'transactional.id: send in transactions (see --transaction-duration-ms).' },
    'transaction-duration-ms': { type: 'number', placeholder: '<ms>', describe: 'Commit each transaction once it is this old (default 3000); enables transactions.' },
    'warmup-records': { type: 'number', default: 0, placeholder: '<n>', describe: 'The first n records are left out of a second, steady-state total line.' },
    'print-metrics': { type: 'boolean', describe: 'Print the producer metrics at the end.' },
    ...jsonOption,
  },
  examples: [
    ['kts producer-perf-test --topic t --num-records 1000000 --record-size 100 --throughput -1 --producer-props acks=1 linger.ms=5', 'unthrottled, 100-byte records'],
    ['kts producer-perf-test --topic t --num-records 100000 --record-size 100 --throughput 20000 --bootstrap-server localhost:9092', 'latency at 20,000 records/s'],
  ],
  async run(args, io) {
    const opts = parseOptions(args, io);
    const config = mergeProperties(
      new Map([['client.id', 'perf-producer-client']]),
      clientConfig(args, io, ['producer.config', 'command-config'], ['producer-props', 'command-property']),
    );
    if (opts.transaction) config.set('transactional.id', opts.transaction.transactionalId);
    else if (config.has('transactional.id')) opts.transaction = { transactionalId: config.get('transactional.id')!, durationMs: DEFAULT_TRANSACTION_DURATION_MS };
    const acks = config.get('acks');
    if (acks !== undefined && acks !== 'all' && acks !== '-1' && !config.has('enable.idempotence')) config.set('enable.idempotence', 'false');
    return withClient(args, io, config, async (client) => {
      const producer = client.producer();
      if (opts.transaction) await producer.initTransactions();
      if (opts.warmupRecords > 0 && !opts.json) {
        io.stdout.write(`Warmup first ${opts.warmupRecords} records. Steady state results will print after the complete test summary.\n`);
      }
      const result = await sendAll(opts, io, producer);
      await producer.close();
      printResult(opts, io, result);
      return result.failed > 0 ? 1 : 0;
    });
  },
};

interface PerfOptions {
  topic: string;
  numRecords: number;
  throughput: number;
  warmupRecords: number;
  payload: PayloadSource;
  json: boolean;
  printMetrics: boolean;
  /** Set when producing in transactions. */
  transaction: { transactionalId: string; durationMs: number } | null;
}

const DEFAULT_TRANSACTION_DURATION_MS = 3000;

function requireInt(args: ParsedArgs, flag: string, min: number): number {
  const v = args[flag];
  if (v === undefined) throw new UsageError(`producer-perf-test needs --${flag}`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${flag} must be an integer >= ${min}`);
  return v;
}

function parseOptions(args: ParsedArgs, io: CliIo): PerfOptions {
  const topic = args.topic;
  if (typeof topic !== 'string' || topic === '') throw new UsageError('producer-perf-test needs --topic <topic>');
  const numRecords = requireInt(args, 'num-records', 0);
  const throughput = args.throughput;
  if (typeof throughput !== 'number' || Number.isNaN(throughput)) throw new UsageError('producer-perf-test needs --throughput <records/s> (-1 for unthrottled)');
  const warmupRecords = requireInt(args, 'warmup-records', 0);
  if (warmupRecords > 0 && warmupRecords >= numRecords) throw new UsageError('--warmup-records must be less than --num-records');
  return {
    topic,
    numRecords,
    throughput,
    warmupRecords,
    payload: payloadSource(args, io),
    json: args.json === true,
    printMetrics: args['print-metrics'] === true,
    transaction: transactionOptions(args),
  };
}

/** As Kafka's tool: either flag enables transactions; the other gets its default. */
function transactionOptions(args: ParsedArgs): PerfOptions['transaction'] {
  const id = args['transactional-id'];
  const duration = args['transaction-duration-ms'];
  if (id === undefined && duration === undefined) return null;
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isSafeInteger(duration) || duration <= 0)) {
    throw new UsageError('--transaction-duration-ms must be an integer > 0');
  }
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw new UsageError('--transactional-id needs a value');
  return {
    transactionalId: typeof id === 'string' ? id : `performance-producer-${randomUUID()}`,
    durationMs: typeof duration === 'number' ? duration : DEFAULT_TRANSACTION_DURATION_MS,
  };
}

function payloadSource(args: ParsedArgs, io: CliIo): PayloadSource {
  const given = ['record-size', 'payload-file', 'payload-monotonic'].filter((f) => args[f] !== undefined && args[f] !== false);
  if (given.length !== 1) throw new UsageError('Give exactly one of --record-size, --payload-file or --payload-monotonic');
  if (args['payload-monotonic'] === true) return monotonicPayload();
  if (typeof args['payload-file'] === 'string') return filePayload(args['payload-file'], io.cwd, String(args['payload-delimiter'] ?? '\\n'));
  return randomPayload(requireInt(args, 'record-size', 0));
}

interface Window {
  startMs: number;
  records: number;
  bytes: number;
  sumMs: number;
  maxMs: number;
}

interface SendResult {
  elapsedMs: number;
  records: number;
  bytes: number;
  failed: number;
  firstError: string | null;
  total: LatencyHistogram;
  steady: LatencyHistogram | null;
  steadyBytes: number;
  steadyElapsedMs: number;
  bufferedBytesPeak: number;
}

const newWindow = (startMs: number): Window => ({ startMs, records: 0, bytes: 0, sumMs: 0, maxMs: 0 });

async function sendAll(opts: PerfOptions, io: CliIo, producer: Producer): Promise<SendResult> {
  const stop = new StopSignal(io.interrupted);
  const start = performance.now();
  const throttler = new Throttler(opts.throughput, start);
  const r: SendResult = {
    elapsedMs: 0,
    records: 0,
    bytes: 0,
    failed: 0,
    firstError: null,
    total: new LatencyHistogram(),
    steady: opts.warmupRecords > 0 ? new LatencyHistogram() : null,
    steadyBytes: 0,
    steadyElapsedMs: 0,
    bufferedBytesPeak: 0,
  };
  let steadyStart = start;
  let window = newWindow(start);
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const txn = opts.transaction;
  let txnOpen = false;
  let txnStartMs = 0;
  const acked = (size: number, dueMs: number, steady: boolean, records = 1) => {
    const now = performance.now();
    const latency = now - dueMs;
    r.records += records;
    r.bytes += size * records;
    for (let k = 0; k < records; k++) {
      r.total.record(latency);
      if (steady) r.steady?.record(latency);
    }
    if (steady) r.steadyBytes += size * records;
    window.records += records;
    window.bytes += size * records;
    window.sumMs += latency * records;
    if (latency > window.maxMs) window.maxMs = latency;
    if (now - window.startMs >= REPORT_INTERVAL_MS && !opts.json) {
      const w = window;
      io.stdout.write(producerProgressLine({ records: w.records, bytes: w.bytes, elapsedMs: now - w.startMs }, w.sumMs / w.records, w.maxMs) + '\n');
      window = newWindow(now);
    }
  };
  const settle = (records = 1) => {
    inFlight -= records;
    const w = wake;
    wake = null;
    w?.();
  };
  const failed = (err: unknown, records = 1) => {
    r.failed += records;
    r.firstError ??= errorMessage(err);
    settle(records);
  };
  const sendOne = (i: number, dueMs: number, steady: boolean) => {
    const value = opts.payload(i);
    producer.sendWithCallback({ topic: opts.topic, value }, (err) => {
      if (err) return failed(err);
      acked(value.length, dueMs, steady);
      settle();
    });
  };
  // Unthrottled with one fixed payload: records go as runs of values (no object per record,
  // as Kafka's tool hands records to its producer); each record's latency runs from the
  // moment its run was handed over to its acknowledgement.
  const fixed = throttler.throttled ? undefined : opts.payload.fixed;
  const runBounds = fixed ? new Int32Array(2 * RUN_RECORDS).map((_, k) => (k % 2 === 0 ? 0 : fixed.length)) : null;
  const sendRun = (i: number, count: number, dueMs: number, steady: boolean) => {
    const run = { topic: opts.topic, source: fixed!, bounds: runBounds!, count, valueBytes: count * fixed!.length, maxValueBytes: fixed!.length };
    producer.sendValues(run, (err, _first, records) => {
      if (err) return failed(err, records);
      acked(fixed!.length, dueMs, steady, records);
      settle(records);
    });
  };
  for (let i = 0; i < opts.numRecords && !stop.stopped; ) {
    const pause = throttler.waitFor(i, () => performance.now());
    if (pause) await stop.race(pause);
    else if (fixed || i % YIELD_EVERY_RECORDS === YIELD_EVERY_RECORDS - 1) await setImmediatePromise();
    while (inFlight >= MAX_IN_FLIGHT && !stop.stopped) await stop.race(new Promise<void>((res) => (wake = res)));
    if (i === opts.warmupRecords && r.steady) steadyStart = performance.now();
    const dueMs = throttler.dueMs(i, performance.now());
    const steady = r.steady !== null && i >= opts.warmupRecords;
    if (txn && !txnOpen) {
      producer.beginTransaction();
      txnOpen = true;
      txnStartMs = performance.now();
    }
    // A run stops at the end of the warm-up, so its records are all steady or none.
    const count = fixed ? Math.min(RUN_RECORDS, opts.numRecords - i, MAX_IN_FLIGHT - inFlight, i < opts.warmupRecords ? opts.warmupRecords - i : Infinity) : 1;
    inFlight += count;
    if (fixed) sendRun(i, count, dueMs, steady);
    else sendOne(i, dueMs, steady);
    i += count;
    if (txn && performance.now() - txnStartMs >= txn.durationMs) {
      await producer.commitTransaction();
      txnOpen = false;
    }
  }
  if (txnOpen) await (stop.stopped ? producer.abortTransaction() : producer.commitTransaction());
  await producer.flush();
  while (inFlight > 0) await new Promise<void>((res) => (wake = res));
  const end = performance.now();
  r.elapsedMs = end - start;
  r.steadyElapsedMs = end - steadyStart;
  r.bufferedBytesPeak = producer.metrics().bufferedBytesPeak;
  return r;
}

function printResult(opts: PerfOptions, io: CliIo, r: SendResult): void {
  if (r.failed > 0) io.stderr.write(`kts: ${r.failed} records were not delivered; first error: ${r.firstError}\n`);
  const total = r.total.summary();
  const steady = r.steady?.summary();
  if (opts.json) {
    const out = {
      topic: opts.topic,
      records: r.records,
      failed: r.failed,
      elapsedMs: r.elapsedMs,
      recordsPerSec: r.records / (Math.max(r.elapsedMs, 1) / 1000),
      mbPerSec: r.bytes / 1048576 / (Math.max(r.elapsedMs, 1) / 1000),
      latencyMs: total,
      ...(steady ? { steadyState: { records: steady.count, latencyMs: steady } } : {}),
    };
    io.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  io.stdout.write(producerTotalLine({ records: r.records, bytes: r.bytes, elapsedMs: r.elapsedMs }, total) + '\n');
  if (steady) io.stdout.write(producerTotalLine({ records: steady.count, bytes: r.steadyBytes, elapsedMs: r.steadyElapsedMs }, steady, 'steady state ') + '\n');
  if (opts.printMetrics) {
    const secs = Math.max(r.elapsedMs, 1) / 1000;
    io.stdout.write(
      metricsTable([
        ['producer-metrics:record-send-total', r.records],
        ['producer-metrics:record-send-rate', r.records / secs],
        ['producer-metrics:record-error-total', r.failed],
        ['producer-metrics:outgoing-record-byte-total', r.bytes],
        ['producer-metrics:outgoing-record-byte-rate', r.bytes / secs],
        ['producer-metrics:request-latency-avg', total.avgMs],
        ['producer-metrics:request-latency-max', total.maxMs],
        ['producer-metrics:buffer-bytes-peak', r.bufferedBytesPeak],
      ]) + '\n',
    );
  }
}
