/**
 * Partition leadership changes (Kafka's PartitionStateMachine and the ISR side of the
 * ReplicaStateMachine): creating the state znodes of new partitions, electing leaders under
 * each strategy and removing replicas from ISRs. Every change re-reads the state znodes,
 * refuses to overwrite a newer controller's write, bumps the leader epoch, writes with
 * compare-and-set under the controller-epoch fence, then adds LeaderAndIsr (and with it
 * UpdateMetadata) to the batch.
 */
import { ErrorCode } from '../protocol/errors.js';
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  type ElectionResult,
} from './election.js';
import { ControllerMovedError, type ControllerEnv } from './env.js';
import { tpKey, type CasResult, type LeaderIsrState, type TopicPartition, type ZkPartitionState } from './zk-port.js';

export type ElectionStrategy =
  | { kind: 'offline'; allowUnclean?: boolean }
  | { kind: 'reassign' }
  | { kind: 'preferred' }
  | { kind: 'controlled-shutdown' };

export interface ElectionOutcome {
  errorCode: number;
  message: string | null;
  state?: ZkPartitionState;
}

const MAX_CAS_ROUNDS = 5;

export class PartitionStateMachine {
  constructor(private readonly env: ControllerEnv) {}

  /**
   * New partitions go online: leader = first live replica, ISR = the live replicas, epoch 0;
   * the state znode is created, then LeaderAndIsr (is_new) goes to the live replicas.
   */
  async initializeNewPartitions(partitions: readonly TopicPartition[]): Promise<void> {
    const { context, zk, log, batch } = this.env;
    const toCreate = new Map<string, LeaderIsrState>();
    const byKey = new Map<string, TopicPartition>();
    for (const tp of partitions) {
      const live = context.replicas(tp).filter((b) => context.isReplicaOnlineFor(tp, b));
      if (live.length === 0) {
        log.error(`Controller ${this.env.brokerId}: no live replica for new partition ${tp.topic}-${tp.partition} (replicas ${context.replicas(tp).join(',')}); it stays without leader until one starts`);
        continue;
      }
      const key = tpKey(tp.topic, tp.partition);
      toCreate.set(key, { leader: live[0]!, leaderEpoch: 0, isr: live, controllerEpoch: context.epoch });
      byKey.set(key, tp);
    }
    if (toCreate.size === 0) return;
    const results = await zk.createPartitionStates(toCreate, this.env.fence());
    const existing: TopicPartition[] = [];
    for (const [key, result] of results) {
      const tp = byKey.get(key)!;
      if (!result.ok) {
        if (result.reason === 'fenced') throw new ControllerMovedError(`creating the state of ${key}`);
        existing.push(tp);
        continue;
      }
      const state = { ...toCreate.get(key)!, zkVersion: result.zkVersion };
      context.setLeaderIsr(tp, state);
      log.info(`Controller ${this.env.brokerId}: new partition ${key} online with leader ${state.leader}, isr ${state.isr.join(',')}`);
      batch.addLeaderAndIsr(state.isr, tp, state, context.replicas(tp), true);
    }
    if (existing.length > 0) {
      // A state znode already there (an earlier controller got this far): adopt it.
      const states = await zk.getPartitionStates(existing);
      for (const tp of existing) {
        const s = states.get(tpKey(tp.topic, tp.partition));
        if (s) context.setLeaderIsr(tp, s);
      }
      await this.triggerOnlinePartitionStateChange(existing);
    }
  }

  /**
   * Elects leaders for partitions that have none or whose leader is offline (skipping
   * topics queued for deletion), and creates the state of partitions that have none.
   */
  async triggerOnlinePartitionStateChange(partitions?: readonly TopicPartition[]): Promise<void> {
    const { context } = this.env;
    const candidates = (partitions ?? context.allPartitions()).filter((tp) => !context.isTopicQueuedForDeletion(tp.topic));
    const fresh = candidates.filter((tp) => !context.leaderIsr(tp));
    const offline = candidates.filter((tp) => {
      const s = context.leaderIsr(tp);
      return s !== undefined && !context.isReplicaOnlineFor(tp, s.leader);
    });
    if (fresh.length > 0) await this.initializeNewPartitions(fresh);
    if (offline.length > 0) await this.electLeaders(offline, { kind: 'offline' });
  }

