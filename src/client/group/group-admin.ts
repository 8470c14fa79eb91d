/**
 * Requests to a group's coordinator: finding it (FindCoordinator, cached per group and
 * forgotten on NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / connection loss), and the
 * admin side of groups that `kts consumer-groups` uses: list, describe (with decoded
 * consumer-protocol assignments), committed offsets, commit (reset), delete groups,
 * delete offsets. Kafka error codes come out as KafkaError.
 */
import { ApiKey } from '../../protocol/apis.js';
import { decodeAssignment, decodeSubscription } from '../../protocol/data.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { BrokerConnection } from '../../net/broker-connection.js';
import { findCoordinator, COORDINATOR_KEY_GROUP, type CoordinatorNode } from '../coordinator.js';
import type { Cluster } from '../cluster.js';
import type { TopicPartition } from '../types.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  /** Decoded from the consumer protocol assignment ("consumer" groups only). */
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor the group chose (Stable groups). */
  protocol: string;
  coordinator: { nodeId: number; host: string; port: number };
  members: GroupMemberDescription[];
}

export interface CommittedOffset extends TopicPartition {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

type Coordinator = CoordinatorNode;

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export class GroupAdmin {
  private readonly coordinators = new Map<string, Coordinator>();

  constructor(readonly cluster: Cluster) {}

  /** The coordinator of `groupId` (FindCoordinator on any broker, cached). */
  async coordinator(groupId: string): Promise<Coordinator> {
    const known = this.coordinators.get(groupId);
    if (known) return known;
    const found = await findCoordinator(this.cluster, COORDINATOR_KEY_GROUP, groupId);
    this.coordinators.set(groupId, found);
    return found;
  }

  forgetCoordinator(groupId: string): void {
    this.coordinators.delete(groupId);
  }

  /** A connection to the group's coordinator. */
  async connection(groupId: string): Promise<BrokerConnection> {
    const c = await this.coordinator(groupId);
    try {
      return await this.cluster.node(c.nodeId);
    } catch (err) {
      this.forgetCoordinator(groupId);
      throw err;
    }
  }

  /** Runs `op` against the coordinator, retrying (with rediscovery) on coordinator errors. */
  async withCoordinator<T>(groupId: string, op: (conn: BrokerConnection) => Promise<T>): Promise<T> {
    return this.cluster.retry(async () => {
      try {
        return await op(await this.connection(groupId));
      } catch (err) {
        if (!(err instanceof KafkaError) || COORDINATOR_ERRORS.has(err.errorCode)) this.forgetCoordinator(groupId);
        throw err;
      }
    });
  }

  async listGroups(states: readonly string[] = []): Promise<GroupListing[]> {
    const seen = new Map<string, GroupListing>();
    const nodes = this.cluster.knownBrokers().length > 0 ? this.cluster.knownBrokers() : (await this.cluster.refreshMetadata([])).brokers;
    for (const node of nodes) {
      const conn = await this.cluster.node(node.nodeId);
      const { body } = await conn.call(
        ApiKey.ListGroups,
        () => ({ statesFilter: [...states], typesFilter: [] }),
        { maxVersion: 4, minVersion: states.length > 0 ? 4 : 0 },
      );
      if (body.errorCode !== ErrorCode.NONE) throw new KafkaError(body.errorCode, 'ListGroups');
      for (const g of body.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? '' });
    }
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.withCoordinator(groupId, async (conn) => {
      const { body } = await conn.call(
        ApiKey.DescribeGroups,
        () => ({ groups: [groupId], includeAuthorizedOperations: false }),
        { maxVersion: 5 },
      );
      const g = body.groups[0]!;
      if (g.errorCode !== ErrorCode.NONE) throw new KafkaError(g.errorCode, `DescribeGroups ${groupId}`);
      const c = await this.coordinator(groupId);
      return {
        groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        coordinator: c,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: g.protocolType === 'consumer' ? assignmentOf(m.memberAssignment) : [],
        })),
      };
    });
  }

  /** Committed offsets of a group; `partitions` undefined = all it has. */
  async fetchOffsets(groupId: string, partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    const topics = partitions ? groupByTopic(partitions).map(([name, ps]) => ({ name, partitionIndexes: ps })) : null;
    return this.withCoordinator(groupId, async (conn) => {
      const { body } = await conn.call(
        ApiKey.OffsetFetch,
        () => ({ groupId, topics, requireStable: true }),
        { maxVersion: 7, minVersion: topics === null ? 2 : 1 },
      );
      if (body.errorCode) throw new KafkaError(body.errorCode, `OffsetFetch ${groupId}`);
      const out: CommittedOffset[] = [];
      // Up to v7 (the most asked for) the topics are at the top level.
      for (const t of body.topics ?? []) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `OffsetFetch ${groupId} ${t.name}-${p.partitionIndex}`);
          if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: p.metadata ?? '' });
        }
      }
      return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    });
  }

  /**
   * Commits offsets. Without `member` it is a simple commit (generation -1), which the
   * coordinator accepts only while the group has no active members.
   */
  async commitOffsets(
    groupId: string,
    offsets: readonly (TopicPartition & { offset: number; metadata?: string; leaderEpoch?: number })[],
    member?: { generationId: number; memberId: string; groupInstanceId: string | null },
  ): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, (typeof offsets)[number][]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    await this.withCoordinator(groupId, async (conn) => {
      const { body } = await conn.call(
        ApiKey.OffsetCommit,
        () => ({
          groupId,
          generationIdOrMemberEpoch: member?.generationId ?? -1,
          memberId: member?.memberId ?? '',
          groupInstanceId: member?.groupInstanceId ?? null,
          retentionTimeMs: -1,
          topics: [...byTopic].map(([name, ps]) => ({
            name,
            partitions: ps.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch ?? -1, commitTimestamp: -1, committedMetadata: p.metadata ?? '' })),
          })),
        }),
        { maxVersion: 8, minVersion: 2 },
      );
      for (const t of body.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `OffsetCommit ${groupId} ${t.name}-${p.partitionIndex}`);
        }
      }
    });
  }

  /** Deletes groups; returns the error code per group (0 = deleted). */
  async deleteGroups(groupIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const groupId of groupIds) {
      const code = await this.withCoordinator(groupId, async (conn) => {
        const { body } = await conn.call(ApiKey.DeleteGroups, () => ({ groupsNames: [groupId] }), { maxVersion: 2 });
        const e = body.results[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (COORDINATOR_ERRORS.has(e)) throw new KafkaError(e, `DeleteGroups ${groupId}`);
        return e;
      });
      result.set(groupId, code);
    }
    return result;
  }

  /** OffsetDelete: top-level error code, and per-partition errors. */
  async deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<{ errorCode: number; partitions: (TopicPartition & { errorCode: number })[] }> {
    return this.withCoordinator(groupId, async (conn) => {
      const { body } = await conn.call(
        ApiKey.OffsetDelete,
        () => ({ groupId, topics: groupByTopic(partitions).map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })) }),
        { maxVersion: 0 },
      );
      if (COORDINATOR_ERRORS.has(body.errorCode)) throw new KafkaError(body.errorCode, `OffsetDelete ${groupId}`);
      return {
        errorCode: body.errorCode,
        partitions: body.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode }))),
      };
    });
  }
}

export function assignmentOf(buf: Buffer): TopicPartition[] {
  if (buf.length === 0) return [];
  try {
    return decodeAssignment(buf).value.assignedPartitions.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
  } catch {
    return [];
  }
}

export function subscriptionTopicsOf(buf: Buffer): string[] {
  try {
    return decodeSubscription(buf).value.topics;
  } catch {
    return [];
  }
}

export function groupByTopic(partitions: readonly TopicPartition[]): [string, number[]][] {
  const m = new Map<string, number[]>();
  for (const tp of partitions) m.set(tp.topic, [...(m.get(tp.topic) ?? []), tp.partition]);
  return [...m];
}
