/**
 * `kts topics`: kafka-topics.sh. Exactly one action (--create, --list, --describe, --alter,
 * --delete); output in Kafka's formats (see render/topics.ts) or --json.
 */
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { colors } from '../util/tty.js';
import { intOption, topicMatcher } from '../util/topic-match.js';
import { parseKeyValuePairs, stringList } from '../util/properties.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { Admin, KafkaClient, OngoingReassignment, TopicDescription } from '../../client/index.js';
import {
  type CreatedTopic,
  type PartitionView,
  type TopicView,
  renderAltered,
  renderCreated,
  renderDescribe,
  renderList,
  knownTopicId,
} from '../render/topics.js';

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

const PARTITION_FILTERS = ['under-replicated-partitions', 'unavailable-partitions', 'under-min-isr-partitions', 'at-min-isr-partitions'] as const;

export const topicsCommand: CommandSpec = {
  name: 'topics',
  mirrors: 'kafka-topics.sh',
  summary: 'Create, list, describe, alter and delete topics',
  description:
    'Exactly one of --create, --list, --describe, --alter, --delete. --topic is a regular expression matched against whole topic names, except with --create.',
  options: {
    ...connectionOptions,
    create: { type: 'boolean', describe: 'Create a topic (needs --topic).' },
    list: { type: 'boolean', describe: 'List topic names, one per line.' },
    describe: { type: 'boolean', describe: 'Describe topics: a topic line, then one TAB-separated line per partition.' },
    alter: { type: 'boolean', describe: 'Increase the partition count of a topic (--partitions, --replica-assignment).' },
    delete: { type: 'boolean', describe: 'Delete the topics matching --topic.' },
    topic: { type: 'string', placeholder: '<topic|regex>', describe: 'Topic name; a regex for everything but --create (escape dots: "my\\\\.topic").' },
    'topic-id': { type: 'string', placeholder: '<uuid>', describe: 'With --describe: the topic with this id (base64 Kafka uuid); wins over --topic.' },
    partitions: { type: 'number', placeholder: '<n>', describe: 'Partition count for --create (default: the broker\'s num.partitions) or the new total for --alter.' },
    'replication-factor': { type: 'number', placeholder: '<n>', describe: 'Replication factor for --create, 1..32767 (default: the broker\'s default.replication.factor).' },
    'replica-assignment': {
      type: 'string',
      placeholder: '<b1:b2,b1:b2,...>',
      describe: 'Broker ids for each partition, partitions separated by commas, replicas by colons (--create or --alter).',
    },
    config: { type: 'array', placeholder: '<name=value>', describe: 'A topic config override for --create (repeatable).' },
    'delete-config': {
      type: 'string',
      placeholder: '<name>',
      describe: 'Refused, as in Kafka 4: topic configs are removed with kts configs --alter --topic <topic> --delete-config <name>.',
    },
    'if-exists': { type: 'boolean', describe: 'With --alter, --delete or --describe: do nothing when the topic does not exist.' },
    'if-not-exists': { type: 'boolean', describe: 'With --create: do nothing when the topic already exists.' },
    'exclude-internal': { type: 'boolean', describe: 'Leave out internal topics (__consumer_offsets, ...) with --list and --describe.' },
    'topics-with-overrides': { type: 'boolean', describe: 'With --describe: only topics whose configs differ from the defaults (topic lines only).' },
    'under-replicated-partitions': { type: 'boolean', describe: 'With --describe: only partitions whose ISR is smaller than the replica set.' },
    'unavailable-partitions': { type: 'boolean', describe: 'With --describe: only partitions without a live leader.' },
    'under-min-isr-partitions': { type: 'boolean', describe: 'With --describe: only partitions whose ISR is smaller than min.insync.replicas.' },
    'at-min-isr-partitions': { type: 'boolean', describe: 'With --describe: only partitions whose ISR equals min.insync.replicas.' },
    'partition-size-limit-per-response': {
      type: 'number',
      placeholder: '<n>',
      describe:
        "With --describe: Kafka pages DescribeTopicPartitions (API 75) responses at this many partitions. kts brokers do not serve that API and the kts admin client describes topics with Metadata, which has no paging, so the value is checked (a positive integer) and the output is the same as without it, as with Kafka's own tools against a broker without API 75.",
    },
    ...jsonOption,
  },
  examples: [
    ['kts topics --create --topic orders --partitions 3', 'create a topic with three partitions'],
    ['kts topics --list --exclude-internal', 'list topic names'],
    ["kts topics --describe --topic 'orders.*'", 'describe every topic matching a regex'],
    ['kts topics --alter --topic orders --partitions 6', 'grow a topic to six partitions'],
    ['kts topics --delete --topic orders --bootstrap-server localhost:9092', 'delete a topic on a remote broker'],
  ],
  async run(args, io) {
    const action = chooseAction(args);
    validate(action, args);
    return withClient(args, io, clientConfig(args, io), (client) => runAction(action, args, io, client));
  },
};

