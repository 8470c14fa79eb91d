/**
 * `kts console-consumer`: kafka-console-consumer.sh. Without --group it assigns the
 * partitions of --topic (or of every topic matching --include) and seeks where the flags
 * say; with --group it joins the consumer group and resumes at committed offsets. Prints records with Kafka's DefaultMessageFormatter, a kcat-style --format, or as JSON
 * lines. Stops at --max-messages, after --timeout-ms without records, at the end offsets
 * seen at start (--until-end), on Ctrl-C, or when stdout closes (`| head`).
 *
 * The default formatter without deserializers, in assign mode, takes the byte path: the
 * consumer hands over the fetched bytes (pollBatches) and BatchFormatter prints from them,
 * with no object per record. Everything else goes record by record. KTS_DEBUG=1 reports on
 * stderr which path printed how much.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { formatRecord, formatterConfig, formatterKind, loggingLine } from '../util/message-formatter.js';
import { BatchFormatter, batchFormatterFits, OutputChunks } from '../util/batch-formatter.js';
import { compileFormat, renderFormat } from '../util/format-string.js';
import { recordToJson } from '../util/record-json.js';
import { mergeProperties, parseKeyValuePairs, readPropertiesFile, stringList } from '../util/properties.js';
import { parseTimeSpec } from '../util/time-spec.js';
import { topicMatcher } from '../util/topic-match.js';
import { OutputClosed, StopSignal, writeOut } from '../util/output.js';
import type { ConsoleRecord } from '../util/record.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import type { Consumer, ConsumerRecord, KafkaClient, TopicDescription, TopicPartition } from '../../client/index.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { tpKey } from '../../client/index.js';
import { GROUP_CONFIG_KEYS } from '../../client/group/index.js';
import { KafkaConsumer } from '../../client/consumer.js';
import { CorruptRecordsError, type FetchedRecords } from '../../client/fetch-decoder.js';

const POLL_MS = 500;

export const consoleConsumerCommand: CommandSpec = {
  name: 'console-consumer',
  mirrors: 'kafka-console-consumer.sh',
  summary: 'Print records of a topic to stdout',
  description: [
    'Reads the partitions of --topic (or of the topics matching --include) and prints each record. Without --group it reads every partition without a consumer group, starting at the end (--from-beginning, --offset, --from-time choose another start). With --group it joins that consumer group, resumes at the committed offsets (--from-beginning: earliest where nothing is committed) and commits as it goes.',
    'Formatter properties (--property / --formatter-property): print.timestamp, print.key, print.value, print.partition, print.offset, print.headers, print.epoch, key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer. Fields print in Kafka\'s order: timestamp, partition, offset, epoch, headers, key, value.',
    'Deserializers (--key-deserializer, --value-deserializer, or the properties above) are Kafka\'s classes in org.apache.kafka.common.serialization: StringDeserializer, ByteArrayDeserializer (the bytes as they are), ByteBufferDeserializer, BytesDeserializer (\\xHH for bytes that are not printable ASCII), IntegerDeserializer, LongDeserializer, ShortDeserializer, DoubleDeserializer, FloatDeserializer (big-endian, printed as Java prints them), UUIDDeserializer and VoidDeserializer. A record they cannot read stops the command unless --skip-message-on-error.',
    'Format strings (-f): %t topic, %p partition, %o offset, %k key, %v value, %h headers as name=value,..., %T timestamp ms, %K key length, %S value length (-1 for null), %% percent; escapes \\n \\r \\t \\\\ \\xHH.',
    '--json prints one JSON object per record: topic, partition, offset, timestamp, timestampType, leaderEpoch, key, value, headers [{key, value}]. Keys and values that are not valid UTF-8 are base64 with "keyEncoding"/"valueEncoding":"base64" (per header: "valueEncoding"). `kts console-producer --input-format json` reads it back.',
    'At exit it prints `Processed a total of N messages` on stderr.',
  ].join('\n\n'),
  options: {
    ...connectionOptions,
    topic: { type: 'string', placeholder: '<topic>', describe: 'The topic to read.' },
    include: { type: 'string', placeholder: '<regex>', describe: 'Read every topic whose whole name matches this regex (instead of --topic).' },
    partition: { type: 'number', placeholder: '<n>', describe: 'Read only this partition (starts at the end unless --offset or --from-beginning).' },
    offset: { type: 'string', placeholder: '<earliest|latest|n>', describe: 'Start offset with --partition: earliest, latest (default) or a number.' },
    'from-beginning': { type: 'boolean', describe: 'Start at the earliest offset instead of the end.' },
    'from-time': { type: 'string', placeholder: '<time>', describe: 'Start at the first record at or after this time: epoch ms, ISO 8601, or a duration ago (2h, 30m).' },
    'until-end': { type: 'boolean', describe: 'Exit once the end offsets seen at start are reached.' },
    'max-messages': { type: 'number', placeholder: '<n>', describe: 'Exit after this many records.' },
    'timeout-ms': { type: 'number', placeholder: '<ms>', describe: 'Exit when no record arrives for this long.' },
    'isolation-level': { type: 'string', choices: ['read_uncommitted', 'read_committed'], describe: 'read_committed hides aborted and open transactions (default read_uncommitted).' },
    formatter: {
      type: 'string',
      placeholder: '<class>',
      describe:
        "Kafka's formatter class: org.apache.kafka.tools.consumer.DefaultMessageFormatter (the default), LoggingMessageFormatter (the default output plus a 'CreateTime:<ms>, key:<k>, value:<v>' line on stderr) or NoOpMessageFormatter (prints nothing, counts records); the kafka.tools. names work too. Other classes are refused.",
    },
    'key-deserializer': { type: 'string', placeholder: '<class>', describe: 'Deserializer class for keys, e.g. org.apache.kafka.common.serialization.LongDeserializer (the key.deserializer formatter property).' },
    'value-deserializer': { type: 'string', placeholder: '<class>', describe: 'Deserializer class for values (the value.deserializer formatter property).' },
    'enable-systest-events': { type: 'boolean', describe: "Refused: Kafka's system-test lifecycle events are not printed by kts." },
    'skip-message-on-error': { type: 'boolean', describe: 'Skip a record that cannot be formatted, or a corrupt batch, instead of stopping (each skip is reported on stderr).' },
    group: {
      type: 'string',
      placeholder: '<group>',
      describe: 'Consume as a member of this consumer group: partitions are shared with the other members, offsets are committed (enable.auto.commit=true unless configured), and a restart resumes at the committed offsets.',
    },
    format: { type: 'string', alias: 'f', placeholder: '<fmt>', describe: "kcat-style output format, e.g. '%k %v\\n' (see the description)." },
    property: { type: 'array', placeholder: '<key=value>', describe: 'A formatter property (repeatable); Kafka 4.2 calls it --formatter-property.' },
    'formatter-property': { type: 'array', placeholder: '<key=value>', describe: 'A formatter property (repeatable), e.g. print.key=true.' },
    'formatter-config': { type: 'string', placeholder: '<file>', describe: 'Properties file of formatter properties; --formatter-property wins.' },
    'consumer-property': { type: 'array', placeholder: '<key=value>', describe: 'A consumer config (repeatable); the same as --command-property.' },
    'consumer.config': { type: 'string', placeholder: '<file>', describe: 'Consumer properties file; the same as --command-config.' },
    ...jsonOption,
  },
  examples: [
    ['kts console-consumer --topic orders --from-beginning', 'print every record, then wait for more'],
    ['kts console-consumer --topic orders --from-beginning --until-end --property print.key=true', 'print keys and values up to the current end'],
    ["kts console-consumer --include 'orders.*' --from-time 2h -f '%t %p %o %k %v\\n'", 'the last two hours of several topics, kcat style'],
    ['kts console-consumer --topic orders --partition 0 --offset 42 --max-messages 1 --json', 'one record as JSON'],
  ],
  async run(args, io) {
    validate(args);
    const { render, batch } = renderer(args, io);
    const { client: config, group } = splitGroupConfig(consumerConfig(args, io), args);
    const counts: Counts = { processed: 0, viaBatches: 0 };
    try {
      await withClient(args, io, config, async (client) => {
        const source = group ? await groupSource(args, client, group) : await assignedSource(args, io, client);
        if (batch !== null && source.pollBatches) {
          counts.processed = await consumeBatches(args, io, source, source.pollBatches, batch, counts);
          counts.viaBatches = counts.processed;
        } else {
          counts.processed = await consume(args, io, source, render, counts);
        }
      });
    } finally {
      io.stderr.write(`Processed a total of ${counts.processed} messages\n`);
      if (io.env.KTS_DEBUG) io.stderr.write(debugLine(counts, batch));
    }
    return 0;
  },
};

function validate(args: ParsedArgs): void {
  if (args.group !== undefined) {
    if (typeof args.group !== 'string' || args.group.trim() === '') throw new UsageError('--group needs a group id');
    for (const f of ['partition', 'offset', 'from-time', 'until-end']) {
      if (args[f] !== undefined && args[f] !== false) throw new UsageError(`Options --group and --${f} cannot be specified together`, 'a group member reads what the group assigns it, from the committed offsets');
    }
  }
  const hasTopic = typeof args.topic === 'string';
  const hasInclude = typeof args.include === 'string';
  if (hasTopic === hasInclude) throw new UsageError('Exactly one of --topic or --include is required');
  if (args.partition !== undefined && !hasTopic) throw new UsageError('--partition needs --topic');
  if (args.offset !== undefined && args.partition === undefined) throw new UsageError('The partition is required when offset is specified (--partition)');
  const starts = ['offset', 'from-beginning', 'from-time'].filter((f) => args[f] !== undefined && args[f] !== false);
  if (starts.length > 1) throw new UsageError(`--${starts[0]} and --${starts[1]} cannot be combined`);
  if (typeof args.offset === 'string' && !/^(earliest|latest|\d+)$/.test(args.offset)) {
    throw new UsageError(`--offset must be earliest, latest or a non-negative number, got '${args.offset}'`);
  }
  for (const f of ['max-messages', 'timeout-ms', 'partition']) {
    const v = args[f];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) throw new UsageError(`--${f} must be a non-negative integer`);
  }
  if (args.json === true && args.format !== undefined) throw new UsageError('--json and --format cannot be combined');
  if (args['enable-systest-events'] === true) {
    throw new UsageError('--enable-systest-events is not supported by kts', "Kafka's system-test lifecycle events are not printed; leave the flag out");
  }
  for (const f of ['formatter', 'key-deserializer', 'value-deserializer']) {
    if (args[f] !== undefined && (args.json === true || args.format !== undefined)) throw new UsageError(`--${f} cannot be combined with ${args.json === true ? '--json' : '--format'}`);
  }
}

type Render = (r: ConsoleRecord) => Buffer;
const EMPTY = Buffer.alloc(0);

/** How often a missing topic is looked for again. */
const TOPIC_WAIT_MS = 500;

