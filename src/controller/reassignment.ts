/**
 * Partition reassignment (Kafka's onPartitionReassignment, zk-cluster.md 2.3) for both
 * triggers: the /admin/reassign_partitions znode (Kafka 1.1's tool, `kts reassign
 * --zookeeper`) and AlterPartitionReassignments (API 45). OAR = original replicas, RAR =
 * target replicas.
 *
 * Phase A (RAR not all in the ISR): AR := RAR ∪ OAR in the topic znode, leader epoch bump,
 * LeaderAndIsr with AR to every replica (is_new for RAR − OAR), then wait for the ISR.
 * Phase B (ISR ⊇ RAR): elect a leader in RAR when the current one is not in it (else bump
 * the epoch), shrink the ISR to RAR, StopReplica with delete to OAR − RAR, write AR := RAR
 * to the topic znode last, and drop the partition from /admin/reassign_partitions.
 * In-flight reassignments live in /admin/reassign_partitions, so a new controller resumes them.
 */
import { validateReplicaAssignment } from '../admin/replica-assignment.js';
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import { ControllerMovedError, type ControllerEnv } from './env.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import { tpKey, type TopicPartition, type ZkPartitionState } from './zk-port.js';

export interface ReassignmentOutcome {
  errorCode: number;
  message: string | null;
}

const ok: ReassignmentOutcome = { errorCode: ErrorCode.NONE, message: null };

export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

export class ReassignmentManager {
  constructor(
    private readonly env: ControllerEnv,
    private readonly psm: PartitionStateMachine,
    private readonly onPartitionDone: (tp: TopicPartition) => void,
  ) {}