function chooseAction(args: ParsedArgs): Action {
  const chosen = ACTIONS.filter((a) => args[a] === true);
  if (chosen.length !== 1) {
    throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  }
  return chosen[0]!;
}

function validate(action: Action, args: ParsedArgs): void {
  if (args['delete-config'] !== undefined) {
    throw new UsageError('--delete-config is not supported by topics', `use: kts configs --alter --topic ${String(args.topic ?? '<topic>')} --delete-config ${String(args['delete-config'])}`);
  }
  const topic = args.topic;
  if ((action === 'create' || action === 'alter' || action === 'delete') && (typeof topic !== 'string' || topic === '')) {
    throw new UsageError(`--${action} needs --topic <name>`, action === 'create' ? 'e.g. kts topics --create --topic orders --partitions 3' : undefined);
  }
  const only = (flag: string, allowed: readonly Action[]): void => {
    const v = args[flag];
    const given = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    if (given && !allowed.includes(action)) throw new UsageError(`--${flag} can only be used with ${allowed.map((a) => `--${a}`).join(' or ')}`);
  };
  only('partitions', ['create', 'alter']);
  only('replication-factor', ['create']);
  only('replica-assignment', ['create', 'alter']);
  only('config', ['create']);
  only('if-exists', ['alter', 'delete', 'describe']);
  only('if-not-exists', ['create']);
  only('topic-id', ['describe']);
  only('exclude-internal', ['list', 'describe']);
  for (const f of ['topics-with-overrides', 'partition-size-limit-per-response', ...PARTITION_FILTERS]) only(f, ['describe']);
  const pageSize = intOption(args['partition-size-limit-per-response']);
  if (args['partition-size-limit-per-response'] !== undefined && !(pageSize !== undefined && pageSize >= 1 && pageSize <= 2147483647)) {
    throw new UsageError('--partition-size-limit-per-response must be a positive integer');
  }
  const partitions = intOption(args.partitions);
  if (partitions !== undefined && !(partitions >= 1)) throw new UsageError('--partitions must be a positive integer');
  const rf = intOption(args['replication-factor']);
  if (rf !== undefined && !(rf >= 1 && rf <= 32767)) throw new UsageError('--replication-factor must be between 1 and 32767');
  if (args['replica-assignment'] !== undefined && action === 'create' && (partitions !== undefined || rf !== undefined)) {
    throw new UsageError('--replica-assignment cannot be used with --partitions or --replication-factor');
  }
  if (action === 'alter' && partitions === undefined && args['replica-assignment'] === undefined) {
    throw new UsageError('--alter needs --partitions (the new total) or --replica-assignment');
  }
  if (action === 'create' && /[^a-zA-Z0-9._-]/.test(topic as string)) {
    throw new UsageError(`Topic name '${topic as string}' is illegal: it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

/** `1:2,3:4` → [[1,2],[3,4]]. */
export function parseReplicaAssignment(text: string): number[][] {
  return text.split(',').map((part, i) => {
    const ids = part.split(':').map((s) => Number(s.trim()));
    if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new UsageError(`--replica-assignment: partition ${i} has a bad broker list '${part}'`);
    }
    if (new Set(ids).size !== ids.length) throw new UsageError(`--replica-assignment: partition ${i} lists a broker twice: '${part}'`);
    return ids;
  });
}

async function runAction(action: Action, args: ParsedArgs, io: CliIo, client: KafkaClient): Promise<number> {
  const admin = client.admin;
  const json = args.json === true;
  const write = (text: string, data: unknown): void => {
    io.stdout.write(json ? JSON.stringify(data) + '\n' : text);
  };
  switch (action) {
    case 'create': {
      const r = await createTopic(admin, args);
      write(renderCreated(r), r);
      return 0;
    }
    case 'list': {
      const names = (await admin.listTopics({ includeInternal: args['exclude-internal'] !== true })).filter(topicMatcher(args.topic as string | undefined));
      names.sort();
      write(renderList(names), names);
      return 0;
    }
    case 'describe': {
      const views = await describe(admin, args);
      const c = colors(io);
      // On a terminal the topic lines stand out; piped output stays Kafka's exact text.
      const text = renderDescribe(views).replace(/^Topic: [^\t\n]*/gm, (m) => c.bold(m));
      write(text, views.map(({ showTopicLine: _s, ...v }) => v));
      return 0;
    }
    case 'alter': {
      const altered = await alter(admin, args);
      write(renderAltered(altered), altered);
      return 0;
    }
    case 'delete': {
      const topics = await matchTopics(admin, args);
      if (topics.length > 0) await admin.deleteTopics(topics);
      if (json) write('', { deleted: topics });
      return 0;
    }
  }
}

async function createTopic(admin: Admin, args: ParsedArgs): Promise<CreatedTopic> {
  const topic = args.topic as string;
  const configs = Object.fromEntries(parseKeyValuePairs(stringList(args.config), '--config'));
  const assignmentText = args['replica-assignment'];
  const replicaAssignment =
    typeof assignmentText === 'string' ? new Map(parseReplicaAssignment(assignmentText).map((ids, i) => [i, ids] as const)) : undefined;
  try {
    const [res] = await admin.createTopics([
      {
        topic,
        numPartitions: intOption(args.partitions) ?? -1,
        replicationFactor: intOption(args['replication-factor']) ?? -1,
        replicaAssignment,
        configs,
      },
    ]);
    if (!res) throw new KtsError('KTS_PROTOCOL', `the broker returned no result for topic ${topic}`);
    return { topic, topicId: knownTopicId(res.topicId), partitions: res.numPartitions, replicationFactor: res.replicationFactor, created: true };
  } catch (err) {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
      if (args['if-not-exists'] === true) return { topic, topicId: null, partitions: -1, replicationFactor: -1, created: false };
      throw new KtsError('KAFKA_TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`, 'add --if-not-exists to ignore this');
    }
    throw err;
  }
}

