/**
 * `kts consumer-perf-test`: kafka-consumer-perf-test.sh. Consumes --messages records and
 * prints Kafka's CSV: totals and rates over the whole run and over the fetch time (the run
 * minus the time spent joining the group). Without --group the partitions are assigned
 * directly (no group, rebalance.time.ms is 0); with --group it joins that consumer group.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { mergeProperties } from '../util/properties.js';
import { StopSignal } from '../util/output.js';
import { type ConsumerTotals, compileDateFormat, consumerHeader, consumerIntervalLine, consumerTotalLine, metricsTable } from '../perf/report.js';
import { UsageError } from '../../util/errors.js';
import type { ConsumerRecord, KafkaClient } from '../../client/index.js';

const POLL_MS = 100;

export const consumerPerfTestCommand: CommandSpec = {
  name: 'consumer-perf-test',
  mirrors: 'kafka-consumer-perf-test.sh',
  summary: 'Measure consumer throughput',
  description: [
    'Consumes --messages records from --topic (from the log start, or the end with --from-latest) and prints one CSV line: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec.',
    'With --show-detailed-stats it prints a line per --reporting-interval instead (time, threadId, then the same columns over the interval). It stops early, with a warning, when no record arrives for --timeout ms.',
    'Without --group every partition of the topic is assigned to the consumer directly (rebalance.time.ms is 0). With --group the consumer joins that group and rebalance.time.ms is the time until its partitions were assigned.',
  ].join('\n\n'),
  options: {
    ...connectionOptions,
    topic: { type: 'string', placeholder: '<topic>', describe: 'The topic to consume (required).' },
    messages: { type: 'number', placeholder: '<n>', describe: 'Number of messages to consume (required).' },
    group: { type: 'string', placeholder: '<group>', describe: 'Join this consumer group (default: no group, partitions assigned directly).' },
    'fetch-size': { type: 'number', default: 1048576, placeholder: '<bytes>', describe: 'max.partition.fetch.bytes: bytes fetched per partition per request.' },
    'from-latest': { type: 'boolean', describe: 'Start at the end of the log instead of the start.' },
    'consumer.config': { type: 'string', placeholder: '<file>', describe: 'Consumer properties file (the same as --command-config).' },
    'print-metrics': { type: 'boolean', describe: 'Print the consumer metrics at the end.' },
    'show-detailed-stats': { type: 'boolean', describe: 'Print a line per reporting interval instead of one total line.' },
    'reporting-interval': { type: 'number', default: 5000, placeholder: '<ms>', describe: 'Interval of the detailed stats lines.' },
    timeout: { type: 'number', default: 10000, placeholder: '<ms>', describe: 'Stop when no record arrived for this long.' },
    'date-format': { type: 'string', default: 'yyyy-MM-dd HH:mm:ss:SSS', placeholder: '<pattern>', describe: 'Java SimpleDateFormat pattern of the time columns.' },
    'hide-header': { type: 'boolean', describe: 'Do not print the CSV header.' },
    ...jsonOption,
  },
  examples: [
    ['kts consumer-perf-test --topic t --messages 1000000 --bootstrap-server localhost:9092', 'read a million records from the start'],
    ['kts consumer-perf-test --topic t --messages 1000000 --show-detailed-stats --reporting-interval 1000', 'a line per second'],
  ],
  async run(args, io) {
    const opts = parseOptions(args);
    const config = mergeProperties(
      new Map([
        ['client.id', 'perf-consumer-client'],
        ['max.partition.fetch.bytes', String(opts.fetchSize)],
        ['auto.offset.reset', opts.fromLatest ? 'latest' : 'earliest'],
      ]),
      clientConfig(args, io, ['consumer.config', 'command-config'], ['command-property']),
    );
    return withClient(args, io, config, (client) => consumeAll(opts, io, client));
  },
};

interface PerfOptions {
  topic: string;
  messages: number;
  group: string | null;
  fetchSize: number;
  fromLatest: boolean;
  detailed: boolean;
  intervalMs: number;
  timeoutMs: number;
  formatDate: (ms: number) => string;
  hideHeader: boolean;
  json: boolean;
  printMetrics: boolean;
}

function positiveInt(args: ParsedArgs, flag: string, min: number): number {
  const v = args[flag];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new UsageError(`--${flag} must be an integer >= ${min}`);
  return v;
}

function parseOptions(args: ParsedArgs): PerfOptions {
  const topic = args.topic;
  if (typeof topic !== 'string' || topic === '') throw new UsageError('consumer-perf-test needs --topic <topic>');
  if (args.messages === undefined) throw new UsageError('consumer-perf-test needs --messages <n>');
  return {
    topic,
    messages: positiveInt(args, 'messages', 0),
    group: typeof args.group === 'string' && args.group !== '' ? args.group : null,
    fetchSize: positiveInt(args, 'fetch-size', 1),
    fromLatest: args['from-latest'] === true,
    detailed: args['show-detailed-stats'] === true,
    intervalMs: positiveInt(args, 'reporting-interval', 1),
    timeoutMs: positiveInt(args, 'timeout', 0),
    formatDate: compileDateFormat(String(args['date-format'] ?? 'yyyy-MM-dd HH:mm:ss:SSS')),
    hideHeader: args['hide-header'] === true,
    json: args.json === true,
    printMetrics: args['print-metrics'] === true,
  };
}

interface Source {
  poll(timeoutMs: number): Promise<ConsumerRecord[]>;
  close(): Promise<void>;
  /** Ms from start until partitions were assigned (0 without a group); null while waiting. */
  rebalanceMs(): number | null;
}

