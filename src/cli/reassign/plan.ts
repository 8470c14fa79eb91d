/**
 * The JSON files of kafka-reassign-partitions.sh and the pure computations around them:
 * parsing and validating a reassignment plan and a topics-to-move file with Kafka's
 * messages, formatting a plan as Kafka prints it (compact, partitions sorted by topic then
 * partition, keys in Kafka's order), and the throttle configs Kafka derives from the moves
 * (`leader.replication.throttled.replicas` = every source replica, `follower...` = every
 * destination that is not a source).
 */
import { KtsError } from '../../util/errors.js';

export const ANY_LOG_DIR = 'any';

/** One partition of a plan: target replicas and, per replica, a log dir or "any". */
export interface PlannedPartition {
  topic: string;
  partition: number;
  replicas: number[];
  logDirs: string[];
}

/** A replica with a log dir asked for (not "any"). */
export interface ReplicaDirMove {
  topic: string;
  partition: number;
  brokerId: number;
  logDir: string;
}

export interface ReassignmentPlan {
  partitions: PlannedPartition[];
  replicaMoves: ReplicaDirMove[];
}

/** A failure Kafka reports as AdminCommandFailedException / AdminOperationException: message, exit 1. */
export function reassignError(message: string): KtsError {
  return new KtsError('KTS_REASSIGN', message);
}

export const tpName = (topic: string, partition: number): string => `${topic}-${partition}`;
/** Kafka's TopicPartitionReplica.toString: `topic-partition-broker`. */
export const replicaName = (r: { topic: string; partition: number; brokerId: number }): string => `${r.topic}-${r.partition}-${r.brokerId}`;

export function compareTopicPartitions(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Kafka's order for replicas: broker, then topic, then partition. */
export function compareReplicas(a: ReplicaDirMove | { topic: string; partition: number; brokerId: number }, b: { topic: string; partition: number; brokerId: number }): number {
  return a.brokerId - b.brokerId || compareTopicPartitions(a, b);
}

/** Java's List.toString: `[1, 2]`. */
const javaList = (items: readonly unknown[]): string => `[${items.join(', ')}]`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw reassignError(`The input string is not a valid JSON: ${(err as Error).message}`);
  }
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw reassignError(`Expected a JSON object for ${what}, found ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

/** Kafka's JsonObject.apply: a missing field is "No such field exists: `name`". */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (!(name in obj)) throw reassignError(`No such field exists: \`${name}\``);
  return obj[name];
}

function int(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    throw reassignError(`Expected \`${name}\` to be an int, found ${JSON.stringify(value)}`);
  }
  return value;
}

function intList(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) throw reassignError(`Expected \`${name}\` to be an array of ints, found ${JSON.stringify(value)}`);
  return value.map((v) => int(v, name));
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw reassignError(`Expected \`${name}\` to be an array of strings, found ${JSON.stringify(value)}`);
  return value as string[];
}

function version(doc: Record<string, unknown>): void {
  const v = 'version' in doc ? int(doc['version'], 'version') : 1;
  if (v !== 1) throw reassignError(`Not supported version field value ${v}`);
}

/** Parse a plan (`--reassignment-json-file`) as Kafka does, keeping duplicates for validate(). */
export function parseReassignmentJson(text: string): ReassignmentPlan {
  const doc = objectOf(parseJson(text), 'the reassignment');
  version(doc);
  const partitions: PlannedPartition[] = [];
  const replicaMoves: ReplicaDirMove[] = [];
  const list = doc['partitions'] ?? [];
  if (!Array.isArray(list)) throw reassignError(`Expected \`partitions\` to be an array, found ${JSON.stringify(list)}`);
  for (const entry of list) {
    const p = objectOf(entry, 'a partition');
    const topic = field(p, 'topic');
    if (typeof topic !== 'string') throw reassignError(`Expected \`topic\` to be a string, found ${JSON.stringify(topic)}`);
    const partition = int(field(p, 'partition'), 'partition');
    const replicas = intList(field(p, 'replicas'), 'replicas');
    const logDirs = 'log_dirs' in p ? stringList(p['log_dirs'], 'log_dirs') : replicas.map(() => ANY_LOG_DIR);
    if (replicas.length !== logDirs.length) {
      throw reassignError(`Size of replicas list ${javaList(replicas)} is different from size of log dirs list ${javaList(logDirs)} for partition ${tpName(topic, partition)}`);
    }
    partitions.push({ topic, partition, replicas, logDirs });
    logDirs.forEach((logDir, i) => {
      if (logDir !== ANY_LOG_DIR) replicaMoves.push({ topic, partition, brokerId: replicas[i]!, logDir });
    });
  }
  return { partitions, replicaMoves };
}

function duplicates<T>(items: readonly T[]): T[] {
  const seen = new Set<T>();
  const dups = new Set<T>();
  for (const i of items) (seen.has(i) ? dups : seen).add(i);
  return [...dups];
}

/** Kafka's checks before --execute: not empty, no empty replica list, no duplicate partition or replica. */
export function validateForExecute(plan: ReassignmentPlan): void {
  if (plan.partitions.length === 0) throw reassignError('Partition reassignment list cannot be empty');
  if (plan.partitions.some((p) => p.replicas.length === 0)) throw reassignError('Partition replica list cannot be empty');
  const dupParts = duplicates(plan.partitions.map((p) => tpName(p.topic, p.partition)));
  if (dupParts.length > 0) throw reassignError(`Partition reassignment contains duplicate topic partitions: ${dupParts.join(',')}`);
  const dupReplicas = plan.partitions
    .map((p) => ({ name: tpName(p.topic, p.partition), dups: duplicates(p.replicas) }))
    .filter((d) => d.dups.length > 0)
    .map((d) => `${d.name} contains multiple entries for ${d.dups.join(',')}`);
  if (dupReplicas.length > 0) throw reassignError(`Partition replica lists may not contain duplicate entries: ${dupReplicas.join('. ')}`);
}

