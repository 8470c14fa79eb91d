/**
 * `kts reassign --zookeeper`: a ZooKeeper-mode cluster as Kafka 1.1's tool drives it. The
 * plan goes to `/admin/reassign_partitions` (the controller carries it out and removes each
 * partition when done), throttles go to the `/config/topics` and `/config/brokers` znodes
 * with a change notification, and --verify reads the same znodes. Kafka 1.1 cannot cancel
 * a reassignment or move replicas between log dirs through ZooKeeper; kts refuses those
 * here too. The texts are Kafka 3.x's, as with --bootstrap-server.
 */
import { assignReplicasToBrokers } from '../../admin/replica-assignment.js';
import { KafkaError } from '../../protocol/errors.js';
import { type KafkaZkClient, ReassignmentInProgressError } from '../../zk/index.js';
import { errorMessage } from '../../util/errors.js';
import {
  BROKER_LEVEL_THROTTLES,
  TOPIC_LEVEL_THROTTLES,
  type PlannedPartition,
  type ReassignmentPlan,
  followerThrottles,
  formatReassignmentJson,
  leaderThrottles,
  proposedMoveMap,
  reassignError,
  reassigningBrokers,
  tpName,
} from './plan.js';
import { type OngoingReassignmentView, type PartitionState, renderCurrentForRollback, renderGenerate, renderStarted } from '../render/reassign.js';

const CANNOT_EXECUTE =
  'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.';

async function currentReplicas(zk: KafkaZkClient, topics: readonly string[]): Promise<Map<string, PlannedPartition>> {
  const assignments = await zk.getReplicaAssignment([...new Set(topics)]);
  const out = new Map<string, PlannedPartition>();
  for (const topic of new Set(topics)) {
    const t = assignments.get(topic);
    if (!t) throw reassignError(`Topic ${topic} not found.`);
    for (const [partition, replicas] of t.assignment) out.set(tpName(topic, partition), { topic, partition, replicas, logDirs: [] });
  }
  return out;
}

export async function zkGenerate(zk: KafkaZkClient, topics: readonly string[], brokerIds: readonly number[], rackAware: boolean): Promise<{ text: string; current: string; proposed: string }> {
  const current = await currentReplicas(zk, topics);
  const wanted = new Set(brokerIds);
  const brokers = (await zk.getAllBrokers()).filter((b) => wanted.has(b.id)).map((b) => ({ id: b.id, rack: rackAware ? (b.rack ?? null) : null }));
  const rackless = brokers.filter((b) => b.rack === null).length;
  if (rackAware && rackless !== 0 && rackless !== brokers.length) {
    throw reassignError('Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.');
  }
  const proposed = new Map<string, PlannedPartition>();
  for (const topic of new Set(topics)) {
    const parts = [...current.values()].filter((p) => p.topic === topic).sort((a, b) => a.partition - b.partition);
    try {
      for (const [partition, replicas] of assignReplicasToBrokers(brokers, parts.length, parts[0]!.replicas.length, { disableRackAware: !rackAware })) {
        proposed.set(tpName(topic, partition), { topic, partition, replicas, logDirs: [] });
      }
    } catch (err) {
      throw reassignError(err instanceof KafkaError ? err.message.replace(/^[A-Z_]+: /, '') : errorMessage(err));
    }
  }
  const currentJson = formatReassignmentJson(current);
  const proposedJson = formatReassignmentJson(proposed);
  return { text: renderGenerate(currentJson, proposedJson), current: currentJson, proposed: proposedJson };
}

async function ongoing(zk: KafkaZkClient): Promise<OngoingReassignmentView[]> {
  const inZnode = await zk.getPartitionReassignment();
  const topics = [...new Set([...inZnode.values()].map((r) => r.topic))];
  const assignments = await zk.getReplicaAssignment(topics);
  return [...inZnode.values()].map((r) => {
    const now = assignments.get(r.topic)?.assignment.get(r.partition) ?? [];
    const replicas = [...now, ...r.replicas.filter((b) => !now.includes(b))];
    return { topic: r.topic, partition: r.partition, replicas, addingReplicas: r.replicas.filter((b) => !now.includes(b)), removingReplicas: now.filter((b) => !r.replicas.includes(b)) };
  });
}

export function zkList(zk: KafkaZkClient): Promise<OngoingReassignmentView[]> {
  return ongoing(zk);
}

async function updateConfig(zk: KafkaZkClient, type: 'topics' | 'brokers', name: string, change: (c: Record<string, string>) => void): Promise<void> {
  const config = await zk.getEntityConfig(type, name);
  const before = JSON.stringify(config);
  change(config);
  if (JSON.stringify(config) !== before) await zk.setEntityConfig(type, name, config);
}

