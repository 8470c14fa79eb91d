/**
 * `kts reassign`: kafka-reassign-partitions.sh of Kafka 3.x. Moves replicas between brokers
 * (AlterPartitionReassignments / ListPartitionReassignments on the controller) and between
 * the log dirs of a broker (AlterReplicaLogDirs, followed with DescribeLogDirs), sets and
 * clears the replication throttles as Kafka does, with Kafka's texts and JSON.
 *
 * Deliberate differences: partitions whose replica list the plan leaves as it is are not
 * sent to the controller (Kafka sends them and the controller completes them at once), so
 * a plan of log-dir moves works on a single broker that has no controller; a broker that
 * does not serve ListPartitionReassignments has no reassignment in progress. Beyond Kafka:
 * `--json`, the estimate of bytes to move per broker (stderr, before --execute) and
 * `--verify --wait` (progress from the replicas' sizes until everything is done).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { loadOra } from '../util/load-ora.js';
import { withZookeeper, zookeeperConnect, zookeeperOption } from '../util/zookeeper.js';
import { zkClearThrottles, zkExecute, zkGenerate, zkList, zkStatus } from '../reassign/zookeeper.js';
import type { KafkaZkClient } from '../../zk/index.js';
import { assignReplicasToBrokers } from '../../admin/replica-assignment.js';
import type { Admin, KafkaClient, LogDirDescription, OngoingReassignment } from '../../client/index.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';
import {
  BROKER_LEVEL_THROTTLES,
  TOPIC_LEVEL_THROTTLES,
  type PlannedPartition,
  type ReassignmentPlan,
  type ReplicaDirMove,
  compareReplicas,
  followerThrottles,
  formatReassignmentJson,
  leaderThrottles,
  parseBrokerList,
  parseReassignmentJson,
  parseTopicsToMoveJson,
  proposedMoveMap,
  reassignError,
  reassigningBrokers,
  replicaName,
  tpName,
  validateForExecute,
} from '../reassign/plan.js';
import {
  type MoveEstimate,
  type PartitionState,
  type ReplicaMoveState,
  renderCancelled,
  renderClearingThrottles,
  renderCurrentForRollback,
  renderEstimate,
  renderGenerate,
  renderList,
  renderMoveStarted,
  renderPartitionStates,
  renderProgress,
  renderReplicaMoveStates,
  renderStarted,
} from '../render/reassign.js';

const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;
type Action = (typeof ACTIONS)[number];

/** Kafka's options beyond the action that each action takes (its permittedArgs), plus kts's own everywhere. */
const PERMITTED: Record<Action, readonly string[]> = {
  generate: ['topics-to-move-json-file', 'broker-list', 'disable-rack-aware'],
  execute: ['reassignment-json-file', 'additional', 'throttle', 'replica-alter-log-dirs-throttle', 'timeout'],
  verify: ['reassignment-json-file', 'preserve-throttles', 'wait'],
  cancel: ['reassignment-json-file', 'preserve-throttles', 'timeout'],
  list: [],
};
const REQUIRED: Record<Action, readonly string[]> = {
  generate: ['topics-to-move-json-file', 'broker-list'],
  execute: ['reassignment-json-file'],
  verify: ['reassignment-json-file'],
  cancel: ['reassignment-json-file'],
  list: [],
};
const ALWAYS = new Set(['bootstrap-server', 'zookeeper', 'data-dir', 'command-config', 'command-property', 'json']);

const CANNOT_EXECUTE_BECAUSE_OF_EXISTING =
  'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.';
const MUST_RUN_VERIFY = 'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.';
const WAIT_POLL_MS = 500;