/** Topic names matching --topic; refuses an empty match unless --if-exists. */
async function matchTopics(admin: Admin, args: ParsedArgs): Promise<string[]> {
  const pattern = args.topic as string | undefined;
  const includeInternal = args['exclude-internal'] !== true;
  const names = (await admin.listTopics({ includeInternal })).filter(topicMatcher(pattern)).sort();
  if (names.length === 0 && pattern !== undefined && args['if-exists'] !== true) {
    throw new KtsError('KAFKA_UNKNOWN_TOPIC_OR_PARTITION', `Topic '${pattern}' does not exist as expected`, 'check the name with kts topics --list, or add --if-exists');
  }
  return names;
}

async function describe(admin: Admin, args: ParsedArgs): Promise<TopicView[]> {
  const descriptions = await describeSelected(admin, args);
  descriptions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const filtered = PARTITION_FILTERS.some((f) => args[f] === true);
  const reassigning = await reassignmentsOf(admin, descriptions);
  const liveBrokers = args['unavailable-partitions'] === true ? new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId)) : new Set<number>();
  const views: TopicView[] = [];
  for (const d of descriptions) {
    const entries = await admin.describeConfigs({ type: 'topic', name: d.name });
    const overrides: Record<string, string> = {};
    for (const e of entries) if (!e.isDefault && e.value !== null) overrides[e.name] = e.isSensitive ? 'null' : e.value;
    const minIsr = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? '1');
    if (args['topics-with-overrides'] === true) {
      if (Object.keys(overrides).length > 0) views.push({ ...topicView(d, overrides), partitions: [] });
      continue;
    }
    const view = topicView(d, overrides, reassigning);
    if (filtered) {
      view.showTopicLine = false;
      view.partitions = view.partitions.filter((p) => keepPartition(args, p, minIsr, liveBrokers));
    }
    views.push(view);
  }
  return views;
}