interface Counts {
  processed: number;
  /** Of those, printed by the byte path. */
  viaBatches: number;
}

function debugLine(counts: Counts, batch: BatchFormatter | null): string {
  const { byteBatches, legacyEntries, recheckedBatches } = batch?.stats ?? { byteBatches: 0, legacyEntries: 0, recheckedBatches: 0 };
  const path =
    batch === null
      ? 'record path only'
      : `${counts.viaBatches} by the byte path (${byteBatches} v2 batches, ${recheckedBatches} of them rechecked record by record, ${legacyEntries} legacy entries)`;
  return `kts: debug: console-consumer printed ${counts.processed} records: ${path}\n`;
}

/** How records are printed: one by one, and for the default formatter without deserializers, also from fetched bytes. */
function renderer(args: ParsedArgs, io: CliIo): { render: Render; batch: BatchFormatter | null } {
  if (args.json === true) return { render: (r) => Buffer.from(JSON.stringify(recordToJson(r)) + '\n'), batch: null };
  if (typeof args.format === 'string') {
    const parts = compileFormat(args.format);
    return { render: (r) => renderFormat(parts, r), batch: null };
  }
  const file = typeof args['formatter-config'] === 'string' ? readPropertiesFile(args['formatter-config'], io.cwd, '--formatter-config') : new Map<string, string>();
  const props = mergeProperties(
    file,
    parseKeyValuePairs(stringList(args.property), '--property'),
    parseKeyValuePairs(stringList(args['formatter-property']), '--formatter-property'),
  );
  // As in Kafka, the deserializer flags win over the properties.
  if (typeof args['key-deserializer'] === 'string') props.set('key.deserializer', args['key-deserializer']);
  if (typeof args['value-deserializer'] === 'string') props.set('value.deserializer', args['value-deserializer']);
  const kind = typeof args.formatter === 'string' ? formatterKind(args.formatter.trim()) : 'default';
  const cfg = formatterConfig(props);
  if (kind === 'noop') return { render: () => EMPTY, batch: null };
  if (kind === 'logging') {
    const render: Render = (r) => {
      const out = formatRecord(cfg, r);
      io.stderr.write(loggingLine(r) + '\n');
      return out;
    };
    return { render, batch: null };
  }
  return { render: (r) => formatRecord(cfg, r), batch: batchFormatterFits(cfg) ? new BatchFormatter(cfg) : null };
}