export const reassignCommand: CommandSpec = {
  name: 'reassign',
  mirrors: 'kafka-reassign-partitions.sh',
  summary: 'Move partition replicas between brokers and between log dirs',
  description:
    'Exactly one action: --generate proposes a plan for moving whole topics onto a broker list; --execute starts a plan ' +
    '(printing the current assignment to keep for a rollback), optionally throttled; --verify reports progress and, once ' +
    'everything is done, removes the throttles; --cancel stops reassignments and log-dir moves in progress; --list shows ' +
    'the reassignments in progress. A plan is Kafka\'s JSON: {"version":1,"partitions":[{"topic":"foo","partition":0,' +
    '"replicas":[2,3],"log_dirs":["any","/data/b"]}]}; a log dir other than "any" moves that replica to that dir of its broker ' +
    '(one of its log.dirs), which also works on a single broker. Without --bootstrap-server kts works on the local data dir: ' +
    'through the kts server running on it, else in-process. In-process, an absolute dir that is not a log dir yet is added ' +
    'to the data dir (recorded in kts-log-dirs.json there, so later commands and a kts server-start on the data dir use it ' +
    'too; kts log-dirs --detach-log-dir removes it once empty), and --execute waits for the moves to complete, with ' +
    'progress; interrupted, they resume when the data dir is next opened.',
  options: {
    ...connectionOptions,
    ...zookeeperOption,
    generate: { type: 'boolean', describe: 'Propose a plan moving the topics of --topics-to-move-json-file onto --broker-list.' },
    execute: { type: 'boolean', describe: 'Start the reassignment in --reassignment-json-file.' },
    verify: { type: 'boolean', describe: 'Report the status of the plan in --reassignment-json-file; clear the throttles when it is done.' },
    cancel: { type: 'boolean', describe: 'Cancel the reassignments and log-dir moves of --reassignment-json-file in progress.' },
    list: { type: 'boolean', describe: 'List the partition reassignments in progress.' },
    'reassignment-json-file': { type: 'string', placeholder: '<file>', describe: 'The plan (Kafka\'s reassignment JSON) for --execute, --verify and --cancel.' },
    'topics-to-move-json-file': { type: 'string', placeholder: '<file>', describe: 'For --generate: {"topics":[{"topic":"foo"}],"version":1}.' },
    'broker-list': { type: 'string', placeholder: '<1,2,3>', describe: 'For --generate: the brokers to spread the replicas over.' },
    'disable-rack-aware': { type: 'boolean', describe: 'For --generate: ignore broker.rack.' },
    throttle: { type: 'number', placeholder: '<B/s>', default: -1, describe: 'For --execute: inter-broker replication throttle in bytes/s on the moving replicas (-1: none).' },
    'replica-alter-log-dirs-throttle': { type: 'number', placeholder: '<B/s>', default: -1, describe: 'For --execute: throttle of log-dir moves on their brokers in bytes/s (-1: none).' },
    timeout: { type: 'number', placeholder: '<ms>', default: 10000, describe: 'How long --execute and --cancel wait for log-dir moves to start.' },
    additional: { type: 'boolean', describe: 'For --execute: run even while other reassignments are in progress, or change the throttle.' },
    'preserve-throttles': { type: 'boolean', describe: 'For --verify and --cancel: leave the throttles in place.' },
    wait: { type: 'boolean', describe: 'For --verify (kts): poll until everything is done, with a progress line (bytes copied, ETA) on a terminal.' },
    ...jsonOption,
  },
  examples: [
    ['kts reassign --generate --topics-to-move-json-file topics.json --broker-list 1,2,3', 'propose moving the topics onto brokers 1-3'],
    ['kts reassign --execute --reassignment-json-file plan.json --throttle 10000000', 'start the plan at 10 MB/s'],
    ['kts reassign --verify --reassignment-json-file plan.json --wait', 'wait for it, then clear the throttles'],
    ['kts reassign --cancel --reassignment-json-file plan.json', 'stop it, back to the original replicas'],
    ['kts reassign --list', 'reassignments in progress'],
    ['kts reassign --zookeeper zk:2181 --execute --reassignment-json-file plan.json', 'a ZooKeeper-mode cluster (Kafka 1.1 style)'],
  ],
  async run(args, io) {
    const action = actionOf(args);
    const zk = zookeeperConnect(args);
    if (zk !== undefined) return withZookeeper(zk, (client) => runOnZookeeper(client, action, args, io));
    return withClient(args, io, clientConfig(args, io), async (client) => {
      switch (action) {
        case 'generate':
          return generate(client.admin, args, io);
        case 'execute':
          return execute(client, args, io);
        case 'verify':
          return verify(client, args, io);
        case 'cancel':
          return cancel(client.admin, args, io);
        case 'list':
          return list(client.admin, args, io);
      }
    });
  },
};

function given(args: ParsedArgs, name: string): boolean {
  const v = args[name];
  if (v === undefined || v === false) return false;
  const def = reassignCommand.options[name]?.default;
  return def === undefined || v !== def;
}

/** Kafka's argument checks, with jopt-simple's words: exactly one action, its required and permitted options. */
function actionOf(args: ParsedArgs): Action {
  const actions = ACTIONS.filter((a) => args[a] === true);
  if (actions.length !== 1) throw new UsageError(`Command must include exactly one action: ${ACTIONS.map((a) => `--${a}`).join(', ')}`);
  const action = actions[0]!;
  for (const name of REQUIRED[action]) if (!given(args, name)) throw new UsageError(`Missing required argument "[${name}]"`);
  for (const name of ['throttle', 'replica-alter-log-dirs-throttle', 'timeout']) {
    const v = args[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && (v >= 0 || (v === -1 && name !== 'timeout')))) {
      throw new UsageError(`--${name} must be ${name === 'timeout' ? 'a number of milliseconds' : 'a number of bytes per second (or -1 for none)'}, not ${String(v)}`);
    }
  }
  for (const name of Object.keys(reassignCommand.options)) {
    if (name === action || ALWAYS.has(name) || !given(args, name) || PERMITTED[action].includes(name)) continue;
    if ((ACTIONS as readonly string[]).includes(name)) continue;
    throw new UsageError(`Option "[${name}]" can't be used with action "[${action}]"`);
  }
  return action;
}

