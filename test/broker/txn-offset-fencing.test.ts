// KIP-447 group fencing of TxnOffsetCommit v3+ with raw requests through a real broker
// (broker.handleFrame, controlled clock): unknown members and groups, stale and future
// generations, static members with another member id, a commit during a rebalance, a
// member expired by its session timeout, and the defaults (and v0-2) that skip the check.
// A refused commit writes nothing: after the transaction commits, OffsetFetch still shows
// the offset of the last accepted commit.
import t from 'tap';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { groupCoordinatorOf } from '../../src/broker/group/coordinator.js';
import type { InitProducerIdResponse } from '../../src/protocol/messages/22-init-producer-id.js';
import type { AddOffsetsToTxnResponse } from '../../src/protocol/messages/25-add-offsets-to-txn.js';
import type { EndTxnResponse } from '../../src/protocol/messages/26-end-txn.js';
import type { TxnOffsetCommitResponse } from '../../src/protocol/messages/28-txn-offset-commit.js';
import type { OffsetFetchResponse } from '../../src/protocol/messages/09-offset-fetch.js';
import type { JoinGroupResponse } from '../../src/protocol/messages/11-join-group.js';
import type { SyncGroupResponse } from '../../src/protocol/messages/14-sync-group.js';
import type { DescribeGroupsResponse } from '../../src/protocol/messages/15-describe-groups.js';
import { tempDir } from './helpers.js';

let correlation = 0;
async function call<T>(broker: Broker, apiKey: number, version: number, body: unknown): Promise<T> {
  const frame = encodeRequest(apiKey, version, ++correlation, 'fencing-test', body).subarray(4);
  const chunks = await broker.handleFrame(frame);
  if (!chunks) throw new Error('no response');
  return decodeResponse(apiKey, version, Buffer.concat(chunks).subarray(4)).body as T;
}

interface Clock {
  now: number;
}

async function fencingBroker(t: { teardown(fn: () => unknown): void }, clock: Clock): Promise<Broker> {
  const overrides = [
    'group.initial.rebalance.delay.ms=0',
    'group.min.session.timeout.ms=1000',
    'offsets.topic.num.partitions=2',
    'transaction.state.log.num.partitions=1',
  ];
  const config = buildBrokerConfig({ dataDir: await tempDir(t), env: {}, overrides });
  const broker = await startBroker(config, { listen: false, log: memoryLogger(), nowMs: () => clock.now });
  t.teardown(() => broker.stop());
  await call(broker, 19, 5, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  return broker;
}

const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }];

function join(broker: Broker, group: string, memberId: string, instance: string | null = null): Promise<JoinGroupResponse> {
  return call<JoinGroupResponse>(broker, 11, 7, {
    groupId: group, sessionTimeoutMs: 2000, rebalanceTimeoutMs: 3000, memberId, groupInstanceId: instance, protocolType: 'consumer', protocols, reason: null,
  });
}

/** A dynamic member (MEMBER_ID_REQUIRED round trip) or a static one joins a group nobody else is in. */
async function joinAlone(broker: Broker, group: string, instance: string | null = null): Promise<JoinGroupResponse> {
  const first = await join(broker, group, '', instance);
  return first.errorCode === ErrorCode.MEMBER_ID_REQUIRED ? join(broker, group, first.memberId, instance) : first;
}

const sync = (broker: Broker, group: string, generationId: number, memberId: string, instance: string | null = null) =>
  call<SyncGroupResponse>(broker, 14, 5, {
    groupId: group, generationId, memberId, groupInstanceId: instance, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment: Buffer.alloc(0) }],
  });

async function state(broker: Broker, group: string): Promise<string> {
  return (await call<DescribeGroupsResponse>(broker, 15, 5, { groups: [group], includeAuthorizedOperations: false })).groups[0]!.groupState;
}

async function untilState(broker: Broker, group: string, wanted: string): Promise<string> {
  for (let i = 0; i < 200 && (await state(broker, group)) !== wanted; i++) await new Promise((r) => setTimeout(r, 10));
  return state(broker, group);
}

interface Membership {
  generationId?: number;
  memberId?: string;
  groupInstanceId?: string | null;
}

