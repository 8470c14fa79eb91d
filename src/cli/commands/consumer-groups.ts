/**
 * `kts consumer-groups`: kafka-consumer-groups.sh. Lists groups (optionally by state),
 * describes them (offsets with lag, members, state), resets committed offsets (dry run by
 * default, --execute, --export CSV), deletes groups and offsets, in Kafka's formats.
 * Beyond Kafka: --json for every view, total lag per group and topic (stderr in text
 * mode), and --execute writes an undo file with the previous offsets (--from-file form).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import {
  renderDeleteOffsets,
  renderGroupList,
  renderMembers,
  renderOffsets,
  renderResetCsv,
  renderResetPlan,
  renderState,
  renderTotalLag,
  totalLag,
  type DeleteOffsetRow,
  type MemberRow,
  type OffsetRow,
  type ResetRow,
  type StateRow,
} from '../render/consumer-groups.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { errorName } from '../../protocol/errors.js';
import type { GroupDescription, KafkaClient, TopicPartition } from '../../client/index.js';

const RESET_SPECS = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime', 'by-duration', 'from-file'] as const;
const STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'];

export const consumerGroupsCommand: CommandSpec = {
  name: 'consumer-groups',
  mirrors: 'kafka-consumer-groups.sh',
  summary: 'List, describe, reset offsets of and delete consumer groups',
  description:
    'One action per run: --list, --describe, --reset-offsets, --delete or --delete-offsets. --describe shows committed offsets and lag (default), --members or --state. --reset-offsets prints the plan unless --execute is given (then it also writes an undo file with the previous offsets) or --export (CSV for --from-file). Offsets can only be reset while the group has no active members.',
  options: {
    ...connectionOptions,
    list: { type: 'boolean', describe: 'List all consumer groups.' },
    describe: { type: 'boolean', describe: 'Describe consumer group(s): offsets and lag, or --members / --state.' },
    'reset-offsets': { type: 'boolean', describe: 'Reset committed offsets of a group (needs a reset spec and --topic or --all-topics).' },
    delete: { type: 'boolean', describe: 'Delete consumer group(s) and their committed offsets (groups must be empty).' },
    'delete-offsets': { type: 'boolean', describe: 'Delete the committed offsets of --topic for one group.' },
    group: { type: 'array', placeholder: '<group>', describe: 'The consumer group (repeatable).' },
    'all-groups': { type: 'boolean', describe: 'Apply to all consumer groups.' },
    topic: { type: 'array', placeholder: '<topic[:p,p]>', describe: 'Topic scope; for resets t:0,1 limits partitions (repeatable).' },
    'all-topics': { type: 'boolean', describe: 'Reset scope: every topic the group has committed offsets for.' },
    offsets: { type: 'boolean', describe: 'Describe: committed offsets, log end offsets and lag per partition (default view).' },
    members: { type: 'boolean', describe: 'Describe: the members of the group.' },
    state: { type: 'array', placeholder: '[states]', describe: 'Describe: the group state and coordinator. With --list: only groups in these comma-separated states (columns GROUP, TYPE, STATE).' },
    verbose: { type: 'boolean', describe: 'Extra columns: LEADER-EPOCH with --offsets, ASSIGNMENT with --members.' },
    type: { type: 'array', placeholder: '[classic,consumer]', describe: 'With --list: show the group type column, optionally only these types.' },
    timeout: { type: 'number', default: 5000, placeholder: '<ms>', describe: 'Time to wait for a group to stabilise when describing it.' },
    'dry-run': { type: 'boolean', describe: 'Reset: only print the new offsets (the default).' },
    execute: { type: 'boolean', describe: 'Reset: commit the new offsets, and write an undo file with the previous ones.' },
    export: { type: 'boolean', describe: 'Reset: print the plan as CSV (topic,partition,offset) for --from-file.' },
    'to-earliest': { type: 'boolean', describe: 'Reset to the log start offset.' },
    'to-latest': { type: 'boolean', describe: 'Reset to the log end offset.' },
    'to-current': { type: 'boolean', describe: 'Reset to the current committed offset.' },
    'to-offset': { type: 'number', placeholder: '<offset>', describe: 'Reset to this offset (clamped to the log start/end).' },
    'shift-by': { type: 'number', placeholder: '<n>', describe: 'Move the committed offset by n (negative: back), clamped.' },
    'to-datetime': { type: 'string', placeholder: '<YYYY-MM-DDTHH:mm:SS.sss>', describe: 'Reset to the first offset at or after this time (local time unless a zone is given).' },
    'by-duration': { type: 'string', placeholder: '<PnDTnHnMnS>', describe: 'Reset to the first offset at or after now minus this ISO-8601 duration.' },
    'from-file': { type: 'string', placeholder: '<csv>', describe: 'Reset to the offsets in a CSV file: topic,partition,offset (or group,topic,partition,offset).' },
    ...jsonOption,
  },
  examples: [
    ['kts consumer-groups --list', 'every group id'],
    ['kts consumer-groups --describe --group app', 'committed offsets and lag of group app'],
    ['kts consumer-groups --describe --group app --members --verbose', 'members and their partitions'],
    ['kts consumer-groups --reset-offsets --group app --topic orders --to-earliest --execute', 'replay orders from the start'],
    ['kts consumer-groups --reset-offsets --group app --all-topics --shift-by -10', 'show the plan to go back 10 records'],
    ['kts consumer-groups --delete --group app', 'delete an empty group'],
  ],
  async run(args, io) {
    const action = chooseAction(args);
    return withClient(args, io, clientConfig(args, io), async (client) => {
      switch (action) {
        case 'list':
          return list(client, args, io);
        case 'describe':
          return describe(client, args, io);
        case 'reset-offsets':
          return resetOffsets(client, args, io);
        case 'delete':
          return deleteGroups(client, args, io);
        default:
          return deleteOffsets(client, args, io);
      }
    });
  },
};

type Action = 'list' | 'describe' | 'reset-offsets' | 'delete' | 'delete-offsets';

function chooseAction(args: ParsedArgs): Action {
  const actions = (['list', 'describe', 'reset-offsets', 'delete', 'delete-offsets'] as const).filter((a) => args[a] === true);
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
  const action = actions[0]!;
  if (action !== 'list' && !args['all-groups'] && groupsOf(args).length === 0) throw new UsageError(`Option --${action} takes one of these options: --all-groups, --group`);
  if (action === 'reset-offsets') {
    const specs = RESET_SPECS.filter((s) => args[s] !== undefined && args[s] !== false);
    if (specs.length !== 1) throw new UsageError(`Option --reset-offsets takes exactly one of: ${RESET_SPECS.map((s) => `--${s}`).join(', ')}`);
    if (specs[0] !== 'from-file' && !args['all-topics'] && topicArgs(args).length === 0) throw new UsageError('Option --reset-offsets takes one of these options: --all-topics, --topic');
    if (args['all-topics'] && topicArgs(args).length > 0) throw new UsageError('Option --all-topics cannot be used with --topic');
    if ([args['dry-run'], args.execute, args.export].filter((x) => x === true).length > 1 && !(args.export === true && args['dry-run'] === true)) {
      throw new UsageError('Option --execute cannot be used with --dry-run or --export');
    }
  } else {
    for (const s of RESET_SPECS) if (args[s] !== undefined && args[s] !== false) throw new UsageError(`Option --${s} can only be used with --reset-offsets`);
    if (args.execute || args['dry-run'] || args.export) throw new UsageError('Options --dry-run, --execute and --export can only be used with --reset-offsets');
  }
  if (action === 'delete-offsets' && (groupsOf(args).length !== 1 || topicArgs(args).length === 0)) throw new UsageError('Option --delete-offsets needs exactly one --group and at least one --topic');
  if ((args.members || args.offsets || args.verbose) && action !== 'describe') throw new UsageError('Options --members, --offsets and --verbose can only be used with --describe');
  if (action === 'describe' && [args.members === true, args.offsets === true, args.state !== undefined].filter(Boolean).length > 1) {
    throw new UsageError('Option --describe takes at most one of these options: --members, --offsets, --state');
  }
  return action;
}

function groupsOf(args: ParsedArgs): string[] {
  return (Array.isArray(args.group) ? args.group : args.group === undefined ? [] : [args.group]).map(String).filter((g) => g !== '');
}

function topicArgs(args: ParsedArgs): string[] {
  return (Array.isArray(args.topic) ? args.topic : args.topic === undefined ? [] : [args.topic]).map(String).filter((t) => t !== '');
}

async function targetGroups(client: KafkaClient, args: ParsedArgs): Promise<string[]> {
  if (args['all-groups'] === true) return (await client.groups.listGroups()).map((g) => g.groupId);
  return groupsOf(args);
}

/** Values of an option with optional comma-separated values (`--state`, `--state stable,empty`). */
function listArg(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === true ? [] : [v];
  return items.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

// ---- --list ------------------------------------------------------------------------------

async function list(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const stateFilter = listArg(args.state);
  for (const s of stateFilter) {
    if (!STATES.some((k) => k.toLowerCase() === s.toLowerCase())) throw new UsageError(`Invalid state '${s}'`, `Valid states: ${STATES.join(', ')}`);
  }
  const typeFilter = listArg(args.type).map((s) => s.toLowerCase());
  for (const ty of typeFilter) if (ty !== 'classic' && ty !== 'consumer') throw new UsageError(`Invalid group type '${ty}'`, 'Valid types: classic, consumer');
  const groups = (await client.groups.listGroups())
    .filter((g) => stateFilter.length === 0 || stateFilter.some((s) => s.toLowerCase() === g.state.toLowerCase()))
    .filter(() => typeFilter.length === 0 || typeFilter.includes('classic'));
  const rows = groups.map((g) => ({ group: g.groupId, type: 'Classic', state: g.state }));
  if (args.json === true) writeJson(io, rows);
  else io.stdout.write(renderGroupList(rows, args.state !== undefined || args.type !== undefined));
  return 0;
}

// ---- --describe --------------------------------------------------------------------------

async function describeStable(client: KafkaClient, group: string, timeoutMs: number): Promise<GroupDescription> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    const d = await client.groups.describeGroup(group);
    if (!d.state.endsWith('Rebalance') || Date.now() >= deadline) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function describe(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const view = args.members ? 'members' : args.state !== undefined ? 'state' : 'offsets';
  const timeoutMs = typeof args.timeout === 'number' ? args.timeout : 5000;
  const json: unknown[] = [];
  let failed = false;
  for (const group of await targetGroups(client, args)) {
    const d = await describeStable(client, group, timeoutMs);
    if (d.state === 'Dead') {
      if (args.json === true) json.push({ group, error: `Consumer group '${group}' does not exist.` });
      else io.stdout.write(`Error: Consumer group '${group}' does not exist.\n`);
      failed = true;
      continue;
    }
    if (args.json !== true) {
      if (d.state.endsWith('Rebalance')) io.stderr.write(`\nWarning: Consumer group '${group}' is rebalancing.\n`);
      else if (d.members.length === 0 && view !== 'state') io.stderr.write(`\nConsumer group '${group}' has no active members.\n`);
    }
    if (view === 'members') {
      const rows: MemberRow[] = d.members.map((m) => ({ group, consumerId: m.memberId, groupInstanceId: m.groupInstanceId, host: m.host, clientId: m.clientId, assignment: m.assignment }));
      if (args.json === true) json.push({ group, state: d.state, members: rows });
      else if (rows.length > 0) io.stdout.write(renderMembers(rows, args.verbose === true));
    } else if (view === 'state') {
      const row: StateRow = { group, coordinator: `${d.coordinator.host}:${d.coordinator.port}  (${d.coordinator.nodeId})`, assignmentStrategy: d.protocol, state: d.state, members: d.members.length };
      if (args.json === true) json.push({ ...row, coordinator: d.coordinator });
      else io.stdout.write(renderState([row]));
    } else {
      const rows = await offsetRows(client, d);
      const lag = totalLag(rows);
      if (args.json === true) json.push({ group, state: d.state, offsets: rows, totalLag: lag.total, lagByTopic: lag.byTopic });
      else if (rows.length > 0) {
        io.stdout.write(renderOffsets(rows, args.verbose === true));
        io.stderr.write(renderTotalLag(group, lag));
      }
    }
  }
  if (args.json === true) writeJson(io, json);
  return failed ? 1 : 0;
}

async function offsetRows(client: KafkaClient, d: GroupDescription): Promise<OffsetRow[]> {
  const committed = await client.groups.fetchOffsets(d.groupId);
  const owner = new Map<string, GroupDescription['members'][number]>();
  for (const m of d.members) for (const tp of m.assignment) owner.set(`${tp.topic}:${tp.partition}`, m);
  const keys = new Map<string, TopicPartition>();
  for (const c of committed) keys.set(`${c.topic}:${c.partition}`, { topic: c.topic, partition: c.partition });
  for (const m of d.members) for (const tp of m.assignment) keys.set(`${tp.topic}:${tp.partition}`, tp);
  const tps = [...keys.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const ends = await endOffsets(client, tps);
  const byKey = new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c]));
  return tps.map((tp) => {
    const key = `${tp.topic}:${tp.partition}`;
    const c = byKey.get(key);
    const end = ends.get(key) ?? null;
    const m = owner.get(key);
    return {
      group: d.groupId,
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: c ? c.offset : null,
      logEndOffset: end,
      lag: c && end !== null ? Math.max(0, end - c.offset) : null,
      leaderEpoch: c ? c.leaderEpoch : null,
      consumerId: m ? m.memberId : null,
      host: m ? m.host : null,
      clientId: m ? m.clientId : null,
    };
  });
}