/** `--topics-to-move-json-file`: `{"topics":[{"topic":"foo"}],"version":1}`. */
export function parseTopicsToMoveJson(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw reassignError('The input string is not a valid JSON');
  }
  const obj = objectOf(doc, 'the topics to move');
  version(obj);
  const list = obj['topics'] ?? [];
  if (!Array.isArray(list)) throw reassignError(`Expected \`topics\` to be an array, found ${JSON.stringify(list)}`);
  const topics = list.map((t) => {
    const topic = field(objectOf(t, 'a topic'), 'topic');
    if (typeof topic !== 'string') throw reassignError(`Expected \`topic\` to be a string, found ${JSON.stringify(topic)}`);
    return topic;
  });
  const dups = duplicates(topics);
  if (dups.length > 0) throw reassignError(`List of topics to reassign contains duplicate entries: ${javaList(dups)}`);
  return topics;
}

/** `--broker-list 1,2,3` as Kafka parses it (Integer.parseInt of each item), without duplicates. */
export function parseBrokerList(text: string): number[] {
  const ids = text.split(',').map((s) => {
    if (!/^-?\d+$/.test(s)) throw reassignError(`For input string: "${s}" (--broker-list takes broker ids separated by commas, e.g. 1,2,3)`);
    return Number(s);
  });
  const dups = duplicates(ids);
  if (dups.length > 0) throw reassignError(`Broker list contains duplicate entries: ${javaList(dups)}`);
  return ids;
}

/** A plan as Kafka prints it: `{"version":1,"partitions":[{"topic","partition","replicas","log_dirs"}]}`. */
export function formatReassignmentJson(assignment: ReadonlyMap<string, { topic: string; partition: number; replicas: readonly number[] }>, logDirs: readonly ReplicaDirMove[] = []): string {
  const dirOf = new Map(logDirs.map((m) => [replicaName(m), m.logDir]));
  const partitions = [...assignment.values()].sort(compareTopicPartitions).map((p) => ({
    topic: p.topic,
    partition: p.partition,
    replicas: [...p.replicas],
    log_dirs: p.replicas.map((b) => dirOf.get(replicaName({ topic: p.topic, partition: p.partition, brokerId: b })) ?? ANY_LOG_DIR),
  }));
  return JSON.stringify({ version: 1, partitions });
}

export interface PartitionMove {
  sources: Set<number>;
  destinations: Set<number>;
}

/** topic → partition → move; a partition already moving keeps its original sources (Kafka's calculateProposedMoveMap). */
export type MoveMap = Map<string, Map<number, PartitionMove>>;

export function proposedMoveMap(
  ongoing: readonly { topic: string; partition: number; replicas: readonly number[]; addingReplicas: readonly number[] }[],
  proposed: readonly PlannedPartition[],
  current: ReadonlyMap<string, readonly number[]>,
): MoveMap {
  const map: MoveMap = new Map();
  const partMoves = (topic: string): Map<number, PartitionMove> => {
    let m = map.get(topic);
    if (!m) map.set(topic, (m = new Map()));
    return m;
  };
  for (const r of ongoing) {
    const sources = new Set(r.replicas.filter((b) => !r.addingReplicas.includes(b)));
    partMoves(r.topic).set(r.partition, { sources, destinations: new Set(r.addingReplicas) });
  }
  for (const p of proposed) {
    const moves = partMoves(p.topic);
    const sources = moves.get(p.partition)?.sources ?? new Set(current.get(tpName(p.topic, p.partition)) ?? []);
    if (sources.size === 0) throw reassignError(`Trying to reassign a topic partition ${tpName(p.topic, p.partition)} with 0 replicas`);
    moves.set(p.partition, { sources, destinations: new Set(p.replicas.filter((b) => !sources.has(b))) });
  }
  return map;
}

/** Kafka's throttle lists: `partition:broker` entries sorted as strings (a TreeSet), joined by commas. */
function throttleList(moves: Map<number, PartitionMove>, pick: (m: PartitionMove) => Iterable<number>): string {
  const items = new Set<string>();
  for (const [partition, move] of moves) for (const b of pick(move)) items.add(`${partition}:${b}`);
  return [...items].sort().join(',');
}

export function leaderThrottles(map: MoveMap): Map<string, string> {
  return new Map([...map].map(([topic, moves]) => [topic, throttleList(moves, (m) => m.sources)]));
}

export function followerThrottles(map: MoveMap): Map<string, string> {
  return new Map([...map].map(([topic, moves]) => [topic, throttleList(moves, (m) => [...m.destinations].filter((d) => !m.sources.has(d)))]));
}

export function reassigningBrokers(map: MoveMap): number[] {
  const brokers = new Set<number>();
  for (const moves of map.values()) for (const m of moves.values()) for (const b of [...m.sources, ...m.destinations]) brokers.add(b);
  return [...brokers].sort((a, b) => a - b);
}

export const BROKER_LEVEL_THROTTLES = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate', 'replica.alter.log.dirs.io.max.bytes.per.second'] as const;
export const TOPIC_LEVEL_THROTTLES = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] as const;