async function describeSelected(admin: Admin, args: ParsedArgs): Promise<TopicDescription[]> {
  const topicId = args['topic-id'];
  if (typeof topicId === 'string') {
    const all = await admin.listTopics({ includeInternal: true });
    const found = all.length === 0 ? [] : (await admin.describeTopics(all)).filter((d) => d.topicId === topicId);
    if (found.length === 0 && args['if-exists'] !== true) {
      throw new KtsError('KAFKA_UNKNOWN_TOPIC_ID', `Topic id '${topicId}' does not exist as expected`, 'see the ids with kts topics --describe');
    }
    return found;
  }
  const names = await matchTopics(admin, args);
  return names.length === 0 ? [] : admin.describeTopics(names);
}

/** Reassignments in progress of the described partitions, by `topic-partition`; none from a broker without ListPartitionReassignments. */
async function reassignmentsOf(admin: Admin, descriptions: readonly TopicDescription[]): Promise<Map<string, OngoingReassignment>> {
  const partitions = descriptions.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })));
  if (partitions.length === 0) return new Map();
  try {
    return new Map((await admin.listPartitionReassignments(partitions)).map((r) => [`${r.topic}-${r.partition}`, r]));
  } catch (err) {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION) return new Map();
    throw err;
  }
}

function topicView(d: TopicDescription, configs: Record<string, string>, reassigning: ReadonlyMap<string, OngoingReassignment> = new Map()): TopicView {
  const partitions: PartitionView[] = [...d.partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      const r = reassigning.get(`${d.name}-${p.partition}`);
      const view: PartitionView = { partition: p.partition, leader: p.leader < 0 ? null : p.leader, replicas: p.replicas, isr: p.isr, elr: null, lastKnownElr: null };
      return r ? { ...view, addingReplicas: r.addingReplicas, removingReplicas: r.removingReplicas } : view;
    });
  return {
    topic: d.name,
    topicId: knownTopicId(d.topicId),
    partitionCount: d.partitions.length,
    // As Kafka: replicas being added by a reassignment do not count.
    replicationFactor: partitions[0] ? replicationFactor(partitions[0]) : 0,
    configs,
    showTopicLine: true,
    partitions,
  };
}

function replicationFactor(p: PartitionView): number {
  return p.replicas.length - (p.addingReplicas?.length ?? 0);
}

function keepPartition(args: ParsedArgs, p: PartitionView, minIsr: number, liveBrokers: ReadonlySet<number>): boolean {
  if (args['under-replicated-partitions'] === true && p.isr.length < replicationFactor(p)) return true;
  if (args['unavailable-partitions'] === true && (p.leader === null || !liveBrokers.has(p.leader))) return true;
  if (args['under-min-isr-partitions'] === true && (p.leader === null || p.isr.length < minIsr)) return true;
  if (args['at-min-isr-partitions'] === true && p.isr.length === minIsr) return true;
  return false;
}

async function alter(admin: Admin, args: ParsedArgs): Promise<{ topic: string; partitions: number }[]> {
  const names = await matchTopics(admin, args);
  if (names.length === 0) return [];
  const descriptions = await admin.describeTopics(names);
  const assignmentText = args['replica-assignment'];
  const assignment = typeof assignmentText === 'string' ? parseReplicaAssignment(assignmentText) : undefined;
  const requests = descriptions.map((d) => {
    const current = d.partitions.length;
    const totalCount = intOption(args.partitions) ?? assignment?.length ?? current;
    if (totalCount <= current) {
      throw new KtsError(
        'KAFKA_INVALID_PARTITIONS',
        `Topic ${d.name} currently has ${current} partitions, ${totalCount} would not be an increase.`,
        'partitions can only be added, never removed',
      );
    }
    return { topic: d.name, totalCount, assignments: assignment?.slice(current) };
  });
  await admin.createPartitions(requests);
  return requests.map((r) => ({ topic: r.topic, partitions: r.totalCount }));
}