async function listSpec(client: KafkaClient, tps: readonly TopicPartition[], spec: 'earliest' | 'latest' | { timestampMs: number }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (tps.length === 0) return out;
  const existing = await existingPartitions(client, [...new Set(tps.map((tp) => tp.topic))]);
  const valid = tps.filter((tp) => existing.has(`${tp.topic}:${tp.partition}`));
  if (valid.length === 0) return out;
  for (const r of await client.admin.listOffsets(valid.map((tp) => ({ ...tp, spec })))) out.set(`${r.topic}:${r.partition}`, r.offset);
  return out;
}

const endOffsets = (client: KafkaClient, tps: readonly TopicPartition[]) => listSpec(client, tps, 'latest');

async function existingPartitions(client: KafkaClient, topics: readonly string[]): Promise<Set<string>> {
  const known = new Set(await client.admin.listTopics({ includeInternal: true }));
  const wanted = topics.filter((t) => known.has(t));
  const out = new Set<string>();
  if (wanted.length === 0) return out;
  for (const d of await client.admin.describeTopics(wanted)) for (const p of d.partitions) out.add(`${d.name}:${p.partition}`);
  return out;
}

// ---- --reset-offsets ---------------------------------------------------------------------

async function resetOffsets(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const groups = await targetGroups(client, args);
  const fileRows = typeof args['from-file'] === 'string' ? readResetFile(resolve(io.cwd, args['from-file']), groups) : null;
  const plan: ResetRow[] = [];
  const previous: ResetRow[] = [];
  for (const group of groups) {
    const d = await client.groups.describeGroup(group);
    if (d.state !== 'Empty' && d.state !== 'Dead') {
      throw new KtsError('KTS_GROUP_ACTIVE', `Assignments can only be reset if the group '${group}' is inactive, but the current state is ${d.state}.`, 'Stop the group\'s consumers first');
    }
    const committed = await client.groups.fetchOffsets(group);
    const current = new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c.offset]));
    for (const c of committed) previous.push({ group, topic: c.topic, partition: c.partition, newOffset: c.offset });
    const rows = fileRows
      ? fileRows.filter((r) => r.group === group || r.group === '')
      : await computePlan(client, args, group, await scope(client, args, committed), current);
    for (const r of rows) plan.push({ ...r, group });
  }
  const several = groups.length > 1;
  if (args.export === true) io.stdout.write(renderResetCsv(plan, several));
  else if (args.json === true) writeJson(io, plan);
  else io.stdout.write(renderResetPlan(plan));
  if (args.execute !== true) return 0;
  for (const group of groups) {
    const rows = plan.filter((r) => r.group === group);
    await client.groups.commitOffsets(group, rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })));
  }
  const touched = new Set(plan.map((r) => `${r.group}\0${r.topic}:${r.partition}`));
  const undo = previous.filter((r) => touched.has(`${r.group}\0${r.topic}:${r.partition}`));
  const undoPath = resolve(io.cwd, `kts-reset-undo-${groups.length === 1 ? safeName(groups[0]!) : 'groups'}-${Date.now()}.csv`);
  writeFileSync(undoPath, renderResetCsv(undo, several));
  const fresh = plan.length - undo.length;
  io.stderr.write(`Undo file with the previous offsets: ${undoPath} (kts consumer-groups --reset-offsets ${several ? '--all-groups' : `--group ${groups[0]}`} --from-file ${undoPath} --execute)${fresh > 0 ? `; ${fresh} partition(s) had no committed offset before` : ''}\n`);
  return 0;
}