function readFile(args: ParsedArgs, io: CliIo, flag: string): string {
  const path = resolve(io.cwd, String(args[flag]));
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KtsError('KTS_FILE', `cannot read --${flag} ${path}: ${errorMessage(err)}`);
  }
}

// ---- cluster facts -------------------------------------------------------------------

/** Current replicas of every partition of `topics`; a missing topic is Kafka's "Topic foo not found." */
async function replicasOfTopics(admin: Admin, topics: readonly string[]): Promise<Map<string, PlannedPartition>> {
  const out = new Map<string, PlannedPartition>();
  for (const topic of new Set(topics)) {
    let described;
    try {
      [described] = await admin.describeTopics([topic]);
    } catch (err) {
      if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw reassignError(`Topic ${topic} not found.`);
      throw err;
    }
    for (const p of described!.partitions) out.set(tpName(topic, p.partition), { topic, partition: p.partition, replicas: p.replicas, logDirs: [] });
  }
  return out;
}

/** Current replicas of the plan's partitions; any missing is "Unable to find partition: ...". */
async function replicasOfPartitions(admin: Admin, plan: readonly PlannedPartition[]): Promise<Map<string, PlannedPartition>> {
  const all = await replicasOfTopics(admin, plan.map((p) => p.topic));
  const missing = plan.filter((p) => !all.has(tpName(p.topic, p.partition))).map((p) => tpName(p.topic, p.partition));
  if (missing.length > 0) throw reassignError(`Unable to find partition: ${missing.join(', ')}`);
  return new Map(plan.map((p) => [tpName(p.topic, p.partition), all.get(tpName(p.topic, p.partition))!]));
}

/**
 * Reassignments in progress. A broker without ListPartitionReassignments (a single kts
 * broker, Kafka before 2.4) is taken to have none only when the plan moves no replica
 * between brokers (`needed` false): a plan of log-dir moves then still works.
 */
async function ongoingReassignments(admin: Admin, needed: boolean, partitions?: readonly { topic: string; partition: number }[]): Promise<OngoingReassignment[]> {
  try {
    return await admin.listPartitionReassignments(partitions);
  } catch (err) {
    if (!needed && err instanceof KafkaError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION) return [];
    if (err instanceof KafkaError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      throw new KtsError('KTS_UNSUPPORTED', `${err.message.replace(/^UNSUPPORTED_VERSION: /, '')}; for a ZooKeeper-mode cluster use --zookeeper`);
    }
    throw err;
  }
}

/** True when some partition of the plan would change its replicas (compared with a describe). */
async function movesReplicas(admin: Admin, plan: ReassignmentPlan): Promise<boolean> {
  const current = await replicasOfTopics(admin, plan.partitions.map((p) => p.topic)).catch(() => new Map<string, PlannedPartition>());
  return plan.partitions.some((p) => current.get(tpName(p.topic, p.partition))?.replicas.join(',') !== p.replicas.join(','));
}

async function verifyBrokerIds(admin: Admin, brokers: Iterable<number>): Promise<void> {
  const known = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  for (const b of brokers) if (!known.has(b)) throw reassignError(`Unknown broker id ${b}`);
}

/**
 * Every log dir a plan names must be one of its broker's (DescribeLogDirs): refused before
 * anything changes, where Kafka's tool fails after starting the reassignment. A broker that
 * does not answer is left to AlterReplicaLogDirs.
 */
async function verifyLogDirs(client: KafkaClient, moves: readonly ReplicaDirMove[]): Promise<void> {
  for (const brokerId of new Set(moves.map((m) => m.brokerId))) {
    let dirs: string[];
    try {
      dirs = (await client.admin.describeLogDirs({ brokerIds: [brokerId], topics: [] })).map((d) => d.logDir);
    } catch (err) {
      if (err instanceof KtsError) continue;
      throw err;
    }
    // In local mode the engine adds an absolute dir it does not have yet (AlterReplicaLogDirs from the data dir's owner).
    const addable = (dir: string): boolean => client.transport === 'local' && isAbsolute(dir);
    const unknown = moves.find((m) => m.brokerId === brokerId && !dirs.includes(m.logDir) && !addable(m.logDir));
    if (unknown === undefined) continue;
    const local = client.transport === 'local'
      ? ` In local mode an absolute path that is not a log dir yet is added to the data dir ${dirs[0] ?? ''}.`
      : isAbsolute(unknown.logDir) ? ' Add it to the broker\'s log.dirs and restart it (on a kts data dir with no server running, a local command adds it by itself).' : '';
    const relative = isAbsolute(unknown.logDir) ? '' : ' Log dirs are absolute paths, as log.dirs lists them.';
    throw reassignError(`Log dir ${unknown.logDir} (for ${replicaName(unknown)}) is not one of broker ${brokerId}'s log dirs (${dirs.join(', ')}).${relative}${local}`);
  }
}

// ---- --generate ----------------------------------------------------------------------

