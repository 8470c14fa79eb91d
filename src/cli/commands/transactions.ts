/**
 * `kts transactions`: kafka-transactions.sh. `list` (optionally --duration-filter),
 * `describe --transactional-id`, `describe-producers --topic --partition`, `find-hanging`
 * (open transactions on partitions older than --max-transaction-timeout minutes that their
 * coordinator does not know as ongoing there) and `abort` (an ABORT marker for a hanging
 * transaction, by --start-offset or by --producer-id/--producer-epoch/--coordinator-epoch).
 * Tables are Kafka's prettyPrintTable: every cell padded to its column width and followed
 * by a TAB. --json prints the same rows as JSON.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { KtsError, UsageError } from '../../util/errors.js';
import type { KafkaClient } from '../../client/index.js';
import type { ProducerState } from '../../client/transaction-admin.js';

const ACTIONS = ['list', 'describe', 'describe-producers', 'find-hanging', 'abort'] as const;
type Action = (typeof ACTIONS)[number];

export const transactionsCommand: CommandSpec = {
  name: 'transactions',
  mirrors: 'kafka-transactions.sh',
  summary: 'List, describe and abort transactions; show the producers of a partition',
  description: [
    'One action per run. list: every transactional id with its coordinator, producer id and state. describe: one transactional id in detail (state, timeout, start time, duration, partitions). describe-producers: the active producers of a partition (epoch, last sequence and timestamp, coordinator epoch, start offset of an open transaction). find-hanging: open transactions on a broker or topic that started more than --max-transaction-timeout minutes ago and that their coordinator does not know as ongoing on that partition. abort: write an ABORT marker for such a transaction.',
    'Output columns are those of kafka-transactions.sh; "None" stands for an absent value.',
  ].join('\n\n'),
  positionals: [{ name: 'action', describe: `One of: ${ACTIONS.join(', ')}`, type: 'string' }],
  options: {
    ...connectionOptions,
    ...jsonOption,
    'transactional-id': { type: 'string', placeholder: '<id>', describe: 'describe: the transactional id.' },
    topic: { type: 'string', placeholder: '<topic>', describe: 'describe-producers, find-hanging, abort: the topic.' },
    partition: { type: 'number', placeholder: '<n>', describe: 'describe-producers, find-hanging, abort: the partition.' },
    'broker-id': { type: 'number', placeholder: '<id>', describe: 'describe-producers: ask this broker instead of the leader; find-hanging: every partition of this broker.' },
    'duration-filter': { type: 'number', placeholder: '<ms>', describe: 'list: only transactions running at least this long.' },
    'max-transaction-timeout': {
      type: 'number',
      default: 15,
      placeholder: '<minutes>',
      describe: 'find-hanging: transactions open longer than this many minutes are candidates (transaction.max.timeout.ms of the cluster).',
    },
    'start-offset': { type: 'number', placeholder: '<offset>', describe: 'abort: the first offset of the transaction to abort (its producer is looked up).' },
    'producer-id': { type: 'number', placeholder: '<id>', describe: 'abort: producer id of the transaction (with --producer-epoch and --coordinator-epoch).' },
    'producer-epoch': { type: 'number', placeholder: '<epoch>', describe: 'abort: producer epoch of the transaction.' },
    'coordinator-epoch': { type: 'number', placeholder: '<epoch>', describe: 'abort: coordinator epoch of the transaction.' },
  },
  examples: [
    ['kts transactions list', 'every transactional id and its state'],
    ['kts transactions describe --transactional-id orders-tx', 'one transaction in detail'],
    ['kts transactions describe-producers --topic orders --partition 0', 'the producers writing to orders-0'],
    ['kts transactions find-hanging --topic orders', 'transactions left open on orders'],
    ['kts transactions abort --topic orders --partition 0 --start-offset 1200', 'abort the transaction that starts at offset 1200'],
  ],
  async run(args, io) {
    const action = parseAction(args);
    return withClient(args, io, clientConfig(args, io), async (client) => {
      switch (action) {
        case 'list':
          return listTransactions(client, args, io);
        case 'describe':
          return describeTransaction(client, args, io);
        case 'describe-producers':
          return describeProducers(client, args, io);
        case 'find-hanging':
          return findHanging(client, args, io);
        case 'abort':
          return abortTransaction(client, args, io);
      }
    });
  },
};

function parseAction(args: ParsedArgs): Action {
  const action = args['action'] ?? args._[1];
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`kts transactions needs an action: ${ACTIONS.join(', ')}${action === undefined ? '' : ` (not '${String(action)}')`}.`);
  }
  return action as Action;
}

function requireString(args: ParsedArgs, flag: string, action: string): string {
  const v = args[flag];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${action} needs --${flag}.`);
  return v;
}

function optionalInt(args: ParsedArgs, flag: string): number | undefined {
  const v = args[flag];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new UsageError(`--${flag} must be an integer, not ${String(v)}.`);
  return v;
}

function requireInt(args: ParsedArgs, flag: string, action: string): number {
  const v = optionalInt(args, flag);
  if (v === undefined) throw new UsageError(`${action} needs --${flag}.`);
  return v;
}

/** Kafka's ToolsUtils.prettyPrintTable: cells padded to the column width, each followed by a TAB. */
export function prettyPrintTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join('') + '\n';
  return line(headers) + rows.map(line).join('');
}

function print(io: CliIo, args: ParsedArgs, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  if (args['json'] === true) {
    io.stdout.write(JSON.stringify(rows.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]]))), null, 2) + '\n');
    return;
  }
  io.stdout.write(prettyPrintTable(headers, rows));
}

const orNone = (v: number): string => (v < 0 ? 'None' : String(v));

