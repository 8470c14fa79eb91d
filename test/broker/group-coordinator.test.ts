// The group coordinator through broker.handleFrame with a controlled clock: the
// MEMBER_ID_REQUIRED round trip, rebalances with two members, generations and error codes,
// session timeouts, static membership and fencing, the initial rebalance delay, offsets
// (simple commits, v8 multi-group fetch, OffsetDelete, DeleteGroups), offsets and groups
// replayed after a restart, offset expiry, and dump-log reading __consumer_offsets.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join as pathJoin } from 'node:path';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { groupCoordinatorOf } from '../../src/broker/group/coordinator.js';
import { offsetsPartitionFor } from '../../src/protocol/internal/consumer-offsets.js';
import type { JoinGroupResponse } from '../../src/protocol/messages/11-join-group.js';
import type { SyncGroupResponse } from '../../src/protocol/messages/14-sync-group.js';
import type { HeartbeatResponse } from '../../src/protocol/messages/12-heartbeat.js';
import type { LeaveGroupResponse } from '../../src/protocol/messages/13-leave-group.js';
import type { DescribeGroupsResponse } from '../../src/protocol/messages/15-describe-groups.js';
import type { ListGroupsResponse } from '../../src/protocol/messages/16-list-groups.js';
import type { OffsetCommitResponse } from '../../src/protocol/messages/08-offset-commit.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/09-offset-fetch.js';
import type { FindCoordinatorResponse } from '../../src/protocol/messages/10-find-coordinator.js';
import type { DeleteGroupsResponse } from '../../src/protocol/messages/42-delete-groups.js';
import type { OffsetDeleteResponse } from '../../src/protocol/messages/47-offset-delete.js';
import { runKts } from '../helpers/run-kts.js';
import { tempDir } from './helpers.js';

let correlation = 0;
async function call<T>(broker: Broker, apiKey: number, version: number, body: unknown): Promise<T> {
  const id = ++correlation;
  const frame = encodeRequest(apiKey, version, id, 'group-test', body).subarray(4);
  const chunks = await broker.handleFrame(frame);
  if (!chunks) throw new Error('no response');
  return decodeResponse(apiKey, version, Buffer.concat(chunks).subarray(4)).body as T;
}

interface Clock {
  now: number;
}

async function groupBroker(t: { teardown(fn: () => unknown): void }, clock: Clock, dir?: string, extra: string[] = []): Promise<{ broker: Broker; dir: string }> {
  const dataDir = dir ?? (await tempDir(t));
  const overrides = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=4', 'num.partitions=2', ...extra];
  const config = buildBrokerConfig({ dataDir, env: {}, overrides });
  const broker = await startBroker(config, { listen: false, log: memoryLogger(), nowMs: () => clock.now });
  t.teardown(() => broker.stop());
  await call(broker, 19, 5, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  return { broker, dir: dataDir };
}

const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }];

function join(broker: Broker, memberId: string, opts: { version?: number; instance?: string | null; group?: string; sessionMs?: number } = {}) {
  return call<JoinGroupResponse>(broker, 11, opts.version ?? 7, {
    groupId: opts.group ?? 'g',
    sessionTimeoutMs: opts.sessionMs ?? 2000,
    rebalanceTimeoutMs: 3000,
    memberId,
    groupInstanceId: opts.instance ?? null,
    protocolType: 'consumer',
    protocols,
    reason: null,
  });
}
const sync = (broker: Broker, generationId: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[] = [], instance: string | null = null) =>
  call<SyncGroupResponse>(broker, 14, 5, { groupId: 'g', generationId, memberId, groupInstanceId: instance, protocolType: 'consumer', protocolName: 'range', assignments });
const heartbeat = (broker: Broker, generationId: number, memberId: string, instance: string | null = null) =>
  call<HeartbeatResponse>(broker, 12, 4, { groupId: 'g', generationId, memberId, groupInstanceId: instance });
const describe = async (broker: Broker, group = 'g') => (await call<DescribeGroupsResponse>(broker, 15, 5, { groups: [group], includeAuthorizedOperations: false })).groups[0]!;