async function generate(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const brokerIds = parseBrokerList(String(args['broker-list']));
  const topics = parseTopicsToMoveJson(readFile(args, io, 'topics-to-move-json-file'));
  const current = await replicasOfTopics(admin, topics);
  const rackAware = args['disable-rack-aware'] !== true;
  const wanted = new Set(brokerIds);
  const brokers = (await admin.describeCluster()).brokers.filter((b) => wanted.has(b.nodeId)).map((b) => ({ id: b.nodeId, rack: rackAware ? b.rack : null }));
  const rackless = brokers.filter((b) => b.rack === null || b.rack === undefined).length;
  if (rackAware && rackless !== 0 && rackless !== brokers.length) {
    throw reassignError('Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.');
  }
  const proposed = new Map<string, PlannedPartition>();
  for (const topic of new Set(topics)) {
    const parts = [...current.values()].filter((p) => p.topic === topic).sort((a, b) => a.partition - b.partition);
    let assignment;
    try {
      assignment = assignReplicasToBrokers(brokers, parts.length, parts[0]!.replicas.length, { disableRackAware: !rackAware });
    } catch (err) {
      throw reassignError(err instanceof KafkaError ? err.message.replace(/^[A-Z_]+: /, '') : errorMessage(err));
    }
    for (const [partition, replicas] of assignment) proposed.set(tpName(topic, partition), { topic, partition, replicas, logDirs: [] });
  }
  const currentJson = formatReassignmentJson(current);
  const proposedJson = formatReassignmentJson(proposed);
  if (args.json === true) io.stdout.write(`${JSON.stringify({ current: JSON.parse(currentJson), proposed: JSON.parse(proposedJson) })}\n`);
  else io.stdout.write(renderGenerate(currentJson, proposedJson));
  return 0;
}

// ---- --execute -----------------------------------------------------------------------

async function execute(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const admin = client.admin;
  const plan = parseReassignmentJson(readFile(args, io, 'reassignment-json-file'));
  validateForExecute(plan);
  const ongoing = await ongoingReassignments(admin, await movesReplicas(admin, plan));
  if (args.additional !== true && ongoing.length > 0) throw reassignError(CANNOT_EXECUTE_BECAUSE_OF_EXISTING);
  await verifyBrokerIds(admin, new Set(plan.partitions.flatMap((p) => p.replicas)));
  await verifyLogDirs(client, plan.replicaMoves);
  const current = await replicasOfPartitions(admin, plan.partitions);
  const json = args.json === true;
  const out: string[] = [];
  const say = (text: string): void => {
    if (!json) io.stdout.write(text);
    out.push(text);
  };
  const currentJson = formatReassignmentJson(current);
  say(renderCurrentForRollback(currentJson));
  const estimate = await estimateMoves(admin, plan, current);
  if (!json) io.stderr.write(renderEstimate(estimate));

  const throttle = Number(args.throttle ?? -1);
  const logDirThrottle = Number(args['replica-alter-log-dirs-throttle'] ?? -1);
  if (throttle >= 0 || logDirThrottle >= 0) {
    say(`${MUST_RUN_VERIFY}\n`);
    if (throttle >= 0) {
      const moves = proposedMoveMap(ongoing, plan.partitions, new Map([...current].map(([k, p]) => [k, p.replicas])));
      await setTopicThrottles(admin, leaderThrottles(moves), followerThrottles(moves));
      await setBrokerThrottles(admin, reassigningBrokers(moves), ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'], throttle);
      say(`The inter-broker throttle limit was set to ${throttle} B/s\n`);
    }
    if (logDirThrottle >= 0) {
      await setBrokerThrottles(admin, [...new Set(plan.replicaMoves.map((m) => m.brokerId))].sort((a, b) => a - b), ['replica.alter.log.dirs.io.max.bytes.per.second'], logDirThrottle);
      say(`The replica-alter-dir throttle limit was set to ${logDirThrottle} B/s\n`);
    }
  }

  const changed = plan.partitions.filter((p) => current.get(tpName(p.topic, p.partition))!.replicas.join(',') !== p.replicas.join(','));
  if (changed.length > 0) {
    const outcomes = await admin.alterPartitionReassignments(changed.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })));
    const failed = outcomes.filter((o) => o.error !== null).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    if (failed.length > 0) throw reassignError(`Error reassigning partition(s):\n${failed.map((o) => `${tpName(o.topic, o.partition)}: ${o.message ?? new KafkaError(o.errorCode).message}`).join('\n')}`);
  }
  say(renderStarted(plan.partitions));
  if (plan.replicaMoves.length > 0) say(await executeMoves(admin, plan.replicaMoves, Number(args.timeout ?? 10000), client.transport === 'local'));
  // In local mode the engine lives as long as this command: the moves are run to completion here.
  const completed = client.transport === 'local' && plan.replicaMoves.length > 0 ? await completeLocalMoves(client, plan, args, io) : null;
  if (json) io.stdout.write(`${JSON.stringify({ current: JSON.parse(currentJson), estimate, started: plan.partitions.map((p) => tpName(p.topic, p.partition)), logDirMoves: plan.replicaMoves, throttle, logDirThrottle, ...(completed !== null ? { logDirMovesCompleted: completed } : {}) })}\n`);
  return 0;
}