function consumerConfig(args: ParsedArgs, io: CliIo): Map<string, string> {
  const base = new Map<string, string>([['client.id', 'console-consumer']]);
  if (typeof args['isolation-level'] === 'string') base.set('isolation.level', args['isolation-level']);
  return mergeProperties(base, clientConfig(args, io, ['consumer.config', 'command-config'], ['consumer-property', 'command-property']));
}

/** The group keys (group.id, enable.auto.commit, ...) go to the group consumer, the rest to the client. */
function splitGroupConfig(config: Map<string, string>, args: ParsedArgs): { client: Map<string, string>; group: Record<string, string> | null } {
  const client = new Map(config);
  const group: Record<string, string> = {};
  for (const key of GROUP_CONFIG_KEYS) {
    const v = client.get(key);
    if (v !== undefined) group[key] = v;
    client.delete(key);
  }
  if (typeof args.group !== 'string') {
    if (Object.keys(group).length > 0) throw new UsageError(`${Object.keys(group).join(', ')} need(s) --group`);
    return { client, group: null };
  }
  if (group['group.id'] !== undefined && group['group.id'] !== args.group) {
    throw new UsageError(`--group ${args.group} conflicts with group.id=${group['group.id']} in the consumer config`);
  }
  group['group.id'] = args.group;
  const reset = client.get('auto.offset.reset');
  if (args['from-beginning'] === true) {
    if (reset !== undefined && reset !== 'earliest') throw new UsageError(`--from-beginning conflicts with auto.offset.reset=${reset}`);
    client.set('auto.offset.reset', 'earliest');
  }
  return { client, group };
}

