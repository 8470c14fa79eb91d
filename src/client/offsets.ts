/**
 * ListOffsets for the consumer and admin: groups queries by partition leader, sends one
 * request per leader, and turns per-partition error codes into KafkaErrors.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { ApiKey } from '../protocol/apis.js';
import type { Cluster } from './cluster.js';
import type { IsolationLevel, ListOffsetsResult, OffsetSpec, TopicPartition } from './types.js';

/** Kafka's special ListOffsets timestamps and the version that introduced each. */
const SPECIAL: Record<string, { timestamp: number; minVersion: number }> = {
  latest: { timestamp: -1, minVersion: 1 },
  earliest: { timestamp: -2, minVersion: 1 },
  'max-timestamp': { timestamp: -3, minVersion: 7 },
  'earliest-local': { timestamp: -4, minVersion: 8 },
  'latest-tiered': { timestamp: -5, minVersion: 9 },
};

const LIST_OFFSETS_MAX_VERSION = 10;

export type OffsetQuery = TopicPartition & { spec: OffsetSpec };

function specTimestamp(spec: OffsetSpec): { timestamp: number; minVersion: number } {
  if (typeof spec === 'object') return { timestamp: spec.timestampMs, minVersion: 1 };
  const s = SPECIAL[spec];
  if (!s) throw new KafkaError(ErrorCode.INVALID_REQUEST, `unknown offset spec ${String(spec)}`);
  return s;
}

/** One result per query, in query order. Throws the first partition error. */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  isolationLevel: IsolationLevel = 'read_uncommitted',
  deadlineMs?: number,
): Promise<ListOffsetsResult[]> {
  // A request may name a partition once: repeated partitions go in later rounds.
  const rounds: OffsetQuery[][] = [];
  const seen = new Map<string, number>();
  for (const q of queries) {
    const key = `${q.topic}:${q.partition}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(q);
  }
  const answers = new Map<OffsetQuery, ListOffsetsResult>();
  for (const round of rounds) {
    const results = await listRound(cluster, round, isolationLevel, deadlineMs);
    round.forEach((q) => answers.set(q, results.get(`${q.topic}:${q.partition}`)!));
  }
  return queries.map((q) => answers.get(q)!);
}

async function listRound(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  isolationLevel: IsolationLevel,
  deadlineMs: number | undefined,
): Promise<Map<string, ListOffsetsResult>> {
  const results = new Map<string, ListOffsetsResult>();
  await cluster.retry(async () => {
    const byLeader = new Map<number, OffsetQuery[]>();
    for (const q of queries) {
      if (results.has(`${q.topic}:${q.partition}`)) continue;
      const leader = await cluster.leaderOf(q.topic, q.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), q]);
    }
    await Promise.all([...byLeader].map(([leader, qs]) => listOnLeader(cluster, leader, qs, isolationLevel, results)));
  }, deadlineMs);
  return results;
}

async function listOnLeader(
  cluster: Cluster,
  leader: number,
  queries: OffsetQuery[],
  isolationLevel: IsolationLevel,
  results: Map<string, ListOffsetsResult>,
): Promise<void> {
  const minVersion = Math.max(...queries.map((q) => specTimestamp(q.spec).minVersion), isolationLevel === 'read_committed' ? 2 : 1);
  const topics = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }[]>();
  for (const q of queries) {
    const list = topics.get(q.topic) ?? [];
    list.push({ partitionIndex: q.partition, currentLeaderEpoch: -1, timestamp: specTimestamp(q.spec).timestamp, maxNumOffsets: 1 });
    topics.set(q.topic, list);
  }
  const conn = await cluster.node(leader);
  const { body } = await conn.call(
    ApiKey.ListOffsets,
    () => ({
      replicaId: -1,
      isolationLevel: isolationLevel === 'read_committed' ? 1 : 0,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      timeoutMs: cluster.options.requestTimeoutMs,
    }),
    { minVersion, maxVersion: LIST_OFFSETS_MAX_VERSION },
  );
  for (const t of body.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        if (p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) cluster.invalidate(t.name);
        throw new KafkaError(p.errorCode, `ListOffsets for ${t.name}-${p.partitionIndex}`);
      }
      results.set(`${t.name}:${p.partitionIndex}`, {
        topic: t.name,
        partition: p.partitionIndex,
        // Both are in every version the client asks for (v1+); -1 is Kafka's default.
        offset: p.offset ?? -1,
        timestampMs: p.timestamp ?? -1,
        leaderEpoch: p.leaderEpoch ?? -1,
      });
    }
  }
  for (const q of queries) {
    if (!results.has(`${q.topic}:${q.partition}`)) {
      throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no ListOffsets answer for ${q.topic}-${q.partition}`);
    }
  }
}