/**
 * Local mode: wait (with the --verify --wait progress line on a terminal) until the log-dir
 * moves are done, as the engine runs only while a command has the data dir open. Ctrl-C
 * leaves them to resume when the data dir is next opened. Returns whether they completed.
 */
async function completeLocalMoves(client: KafkaClient, plan: ReassignmentPlan, args: ParsedArgs, io: CliIo): Promise<boolean> {
  const file = String(args['reassignment-json-file']);
  io.stderr.write(`Copying the log directories in this process (local mode: nothing copies them once it exits) ...\n`);
  const s = await waitUntilDone(client.admin, plan, await status(client.admin, plan), io);
  const active = s.moves.filter((m) => m.status === 'active');
  if (active.length > 0) {
    io.stderr.write(`Interrupted: ${active.map(replicaName).join(', ')} not moved yet. The moves start again when ${client.target.replace(/^local engine on /, '')} is next opened; ` +
      `kts reassign --verify --wait --reassignment-json-file ${file} runs them to completion.\n`);
    return false;
  }
  io.stderr.write(`Log directory moves completed: ${s.moves.map((m) => `${tpName(m.topic, m.partition)} is in ${m.currentLogDir ?? '?'}`).join(', ')}\n`);
  return true;
}

async function setTopicThrottles(admin: Admin, leader: Map<string, string>, follower: Map<string, string>): Promise<void> {
  for (const topic of new Set([...leader.keys(), ...follower.keys()])) {
    const ops = [
      ...(leader.has(topic) ? [{ name: 'leader.replication.throttled.replicas', op: 'set' as const, value: leader.get(topic)! }] : []),
      ...(follower.has(topic) ? [{ name: 'follower.replication.throttled.replicas', op: 'set' as const, value: follower.get(topic)! }] : []),
    ];
    await admin.incrementalAlterConfigs({ type: 'topic', name: topic }, ops);
  }
}

async function setBrokerThrottles(admin: Admin, brokers: readonly number[], keys: readonly string[], rate: number): Promise<void> {
  for (const b of brokers) await admin.incrementalAlterConfigs({ type: 'broker', name: String(b) }, keys.map((name) => ({ name, op: 'set' as const, value: String(rate) })));
}

/**
 * Ask each broker to move its replicas to their log dirs, retrying those it does not host
 * yet (REPLICA_NOT_AVAILABLE: the reassignment has not created them) until `timeoutMs`.
 */
