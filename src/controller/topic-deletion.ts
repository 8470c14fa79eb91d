/**
 * Topic deletion (Kafka's TopicDeletionManager): a topic queued in /admin/delete_topics gets
 * UpdateMetadata with leader -2 (brokers drop it from their metadata), then StopReplica
 * with delete to every replica; when every replica has answered without error the topic's
 * znodes go. A replica on a dead broker (or a reassignment in flight) makes the topic wait
 * until the broker is back. With `delete.topic.enable=false` the request znodes are removed
 * and nothing is deleted, as Kafka does.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ControllerEnv } from './env.js';
import { tpKey, type TopicPartition } from './zk-port.js';

type ReplicaDeletionState = 'started' | 'successful' | 'ineligible';

export class TopicDeletionManager {
  /** topic → "tp@broker" → state of that replica's deletion. */
  private readonly replicaStates = new Map<string, Map<string, ReplicaDeletionState>>();

  constructor(
    private readonly env: ControllerEnv,
    private readonly onTopicDeleted: (topic: string) => void,
  ) {}

  reset(): void {
    this.replicaStates.clear();
  }

  /** Topics named in /admin/delete_topics (on failover and on each change of its children). */
  async enqueueTopicsForDeletion(requested: readonly string[]): Promise<void> {
    const { context, zk, log, config } = this.env;
    const unknown = requested.filter((t) => !context.assignments.has(t));
    if (unknown.length > 0) {
      log.info(`Controller ${this.env.brokerId}: removing deletion requests for topics that do not exist: ${unknown.join(', ')}`);
      await zk.deleteTopicDeletions(unknown, this.env.fence());
    }
    const known = requested.filter((t) => context.assignments.has(t) && !context.topicsToDelete.has(t));
    if (known.length === 0) return;
    if (!config.deleteTopicEnable) {
      log.info(`Controller ${this.env.brokerId}: removing deletion requests for ${known.join(', ')} since delete.topic.enable is false`);
      await zk.deleteTopicDeletions(known, this.env.fence());
      return;
    }
    for (const topic of known) {
      context.topicsToDelete.add(topic);
      if (context.partitionsOfTopic(topic).some((tp) => context.reassignments.has(tpKey(tp.topic, tp.partition)))) {
        context.topicsIneligibleForDeletion.add(topic);
      }
    }
    await this.resumeDeletions();
  }

  /** A broker came back or a reassignment ended: topics waiting on it may go on. */
  markEligible(topics: Iterable<string>): void {
    for (const t of topics) {
      if (!this.env.context.topicsIneligibleForDeletion.delete(t)) continue;
      const states = this.replicaStates.get(t);
      if (states) for (const [k, v] of states) if (v === 'ineligible') states.delete(k);
    }
  }

  async resumeDeletions(): Promise<void> {
    const { context } = this.env;
    for (const topic of [...context.topicsToDelete]) {
      if (this.allReplicasDeleted(topic)) {
        await this.completeDeleteTopic(topic);
        continue;
      }
      if (context.topicsIneligibleForDeletion.has(topic)) continue;
      const reassigning = context.partitionsOfTopic(topic).some((tp) => context.reassignments.has(tpKey(tp.topic, tp.partition)));
      if (reassigning) {
        context.topicsIneligibleForDeletion.add(topic);
        continue;
      }
      this.startDeletion(topic);
    }
  }

  /** A StopReplica(delete) answer for one replica. */
  async onReplicaDeleted(brokerId: number, tp: TopicPartition, errorCode: number): Promise<void> {
    const { context, log } = this.env;
    const states = this.replicaStates.get(tp.topic);
    if (!states || !context.topicsToDelete.has(tp.topic)) return;
    const key = `${tpKey(tp.topic, tp.partition)}@${brokerId}`;
    if (errorCode === ErrorCode.NONE) {
      states.set(key, 'successful');
    } else {
      log.warn(`Controller ${this.env.brokerId}: broker ${brokerId} failed to delete ${tpKey(tp.topic, tp.partition)} (error ${errorCode}); deletion of ${tp.topic} will be retried`);
      states.set(key, 'ineligible');
      context.topicsIneligibleForDeletion.add(tp.topic);
    }
    await this.resumeDeletions();
  }

  private replicaKeys(topic: string): { key: string; tp: TopicPartition; brokerId: number }[] {
    const { context } = this.env;
    return context.partitionsOfTopic(topic).flatMap((tp) =>
      context.replicas(tp).map((brokerId) => ({ key: `${tpKey(tp.topic, tp.partition)}@${brokerId}`, tp, brokerId })));
  }

  private allReplicasDeleted(topic: string): boolean {
    const states = this.replicaStates.get(topic);
    if (!states) return false;
    return this.replicaKeys(topic).every((r) => states.get(r.key) === 'successful');
  }

  private startDeletion(topic: string): void {
    const { context, batch, log } = this.env;
    let states = this.replicaStates.get(topic);
    if (!states) this.replicaStates.set(topic, (states = new Map()));
    const partitions = context.partitionsOfTopic(topic);
    // Leader -2 in UpdateMetadata: brokers stop serving the topic to clients first.
    batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds(), partitions);
    for (const r of this.replicaKeys(topic)) {
      const state = states.get(r.key);
      if (state === 'successful' || state === 'started') continue;
      if (!context.isReplicaOnline(r.brokerId, true)) {
        states.set(r.key, 'ineligible');
        context.topicsIneligibleForDeletion.add(topic);
        continue;
      }
      states.set(r.key, 'started');
      batch.addStopReplica([r.brokerId], r.tp, true);
    }
    if (context.topicsIneligibleForDeletion.has(topic)) {
      log.info(`Controller ${this.env.brokerId}: deletion of ${topic} waits for brokers that hold its replicas to come back`);
    }
  }

  private async completeDeleteTopic(topic: string): Promise<void> {
    const { context, zk, log } = this.env;
    zk.unwatchTopicAssignment(topic);
    await zk.deleteTopicZnodes(topic, this.env.fence());
    await zk.deleteTopicDeletions([topic], this.env.fence());
    context.removeTopic(topic);
    this.replicaStates.delete(topic);
    log.info(`Controller ${this.env.brokerId}: deletion of topic ${topic} successfully completed`);
    this.onTopicDeleted(topic);
  }
}
