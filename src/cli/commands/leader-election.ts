/**
 * `kts leader-election`: kafka-leader-election.sh. Preferred or unclean leader election
 * through ElectLeaders (API 43) on the controller, for one partition (--topic and
 * --partition), the partitions of a JSON file, or all partitions. With --zookeeper (a
 * ZooKeeper-mode cluster, as Kafka 1.1's kafka-preferred-replica-election.sh) it writes
 * /admin/preferred_replica_election for the controller to act on; only preferred
 * elections go that way, as in Kafka 1.1.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { withZookeeper, zookeeperConnect, zookeeperOption } from '../util/zookeeper.js';
import { type ElectionOutcome, renderElection, renderZkElectionStarted } from '../render/leader-election.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import { PreferredElectionInProgressError } from '../../zk/index.js';

interface Tp {
  topic: string;
  partition: number;
}

export const leaderElectionCommand: CommandSpec = {
  name: 'leader-election',
  mirrors: 'kafka-leader-election.sh',
  summary: 'Elect partition leaders (preferred or unclean)',
  description:
    'Exactly one target: --topic with --partition, --all-topic-partitions, or --path-to-json-file with {"partitions":[{"topic":"foo","partition":1}]}. ' +
    'A preferred election moves leadership back to the first replica when it is in the ISR; an unclean one elects a replica outside the ISR for a partition without a leader (records may be lost).',
  options: {
    ...connectionOptions,
    ...zookeeperOption,
    'election-type': { type: 'string', choices: ['preferred', 'unclean', 'PREFERRED', 'UNCLEAN'], placeholder: '<preferred|unclean>', describe: 'Type of election (required).' },
    topic: { type: 'string', placeholder: '<topic>', describe: 'Topic of the partition to elect for (with --partition).' },
    partition: { type: 'number', placeholder: '<id>', describe: 'Partition to elect for (with --topic).' },
    'all-topic-partitions': { type: 'boolean', describe: 'Elect for every partition that needs it.' },
    'path-to-json-file': { type: 'string', placeholder: '<file>', describe: 'JSON file of the partitions: {"partitions":[{"topic":"foo","partition":1}]}.' },
    'admin.config': { type: 'string', placeholder: '<file>', describe: 'Kafka\'s older name of --command-config.', deprecated: 'deprecated in Kafka: use --command-config' },
    ...jsonOption,
  },
  examples: [
    ['kts leader-election --election-type preferred --all-topic-partitions', 'move every leader back to its preferred replica'],
    ['kts leader-election --election-type unclean --topic t --partition 0', 'elect any live replica of t-0 (may lose records)'],
    ['kts leader-election --zookeeper zk:2181 --election-type preferred --path-to-json-file p.json', 'ZooKeeper-mode cluster'],
  ],
  async run(args, io) {
    const type = electionType(args);
    const target = targetOf(args, io);
    const zk = zookeeperConnect(args);
    if (zk !== undefined) return electThroughZookeeper(zk, type, target, args, io);
    const config = clientConfig(args, io, ['command-config', 'admin.config']);
    return withClient(args, io, config, async (client) => {
      const results = await client.admin.electLeaders(type === 'PREFERRED' ? 'preferred' : 'unclean', target);
      const outcomes: ElectionOutcome[] = results.map((r) => {
        const result = r.errorCode === ErrorCode.NONE ? 'elected' : r.errorCode === ErrorCode.ELECTION_NOT_NEEDED ? 'not-needed' : 'failed';
        return { topic: r.topic, partition: r.partition, result, error: result === 'failed' ? `${r.error}${r.message ? `: ${r.message}` : ''}` : null };
      });
      io.stdout.write(args.json === true ? `${JSON.stringify(outcomes)}\n` : renderElection(type, outcomes));
      const failed = outcomes.filter((o) => o.result === 'failed').length;
      if (failed > 0) throw new KtsError('KTS_ELECTION_FAILED', `${failed} replica(s) could not be elected`);
      return 0;
    });
  },
};

function electionType(args: ParsedArgs): 'PREFERRED' | 'UNCLEAN' {
  const missing = [args['election-type'] === undefined ? 'election-type' : null].filter((m) => m !== null);
  if (missing.length > 0) throw new UsageError(`Missing required option(s): ${missing.join(', ')}`);
  return String(args['election-type']).toUpperCase() === 'UNCLEAN' ? 'UNCLEAN' : 'PREFERRED';
}

/** Kafka's checks: one and only one target; --partition exactly with --topic. Null means all partitions. */
function targetOf(args: ParsedArgs, io: CliIo): Tp[] | null {
  const given = (['topic', 'all-topic-partitions', 'path-to-json-file'] as const).filter((o) => args[o] !== undefined && args[o] !== false);
  if (given.length !== 1) throw new UsageError('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file');
  if (args.topic !== undefined && args.partition === undefined) throw new UsageError('Missing required option(s): partition');
  if (args.topic === undefined && args.partition !== undefined) throw new UsageError('Option partition is only allowed if topic is used');
  if (args.topic !== undefined) {
    const partition = Number(args.partition);
    if (!Number.isInteger(partition) || partition < 0) throw new UsageError(`--partition must be a partition id, not ${String(args.partition)}`);
    return [{ topic: String(args.topic), partition }];
  }
  if (args['path-to-json-file'] !== undefined) return parseElectionJson(readJsonFile(resolve(io.cwd, String(args['path-to-json-file']))));
  return null;
}

function readJsonFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KtsError('KTS_FILE', `cannot read --path-to-json-file ${path}: ${errorMessage(err)}`);
  }
}

/** `{"partitions":[{"topic":"foo","partition":1}]}` with Kafka's messages. */
export function parseElectionJson(text: string): Tp[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new KtsError('KTS_ELECTION_JSON', `Replica election data is not valid JSON: ${errorMessage(err)}`);
  }
  if (doc === null || typeof doc !== 'object') throw new KtsError('KTS_ELECTION_JSON', 'Replica election data is empty');
  const list = (doc as { partitions?: unknown }).partitions;
  if (list === undefined) throw new KtsError('KTS_ELECTION_JSON', 'Replica election data is missing "partitions" field');
  if (!Array.isArray(list)) throw new KtsError('KTS_ELECTION_JSON', '"partitions" must be an array of {"topic","partition"}');
  const out = list.map((e: unknown) => {
    const o = e as { topic?: unknown; partition?: unknown } | null;
    if (typeof o?.topic !== 'string') throw new KtsError('KTS_ELECTION_JSON', 'No such field exists: `topic`');
    if (!Number.isInteger(o.partition)) throw new KtsError('KTS_ELECTION_JSON', 'No such field exists: `partition`');
    return { topic: o.topic, partition: o.partition as number };
  });
  const keys = out.map((p) => `${p.topic}-${p.partition}`);
  const dups = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
  if (dups.length > 0) throw new KtsError('KTS_ELECTION_JSON', `Replica election data contains duplicate partitions: [${dups.join(', ')}]`);
  return out;
}

async function electThroughZookeeper(connect: string, type: 'PREFERRED' | 'UNCLEAN', target: Tp[] | null, args: ParsedArgs, io: CliIo): Promise<number> {
  if (type === 'UNCLEAN') {
    throw new UsageError('--zookeeper supports only preferred elections (Kafka 1.1 has no unclean election request); use --bootstrap-server, or set unclean.leader.election.enable=true on the topic');
  }
  return withZookeeper(connect, async (zk) => {
    let partitions = target;
    if (partitions === null) {
      const assignments = await zk.getReplicaAssignment(await zk.getAllTopics());
      partitions = [...assignments].flatMap(([topic, t]) => [...t.assignment.keys()].sort((a, b) => a - b).map((partition) => ({ topic, partition })));
    }
    try {
      await zk.createPreferredReplicaElection(partitions);
    } catch (err) {
      if (err instanceof PreferredElectionInProgressError) throw new KtsError('KTS_ELECTION_IN_PROGRESS', `Preferred replica leader election currently in progress for ${partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}. Aborting operation`);
      throw err;
    }
    io.stdout.write(args.json === true ? `${JSON.stringify({ started: partitions })}\n` : renderZkElectionStarted(partitions));
    return 0;
  });
}
