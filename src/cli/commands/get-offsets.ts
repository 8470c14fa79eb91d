/**
 * `kts get-offsets`: kafka-get-offsets.sh. Prints `topic:partition:offset` for the
 * partitions selected by --topic-partitions or --topic/--partitions at --time.
 */
import type { CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { topicMatcher } from '../util/topic-match.js';
import { parseTimeSpec } from '../util/time-spec.js';
import { type OffsetLine, renderOffsets } from '../render/offsets.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import type { Admin, ListOffsetsResult, OffsetSpec, TopicPartition } from '../../client/index.js';

export const getOffsetsCommand: CommandSpec = {
  name: 'get-offsets',
  mirrors: 'kafka-get-offsets.sh',
  summary: 'Print the offsets of topic partitions at a time',
  description: [
    'Prints topic:partition:offset lines. A partition whose offset cannot be read is reported on stderr as `Skip getting offsets for topic-partition <topic>-<partition> due to error: <message>` and left out; the others are still printed.',
    '--time is latest (-1, the default), earliest (-2), max-timestamp (-3), earliest-local (-4), latest-tiered (-5), epoch ms, an ISO date, or a duration ago (2h): the first offset whose timestamp is at or after that time (-1 when there is none).',
  ].join('\n\n'),
  options: {
    ...connectionOptions,
    'topic-partitions': {
      type: 'string',
      placeholder: '<t1:1,t2:0-3,t3,:5->',
      describe: 'Comma-separated topic:partitions; the topic is a regex (empty: any), partitions a number or a range lo-hi (hi exclusive, either side open).',
    },
    topic: { type: 'string', placeholder: '<regex>', describe: 'Topics whose whole name matches this regex (default: all).' },
    partitions: { type: 'string', placeholder: '<p1,p2>', describe: 'Comma-separated partition ids (default: all).' },
    time: { type: 'string', placeholder: '<time>', default: 'latest', describe: 'latest/-1, earliest/-2, max-timestamp/-3, earliest-local/-4, latest-tiered/-5, epoch ms, ISO 8601 or a duration ago.' },
    'exclude-internal-topics': { type: 'boolean', describe: 'Leave out internal topics such as __consumer_offsets.' },
    ...jsonOption,
  },
  examples: [
    ['kts get-offsets --topic orders', 'the log end offset of each partition'],
    ['kts get-offsets --topic-partitions orders:0-2 --time earliest', 'the log start offsets of partitions 0 and 1'],
    ['kts get-offsets --topic orders --time 1h', 'the offsets one hour ago'],
  ],
  async run(args, io) {
    const selectors = selection(args);
    const spec = offsetSpec(String(args.time ?? 'latest'));
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const tps = await selectPartitions(client.admin, selectors, args['exclude-internal-topics'] === true);
      if (tps.length === 0) {
        // Kafka's GetOffsetShell fails the same way (TerseFailure, exit 1).
        throw new KtsError('KTS_NO_MATCH', 'Could not match any topic-partitions with the specified filters', 'List the topics with kts topics --list');
      }
      const results = await offsetsOrSkip(client.admin, tps, spec, (msg) => io.stderr.write(msg + '\n'));
      const lines: OffsetLine[] = results
        .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset }))
        .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      io.stdout.write(args.json === true ? JSON.stringify(lines) + '\n' : renderOffsets(lines));
      return 0;
    });
  },
};

interface Selector {
  topic: (t: string) => boolean;
  partition: (p: number) => boolean;
}

function selection(args: ParsedArgs): Selector[] {
  const tp = args['topic-partitions'];
  if (typeof tp === 'string') {
    if (args.topic !== undefined || args.partitions !== undefined) {
      throw new UsageError('--topic-partitions cannot be used with --topic or --partitions');
    }
    return tp.split(',').map(parseTopicPartitionFilter);
  }
  const parts = typeof args.partitions === 'string' ? args.partitions.split(',').map((s) => partitionNumber(s.trim())) : null;
  return [{ topic: topicMatcher(args.topic as string | undefined), partition: (p) => parts === null || parts.includes(p) }];
}

function partitionNumber(s: string): number {
  if (!/^\d+$/.test(s)) throw new UsageError(`'${s}' is not a partition number`);
  return Number(s);
}

/** `topic`, `topic:3`, `topic:1-4`, `topic:2-`, `topic:-3`, `:5` */
export function parseTopicPartitionFilter(text: string): Selector {
  const colon = text.lastIndexOf(':');
  const topicPart = colon === -1 ? text : text.slice(0, colon);
  const partPart = colon === -1 ? '' : text.slice(colon + 1);
  const topic = topicPart === '' ? () => true : topicMatcher(topicPart);
  if (partPart === '') return { topic, partition: () => true };
  const range = /^(\d*)-(\d*)$/.exec(partPart);
  if (range) {
    const lo = range[1] === '' ? 0 : Number(range[1]);
    const hi = range[2] === '' ? Infinity : Number(range[2]);
    return { topic, partition: (p) => p >= lo && p < hi };
  }
  const one = partitionNumber(partPart);
  return { topic, partition: (p) => p === one };
}

export function offsetSpec(time: string): OffsetSpec {
  switch (time) {
    case 'latest':
    case '-1':
      return 'latest';
    case 'earliest':
    case '-2':
      return 'earliest';
    case 'max-timestamp':
    case '-3':
      return 'max-timestamp';
    case 'earliest-local':
    case '-4':
      return 'earliest-local';
    case 'latest-tiered':
    case '-5':
      return 'latest-tiered';
  }
  if (/^-\d+$/.test(time)) throw new UsageError(`--time ${time} is not one of -1..-5`);
  return { timestampMs: parseTimeSpec(time, Date.now(), '--time') };
}

async function selectPartitions(admin: Admin, selectors: Selector[], excludeInternal: boolean): Promise<TopicPartition[]> {
  const topics = (await admin.listTopics({ includeInternal: !excludeInternal })).filter((t) => selectors.some((s) => s.topic(t)));
  if (topics.length === 0) return [];
  const out: TopicPartition[] = [];
  for (const d of await admin.describeTopics(topics)) {
    for (const p of d.partitions) {
      if (selectors.some((s) => s.topic(d.name) && s.partition(p.partition))) out.push({ topic: d.name, partition: p.partition });
    }
  }
  return out;
}

/**
 * Offsets of every partition: one request round for all; if that fails, each partition on
 * its own, so one bad partition is skipped (as Kafka's GetOffsetShell does) instead of
 * failing the command.
 */
export async function offsetsOrSkip(
  admin: Pick<Admin, 'listOffsets'>,
  tps: readonly TopicPartition[],
  spec: OffsetSpec,
  skip: (message: string) => void,
): Promise<ListOffsetsResult[]> {
  if (tps.length === 0) return [];
  try {
    return await admin.listOffsets(tps.map((tp) => ({ ...tp, spec })));
  } catch {
    const out: ListOffsetsResult[] = [];
    for (const tp of tps) {
      try {
        out.push(...(await admin.listOffsets([{ ...tp, spec }])));
      } catch (err) {
        skip(`Skip getting offsets for topic-partition ${tp.topic}-${tp.partition} due to error: ${errorMessage(err)}`);
      }
    }
    return out;
  }
}
