/**
 * `kts e2e-latency`: kafka-e2e-latency.sh. Produces one record at a time, waits until the
 * consumer has read it back, and reports the round trip: a line per 1000 records, then the
 * average and the 50th/99th/99.9th percentiles in Kafka's format.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { withClient } from '../util/connect.js';
import { jsonOption } from '../options/common.js';
import { mergeProperties, readPropertiesFile } from '../util/properties.js';
import { StopSignal } from '../util/output.js';
import { LatencyHistogram } from '../perf/histogram.js';
import { e2eSummaryLines } from '../perf/report.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { Consumer, KafkaClient, Producer } from '../../client/index.js';

/** How long one record may take to come back before the run fails (Kafka's poll timeout). */
const POLL_TIMEOUT_MS = 10_000;

export const e2eLatencyCommand: CommandSpec = {
  name: 'e2e-latency',
  mirrors: 'kafka-e2e-latency.sh',
  summary: 'Measure produce-to-consume latency one record at a time',
  description: [
    'Sends num_messages records of message_size_bytes random bytes, one at a time: each is produced with producer_acks, then read back by a consumer before the next is sent. Prints the record number and its latency in ms every 1000 records, then `Avg latency: X ms` and `Percentiles: 50th = a, 99th = b, 99.9th = c` (whole ms).',
    'broker_list "local" uses the local engine (--data-dir, else $KTS_DATA_DIR). The topic is created when missing. properties_file holds extra client configs for both the producer and the consumer.',
  ].join('\n\n'),
  positionals: [
    { name: 'broker_list', describe: 'host:port[,host:port...], or "local" for the local engine', type: 'string' },
    { name: 'topic', describe: 'Topic to use (created when missing)', type: 'string' },
    { name: 'num_messages', describe: 'Number of records to send', type: 'number' },
    { name: 'producer_acks', describe: 'acks of the producer: 1 or all (-1)', type: 'string' },
    { name: 'message_size_bytes', describe: 'Size of each record value', type: 'number' },
    { name: 'properties_file', describe: 'Client properties file', type: 'string', optional: true },
  ],
  options: {
    'data-dir': { type: 'string', placeholder: '<dir>', describe: 'Local data dir when broker_list is "local".' },
    ...jsonOption,
  },
  examples: [
    ['kts e2e-latency localhost:9092 latency 10000 1 100', '10,000 round trips of 100-byte records with acks=1'],
    ['kts e2e-latency local latency 1000 all 100', 'the same on the local engine'],
    ['kts e2e-latency local latency 1000 all 100 --json', 'one JSON document at the end: {"topic","records","latencyMs":{count,avgMs,maxMs,p50Ms,...}}'],
  ],
  async run(args, io) {
    const opts = parseOptions(args);
    const fileProps = opts.propertiesFile ? readPropertiesFile(opts.propertiesFile, io.cwd, 'properties_file') : new Map<string, string>();
    const connect: ParsedArgs = { _: [], 'data-dir': args['data-dir'], ...(opts.brokers ? { 'bootstrap-server': opts.brokers } : {}) };
    return withClient(connect, io, fileProps, async (client) => {
      await ensureTopic(client, opts.topic);
      const producer = client.producer(Object.fromEntries(mergeProperties(new Map([['linger.ms', '0'], ['acks', opts.acks]]), acksIdempotence(opts.acks))));
      const consumer = client.consumer({ 'fetch.max.wait.ms': '0', 'auto.offset.reset': 'latest' });
      try {
        await roundTrips(opts, io, producer, consumer);
      } finally {
        await producer.close();
        await consumer.close();
      }
      return 0;
    });
  },
};

interface E2eOptions {
  brokers: string | null;
  topic: string;
  numMessages: number;
  acks: string;
  size: number;
  propertiesFile: string | null;
  json: boolean;
}

function parseOptions(args: ParsedArgs): E2eOptions {
  const brokers = String(args.broker_list ?? '');
  const topic = String(args.topic ?? '');
  if (brokers === '' || topic === '') throw new UsageError('USAGE: e2e-latency broker_list topic num_messages producer_acks message_size_bytes [properties_file]');
  const n = args.num_messages;
  const size = args.message_size_bytes;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new UsageError('num_messages must be a positive integer');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new UsageError('message_size_bytes must be an integer >= 0');
  const acks = String(args.producer_acks);
  if (acks !== '1' && acks !== 'all' && acks !== '-1') throw new UsageError('Latency testing requires synchronous acknowledgement. Please use 1 or all');
  const file = args.properties_file;
  return { brokers: brokers === 'local' ? null : brokers, topic, numMessages: n, acks, size, propertiesFile: typeof file === 'string' ? file : null, json: args.json === true };
}

function acksIdempotence(acks: string): Map<string, string> {
  return acks === '1' ? new Map([['enable.idempotence', 'false']]) : new Map();
}

async function ensureTopic(client: KafkaClient, topic: string): Promise<void> {
  try {
    await client.admin.describeTopics([topic]);
  } catch (err) {
    if (!(err instanceof KafkaError) || err.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw err;
    await client.admin.createTopics([{ topic, numPartitions: 1 }]);
  }
}

async function roundTrips(opts: E2eOptions, io: CliIo, producer: Producer, consumer: Consumer): Promise<void> {
  const stop = new StopSignal(io.interrupted);
  const tp = { topic: opts.topic, partition: 0 };
  consumer.assign([tp]);
  await consumer.seekToEnd([tp]);
  await consumer.position(tp);
  const histogram = new LatencyHistogram();
  for (let i = 0; i < opts.numMessages && !stop.stopped; i++) {
    const value = randomBytes(opts.size);
    const begin = performance.now();
    await producer.send({ topic: opts.topic, partition: 0, value });
    const records = await readOne(consumer, stop);
    if (records === null) return;
    const elapsed = performance.now() - begin;
    if (records.length !== 1) throw new KtsError('KTS_E2E', `Only one result was expected during this test. We found [${records.length}]`);
    if (!records[0]!.equals(value)) throw new KtsError('KTS_E2E', `The message read [${records[0]!.toString('hex')}] did not match the message sent [${value.toString('hex')}]`);
    if (i % 1000 === 0 && !opts.json) io.stdout.write(`${i}\t${elapsed}\n`);
    histogram.record(elapsed);
  }
  const summary = histogram.summary();
  // The same latency object as producer-perf-test --json's latencyMs.
  if (opts.json) io.stdout.write(JSON.stringify({ topic: opts.topic, records: summary.count, latencyMs: summary }) + '\n');
  else for (const line of e2eSummaryLines(summary)) io.stdout.write(line + '\n');
}

/** Values of the records the next poll returns; polls until something arrives or 10 s pass. */
async function readOne(consumer: Consumer, stop: StopSignal): Promise<Buffer[] | null> {
  const deadline = performance.now() + POLL_TIMEOUT_MS;
  while (!stop.stopped) {
    const left = deadline - performance.now();
    if (left <= 0) throw new KtsError('KTS_E2E', 'poll timed out');
    const records = await stop.race(consumer.poll(Math.ceil(left)));
    if (records === null) return null;
    if (records.length > 0) return records.map((r) => r.value ?? Buffer.alloc(0));
  }
  return null;
}
