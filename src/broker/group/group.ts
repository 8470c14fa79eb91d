/**
 * One classic consumer group as the coordinator holds it: state, generation, protocol,
 * leader, members (dynamic and static), members that were told MEMBER_ID_REQUIRED and
 * may come back, committed offsets, and the pending JoinGroup/SyncGroup responses of the
 * rebalance in progress. The state machine itself lives in coordinator.ts.
 */
import type { CommittedOffset } from './store.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  assignment: Buffer;
  lastHeartbeatMs: number;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
  /** Joined in the rebalance in progress (Kafka's isNew: expires faster if it never syncs). */
  isNew: boolean;
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with the time they lapse. */
  readonly pendingMembers = new Map<string, number>();
  /** group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>();
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** When the join phase (PreparingRebalance) or sync phase (CompletingRebalance) gives up waiting. */
  deadlineMs = 0;
  /** Initial delayed join: the rebalance may be extended until this time. */
  initialDelayEndMs = 0;
  currentStateTimestampMs: number;

  constructor(
    readonly groupId: string,
    nowMs: number,
  ) {
    this.currentStateTimestampMs = nowMs;
  }

  transition(state: GroupState, nowMs: number): void {
    this.state = state;
    this.currentStateTimestampMs = nowMs;
  }

  /** The protocol every member supports that most members list first (Kafka's vote). */
  selectProtocol(): string | null {
    const members = [...this.members.values()];
    if (members.length === 0) return null;
    const candidates = members[0]!.protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** True when some protocol is supported by every member and by `protocols`. */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  metadataFor(member: Member, protocol: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Topics the members subscribed to, for "consumer" groups (OffsetDelete refuses those). */
  subscribedTopics(decode: (metadata: Buffer) => string[]): Set<string> | null {
    if (this.protocolType !== 'consumer' || !this.protocolName) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      try {
        for (const t of decode(this.metadataFor(m, this.protocolName))) topics.add(t);
      } catch {
        return null;
      }
    }
    return topics;
  }

  allAwaitingJoin(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }
}