  /** Elects a leader for each partition under `strategy`; the outcome per partition key. */
  async electLeaders(partitions: readonly TopicPartition[], strategy: ElectionStrategy): Promise<Map<string, ElectionOutcome>> {
    const outcomes = new Map<string, ElectionOutcome>();
    let pending = [...partitions];
    for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
      pending = await this.electRound(pending, strategy, outcomes);
    }
    for (const tp of pending) {
      outcomes.set(tpKey(tp.topic, tp.partition), { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: `the state of ${tp.topic}-${tp.partition} kept changing under the controller; try again` });
    }
    return outcomes;
  }

  /** One read-elect-write round; returns the partitions to retry (their znode moved meanwhile). */
  private async electRound(partitions: TopicPartition[], strategy: ElectionStrategy, outcomes: Map<string, ElectionOutcome>): Promise<TopicPartition[]> {
    const { context, zk, log } = this.env;
    const current = await zk.getPartitionStates(partitions);
    const updates = new Map<string, ZkPartitionState>();
    const byKey = new Map<string, TopicPartition>();
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      const state = current.get(key);
      if (!state) {
        outcomes.set(key, { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `${key} has no state in ZooKeeper` });
        continue;
      }
      if (state.controllerEpoch > context.epoch) {
        throw new ControllerMovedError(`${key} was written by controller epoch ${state.controllerEpoch}, newer than ours (${context.epoch})`);
      }
      context.setLeaderIsr(tp, state);
      const elected = await this.elect(tp, state, strategy);
      if (!elected) {
        outcomes.set(key, this.noLeaderOutcome(tp, strategy));
        continue;
      }
      if (elected.unclean) log.warn(`Controller ${this.env.brokerId}: unclean leader election for ${key}: leader ${elected.leader} was not in the ISR (${state.isr.join(',')}); records may be lost`);
      updates.set(key, { leader: elected.leader, isr: elected.isr, leaderEpoch: state.leaderEpoch + 1, controllerEpoch: context.epoch, zkVersion: state.zkVersion });
      byKey.set(key, tp);
    }
    const results = updates.size > 0 ? await zk.updatePartitionStates(updates, this.env.fence()) : new Map<string, CasResult>();
    const retry: TopicPartition[] = [];
    for (const [key, result] of results) {
      const tp = byKey.get(key)!;
      if (!result.ok) {
        if (result.reason === 'fenced') throw new ControllerMovedError(`electing a leader for ${key}`);
        if (result.reason === 'bad-version') retry.push(tp);
        else outcomes.set(key, { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `${key} has no state in ZooKeeper` });
        continue;
      }
      const state = { ...updates.get(key)!, zkVersion: result.zkVersion };
      context.setLeaderIsr(tp, state);
      log.info(`Controller ${this.env.brokerId}: ${strategy.kind} election for ${key}: leader ${state.leader}, epoch ${state.leaderEpoch}, isr ${state.isr.join(',')}`);
      this.env.batch.addLeaderAndIsr(this.recipients(tp, strategy), tp, state, context.replicas(tp));
      outcomes.set(key, { errorCode: ErrorCode.NONE, message: null, state });
    }
    return retry;
  }

  private async elect(tp: TopicPartition, state: ZkPartitionState, strategy: ElectionStrategy): Promise<ElectionResult | null> {
    const { context } = this.env;
    const assignment = context.replicas(tp);
    const online = (b: number): boolean => context.isReplicaOnlineFor(tp, b);
    switch (strategy.kind) {
      case 'offline': {
        const clean = offlinePartitionLeaderElection(assignment, state.isr, online, false);
        if (clean) return clean;
        const unclean = strategy.allowUnclean || (await this.uncleanLeaderElectionEnabled(tp.topic));
        return unclean ? offlinePartitionLeaderElection(assignment, state.isr, online, true) : null;
      }
      case 'reassign': {
        const target = context.reassignments.get(tpKey(tp.topic, tp.partition))?.target ?? assignment;
        return reassignPartitionLeaderElection(target, state.isr, online);
      }
      case 'preferred':
        return preferredReplicaPartitionLeaderElection(assignment, state.isr, online);
      case 'controlled-shutdown':
        return controlledShutdownPartitionLeaderElection(assignment, state.isr, (b) => context.isReplicaOnlineFor(tp, b, true), context.shuttingDownBrokerIds);
    }
  }

  private noLeaderOutcome(tp: TopicPartition, strategy: ElectionStrategy): ElectionOutcome {
    const key = tpKey(tp.topic, tp.partition);
    if (strategy.kind === 'preferred') {
      return { errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: `Failed to elect leader for partition ${key} under strategy PreferredReplicaPartitionLeaderElectionStrategy: the preferred replica is not live or not in the ISR` };
    }
    if (strategy.kind === 'offline') {
      this.env.log.error(`Controller ${this.env.brokerId}: no live replica in the ISR of ${key} and unclean leader election is disabled; the partition stays offline`);
    }
    return { errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: `Failed to elect leader for partition ${key} under strategy ${strategy.kind}: no eligible replica is live` };
  }

  /** Who gets the LeaderAndIsr of an election. */
  private recipients(tp: TopicPartition, strategy: ElectionStrategy): number[] {
    const { context } = this.env;
    if (strategy.kind === 'reassign') {
      const target = context.reassignments.get(tpKey(tp.topic, tp.partition))?.target ?? context.replicas(tp);
      return target.filter((b) => context.isReplicaOnline(b, true));
    }
    const includeShuttingDown = strategy.kind === 'controlled-shutdown';
    return context.replicas(tp).filter((b) => context.isReplicaOnline(b, includeShuttingDown));
  }

  private async uncleanLeaderElectionEnabled(topic: string): Promise<boolean> {
    const topicConfig = await this.env.zk.getTopicConfig(topic);
    const value = topicConfig['unclean.leader.election.enable'];
    return value === undefined ? this.env.config.uncleanLeaderElectionEnable : value.trim().toLowerCase() === 'true';
  }

  /**
   * Removes `brokerId` from the ISR of each partition (leader := -1 when it led; an ISR of
   * just it is kept, as Kafka does), bumps the epoch, and sends LeaderAndIsr to the other
   * live replicas.
   */
  async removeReplicaFromIsr(partitions: readonly TopicPartition[], brokerId: number): Promise<void> {
    const { context, zk, log } = this.env;
    let pending = [...partitions];
    for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
      const current = await zk.getPartitionStates(pending);
      const updates = new Map<string, ZkPartitionState>();
      const byKey = new Map<string, TopicPartition>();
      for (const tp of pending) {
        const key = tpKey(tp.topic, tp.partition);
        const s = current.get(key);
        if (!s || (!s.isr.includes(brokerId) && s.leader !== brokerId)) continue;
        if (s.controllerEpoch > context.epoch) throw new ControllerMovedError(`${key} was written by a newer controller`);
        const isr = s.isr.length === 1 && s.isr[0] === brokerId ? s.isr : s.isr.filter((b) => b !== brokerId);
        const leader = s.leader === brokerId ? -1 : s.leader;
        updates.set(key, { leader, isr, leaderEpoch: s.leaderEpoch + 1, controllerEpoch: context.epoch, zkVersion: s.zkVersion });
        byKey.set(key, tp);
      }
      const results = updates.size > 0 ? await zk.updatePartitionStates(updates, this.env.fence()) : new Map<string, CasResult>();
      pending = [];
      for (const [key, result] of results) {
        const tp = byKey.get(key)!;
        if (!result.ok) {
          if (result.reason === 'fenced') throw new ControllerMovedError(`removing broker ${brokerId} from the ISR of ${key}`);
          if (result.reason === 'bad-version') pending.push(tp);
          continue;
        }
        const state = { ...updates.get(key)!, zkVersion: result.zkVersion };
        context.setLeaderIsr(tp, state);
        log.info(`Controller ${this.env.brokerId}: removed broker ${brokerId} from the ISR of ${key}: leader ${state.leader}, isr ${state.isr.join(',')}, epoch ${state.leaderEpoch}`);
        const others = context.replicas(tp).filter((b) => b !== brokerId && context.isReplicaOnline(b, true));
        this.env.batch.addLeaderAndIsr(others, tp, state, context.replicas(tp));
      }
    }
  }

  /** Bumps the leader epoch without changing leader or ISR (reassignment), LeaderAndIsr to `recipients`. */
  async bumpLeaderEpoch(tp: TopicPartition, recipients: readonly number[], replicas: number[], newReplicas: ReadonlySet<number> = new Set()): Promise<boolean> {
    const { context, zk } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const s = (await zk.getPartitionStates([tp])).get(key);
      if (!s) return false;
      if (s.controllerEpoch > context.epoch) throw new ControllerMovedError(`${key} was written by a newer controller`);
      const next = { ...s, leaderEpoch: s.leaderEpoch + 1, controllerEpoch: context.epoch };
      const result = (await zk.updatePartitionStates(new Map([[key, next]]), this.env.fence())).get(key);
      if (!result) return false;
      if (!result.ok) {
        if (result.reason === 'fenced') throw new ControllerMovedError(`bumping the leader epoch of ${key}`);
        if (result.reason === 'no-node') return false;
        continue;
      }
      const state = { ...next, zkVersion: result.zkVersion };
      context.setLeaderIsr(tp, state);
      const live = recipients.filter((b) => context.isReplicaOnline(b, true));
      this.env.batch.addLeaderAndIsr(live.filter((b) => !newReplicas.has(b)), tp, state, replicas);
      this.env.batch.addLeaderAndIsr(live.filter((b) => newReplicas.has(b)), tp, state, replicas, true);
      return true;
    }
    return false;
  }
}