/** A transactional producer that commits offsets of partition t-0 for groups. */
async function txnProducer(broker: Broker, transactionalId: string) {
  const init = await call<InitProducerIdResponse>(broker, 22, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  const { producerId, producerEpoch } = init;
  return {
    async addOffsets(group: string): Promise<number> {
      return (await call<AddOffsetsToTxnResponse>(broker, 25, 3, { transactionalId, producerId, producerEpoch, groupId: group })).errorCode;
    },
    async commitOffset(group: string, offset: number, m: Membership, version = 3): Promise<number> {
      const body = {
        transactionalId, groupId: group, producerId, producerEpoch, ...m,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      };
      return (await call<TxnOffsetCommitResponse>(broker, 28, version, body)).topics[0]!.partitions[0]!.errorCode;
    },
    async end(commit: boolean): Promise<number> {
      return (await call<EndTxnResponse>(broker, 26, 3, { transactionalId, producerId, producerEpoch, committed: commit })).errorCode;
    },
  };
}

async function committed(broker: Broker, group: string): Promise<number> {
  const r = await call<OffsetFetchResponse>(broker, 9, 7, { groupId: group, topics: [{ name: 't', partitionIndexes: [0] }], requireStable: true });
  return r.topics![0]!.partitions[0]!.committedOffset;
}

t.test('a current member of the current generation commits; unknown members and other generations are refused', async (t) => {
  const clock = { now: 1_000_000 };
  const broker = await fencingBroker(t, clock);
  const a = await joinAlone(broker, 'g');
  t.equal(a.generationId, 1);
  t.equal((await sync(broker, 'g', 1, a.memberId)).errorCode, ErrorCode.NONE);
  const p = await txnProducer(broker, 'tx');
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);

  t.equal(await p.commitOffset('g', 10, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE, 'the member and generation of the group');
  t.equal(await p.commitOffset('g', 11, { generationId: 1, memberId: 'zombie', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID, 'a member id the group does not have');
  t.equal(await p.commitOffset('g', 12, { generationId: 0, memberId: a.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'an older generation');
  t.equal(await p.commitOffset('g', 13, { generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'a generation the group has not reached');
  t.equal(await p.commitOffset('g', 14, { generationId: -1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'a member id without its generation');
  t.equal(await p.commitOffset('g', 15, { generationId: 1, memberId: '', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID, 'a generation without a member id');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 10, 'only the accepted commit is applied');

  t.equal(await p.addOffsets('g'), ErrorCode.NONE);
  t.equal(await p.commitOffset('g', 20, { generationId: -1, memberId: '', groupInstanceId: null }), ErrorCode.NONE, 'the v3 defaults: no check, even in a group with members');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 20);
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);
  t.equal(await p.commitOffset('g', 21, {}, 2), ErrorCode.NONE, 'v2 carries no membership: no check');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 21);
});

t.test('groups the coordinator does not know, and Empty groups', async (t) => {
  const clock = { now: 1_000_000 };
  const broker = await fencingBroker(t, clock);
  const p = await txnProducer(broker, 'tx');
  t.equal(await p.addOffsets('nobody'), ErrorCode.NONE);
  t.equal(await p.commitOffset('nobody', 5, { generationId: 3, memberId: 'm', groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'no such group: a generation cannot be current');
  t.equal(await p.commitOffset('nobody', 6, { generationId: -1, memberId: 'm', groupInstanceId: null }), ErrorCode.NONE, 'no generation: a simple commit, accepted as by Kafka');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'nobody'), 6);

  // A member joins then leaves: the group is Empty at generation 2.
  const a = await joinAlone(broker, 'g');
  t.equal((await sync(broker, 'g', 1, a.memberId)).errorCode, ErrorCode.NONE);
  await call(broker, 13, 3, { groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
  t.equal(await state(broker, 'g'), 'Empty');
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);
  t.equal(await p.commitOffset('g', 7, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID, 'the member left');
  t.equal(await p.commitOffset('g', 8, { generationId: 2, memberId: '', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID, 'an Empty group has no member to commit with a generation');
  t.equal(await p.commitOffset('g', 9, { generationId: -1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE, 'Empty group, no generation: accepted');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 9);
});

t.test('static members: another member id for the instance is fenced, an unknown instance is unknown', async (t) => {
  const clock = { now: 1_000_000 };
  const broker = await fencingBroker(t, clock);
  const s = await joinAlone(broker, 'g', 'instance-1');
  t.equal(s.errorCode, ErrorCode.NONE);
  t.equal((await sync(broker, 'g', s.generationId, s.memberId, 'instance-1')).errorCode, ErrorCode.NONE);
  const p = await txnProducer(broker, 'tx');
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);
  const gen = s.generationId;
  t.equal(await p.commitOffset('g', 1, { generationId: gen, memberId: 'old-id', groupInstanceId: 'instance-1' }), ErrorCode.FENCED_INSTANCE_ID, 'an older incarnation of the static member');
  t.equal(await p.commitOffset('g', 2, { generationId: gen, memberId: s.memberId, groupInstanceId: 'instance-2' }), ErrorCode.UNKNOWN_MEMBER_ID, 'an instance id the group does not have');
  t.equal(await p.commitOffset('g', 3, { generationId: gen, memberId: s.memberId, groupInstanceId: 'instance-1' }), ErrorCode.NONE, 'the current incarnation');

  // The instance rejoins with a new member id (a restart): the previous id is fenced from now on.
  const again = await join(broker, 'g', '', 'instance-1');
  t.equal(again.errorCode, ErrorCode.NONE);
  t.not(again.memberId, s.memberId);
  t.equal(await p.commitOffset('g', 4, { generationId: gen, memberId: s.memberId, groupInstanceId: 'instance-1' }), ErrorCode.FENCED_INSTANCE_ID, 'the replaced member id');
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 3);
});

t.test('a rebalance moves the generation on: the old one is fenced, the new one commits before the sync', async (t) => {
  const clock = { now: 1_000_000 };
  const broker = await fencingBroker(t, clock);
  const a = await joinAlone(broker, 'g');
  t.equal((await sync(broker, 'g', 1, a.memberId)).errorCode, ErrorCode.NONE);
  const p = await txnProducer(broker, 'tx');
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);

  const bFirst = await join(broker, 'g', '');
  const bJoin = join(broker, 'g', bFirst.memberId);
  t.equal(await untilState(broker, 'g', 'PreparingRebalance'), 'PreparingRebalance');
  t.equal(await p.commitOffset('g', 1, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE, 'PreparingRebalance: generation 1 is still current');
  t.equal(await p.commitOffset('g', 2, { generationId: 2, memberId: bFirst.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'generation 2 is not there before the join phase ends');

  const aJoin = await join(broker, 'g', a.memberId);
  const b = await bJoin;
  t.same([aJoin.generationId, b.generationId], [2, 2]);
  t.equal(await state(broker, 'g'), 'CompletingRebalance');
  t.equal(await p.commitOffset('g', 3, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION, 'a zombie of generation 1');
  t.equal(
    await p.commitOffset('g', 4, { generationId: 2, memberId: b.memberId, groupInstanceId: null }),
    ErrorCode.NONE,
    'CompletingRebalance: accepted for a transactional commit (Kafka returns no REBALANCE_IN_PROGRESS here)',
  );
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 4);
});

t.test('a member removed after its session timeout can no longer commit', async (t) => {
  const clock = { now: 1_000_000 };
  const broker = await fencingBroker(t, clock);
  const a = await joinAlone(broker, 'g');
  t.equal((await sync(broker, 'g', 1, a.memberId)).errorCode, ErrorCode.NONE);
  const p = await txnProducer(broker, 'tx');
  t.equal(await p.addOffsets('g'), ErrorCode.NONE);
  t.equal(await p.commitOffset('g', 1, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE);
  clock.now += 2500;
  groupCoordinatorOf(broker.context).runTimers();
  t.equal(await state(broker, 'g'), 'Empty', 'the only member expired');
  t.equal(await p.commitOffset('g', 2, { generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(await p.end(true), ErrorCode.NONE);
  t.equal(await committed(broker, 'g'), 1, 'the commit made while it was a member stands');
});
