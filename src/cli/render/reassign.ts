/**
 * Pure renderers for `kts reassign`, in kafka-reassign-partitions.sh's exact words, and the
 * data objects `--json` prints. Every function takes the data and returns text; nothing
 * here talks to a broker.
 */
import { compareReplicas, compareTopicPartitions, tpName, replicaName } from '../reassign/plan.js';

/** State of one partition of a plan (Kafka's PartitionReassignmentState). */
export interface PartitionState {
  topic: string;
  partition: number;
  currentReplicas: number[];
  targetReplicas: number[];
  /** False while a reassignment of the partition is in progress. */
  done: boolean;
}

export type ReplicaMoveStatus = 'missing-replica' | 'missing-log-dir' | 'active' | 'cancelled' | 'completed';

/** State of one replica's log-dir move (Kafka's LogDirMoveState). */
export interface ReplicaMoveState {
  topic: string;
  partition: number;
  brokerId: number;
  status: ReplicaMoveStatus;
  targetLogDir: string;
  currentLogDir: string | null;
  futureLogDir: string | null;
}

export interface OngoingReassignmentView {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export function renderGenerate(currentJson: string, proposedJson: string): string {
  return `Current partition replica assignment\n${currentJson}\n\nProposed partition reassignment configuration\n${proposedJson}\n`;
}

export function renderCurrentForRollback(currentJson: string): string {
  return `Current partition replica assignment\n\n${currentJson}\n\nSave this to use as the --reassignment-json-file option during rollback\n`;
}

const plural = (n: number): string => (n === 1 ? '' : 's');

export function renderStarted(partitions: readonly { topic: string; partition: number }[]): string {
  const names = [...partitions].sort(compareTopicPartitions).map((p) => tpName(p.topic, p.partition));
  return `Successfully started partition reassignment${plural(names.length)} for ${names.join(',')}\n`;
}

/** Kafka prints a space before the newline of this line. */
export function renderMoveStarted(moves: readonly { topic: string; partition: number; brokerId: number; logDir: string }[]): string {
  return [...moves].sort(compareReplicas).map((m) => `Successfully started moving log directory to ${m.logDir} for replica ${m.topic}-${m.partition} with broker ${m.brokerId} \n`).join('');
}

export function renderPartitionStates(states: readonly PartitionState[]): string {
  const lines = ['Status of partition reassignment:'];
  for (const s of [...states].sort(compareTopicPartitions)) {
    const name = tpName(s.topic, s.partition);
    if (!s.done) lines.push(`Reassignment of partition ${name} is still in progress.`);
    else if (s.currentReplicas.join(',') === s.targetReplicas.join(',')) lines.push(`Reassignment of partition ${name} is completed.`);
    else lines.push(`There is no active reassignment of partition ${name}, but replica set is ${s.currentReplicas.join(',')} rather than ${s.targetReplicas.join(',')}.`);
  }
  return lines.join('\n') + '\n';
}

/** Kafka prints this block even when empty (then an empty line). */
export function renderReplicaMoveStates(states: readonly ReplicaMoveState[]): string {
  const lines = [...states].sort(compareReplicas).map((s) => {
    const tp = tpName(s.topic, s.partition);
    switch (s.status) {
      case 'missing-log-dir':
        return `Partition ${tp} is not found in any live log dir on broker ${s.brokerId}. There is likely an offline log directory on the broker.`;
      case 'missing-replica':
        return `Partition ${tp} cannot be found in any live log directory on broker ${s.brokerId}.`;
      case 'active':
        return s.futureLogDir === s.targetLogDir
          ? `Reassignment of replica ${replicaName(s)} is still in progress.`
          : `Partition ${tp} on broker ${s.brokerId} is being moved to log dir ${s.futureLogDir} instead of ${s.targetLogDir}.`;
      case 'cancelled':
        return `Partition ${tp} on broker ${s.brokerId} is not being moved from log dir ${s.currentLogDir} to ${s.targetLogDir}.`;
      case 'completed':
        return `Reassignment of replica ${replicaName(s)} completed successfully.`;
    }
  });
  return lines.join('\n') + '\n';
}

export function renderClearingThrottles(brokers: readonly number[], topics: readonly string[]): string {
  return `Clearing broker-level throttles on broker${plural(brokers.length)} ${brokers.join(',')}\nClearing topic-level throttles on topic${plural(topics.length)} ${topics.join(',')}\n`;
}

export function renderList(ongoing: readonly OngoingReassignmentView[]): string {
  if (ongoing.length === 0) return 'No partition reassignments found.\n';
  const lines = [...ongoing].sort(compareTopicPartitions).map((r) => {
    const adding = r.addingReplicas.length > 0 ? ` adding: ${r.addingReplicas.join(',')}.` : '';
    const removing = r.removingReplicas.length > 0 ? ` removing: ${r.removingReplicas.join(',')}.` : '';
    return `${tpName(r.topic, r.partition)}: replicas: ${r.replicas.join(',')}.${adding}${removing}`;
  });
  return `Current partition reassignments:\n${lines.join('\n')}\n`;
}

export function renderCancelled(partitions: readonly { topic: string; partition: number }[]): string {
  if (partitions.length === 0) return 'None of the specified partition reassignments are active.\n';
  const names = [...partitions].sort(compareTopicPartitions).map((p) => tpName(p.topic, p.partition));
  return `Successfully cancelled partition reassignment${plural(names.length)} for: ${names.join(',')}\n`;
}

/** Bytes a plan copies onto each broker: new replicas (leader's size) and log-dir moves. */
export interface MoveEstimate {
  brokerId: number;
  bytes: number;
  replicas: number;
}

export function renderEstimate(estimate: readonly MoveEstimate[]): string {
  if (estimate.length === 0) return 'Estimated data to move: none (no new replicas or log-dir moves).\n';
  const parts = [...estimate].sort((a, b) => a.brokerId - b.brokerId).map((e) => `broker ${e.brokerId}: ${formatBytes(e.bytes)} in ${e.replicas} replica${plural(e.replicas)}`);
  return `Estimated data to move: ${parts.join('; ')}\n`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** `--wait`'s progress line: percent of bytes copied, and an ETA from the rate so far. */
export function renderProgress(copied: number, total: number, elapsedMs: number): string {
  const pct = total > 0 ? Math.min(100, Math.floor((100 * copied) / total)) : 100;
  const rate = elapsedMs > 0 ? copied / (elapsedMs / 1000) : 0;
  const eta = rate > 0 && total > copied ? `, ETA ${Math.ceil((total - copied) / rate)} s` : '';
  return `reassignment: ${pct}% (${formatBytes(copied)} of ${formatBytes(total)})${eta}`;
}
