/**
 * Partition assignors run by the group leader, under Java's protocol names so kts, Java
 * and librdkafka members can share a group: `range` (consecutive partitions per topic),
 * `roundrobin` (every partition of every topic dealt in turn), `sticky` (balanced, keeps
 * what members own) and `cooperative-sticky` (sticky, but a partition that changes owner
 * is left out for one round so its old owner can revoke it first: incremental rebalance).
 * Members are ordered by group.instance.id when set, else member id, as Java does.
 */
import type { TopicPartition } from '../types.js';

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: readonly string[];
  /** Partitions the member owned in `generation` (subscription v1+). */
  ownedPartitions: readonly TopicPartition[];
  generation: number;
}

/** memberId → assigned partitions. */
export type Assignment = Map<string, TopicPartition[]>;

export interface Assignor {
  name: string;
  /** Members revoke only what they lose (cooperative protocol). */
  cooperative: boolean;
  assign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Assignment;
}

export const ASSIGNOR_NAMES = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;

function sortKey(m: AssignorMember): string {
  return m.groupInstanceId ?? m.memberId;
}

function sortedMembers(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

function emptyAssignment(members: readonly AssignorMember[]): Assignment {
  return new Map(members.map((m) => [m.memberId, [] as TopicPartition[]]));
}

function allPartitions(members: readonly AssignorMember[], counts: ReadonlyMap<string, number>): TopicPartition[] {
  const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => counts.has(t)).sort();
  return topics.flatMap((topic) => Array.from({ length: counts.get(topic)! }, (_, partition) => ({ topic, partition })));
}

export const rangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  assign(members, counts) {
    const result = emptyAssignment(members);
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const count = counts.get(topic);
      if (count === undefined) continue;
      const subscribers = sortedMembers(members.filter((m) => m.topics.includes(topic)));
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0);
        for (let k = 0; k < n; k++) result.get(m.memberId)!.push({ topic, partition: next++ });
      });
    }
    return result;
  },
};

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  assign(members, counts) {
    const result = emptyAssignment(members);
    const ordered = sortedMembers(members);
    let cursor = 0;
    for (const tp of allPartitions(members, counts)) {
      for (let tries = 0; tries < ordered.length; tries++) {
        const m = ordered[cursor % ordered.length]!;
        cursor++;
        if (m.topics.includes(tp.topic)) {
          result.get(m.memberId)!.push(tp);
          break;
        }
      }
    }
    return result;
  },
};

/** Balanced assignment that keeps valid owned partitions (the newest generation wins a dispute). */
function stickyAssign(members: readonly AssignorMember[], counts: ReadonlyMap<string, number>): Assignment {
  const result = emptyAssignment(members);
  const owner = new Map<string, { memberId: string; generation: number }>();
  const valid = (m: AssignorMember, tp: TopicPartition) => m.topics.includes(tp.topic) && tp.partition < (counts.get(tp.topic) ?? 0);
  for (const m of members) {
    for (const tp of m.ownedPartitions) {
      if (!valid(m, tp)) continue;
      const key = `${tp.topic}:${tp.partition}`;
      const current = owner.get(key);
      if (!current || m.generation > current.generation) owner.set(key, { memberId: m.memberId, generation: m.generation });
    }
  }
  const unassigned: TopicPartition[] = [];
  for (const tp of allPartitions(members, counts)) {
    const o = owner.get(`${tp.topic}:${tp.partition}`);
    if (o) result.get(o.memberId)!.push(tp);
    else unassigned.push(tp);
  }
  const eligible = (tp: TopicPartition) => members.filter((m) => m.topics.includes(tp.topic));
  const load = (id: string) => result.get(id)!.length;
  const leastLoaded = (cands: AssignorMember[]) => sortedMembers(cands).reduce((a, b) => (load(b.memberId) < load(a.memberId) ? b : a));
  for (const tp of unassigned) {
    const cands = eligible(tp);
    if (cands.length > 0) result.get(leastLoaded(cands).memberId)!.push(tp);
  }
  // Move partitions from the most to the least loaded eligible member until balanced.
  for (let moved = true, rounds = 0; moved && rounds < 10_000; rounds++) {
    moved = false;
    for (const m of sortedMembers(members)) {
      const mine = result.get(m.memberId)!;
      for (let i = mine.length - 1; i >= 0; i--) {
        const tp = mine[i]!;
        const target = leastLoaded(eligible(tp));
        if (load(target.memberId) + 1 < mine.length) {
          mine.splice(i, 1);
          result.get(target.memberId)!.push(tp);
          moved = true;
          break;
        }
      }
    }
  }
  for (const list of result.values()) list.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return result;
}

export const stickyAssignor: Assignor = { name: 'sticky', cooperative: false, assign: stickyAssign };

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  assign(members, counts) {
    const result = stickyAssign(members, counts);
    // A partition still owned by someone else is held back this round; its owner revokes
    // it and rejoins, and the next rebalance hands it over.
    const ownedBy = new Map<string, string>();
    for (const m of members) for (const tp of m.ownedPartitions) ownedBy.set(`${tp.topic}:${tp.partition}`, m.memberId);
    for (const [memberId, list] of result) {
      result.set(memberId, list.filter((tp) => {
        const o = ownedBy.get(`${tp.topic}:${tp.partition}`);
        return o === undefined || o === memberId || !members.some((m) => m.memberId === o);
      }));
    }
    return result;
  },
};

export function assignorByName(name: string): Assignor | undefined {
  return [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor].find((a) => a.name === name);
}