function safeName(group: string): string {
  return group.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Partitions to reset: --topic t (all partitions) / t:0,1, or --all-topics (what the group committed). */
async function scope(client: KafkaClient, args: ParsedArgs, committed: readonly TopicPartition[]): Promise<TopicPartition[]> {
  if (args['all-topics'] === true) return committed.map((c) => ({ topic: c.topic, partition: c.partition }));
  const out: TopicPartition[] = [];
  for (const spec of topicArgs(args)) {
    const colon = spec.indexOf(':');
    const topic = colon === -1 ? spec : spec.slice(0, colon);
    const existing = await existingPartitions(client, [topic]);
    if (existing.size === 0) throw new KtsError('KTS_UNKNOWN_TOPIC', `Topic '${topic}' does not exist`);
    if (colon === -1) {
      for (const key of existing) out.push({ topic, partition: Number(key.slice(key.lastIndexOf(':') + 1)) });
      continue;
    }
    for (const p of spec.slice(colon + 1).split(',')) {
      if (!/^\d+$/.test(p.trim())) throw new UsageError(`--topic ${spec}: '${p}' is not a partition number`);
      const partition = Number(p.trim());
      if (!existing.has(`${topic}:${partition}`)) throw new KtsError('KTS_UNKNOWN_PARTITION', `Partition ${topic}-${partition} does not exist`);
      out.push({ topic, partition });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

async function computePlan(client: KafkaClient, args: ParsedArgs, group: string, tps: TopicPartition[], current: Map<string, number>): Promise<ResetRow[]> {
  const earliest = await listSpec(client, tps, 'earliest');
  const latest = await listSpec(client, tps, 'latest');
  const clamp = (key: string, n: number) => Math.min(latest.get(key) ?? n, Math.max(earliest.get(key) ?? 0, n));
  let target: (tp: TopicPartition, key: string) => number;
  if (args['to-earliest']) target = (_tp, key) => earliest.get(key)!;
  else if (args['to-latest']) target = (_tp, key) => latest.get(key)!;
  else if (args['to-current']) target = (_tp, key) => current.get(key) ?? latest.get(key)!;
  else if (args['to-offset'] !== undefined) {
    const n = integerArg(args['to-offset'], '--to-offset');
    target = (_tp, key) => clamp(key, n);
  } else if (args['shift-by'] !== undefined) {
    const n = integerArg(args['shift-by'], '--shift-by');
    target = (_tp, key) => clamp(key, (current.get(key) ?? latest.get(key)!) + n);
  } else {
    const timestampMs = args['to-datetime'] !== undefined ? parseDateTime(String(args['to-datetime'])) : Date.now() - parseIsoDuration(String(args['by-duration']));
    const byTime = await listSpec(client, tps, { timestampMs });
    target = (_tp, key) => {
      const o = byTime.get(key);
      return o === undefined || o < 0 ? latest.get(key)! : o;
    };
  }
  return tps.map((tp) => {
    const key = `${tp.topic}:${tp.partition}`;
    return { group, topic: tp.topic, partition: tp.partition, newOffset: target(tp, key) };
  });
}

function integerArg(v: unknown, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} needs an integer, got '${String(v)}'`);
  return n;
}

/** Kafka's --to-datetime: 'YYYY-MM-DDTHH:mm:SS.sss', optionally with a zone; local time without one. */
export function parseDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new UsageError(`--to-datetime: cannot read '${text}'`, "use the format 'YYYY-MM-DDTHH:mm:SS.sss', e.g. 2024-05-01T12:00:00.000");
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (m[8]) return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${String(ms).padStart(3, '0')}${m[8] === 'Z' ? 'Z' : m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms).getTime();
}

/** ISO-8601 duration PnDTnHnMnS (Java's Duration.parse subset) in ms. */
export function parseIsoDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) throw new UsageError(`--by-duration: cannot read '${text}'`, 'use an ISO-8601 duration such as PT1H30M or P1DT12H');
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Math.round(Number(m[4] ?? 0) * 1000);
}

function readResetFile(path: string, groups: readonly string[]): ResetRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KtsError('KTS_FILE', `Cannot read --from-file ${path}: ${(err as Error).message}`);
  }
  const rows: ResetRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const lineText = raw.trim();
    if (lineText === '') return;
    const cells = lineText.split(',').map((c) => c.trim());
    if (cells.length !== 3 && cells.length !== 4) throw new UsageError(`--from-file ${path} line ${i + 1}: expected topic,partition,offset or group,topic,partition,offset`);
    const [group, topic, partition, offset] = cells.length === 4 ? cells : ['', ...cells];
    if (!/^\d+$/.test(partition!) || !/^\d+$/.test(offset!)) throw new UsageError(`--from-file ${path} line ${i + 1}: partition and offset must be numbers`);
    if (group !== '' && !groups.includes(group!)) return;
    rows.push({ group: group!, topic: topic!, partition: Number(partition), newOffset: Number(offset) });
  });
  return rows;
}

// ---- --delete / --delete-offsets ---------------------------------------------------------

async function deleteGroups(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const groups = await targetGroups(client, args);
  const results = await client.groups.deleteGroups(groups);
  const ok = groups.filter((g) => results.get(g) === 0);
  const failed = groups.filter((g) => results.get(g) !== 0);
  if (args.json === true) {
    writeJson(io, groups.map((g) => ({ group: g, error: results.get(g) === 0 ? null : errorName(results.get(g)!) })));
    return failed.length > 0 ? 1 : 0;
  }
  if (ok.length > 0) io.stdout.write(`Deletion of requested consumer groups ('${ok.join("', '")}') was successful.\n`);
  if (failed.length > 0) {
    io.stdout.write('Deletion of some consumer groups failed:\n');
    for (const g of failed) io.stdout.write(`* Group '${g}' could not be deleted due to: ${deleteReason(results.get(g)!, g)}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

function deleteReason(code: number, group: string): string {
  if (errorName(code) === 'GROUP_ID_NOT_FOUND') return `org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.`;
  if (errorName(code) === 'NON_EMPTY_GROUP') return `org.apache.kafka.common.errors.GroupNotEmptyException: The group '${group}' is not empty.`;
  return errorName(code);
}

async function deleteOffsets(client: KafkaClient, args: ParsedArgs, io: CliIo): Promise<number> {
  const group = groupsOf(args)[0]!;
  const tps: TopicPartition[] = [];
  for (const spec of topicArgs(args)) {
    const colon = spec.indexOf(':');
    const topic = colon === -1 ? spec : spec.slice(0, colon);
    if (colon === -1) {
      const committed = await client.groups.fetchOffsets(group);
      const mine = committed.filter((c) => c.topic === topic).map((c) => ({ topic, partition: c.partition }));
      if (mine.length > 0) tps.push(...mine);
      else for (const key of await existingPartitions(client, [topic])) tps.push({ topic, partition: Number(key.slice(key.lastIndexOf(':') + 1)) });
    } else {
      for (const p of spec.slice(colon + 1).split(',')) tps.push({ topic, partition: integerArg(p.trim(), '--topic') });
    }
  }
  const r = await client.groups.deleteOffsets(group, tps);
  if (r.errorCode !== 0) {
    const name = errorName(r.errorCode);
    if (args.json === true) writeJson(io, { group, error: name });
    else io.stdout.write(name === 'GROUP_ID_NOT_FOUND' ? `Error: Consumer group '${group}' does not exist.\n` : `Error: Encounter some unknown error: ${name}\n`);
    return 1;
  }
  const rows: DeleteOffsetRow[] = r.partitions.map((p) => ({ topic: p.topic, partition: p.partition, error: p.errorCode === 0 ? null : errorName(p.errorCode) }));
  if (args.json === true) {
    writeJson(io, { group, partitions: rows });
  } else {
    const failed = rows.some((x) => x.error !== null);
    const topics = [...new Set(tps.map((tp) => tp.topic))].join(', ');
    io.stdout.write(failed ? `Request failed for deleting offsets with topic ${topics} group ${group}\n` : `Request succeed for deleting offsets with topic ${topics} group ${group}\n`);
    io.stdout.write(renderDeleteOffsets(rows));
  }
  return rows.some((x) => x.error !== null) ? 1 : 0;
}