async function partitionsToRead(args: ParsedArgs, io: CliIo, client: KafkaClient): Promise<TopicPartition[]> {
  const admin = client.admin;
  let topics: string[];
  if (typeof args.topic === 'string') topics = [args.topic];
  else topics = (await admin.listTopics({ includeInternal: false })).filter(topicMatcher(args.include as string)).sort();
  if (topics.length === 0) throw new KtsError('KTS_NO_TOPIC', `no topic matches --include '${String(args.include)}'`, 'list topics with kts topics --list');
  const described = typeof args.topic === 'string' ? await waitForTopic(args, io, admin, args.topic) : await admin.describeTopics(topics);
  const tps: TopicPartition[] = [];
  for (const d of described) for (const p of d.partitions) tps.push({ topic: d.name, partition: p.partition });
  if (typeof args.partition === 'number') {
    const one = tps.find((tp) => tp.partition === args.partition);
    if (!one) throw new KtsError('KAFKA_UNKNOWN_TOPIC_OR_PARTITION', `topic ${String(args.topic)} has no partition ${args.partition}`);
    return [one];
  }
  return tps.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/**
 * The topic's description once it exists: like Kafka's console consumer, a missing topic
 * is waited for (metadata retries), said once on stderr, until --timeout-ms or Ctrl-C.
 */
async function waitForTopic(args: ParsedArgs, io: CliIo, admin: KafkaClient['admin'], topic: string): Promise<TopicDescription[]> {
  const idleMs = typeof args['timeout-ms'] === 'number' ? args['timeout-ms'] : Infinity;
  const deadline = Date.now() + idleMs;
  const stop = new StopSignal(io.interrupted);
  let said = false;
  for (;;) {
    try {
      return await admin.describeTopics([topic]);
    } catch (err) {
      if (!(err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) throw err;
      if (!said) io.stderr.write(`kts: topic ${topic} does not exist (yet): waiting for it to be created (--timeout-ms or Ctrl-C stops)\n`);
      said = true;
      const left = deadline - Date.now();
      if (left <= 0 || (await stop.race(sleep(Math.min(TOPIC_WAIT_MS, left)))) === null) return [];
    }
  }
}

async function seekStart(args: ParsedArgs, io: CliIo, consumer: Consumer, tps: TopicPartition[]): Promise<void> {
  if (args['from-beginning'] === true || args.offset === 'earliest') return consumer.seekToBeginning(tps);
  if (typeof args['from-time'] === 'string') {
    const ts = parseTimeSpec(args['from-time'], Date.now());
    for (const tp of tps) await consumer.seekToTimestamp(tp, ts);
    return;
  }
  if (typeof args.offset === 'string' && /^\d+$/.test(args.offset)) {
    const offset = Number(args.offset);
    await noticeOutOfRange(io, consumer, tps, offset);
    for (const tp of tps) consumer.seek(tp, offset);
    return;
  }
  return consumer.seekToEnd(tps);
}

/** An --offset outside [log start, log end] is reset by auto.offset.reset (to the end by default): say so rather than jump silently. */
async function noticeOutOfRange(io: CliIo, consumer: Consumer, tps: TopicPartition[], offset: number): Promise<void> {
  const starts = await consumer.beginningOffsets(tps);
  const ends = await consumer.endOffsets(tps);
  for (const tp of tps) {
    const start = starts.get(tpKey(tp)) ?? 0;
    const end = ends.get(tpKey(tp)) ?? 0;
    if (offset >= start && offset <= end) continue;
    io.stderr.write(`kts: offset ${offset} is out of range for ${tp.topic}-${tp.partition} (log start offset ${start}, log end offset ${end}): auto.offset.reset applies (the end, unless configured)\n`);
  }
}

function toConsoleRecord(r: ConsumerRecord): ConsoleRecord {
  return { ...r, leaderEpoch: r.leaderEpoch ?? -1 };
}

/** Where records come from: an assign-mode consumer, or a group member. */
interface RecordSource {
  poll(timeoutMs: number): Promise<ConsumerRecord[]>;
  /** Moves past a corrupt batch (--skip-message-on-error on the record path). */
  seek(tp: TopicPartition, offset: number): void;
  /** The fetched bytes instead of records, where the consumer offers them. */
  pollBatches?: (timeoutMs: number) => Promise<FetchedRecords[]>;
  close(): Promise<void>;
  /** End offsets to stop at (--until-end), updated as partitions reach them; null: no end. */
  remaining: Map<string, number> | null;
  afterPoll(): Promise<void>;
}

async function assignedSource(args: ParsedArgs, io: CliIo, client: KafkaClient): Promise<RecordSource> {
  const tps = await partitionsToRead(args, io, client);
  const consumer = client.consumer();
  consumer.assign(tps);
  await seekStart(args, io, consumer, tps);
  const remaining = args['until-end'] === true ? await endsToReach(consumer, tps) : null;
  return {
    poll: (ms) => consumer.poll(ms),
    seek: (tp, offset) => consumer.seek(tp, offset),
    ...(consumer instanceof KafkaConsumer ? { pollBatches: (ms: number) => consumer.pollBatches(ms) } : {}),
    close: () => consumer.close(),
    remaining,
    afterPoll: async () => {
      if (remaining !== null) await dropReached(consumer, remaining, tps);
    },
  };
}

async function groupSource(args: ParsedArgs, client: KafkaClient, group: Record<string, string>): Promise<RecordSource> {
  let topics: string[];
  if (typeof args.topic === 'string') topics = [args.topic];
  else topics = (await client.admin.listTopics({ includeInternal: false })).filter(topicMatcher(args.include as string)).sort();
  if (topics.length === 0) throw new KtsError('KTS_NO_TOPIC', `no topic matches --include '${String(args.include)}'`, 'list topics with kts topics --list');
  const consumer = client.groupConsumer(group);
  consumer.subscribe(topics);
  return { poll: (ms) => consumer.poll(ms), seek: (tp, offset) => consumer.seek(tp, offset), close: () => consumer.close(), remaining: null, afterPoll: async () => undefined };
}

/** One poll's outcome: whether records came (they reset --timeout-ms), how many were printed, and a failure after them. */
interface PollStep {
  received: boolean;
  printed: number;
  failure?: Error;
}

/**
 * The loop both paths share: poll and print until --max-messages, --timeout-ms without
 * records, --until-end, Ctrl-C (`step` returns null) or a closed stdout. `step` polls once
 * for at most `pollMs` and prints at most `left` records.
 */
async function consumeLoop(
  args: ParsedArgs,
  io: CliIo,
  source: RecordSource,
  step: (pollMs: number, left: number, stop: StopSignal) => Promise<PollStep | null>,
  counts: Counts,
): Promise<number> {
  const maxMessages = typeof args['max-messages'] === 'number' ? args['max-messages'] : Infinity;
  const idleMs = typeof args['timeout-ms'] === 'number' ? args['timeout-ms'] : Infinity;
  const remaining = source.remaining;
  let processed = 0;
  let lastRecordAt = Date.now();
  // `| head -2` closing the pipe stops an idle consumer too, not only its next write (EPIPE).
  const stop = new StopSignal(io.stdoutReaderGone ? Promise.race([io.interrupted, io.stdoutReaderGone()]) : io.interrupted);
  try {
    while (processed < maxMessages && (remaining === null || remaining.size > 0)) {
      const idleLeft = idleMs - (Date.now() - lastRecordAt);
      if (idleLeft <= 0) break;
      const r = await step(Math.max(1, Math.min(POLL_MS, idleLeft)), maxMessages - processed, stop);
      if (r === null) break;
      if (r.received) lastRecordAt = Date.now();
      processed += r.printed;
      // Kept current so the "Processed a total" line is right when a later poll fails.
      counts.processed = processed;
      if (r.failure) throw r.failure;
      await source.afterPoll();
    }
  } catch (err) {
    if (!(err instanceof OutputClosed)) throw err;
  } finally {
    await source.close().catch(() => undefined);
  }
  return processed;
}

function consume(args: ParsedArgs, io: CliIo, source: RecordSource, render: Render, counts: Counts): Promise<number> {
  const remaining = source.remaining;
  return consumeLoop(args, io, source, async (pollMs, left, stop) => {
    let batch: ConsumerRecord[] | null;
    try {
      batch = await stop.race(source.poll(pollMs));
    } catch (err) {
      if (!(err instanceof CorruptRecordsError)) throw err;
      const failure = skipOrFail(args, io, err);
      if (failure) throw failure;
      source.seek(err, err.skipTo);
      return { received: true, printed: 0 };
    }
    if (batch === null) return null;
    // One write per poll: far fewer syscalls than a write per record.
    const outs: Buffer[] = [];
    for (const rec of batch) {
      if (outs.length >= left) break;
      if (remaining !== null) {
        const end = remaining.get(tpKey(rec));
        if (end === undefined || rec.offset >= end) continue;
        if (rec.offset + 1 >= end) remaining.delete(tpKey(rec));
      }
      const out = formatOne(args, io, render, rec);
      if (out !== null) outs.push(out);
    }
    const bytes = outs.length === 1 ? outs[0]! : Buffer.concat(outs);
    // NoOpMessageFormatter records count but print nothing.
    if (bytes.length > 0) await writeOut(io.stdout, bytes, stop);
    return { received: batch.length > 0, printed: outs.length };
  }, counts);
}

/**
 * consume() over fetched bytes: the same stops and one flush of big chunks per poll. A
 * fetch whose bytes turn out corrupt prints nothing of that poll, as on the record path.
 */
function consumeBatches(
  args: ParsedArgs,
  io: CliIo,
  source: RecordSource,
  pollBatches: (timeoutMs: number) => Promise<FetchedRecords[]>,
  batch: BatchFormatter,
  counts: Counts,
): Promise<number> {
  const remaining = source.remaining;
  const out = new OutputChunks(io.stdout);
  return consumeLoop(args, io, source, async (pollMs, left, stop) => {
    const fetched = await stop.race(pollBatches(pollMs));
    if (fetched === null) return null;
    let printed = 0;
    let corrupt: CorruptRecordsError | null = null;
    try {
      for (const f of fetched) {
        if (printed >= left) break;
        let r = printFetched(batch, f, out, left - printed, remaining);
        printed += r.count;
        // Positions already moved past the whole fetch: skipping a bad batch is printing what follows it.
        while (r.corrupt && args['skip-message-on-error'] === true && r.corrupt.skipTo >= 0 && printed < left) {
          skipOrFail(args, io, r.corrupt);
          r = printFetched(batch, { ...f, fetchOffset: r.corrupt.skipTo }, out, left - printed, remaining);
          printed += r.count;
        }
        if (r.corrupt && !(args['skip-message-on-error'] === true && r.corrupt.skipTo >= 0)) {
          corrupt = r.corrupt;
          break;
        }
      }
    } catch (err) {
      out.discard();
      throw err;
    }
    await out.flush(stop);
    // The records before the corrupt batch are out; now fail naming it.
    const failure = corrupt ? skipOrFail(args, io, corrupt) : null;
    return { received: printed > 0 || corrupt !== null, printed, ...(failure ? { failure } : {}) };
  }, counts);
}

/** Print one partition's fetched records up to its --until-end offset; returns how many, and a corrupt batch met. */
function printFetched(
  batch: BatchFormatter,
  f: FetchedRecords,
  out: OutputChunks,
  left: number,
  remaining: Map<string, number> | null,
): { count: number; corrupt: CorruptRecordsError | null } {
  let end = Infinity;
  if (remaining !== null) {
    const e = remaining.get(tpKey(f));
    if (e === undefined) return { count: 0, corrupt: null };
    end = e;
  }
  const printed = batch.print(f, out, left, end);
  if (remaining !== null && printed.count > 0 && printed.lastOffset + 1 >= end) remaining.delete(tpKey(f));
  return { count: printed.count, corrupt: printed.corrupt };
}

/**
 * A corrupt batch: with --skip-message-on-error (and an end to skip to) say so on stderr
 * and return null (go on); otherwise the error to fail with, naming the partition and
 * offset as Java's consumer does.
 */
function skipOrFail(args: ParsedArgs, io: CliIo, err: CorruptRecordsError): KtsError | null {
  const where = `${err.topic}-${err.partition} at offset ${err.offset}`;
  if (args['skip-message-on-error'] === true && err.skipTo >= 0) {
    io.stderr.write(`kts: error: skipping the corrupt batch of ${err.topic}-${err.partition} at offsets ${err.offset} to ${err.skipTo - 1}: ${err.message}\n`);
    return null;
  }
  return new KtsError(
    'KTS_CORRUPT_RECORD',
    `Received exception when fetching the next record from ${where}: ${err.message}`,
    err.skipTo >= 0
      ? `--skip-message-on-error skips the bad batch (offsets ${err.offset} to ${err.skipTo - 1}); kts dump-log --check shows the damage`
      : 'nothing after this point of the partition can be read; kts dump-log --check shows the damage',
  );
}

function formatOne(args: ParsedArgs, io: CliIo, render: Render, rec: ConsumerRecord): Buffer | null {
  try {
    return render(toConsoleRecord(rec));
  } catch (err) {
    if (args['skip-message-on-error'] !== true) throw err;
    io.stderr.write(`kts: error: skipping the record at ${rec.topic}-${rec.partition} offset ${rec.offset}: ${errorMessage(err)}\n`);
    return null;
  }
}

/** End offsets to stop at, leaving out partitions already at their end. */
async function endsToReach(consumer: Consumer, tps: TopicPartition[]): Promise<Map<string, number>> {
  const ends = await consumer.endOffsets(tps);
  await dropReached(consumer, ends, tps);
  return ends;
}

async function dropReached(consumer: Consumer, remaining: Map<string, number>, tps: TopicPartition[]): Promise<void> {
  for (const tp of tps) {
    const end = remaining.get(tpKey(tp));
    if (end === undefined) continue;
    if ((await consumer.position(tp)) >= end) remaining.delete(tpKey(tp));
  }
}