async function executeMoves(admin: Admin, moves: readonly ReplicaDirMove[], timeoutMs: number, local = false): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...moves];
  let text = '';
  for (;;) {
    const outcomes = await admin.alterReplicaLogDirs(pending);
    const key = (r: { topic: string; partition: number; brokerId: number }): string => replicaName(r);
    const byReplica = new Map(outcomes.map((o) => [key(o), o]));
    const failed = outcomes.filter((o) => o.error !== null && o.errorCode !== ErrorCode.REPLICA_NOT_AVAILABLE);
    if (failed.length > 0) {
      const o = failed[0]!;
      const dir = pending.find((m) => key(m) === key(o))?.logDir ?? '';
      throw reassignError(`Failed to move ${replicaName(o)} to its log dir${dir ? ` ${dir}` : ''}: ${new KafkaError(o.errorCode).message}${local ? localMoveRefusal(o.errorCode, dir) : ''}`);
    }
    const started = pending.filter((m) => byReplica.get(key(m))?.error === null);
    text += renderMoveStarted(started);
    pending = pending.filter((m) => byReplica.get(key(m))?.error !== null);
    if (pending.length === 0) return text;
    if (Date.now() >= deadline) {
      throw reassignError(`${text}Timed out before log directory move${pending.length === 1 ? '' : 's'} could be started for: ${pending.sort(compareReplicas).map(replicaName).join(',')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sizes from DescribeLogDirs: per broker, per partition, the current and the future copy. */
interface ReplicaSizes {
  current: Map<string, { logDir: string; size: number }>;
  future: Map<string, { logDir: string; size: number }>;
}

function replicaSizes(dirs: readonly LogDirDescription[]): ReplicaSizes {
  const sizes: ReplicaSizes = { current: new Map(), future: new Map() };
  for (const d of dirs) {
    if (d.error !== null) continue;
    for (const t of d.topics) {
      for (const p of t.partitions) {
        (p.isFutureKey ? sizes.future : sizes.current).set(replicaName({ topic: t.topic, partition: p.partition, brokerId: d.brokerId }), { logDir: d.logDir, size: p.sizeBytes });
      }
    }
  }
  return sizes;
}

/**
 * Sizes of the topics' replicas on `brokerIds`. A broker that does not answer (down, or
 * still in the metadata just after it died) contributes nothing: sizes only feed the
 * estimate and the progress, and a reassignment waiting for a dead broker must still verify.
 */
async function describeSizes(admin: Admin, topics: readonly string[], brokerIds: Iterable<number>): Promise<ReplicaSizes> {
  const dirs: LogDirDescription[] = [];
  for (const brokerId of new Set(brokerIds)) {
    try {
      dirs.push(...(await admin.describeLogDirs({ brokerIds: [brokerId], topics: [...new Set(topics)] })));
    } catch (err) {
      if (!(err instanceof KtsError)) throw err;
    }
  }
  return replicaSizes(dirs);
}

/** Bytes each broker receives: a new replica copies the largest current replica; a log-dir move copies its own. */
async function estimateMoves(admin: Admin, plan: ReassignmentPlan, current: Map<string, PlannedPartition>): Promise<MoveEstimate[]> {
  const sources = [...current.values()].flatMap((p) => p.replicas);
  const sizes = await describeSizes(admin, plan.partitions.map((p) => p.topic), [...sources, ...plan.replicaMoves.map((m) => m.brokerId)]);
  const per = new Map<number, MoveEstimate>();
  const add = (brokerId: number, bytes: number): void => {
    const e = per.get(brokerId) ?? { brokerId, bytes: 0, replicas: 0 };
    e.bytes += bytes;
    e.replicas++;
    per.set(brokerId, e);
  };
  for (const p of plan.partitions) {
    const was = current.get(tpName(p.topic, p.partition))!.replicas;
    const size = Math.max(0, ...was.map((b) => sizes.current.get(replicaName({ topic: p.topic, partition: p.partition, brokerId: b }))?.size ?? 0));
    for (const b of p.replicas) if (!was.includes(b)) add(b, size);
  }
  for (const m of plan.replicaMoves) {
    const here = sizes.current.get(replicaName(m));
    if (here && here.logDir !== m.logDir) add(m.brokerId, here.size);
  }
  return [...per.values()];
}

// ---- --verify ------------------------------------------------------------------------

interface Status {
  parts: PartitionState[];
  partsOngoing: boolean;
  moves: ReplicaMoveState[];
  movesOngoing: boolean;
  copied: number;
  total: number;
}

async function status(admin: Admin, plan: ReassignmentPlan): Promise<Status> {
  const ongoing = await ongoingReassignments(admin, await movesReplicas(admin, plan));
  const ongoingBy = new Map(ongoing.map((r) => [tpName(r.topic, r.partition), r]));
  const notFound = plan.partitions.filter((p) => !ongoingBy.has(tpName(p.topic, p.partition)));
  const described = new Map<string, number[] | null>();
  for (const topic of new Set(notFound.map((p) => p.topic))) {
    try {
      const [t] = await admin.describeTopics([topic]);
      for (const p of t!.partitions) described.set(tpName(topic, p.partition), p.replicas);
    } catch (err) {
      if (!(err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) throw err;
    }
  }
  const parts: PartitionState[] = plan.partitions.map((p) => {
    const key = tpName(p.topic, p.partition);
    const r = ongoingBy.get(key);
    return r
      ? { topic: p.topic, partition: p.partition, currentReplicas: r.replicas, targetReplicas: p.replicas, done: false }
      : { topic: p.topic, partition: p.partition, currentReplicas: described.get(key) ?? [], targetReplicas: p.replicas, done: true };
  });
  const involved = [...ongoing.flatMap((r) => r.replicas), ...plan.replicaMoves.map((m) => m.brokerId)];
  const sizes = await describeSizes(admin, plan.partitions.map((p) => p.topic), involved);
  const moves: ReplicaMoveState[] = plan.replicaMoves.map((m) => {
    const cur = sizes.current.get(replicaName(m));
    const fut = sizes.future.get(replicaName(m));
    const base = { topic: m.topic, partition: m.partition, brokerId: m.brokerId, targetLogDir: m.logDir, currentLogDir: cur?.logDir ?? null, futureLogDir: fut?.logDir ?? null };
    if (!cur) return { ...base, status: 'missing-replica' as const };
    if (!fut) return { ...base, status: cur.logDir === m.logDir ? ('completed' as const) : ('cancelled' as const) };
    return { ...base, status: 'active' as const };
  });
  let copied = 0;
  let total = 0;
  for (const r of ongoing) {
    const leaderSize = Math.max(0, ...r.replicas.filter((b) => !r.addingReplicas.includes(b)).map((b) => sizes.current.get(replicaName({ topic: r.topic, partition: r.partition, brokerId: b }))?.size ?? 0));
    for (const b of r.addingReplicas) {
      total += leaderSize;
      copied += Math.min(leaderSize, sizes.current.get(replicaName({ topic: r.topic, partition: r.partition, brokerId: b }))?.size ?? 0);
    }
  }
  for (const m of moves) {
    if (m.status !== 'active') continue;
    const cur = sizes.current.get(replicaName(m))!.size;
    total += cur;
    copied += Math.min(cur, sizes.future.get(replicaName(m))!.size);
  }
  return { parts, partsOngoing: ongoing.length > 0, moves, movesOngoing: moves.some((m) => m.status !== 'completed'), copied, total };
}

async function verify(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const admin = client.admin;
  const plan = parseReassignmentJson(readFile(args, io, 'reassignment-json-file'));
  let s = await status(admin, plan);
  if (args.wait === true) s = await waitUntilDone(admin, plan, s, io);
  const json = args.json === true;
  if (!json) io.stdout.write(renderPartitionStates(s.parts) + renderReplicaMoveStates(s.moves));
  if (client.transport === 'local' && s.moves.some((m) => m.status === 'active')) {
    io.stderr.write(`In local mode the moves run only while a kts command has the data dir open: add --wait to run them to completion.\n`);
  }
  let cleared: { brokers: number[]; topics: string[] } | null = null;
  if (!s.partsOngoing && !s.movesOngoing && args['preserve-throttles'] !== true) {
    cleared = await clearAllThrottles(admin, plan, io);
    if (!json) io.stdout.write(renderClearingThrottles(cleared.brokers, cleared.topics));
  }
  if (json) io.stdout.write(`${JSON.stringify({ partitions: s.parts, logDirMoves: s.moves, complete: !s.partsOngoing && !s.movesOngoing, throttlesCleared: cleared })}\n`);
  return 0;
}

/** How long --verify --wait waits for brokers' metadata to show a finished reassignment's replicas. */
const METADATA_SETTLE_MS = 10_000;

async function waitUntilDone(admin: Admin, plan: ReassignmentPlan, first: Status, io: CliIo): Promise<Status> {
  const startMs = Date.now();
  const copiedAtStart = first.copied;
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true && io.env.CI === undefined;
  const spinner = tty ? (await loadOra())({ stream: io.stderr as NodeJS.WritableStream, text: 'reassignment', discardStdin: false }).start() : null;
  let s = first;
  let stopped = false;
  void io.interrupted.then(() => {
    stopped = true;
  });
  try {
    // A reassignment the controller just finished can still show the old replica set on a broker
    // whose metadata is a moment behind: --wait gives that a few seconds to settle.
    let settlingSince: number | null = null;
    const settling = (): boolean => {
      if (!s.parts.some((p) => p.done && p.currentReplicas.join(',') !== p.targetReplicas.join(','))) return false;
      settlingSince ??= Date.now();
      return Date.now() - settlingSince < METADATA_SETTLE_MS;
    };
    while (s.parts.some((p) => !p.done) || s.moves.some((m) => m.status === 'active') || settling()) {
      if (stopped) break;
      if (spinner) spinner.text = renderProgress(s.copied - copiedAtStart, s.total - copiedAtStart, Date.now() - startMs);
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      s = await status(admin, plan);
    }
  } finally {
    spinner?.stop();
  }
  return s;
}

async function clearAllThrottles(admin: Admin, plan: ReassignmentPlan, io: CliIo): Promise<{ brokers: number[]; topics: string[] }> {
  const live = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  const brokers = new Set(live);
  for (const p of plan.partitions) for (const b of p.replicas) brokers.add(b);
  const brokerList = [...brokers].sort((a, b) => a - b);
  // Kafka asks every broker of the plan; one that is not running cannot answer, so it is named instead.
  const down = brokerList.filter((b) => !live.has(b));
  if (down.length > 0) io.stderr.write(`Broker${down.length === 1 ? '' : 's'} ${down.join(',')} not available: clear their throttles with --verify once they are back.\n`);
  for (const b of brokerList.filter((id) => live.has(id))) {
    await admin.incrementalAlterConfigs({ type: 'broker', name: String(b) }, BROKER_LEVEL_THROTTLES.map((name) => ({ name, op: 'delete' as const })));
  }
  const topics = [...new Set(plan.partitions.map((p) => p.topic))].sort();
  for (const t of topics) await admin.incrementalAlterConfigs({ type: 'topic', name: t }, TOPIC_LEVEL_THROTTLES.map((name) => ({ name, op: 'delete' as const })));
  return { brokers: brokerList, topics };
}

/** Why the local engine refused to add a log dir, by AlterReplicaLogDirs error code ('' when the code says it all). */
function localMoveRefusal(errorCode: number, dir: string): string {
  switch (errorCode) {
    case ErrorCode.LOG_DIR_NOT_FOUND:
      return `. ${dir} cannot be added to the data dir: a log dir is an absolute path to a missing or empty directory (or a log dir of this data dir), and does not nest in another log dir.`;
    case ErrorCode.INCONSISTENT_CLUSTER_ID:
      return `. ${dir}/meta.properties belongs to another cluster (or node): use another dir, or remove that meta.properties if nothing there is needed.`;
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return `. ${dir} could not be opened as a log dir (locked by another process, unreadable, or it holds a partition the data dir holds too).`;
    default:
      return '';
  }
}

// ---- --cancel and --list -------------------------------------------------------------

async function cancel(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const plan = parseReassignmentJson(readFile(args, io, 'reassignment-json-file'));
  const json = args.json === true;
  const say = (text: string): void => {
    if (!json) io.stdout.write(text);
  };
  const ongoing = await ongoingReassignments(admin, await movesReplicas(admin, plan), plan.partitions);
  // Kafka's condition: a reassignment only adding replicas that removes none yet is left alone.
  const cancelling = ongoing.filter((r) => r.addingReplicas.length === 0 || r.removingReplicas.length > 0);
  if (cancelling.length > 0) {
    const outcomes = await admin.alterPartitionReassignments(cancelling.map((r) => ({ topic: r.topic, partition: r.partition, replicas: null })));
    const failed = outcomes.filter((o) => o.error !== null);
    if (failed.length > 0) {
      throw reassignError(`Error cancelling partition reassignment${failed.length === 1 ? '' : 's'} for:\n${failed.map((o) => `${tpName(o.topic, o.partition)}: ${o.message ?? new KafkaError(o.errorCode).message}`).join('\n')}`);
    }
  }
  say(renderCancelled(cancelling));
  const s = await status(admin, plan);
  const active = s.moves.filter((m) => m.status === 'active');
  let movesText = '';
  // Kafka prints this one without a line break; kts ends the line.
  if (active.length === 0) say('None of the specified partition moves are active.\n');
  else movesText = await executeMoves(admin, active.map((m) => ({ topic: m.topic, partition: m.partition, brokerId: m.brokerId, logDir: m.currentLogDir! })), Number(args.timeout ?? 10000));
  say(movesText);
  let cleared: { brokers: number[]; topics: string[] } | null = null;
  if (args['preserve-throttles'] !== true) {
    cleared = await clearAllThrottles(admin, plan, io);
    say(renderClearingThrottles(cleared.brokers, cleared.topics));
  }
  if (json) io.stdout.write(`${JSON.stringify({ cancelled: cancelling.map((r) => tpName(r.topic, r.partition)), cancelledMoves: active.map(replicaName), throttlesCleared: cleared })}\n`);
  return 0;
}

async function list(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const ongoing = await ongoingReassignments(admin, true);
  io.stdout.write(args.json === true ? `${JSON.stringify(ongoing)}\n` : renderList(ongoing));
  return 0;
}

// ---- --zookeeper ---------------------------------------------------------------------

async function runOnZookeeper(zk: KafkaZkClient, action: Action, args: ParsedArgs, io: CliIo): Promise<number> {
  const json = args.json === true;
  switch (action) {
    case 'generate': {
      const brokerIds = parseBrokerList(String(args['broker-list']));
      const topics = parseTopicsToMoveJson(readFile(args, io, 'topics-to-move-json-file'));
      const r = await zkGenerate(zk, topics, brokerIds, args['disable-rack-aware'] !== true);
      io.stdout.write(json ? `${JSON.stringify({ current: JSON.parse(r.current), proposed: JSON.parse(r.proposed) })}\n` : r.text);
      return 0;
    }
    case 'execute': {
      if (given(args, 'replica-alter-log-dirs-throttle')) throw new UsageError('--replica-alter-log-dirs-throttle needs --bootstrap-server (log-dir moves go through the brokers, not ZooKeeper)');
      const plan = parseReassignmentJson(readFile(args, io, 'reassignment-json-file'));
      validateForExecute(plan);
      const r = await zkExecute(zk, plan, args.additional === true, Number(args.throttle ?? -1));
      io.stdout.write(json ? `${JSON.stringify({ current: JSON.parse(r.current), started: plan.partitions.map((p) => tpName(p.topic, p.partition)) })}\n` : r.text);
      return 0;
    }
    case 'verify': {
      const plan = parseReassignmentJson(readFile(args, io, 'reassignment-json-file'));
      if (plan.replicaMoves.length > 0) throw new UsageError('Log-dir moves (log_dirs other than "any") can only be verified with --bootstrap-server');
      let s = await zkStatus(zk, plan);
      while (args.wait === true && s.parts.some((p) => !p.done)) {
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
        s = await zkStatus(zk, plan);
      }
      if (!json) io.stdout.write(renderPartitionStates(s.parts));
      let cleared: { brokers: number[]; topics: string[] } | null = null;
      if (!s.partsOngoing && args['preserve-throttles'] !== true) {
        cleared = await zkClearThrottles(zk, plan);
        if (!json) io.stdout.write(renderClearingThrottles(cleared.brokers, cleared.topics));
      }
      if (json) io.stdout.write(`${JSON.stringify({ partitions: s.parts, logDirMoves: [], complete: !s.partsOngoing, throttlesCleared: cleared })}\n`);
      return 0;
    }
    case 'list': {
      const ongoing = await zkList(zk);
      io.stdout.write(json ? `${JSON.stringify(ongoing)}\n` : renderList(ongoing));
      return 0;
    }
    case 'cancel':
      throw new UsageError('--cancel needs --bootstrap-server: ZooKeeper has no way to cancel a reassignment (cancelling came with AlterPartitionReassignments in Kafka 2.4, and Kafka\'s tool refused --cancel with --zookeeper up to its removal in 3.0)');
  }
}