async function listTransactions(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const duration = optionalInt(args, 'duration-filter');
  const listed = await client.transactions.listTransactions({ durationMs: duration });
  const rows = listed.map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]);
  print(io, args, ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'], rows);
  return 0;
}

async function describeTransaction(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const id = requireString(args, 'transactional-id', 'describe');
  const d = await client.transactions.describeTransaction(id);
  const started = d.transactionStartTimeMs >= 0;
  const row = [
    String(d.coordinatorId),
    d.transactionalId,
    String(d.producerId),
    String(d.producerEpoch),
    d.state,
    String(d.transactionTimeoutMs),
    started ? String(d.transactionStartTimeMs) : 'None',
    started ? String(Math.max(0, Date.now() - d.transactionStartTimeMs)) : 'None',
    d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
  ];
  const headers = ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions'];
  print(io, args, headers, [row]);
  return 0;
}

async function describeProducers(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = requireString(args, 'topic', 'describe-producers');
  const partition = requireInt(args, 'partition', 'describe-producers');
  const producers = await client.transactions.describeProducers(topic, partition, optionalInt(args, 'broker-id'));
  const rows = producers.map((p) => [
    String(p.producerId),
    String(p.producerEpoch),
    orNone(p.coordinatorEpoch),
    String(p.lastSequence),
    String(p.lastTimestampMs),
    orNone(p.currentTransactionStartOffset),
  ]);
  print(io, args, ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'], rows);
  return 0;
}

/** The partitions find-hanging looks at: --topic [--partition], or every partition led by --broker-id. */
async function hangingScope(client: KafkaClient, args: ParsedArgs): Promise<{ topic: string; partition: number }[]> {
  const topic = typeof args['topic'] === 'string' ? args['topic'] : undefined;
  const partition = optionalInt(args, 'partition');
  const brokerId = optionalInt(args, 'broker-id');
  if (topic === undefined && brokerId === undefined) throw new UsageError('find-hanging needs --topic or --broker-id.');
  if (partition !== undefined && topic === undefined) throw new UsageError('--partition needs --topic.');
  if (topic !== undefined && partition !== undefined) return [{ topic, partition }];
  const topics = await client.admin.describeTopics(topic !== undefined ? [topic] : undefined);
  return topics.flatMap((t) =>
    t.partitions.filter((p) => brokerId === undefined || p.leader === brokerId).map((p) => ({ topic: t.name, partition: p.partition })),
  );
}

async function findHanging(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const maxMinutes = optionalInt(args, 'max-transaction-timeout') ?? 15;
  if (maxMinutes < 0) throw new UsageError('--max-transaction-timeout must not be negative.');
  const now = Date.now();
  const rows: string[][] = [];
  for (const tp of await hangingScope(client, args)) {
    const producers = await client.transactions.describeProducers(tp.topic, tp.partition, optionalInt(args, 'broker-id'));
    for (const p of producers) {
      if (p.currentTransactionStartOffset < 0 || now - p.lastTimestampMs < maxMinutes * 60_000) continue;
      if (await knownOngoing(client, p, tp)) continue;
      rows.push([
        tp.topic,
        String(tp.partition),
        String(p.producerId),
        String(p.producerEpoch),
        orNone(p.coordinatorEpoch),
        String(p.currentTransactionStartOffset),
        String(p.lastTimestampMs),
        String(Math.floor((now - p.lastTimestampMs) / 60_000)),
      ]);
    }
  }
  print(io, args, ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'], rows);
  return 0;
}

/** True when the producer's coordinator has its transaction ongoing with this partition (not hanging). */
async function knownOngoing(client: KafkaClient, p: ProducerState, tp: { topic: string; partition: number }): Promise<boolean> {
  const listed = await client.transactions.listTransactions({ producerIds: [p.producerId] });
  for (const l of listed) {
    if (l.state !== 'Ongoing') continue;
    const d = await client.transactions.describeTransaction(l.transactionalId);
    if (d.producerId === p.producerId && d.producerEpoch === p.producerEpoch && d.topicPartitions.some((x) => x.topic === tp.topic && x.partition === tp.partition)) return true;
  }
  return false;
}

async function abortTransaction(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = requireString(args, 'topic', 'abort');
  const partition = requireInt(args, 'partition', 'abort');
  const startOffset = optionalInt(args, 'start-offset');
  const byProducer = ['producer-id', 'producer-epoch', 'coordinator-epoch'].filter((f) => args[f] !== undefined);
  if ((startOffset === undefined) === (byProducer.length === 0)) {
    throw new UsageError('abort needs either --start-offset or all of --producer-id, --producer-epoch and --coordinator-epoch.');
  }
  let spec;
  if (startOffset !== undefined) {
    const producers = await client.transactions.describeProducers(topic, partition);
    const p = producers.find((x) => x.currentTransactionStartOffset === startOffset);
    if (!p) throw new KtsError('KTS_NOT_FOUND', `No open transaction on ${topic}-${partition} starts at offset ${startOffset}.`, `See: kts transactions describe-producers --topic ${topic} --partition ${partition}`);
    spec = { topic, partition, producerId: p.producerId, producerEpoch: p.producerEpoch, coordinatorEpoch: Math.max(0, p.coordinatorEpoch) };
  } else {
    spec = {
      topic,
      partition,
      producerId: requireInt(args, 'producer-id', 'abort'),
      producerEpoch: requireInt(args, 'producer-epoch', 'abort'),
      coordinatorEpoch: requireInt(args, 'coordinator-epoch', 'abort'),
    };
  }
  await client.transactions.abortTransaction(spec);
  io.stderr.write(`Aborted the transaction of producer ${spec.producerId} (epoch ${spec.producerEpoch}) on ${topic}-${partition}.\n`);
  return 0;
}