  /** Validates and starts (or, with `target` null, cancels) one reassignment. */
  async alter(tp: TopicPartition, target: number[] | null): Promise<ReassignmentOutcome> {
    const { context } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    const current = context.assignments.get(tp.topic)?.get(tp.partition);
    if (!current) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Partition ${key} does not exist` };
    if (context.isTopicQueuedForDeletion(tp.topic)) {
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Topic ${tp.topic} is queued for deletion` };
    }
    if (target === null) return this.cancel(tp);
    const invalid = validateTarget(target, new Set(context.liveBrokerIds()));
    if (invalid) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: invalid };
    const inFlight = context.reassignments.get(key);
    if (inFlight && sameList(inFlight.target, target)) return ok;
    if (!inFlight && sameList(current, target)) return ok;
    // A new target for a partition already moving starts from the original replicas again.
    const original = inFlight ? inFlight.original : [...current];
    context.reassignments.set(key, { original, target: [...target] });
    await this.persist();
    await this.onPartitionReassignment(tp);
    return ok;
  }

  /** The partitions of /admin/reassign_partitions (on failover and when the znode appears). */
  async fromZnode(requested: ReadonlyMap<string, number[]>): Promise<void> {
    const { context, log } = this.env;
    const dropped: string[] = [];
    for (const [key, target] of requested) {
      const tp = parseTpKey(key);
      if (context.reassignments.has(key) && sameList(context.reassignments.get(key)!.target, target)) {
        await this.onPartitionReassignment(tp);
        continue;
      }
      const outcome = await this.alter(tp, target);
      if (outcome.errorCode !== ErrorCode.NONE) {
        log.error(`Controller ${this.env.brokerId}: skipping reassignment of ${key} to ${target.join(',')}: ${outcome.message}`);
        dropped.push(key);
      }
    }
    if (dropped.length > 0 || requested.size === 0) await this.persist();
  }

  /** The ISR of a moving partition changed (state znode watch or ISR notification). */
  async onIsrChange(tp: TopicPartition): Promise<void> {
    if (!this.env.context.reassignments.has(tpKey(tp.topic, tp.partition))) return;
    await this.onPartitionReassignment(tp);
  }

  /** Broker startup: reassignments waiting for that broker go on. */
  async resume(brokerIds?: ReadonlySet<number>): Promise<void> {
    for (const [key, r] of [...this.env.context.reassignments]) {
      if (brokerIds && !r.target.some((b) => brokerIds.has(b))) continue;
      await this.onPartitionReassignment(parseTpKey(key));
    }
  }

  private async onPartitionReassignment(tp: TopicPartition): Promise<void> {
    const { context, zk } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    const r = context.reassignments.get(key);
    if (!r) return;
    const state = (await zk.getPartitionStates([tp])).get(key);
    if (!state) return;
    context.setLeaderIsr(tp, state);
    if (r.target.every((b) => state.isr.includes(b))) await this.completeReassignment(tp, state);
    else await this.startReassignment(tp);
  }

  /** Phase A: AR := RAR ∪ OAR, epoch bump, the new replicas start following. */
  private async startReassignment(tp: TopicPartition): Promise<void> {
    const { context, zk, log } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    const r = context.reassignments.get(key)!;
    const adding = r.target.filter((b) => !r.original.includes(b));
    const all = [...r.target, ...r.original.filter((b) => !r.target.includes(b))];
    if (!sameList(context.replicas(tp), all)) {
      context.setReplicas(tp, all);
      await zk.setReplicaAssignment(tp.topic, context.assignments.get(tp.topic)!, this.env.fence());
      await this.psm.bumpLeaderEpoch(tp, all, all, new Set(adding));
      log.info(`Controller ${this.env.brokerId}: reassigning ${key} from ${r.original.join(',')} to ${r.target.join(',')}: replicas ${all.join(',')} until ${adding.join(',') || 'the targets'} join the ISR`);
    }
    zk.watchPartitionState(tp, () => this.onStateZnodeChange(tp));
  }

  /** Set by the controller: enqueues an ISR-change event for a moving partition. */
  onStateZnodeChange: (tp: TopicPartition) => void = () => {};

  /** Phase B: leader in RAR, ISR := ISR ∩ RAR, StopReplica(delete) to OAR − RAR, AR := RAR. */
  private async completeReassignment(tp: TopicPartition, state: ZkPartitionState): Promise<void> {
    const { context, zk, log, batch } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    const r = context.reassignments.get(key)!;
    const removing = r.original.filter((b) => !r.target.includes(b));
    context.setReplicas(tp, [...r.target]);
    const leaderOk = r.target.includes(state.leader) && context.isReplicaOnlineFor(tp, state.leader);
    const isr = state.isr.filter((b) => r.target.includes(b));
    if (!leaderOk || isr.length !== state.isr.length) {
      const leader = leaderOk ? state.leader : r.target.find((b) => context.isReplicaOnlineFor(tp, b) && isr.includes(b));
      if (leader === undefined) {
        log.warn(`Controller ${this.env.brokerId}: no live target replica of ${key} in the ISR yet; reassignment waits`);
        return;
      }
      const next = { leader, isr, leaderEpoch: state.leaderEpoch + 1, controllerEpoch: context.epoch, zkVersion: state.zkVersion };
      const result = (await zk.updatePartitionStates(new Map([[key, next]]), this.env.fence())).get(key);
      if (!result?.ok) {
        if (result && result.reason === 'fenced') throw new ControllerMovedError(`completing the reassignment of ${key}`);
        // The leader changed the ISR meanwhile: the state znode watch brings us back here.
        context.setReplicas(tp, [...r.target, ...removing]);
        return;
      }
      const written = { ...next, zkVersion: result.zkVersion };
      context.setLeaderIsr(tp, written);
      batch.addLeaderAndIsr(r.target.filter((b) => context.isReplicaOnline(b, true)), tp, written, [...r.target]);
    } else {
      await this.psm.bumpLeaderEpoch(tp, r.target, [...r.target]);
    }
    batch.addStopReplica(removing.filter((b) => context.isReplicaOnline(b, true)), tp, false);
    batch.addStopReplica(removing.filter((b) => context.isReplicaOnline(b, true)), tp, true);
    await zk.setReplicaAssignment(tp.topic, context.assignments.get(tp.topic)!, this.env.fence());
    context.reassignments.delete(key);
    await this.persist();
    batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds(), [tp]);
    zk.unwatchPartitionState(tp);
    log.info(`Controller ${this.env.brokerId}: reassignment of ${key} to ${r.target.join(',')} completed`);
    this.onPartitionDone(tp);
  }

  /** Cancel (AlterPartitionReassignments with null replicas): back to OAR, remove RAR − OAR. */
  private async cancel(tp: TopicPartition): Promise<ReassignmentOutcome> {
    const { context, zk, log, batch } = this.env;
    const key = tpKey(tp.topic, tp.partition);
    const r = context.reassignments.get(key);
    if (!r) return { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, message: `No reassignment is in progress for ${key}` };
    const adding = r.target.filter((b) => !r.original.includes(b));
    const state = (await zk.getPartitionStates([tp])).get(key);
    if (!state) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `${key} has no state in ZooKeeper` };
    const isr0 = state.isr.filter((b) => r.original.includes(b));
    const leaderOk = r.original.includes(state.leader) && context.isReplicaOnlineFor(tp, state.leader);
    const leader = leaderOk ? state.leader : r.original.find((b) => context.isReplicaOnlineFor(tp, b) && isr0.includes(b)) ?? -1;
    const isr = isr0.length > 0 ? isr0 : state.isr;
    const next = { leader, isr, leaderEpoch: state.leaderEpoch + 1, controllerEpoch: context.epoch, zkVersion: state.zkVersion };
    const result = (await zk.updatePartitionStates(new Map([[key, next]]), this.env.fence())).get(key);
    if (!result?.ok) {
      if (result && result.reason === 'fenced') throw new ControllerMovedError(`cancelling the reassignment of ${key}`);
      return { errorCode: ErrorCode.REQUEST_TIMED_OUT, message: `the state of ${key} changed while cancelling; try again` };
    }
    context.reassignments.delete(key);
    context.setReplicas(tp, [...r.original]);
    const written = { ...next, zkVersion: result.zkVersion };
    context.setLeaderIsr(tp, written);
    batch.addLeaderAndIsr(r.original.filter((b) => context.isReplicaOnline(b, true)), tp, written, [...r.original]);
    batch.addStopReplica(adding.filter((b) => context.isReplicaOnline(b, true)), tp, true);
    await zk.setReplicaAssignment(tp.topic, context.assignments.get(tp.topic)!, this.env.fence());
    await this.persist();
    zk.unwatchPartitionState(tp);
    log.info(`Controller ${this.env.brokerId}: reassignment of ${key} cancelled; replicas back to ${r.original.join(',')}`);
    this.onPartitionDone(tp);
    return ok;
  }

  /** Writes the in-flight reassignments to /admin/reassign_partitions (deleted when none). */
  private async persist(): Promise<void> {
    const remaining = new Map([...this.env.context.reassignments].map(([k, r]) => [k, r.target]));
    await this.env.zk.setOrDeletePartitionReassignment(remaining, this.env.fence());
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The checks on a target replica list (admin/'s one replica-list check); the message, or null when it is fine. */
export function validateTarget(target: readonly number[], liveBrokerIds: ReadonlySet<number>): string | null {
  try {
    validateReplicaAssignment(target, liveBrokerIds, null);
    return null;
  } catch (err) {
    return err instanceof KafkaError ? apiMessage(err) : String(err);
  }
}

function apiMessage(err: KafkaError): string {
  const prefix = `${errorName(err.errorCode)}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}