/** Waits (bounded) until the group reaches `state`: a request sent without await may still be on its way in. */
async function untilState(broker: Broker, state: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const d = await describe(broker);
    if (d.groupState === state) return state;
    await new Promise((r) => setTimeout(r, 10));
  }
  return (await describe(broker)).groupState;
}

async function joinNew(broker: Broker): Promise<JoinGroupResponse> {
  const first = await join(broker, '');
  return join(broker, first.memberId);
}

t.test('FindCoordinator: this node for groups, batched keys in v4, transactions here too', async (t) => {
  const { broker } = await groupBroker(t, { now: 1_000_000 });
  const v3 = await call<FindCoordinatorResponse>(broker, 10, 3, { key: 'g', keyType: 0 });
  t.equal(v3.errorCode, 0);
  t.equal(v3.nodeId, broker.nodeId);
  const v4 = await call<FindCoordinatorResponse>(broker, 10, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  t.same(v4.coordinators!.map((c) => [c.key, c.errorCode, c.nodeId]), [['a', 0, broker.nodeId], ['b', 0, broker.nodeId]]);
  const txn = await call<FindCoordinatorResponse>(broker, 10, 4, { keyType: 1, coordinatorKeys: ['tx'] });
  t.same([txn.coordinators![0]!.errorCode, txn.coordinators![0]!.nodeId], [ErrorCode.NONE, broker.nodeId], 'transaction coordinator: this node');
  t.equal(broker.context.metadata.topic('__consumer_offsets')!.partitions.length, 4, '__consumer_offsets created with offsets.topic.num.partitions');
});

t.test('JoinGroup v4+: MEMBER_ID_REQUIRED round trip, then leader of generation 1', async (t) => {
  const { broker } = await groupBroker(t, { now: 1_000_000 });
  const first = await join(broker, '');
  t.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.match(first.memberId, /^group-test-/);
  const second = await join(broker, first.memberId);
  t.equal(second.errorCode, 0);
  t.equal(second.generationId, 1);
  t.equal(second.leader, first.memberId);
  t.equal(second.protocolName, 'range');
  t.same(second.members.map((m) => m.memberId), [first.memberId]);
  t.equal((await join(broker, 'made-up')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const v3 = await join(broker, '', { version: 3, group: 'old' });
  t.equal(v3.errorCode, 0, 'v3 joins without the round trip');
  const bad = await call<JoinGroupResponse>(broker, 11, 7, { groupId: 'g', sessionTimeoutMs: 10, rebalanceTimeoutMs: 10, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols, reason: null });
  t.equal(bad.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  const other = await call<JoinGroupResponse>(broker, 11, 7, { groupId: 'g', sessionTimeoutMs: 2000, rebalanceTimeoutMs: 2000, memberId: '', groupInstanceId: null, protocolType: 'connect', protocols, reason: null });
  t.equal(other.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
});

t.test('a second member triggers a rebalance; sync hands out the leader assignment', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker } = await groupBroker(t, clock);
  const a = await joinNew(broker);
  t.equal((await sync(broker, 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('all') }])).assignment.toString(), 'all');
  t.equal((await describe(broker)).groupState, 'Stable');

  const bFirst = await join(broker, '');
  const bJoin = join(broker, bFirst.memberId);
  t.equal(await untilState(broker, 'PreparingRebalance'), 'PreparingRebalance');
  t.equal((await heartbeat(broker, 1, a.memberId)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'the old member is told to rejoin');
  const aJoin = await join(broker, a.memberId);
  const b = await bJoin;
  t.equal(aJoin.generationId, 2);
  t.equal(b.generationId, 2);
  t.equal(aJoin.leader, a.memberId, 'the leader stays');
  t.equal(aJoin.members.length, 2, 'the leader gets every member');
  t.equal(b.members.length, 0, 'followers get none');
  t.equal((await heartbeat(broker, 1, a.memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.equal((await heartbeat(broker, 2, 'nobody')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

  const bSync = sync(broker, 2, b.memberId);
  const aSync = await sync(broker, 2, a.memberId, [
    { memberId: a.memberId, assignment: Buffer.from('p0') },
    { memberId: b.memberId, assignment: Buffer.from('p1') },
  ]);
  t.equal(aSync.assignment.toString(), 'p0');
  t.equal((await bSync).assignment.toString(), 'p1');
  const d = await describe(broker);
  t.equal(d.groupState, 'Stable');
  t.equal(d.protocolData, 'range');
  t.same(d.members.map((m) => m.memberAssignment.toString()).sort(), ['p0', 'p1']);

  // b stops heartbeating: after its session timeout it is removed and a rebalances alone.
  clock.now += 1500;
  t.equal((await heartbeat(broker, 2, a.memberId)).errorCode, 0);
  clock.now += 1000;
  groupCoordinatorOf(broker.context).runTimers();
  t.equal((await heartbeat(broker, 2, b.memberId)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'expired member is gone');
  t.equal((await heartbeat(broker, 2, a.memberId)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const alone = await join(broker, a.memberId);
  t.equal(alone.generationId, 3);
  t.equal(alone.members.length, 1);

  const leave = await call<LeaveGroupResponse>(broker, 13, 3, { groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }, { memberId: 'x', groupInstanceId: null }] });
  t.same(leave.members!.map((m) => m.errorCode), [0, ErrorCode.UNKNOWN_MEMBER_ID]);
  t.equal((await describe(broker)).groupState, 'Empty');
});

t.test('static membership: no round trip, a restarted instance fences the old member id', async (t) => {
  const { broker } = await groupBroker(t, { now: 1_000_000 });
  const one = await join(broker, '', { instance: 'host-1' });
  t.equal(one.errorCode, 0, 'static members skip MEMBER_ID_REQUIRED');
  t.match(one.memberId, /^host-1-/);
  await sync(broker, one.generationId, one.memberId, [{ memberId: one.memberId, assignment: Buffer.from('mine') }], 'host-1');
  const again = await join(broker, '', { instance: 'host-1' });
  t.equal(again.errorCode, 0);
  t.not(again.memberId, one.memberId);
  t.equal(again.generationId, one.generationId, 'an unchanged static member rejoins without a rebalance');
  t.equal((await sync(broker, again.generationId, again.memberId, [], 'host-1')).assignment.toString(), 'mine', 'keeps its assignment');
  t.equal((await heartbeat(broker, one.generationId, one.memberId, 'host-1')).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  const leave = await call<LeaveGroupResponse>(broker, 13, 4, { groupId: 'g', members: [{ memberId: '', groupInstanceId: 'host-1' }] });
  t.equal(leave.members![0]!.errorCode, 0, 'leaves by instance id');
});

t.test('a stable group survives a broker restart: members keep heartbeating, absent ones expire', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker, dir } = await groupBroker(t, clock);
  const a = await joinNew(broker);
  await sync(broker, 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('p0,p1') }]);
  await broker.stop();
  const { broker: again } = await groupBroker(t, clock, dir);
  t.equal((await heartbeat(again, 1, a.memberId)).errorCode, 0, 'the member carries on without rejoining');
  const d = await describe(again);
  t.equal(d.groupState, 'Stable');
  t.same(d.members.map((m) => [m.memberId, m.memberAssignment.toString()]), [[a.memberId, 'p0,p1']]);
  t.equal((await sync(again, 1, a.memberId)).assignment.toString(), 'p0,p1');
  clock.now += 2500;
  groupCoordinatorOf(again.context).runTimers();
  t.equal((await describe(again)).groupState, 'Empty', 'a member that stops heartbeating expires');
});

t.test('group.initial.rebalance.delay.ms holds the first rebalance', async (t) => {
  const clock = { now: 1_000_000 };
  const { broker } = await groupBroker(t, clock, undefined, ['group.initial.rebalance.delay.ms=500']);
  const pending = join(broker, '', { version: 3 });
  t.equal(await untilState(broker, 'PreparingRebalance'), 'PreparingRebalance');
  groupCoordinatorOf(broker.context).runTimers();
  t.equal((await describe(broker)).groupState, 'PreparingRebalance', 'still waiting before the delay');
  clock.now += 600;
  groupCoordinatorOf(broker.context).runTimers();
  t.equal((await pending).generationId, 1);
});

t.test('offsets: simple commits, fetch (all versions shapes), delete, restart, expiry, dump-log', async (t) => {
  const clock = { now: 1_700_000_000_000 };
  const { broker, dir } = await groupBroker(t, clock);
  const commit = (group: string, offsets: [number, number][], extra: Record<string, unknown> = {}) =>
    call<OffsetCommitResponse>(broker, 8, 8, {
      groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', partitions: offsets.map(([p, o]) => ({ partitionIndex: p, committedOffset: o, committedLeaderEpoch: 0, committedMetadata: `m${o}` })) }],
      ...extra,
    });
  const c = await commit('g', [[0, 5], [1, 7], [9, 1]]);
  t.same(c.topics[0]!.partitions.map((p) => p.errorCode), [0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  await commit('h', [[0, 2]]);

  const v1 = await call<OffsetFetchResponse>(broker, 9, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
  t.same(v1.topics![0]!.partitions.map((p) => [p.committedOffset, p.metadata]), [[5, 'm5'], [7, 'm7']]);
  const all = await call<OffsetFetchResponse>(broker, 9, 7, { groupId: 'h', topics: null, requireStable: true });
  t.same(all.topics!.map((x) => [x.name, x.partitions.map((p) => p.committedOffset)]), [['t', [2]]]);
  const multi = await call<OffsetFetchResponse>(broker, 9, 8, {
    groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [1] }] }, { groupId: 'none', topics: [{ name: 't', partitionIndexes: [0] }] }],
    requireStable: false,
  });
  t.same(multi.groups!.map((g) => [g.groupId, g.topics[0]!.partitions[0]!.committedOffset]), [['g', 7], ['none', -1]]);

  const list = await call<ListGroupsResponse>(broker, 16, 4, { statesFilter: ['empty'] });
  t.same(list.groups.map((g) => g.groupId).sort(), ['g', 'h']);
  const stable = await call<ListGroupsResponse>(broker, 16, 4, { statesFilter: ['Stable'] });
  t.same(stable.groups, []);

  const del = await call<OffsetDeleteResponse>(broker, 47, 0, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] });
  t.equal(del.errorCode, 0);
  t.equal(del.topics[0]!.partitions[0]!.errorCode, 0);
  const dg = await call<DeleteGroupsResponse>(broker, 42, 2, { groupsNames: ['h', 'nope'] });
  t.same(dg.results.map((r) => r.errorCode), [0, ErrorCode.GROUP_ID_NOT_FOUND]);

  // A live member makes simple commits and deletion fail.
  const m = await join(broker, '', { version: 3, group: 'busy' });
  t.equal((await commit('busy', [[0, 1]])).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal((await call<DeleteGroupsResponse>(broker, 42, 2, { groupsNames: ['busy'] })).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP);
  await call(broker, 13, 0, { groupId: 'busy', memberId: m.memberId });

  await broker.stop();
  const { broker: again } = await groupBroker(t, clock, dir);
  const after = await call<OffsetFetchResponse>(again, 9, 6, { groupId: 'g', topics: null, requireStable: false });
  t.same(after.topics!.map((x) => x.partitions.map((p) => [p.partitionIndex, p.committedOffset])), [[[0, 5]]], 'replayed: deleted offset stays deleted');
  const groups = await call<ListGroupsResponse>(again, 16, 3, {});
  t.same(groups.groups.map((g) => g.groupId).sort(), ['busy', 'g'], 'deleted group stays deleted');

  // offsets.retention.minutes (default 7 days) expires offsets of empty groups.
  clock.now += 8 * 24 * 3600_000;
  t.equal(await groupCoordinatorOf(again.context).expireOffsets(clock.now), 1);
  const gone = await call<OffsetFetchResponse>(again, 9, 6, { groupId: 'g', topics: null, requireStable: false });
  t.same(gone.topics, []);

  const partitionDir = pathJoin(dir, `__consumer_offsets-${offsetsPartitionFor('g', 4)}`);
  const logFile = pathJoin(partitionDir, readdirSync(partitionDir).find((f) => f.endsWith('.log'))!);
  const dumped = await runKts(['dump-log', '--files', logFile, '--offsets-decoder']);
  t.equal(dumped.code, 0, dumped.stderr);
  t.match(dumped.stdout, /"group":"g"/, 'dump-log decodes our records');
  t.match(dumped.stdout, /"offset":5/);
});