export async function zkExecute(zk: KafkaZkClient, plan: ReassignmentPlan, additional: boolean, throttle: number): Promise<{ text: string; current: string }> {
  if (plan.replicaMoves.length > 0) {
    throw reassignError('Moving replicas between log dirs (log_dirs other than "any") needs --bootstrap-server: a ZooKeeper-mode cluster takes AlterReplicaLogDirs from its brokers, not from ZooKeeper.');
  }
  const inProgress = await ongoing(zk);
  if (inProgress.length > 0 && !additional) throw reassignError(CANNOT_EXECUTE);
  const live = new Set((await zk.getAllBrokers()).map((b) => b.id));
  for (const p of plan.partitions) for (const b of p.replicas) if (!live.has(b)) throw reassignError(`Unknown broker id ${b}`);
  const current = await currentReplicas(zk, plan.partitions.map((p) => p.topic));
  const missing = plan.partitions.filter((p) => !current.has(tpName(p.topic, p.partition)));
  if (missing.length > 0) throw reassignError(`Unable to find partition: ${missing.map((p) => tpName(p.topic, p.partition)).join(', ')}`);
  const planned = new Map(plan.partitions.map((p) => [tpName(p.topic, p.partition), current.get(tpName(p.topic, p.partition))!]));
  const currentJson = formatReassignmentJson(planned);
  let text = renderCurrentForRollback(currentJson);
  if (throttle >= 0) {
    text += 'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n';
    const moves = proposedMoveMap(inProgress, plan.partitions, new Map([...planned].map(([k, p]) => [k, p.replicas])));
    const leader = leaderThrottles(moves);
    const follower = followerThrottles(moves);
    for (const topic of new Set([...leader.keys(), ...follower.keys()])) {
      await updateConfig(zk, 'topics', topic, (c) => {
        if (leader.has(topic)) c['leader.replication.throttled.replicas'] = leader.get(topic)!;
        if (follower.has(topic)) c['follower.replication.throttled.replicas'] = follower.get(topic)!;
      });
    }
    for (const b of reassigningBrokers(moves)) {
      await updateConfig(zk, 'brokers', String(b), (c) => {
        c['leader.replication.throttled.rate'] = String(throttle);
        c['follower.replication.throttled.rate'] = String(throttle);
      });
    }
    text += `The inter-broker throttle limit was set to ${throttle} B/s\n`;
  }
  if (inProgress.length === 0) {
    try {
      await zk.createPartitionReassignment(new Map(plan.partitions.map((p) => [tpName(p.topic, p.partition), { topic: p.topic, partition: p.partition, replicas: p.replicas }])));
    } catch (err) {
      if (err instanceof ReassignmentInProgressError) throw reassignError(CANNOT_EXECUTE);
      throw err;
    }
  }
  // With --additional while one runs, Kafka 1.1 only changes the throttle: the znode is the controller's until it is done.
  text += inProgress.length === 0 ? renderStarted(plan.partitions) : '';
  return { text, current: currentJson };
}

export async function zkStatus(zk: KafkaZkClient, plan: ReassignmentPlan): Promise<{ parts: PartitionState[]; partsOngoing: boolean }> {
  const inZnode = await zk.getPartitionReassignment();
  const assignments = await zk.getReplicaAssignment([...new Set(plan.partitions.map((p) => p.topic))]);
  const parts = plan.partitions.map((p) => {
    const currentReplicas = assignments.get(p.topic)?.assignment.get(p.partition) ?? [];
    return { topic: p.topic, partition: p.partition, currentReplicas, targetReplicas: p.replicas, done: !inZnode.has(tpName(p.topic, p.partition)) };
  });
  return { parts, partsOngoing: inZnode.size > 0 };
}

export async function zkClearThrottles(zk: KafkaZkClient, plan: ReassignmentPlan): Promise<{ brokers: number[]; topics: string[] }> {
  const brokers = new Set((await zk.getAllBrokers()).map((b) => b.id));
  for (const p of plan.partitions) for (const b of p.replicas) brokers.add(b);
  const brokerList = [...brokers].sort((a, b) => a - b);
  for (const b of brokerList) await updateConfig(zk, 'brokers', String(b), (c) => BROKER_LEVEL_THROTTLES.forEach((k) => delete c[k]));
  const topics = [...new Set(plan.partitions.map((p) => p.topic))].sort();
  for (const t of topics) await updateConfig(zk, 'topics', t, (c) => TOPIC_LEVEL_THROTTLES.forEach((k) => delete c[k]));
  return { brokers: brokerList, topics };
}