async function openSource(opts: PerfOptions, client: KafkaClient, startMs: number): Promise<Source> {
  if (opts.group !== null) {
    let assignedAt: number | null = null;
    const gc = client.groupConsumer({ 'group.id': opts.group });
    gc.subscribe([opts.topic], { onPartitionsAssigned: () => void (assignedAt ??= Date.now() - startMs) });
    return { poll: (ms) => gc.poll(ms), close: () => gc.close(), rebalanceMs: () => assignedAt };
  }
  const [desc] = await client.admin.describeTopics([opts.topic]);
  const partitions = (desc?.partitions ?? []).map((p) => ({ topic: opts.topic, partition: p.partition }));
  const consumer = client.consumer();
  consumer.assign(partitions);
  if (opts.fromLatest) await consumer.seekToEnd(partitions);
  else await consumer.seekToBeginning(partitions);
  return { poll: (ms) => consumer.poll(ms), close: () => consumer.close(), rebalanceMs: () => 0 };
}

interface Interval {
  atMs: number;
  records: number;
  bytes: number;
}

async function consumeAll(opts: PerfOptions, io: CliIo, client: KafkaClient): Promise<number> {
  const stop = new StopSignal(io.interrupted);
  const startMs = Date.now();
  if (!opts.hideHeader && !opts.json) io.stdout.write(consumerHeader(opts.detailed) + '\n');
  const source = await openSource(opts, client, startMs);
  let records = 0;
  let bytes = 0;
  let lastRecordAt = Date.now();
  let last: Interval = { atMs: startMs, records: 0, bytes: 0 };
  try {
    while (records < opts.messages && !stop.stopped && Date.now() - lastRecordAt <= opts.timeoutMs) {
      const batch = (await stop.race(source.poll(POLL_MS))) ?? [];
      const now = Date.now();
      for (const rec of batch) {
        if (records === opts.messages) break;
        records++;
        bytes += (rec.key?.length ?? 0) + (rec.value?.length ?? 0);
      }
      if (batch.length > 0) lastRecordAt = now;
      if (opts.detailed && !opts.json && now - last.atMs >= opts.intervalMs) {
        const elapsed = now - last.atMs;
        const t: ConsumerTotals = { bytes: bytes - last.bytes, records: records - last.records, elapsedMs: elapsed, rebalanceMs: 0, fetchMs: elapsed };
        io.stdout.write(consumerIntervalLine(opts.formatDate(now), 0, bytes, t) + '\n');
        last = { atMs: now, records, bytes };
      }
    }
  } finally {
    await source.close();
  }
  const endMs = Date.now();
  if (records < opts.messages && !stop.stopped) {
    io.stderr.write(`WARNING: Exiting before consuming the expected number of messages: timeout (${opts.timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.\n`);
  }
  const rebalanceMs = source.rebalanceMs() ?? 0;
  const totals: ConsumerTotals = { bytes, records, elapsedMs: endMs - startMs, rebalanceMs, fetchMs: endMs - startMs - rebalanceMs };
  printTotals(opts, io, startMs, endMs, totals);
  return 0;
}

function printTotals(opts: PerfOptions, io: CliIo, startMs: number, endMs: number, t: ConsumerTotals): void {
  if (opts.json) {
    const secs = Math.max(t.elapsedMs, 1) / 1000;
    io.stdout.write(JSON.stringify({ topic: opts.topic, startMs, endMs, ...t, mbPerSec: t.bytes / 1048576 / secs, recordsPerSec: t.records / secs }) + '\n');
    return;
  }
  if (!opts.detailed) io.stdout.write(consumerTotalLine(opts.formatDate(startMs), opts.formatDate(endMs), t) + '\n');
  if (opts.printMetrics) {
    const secs = Math.max(t.elapsedMs, 1) / 1000;
    io.stdout.write(
      metricsTable([
        ['consumer-fetch-manager-metrics:records-consumed-total', t.records],
        ['consumer-fetch-manager-metrics:records-consumed-rate', t.records / secs],
        ['consumer-fetch-manager-metrics:bytes-consumed-total', t.bytes],
        ['consumer-fetch-manager-metrics:bytes-consumed-rate', t.bytes / secs],
        ['consumer-coordinator-metrics:rebalance-latency-max', t.rebalanceMs],
      ]) + '\n',
    );
  }
}
