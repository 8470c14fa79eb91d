/**
 * Limits on how many partitions a broker holds, checked by CreateTopics and
 * CreatePartitions before anything is created (so a refused request leaves nothing behind):
 * - `max.broker.partitions` (KIP-578's name): partitions (replicas) across every topic. On
 *   one node these are the broker's logs; in a cluster, the replicas the metadata assigns
 *   to each broker, checked against the new assignment before it is written to ZooKeeper
 *   (checkAssignmentLimits), as Kafka's controller checks the brokers an assignment uses;
 * - file descriptors: segments and indexes are opened through storage's bounded
 *   descriptor cache (`log.open.files.max`), so partitions need
 *   min(FILES_PER_PARTITION × partitions, log.open.files.max) descriptors plus a reserve
 *   for connections and checkpoints, and that must fit in the process limit (`ulimit -n`).
 * Both refusals are POLICY_VIOLATION with a message naming the limit and the fix.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { descriptorLimit } from '../util/descriptor-limit.js';
import type { BrokerContext } from './handler.js';

/** A segment's .log, .index and .timeindex (the .txnindex exists only after an abort). */
export const FILES_PER_PARTITION = 3;
/** Descriptors kept free for sockets, checkpoints, lock files and Node itself. */
export const DESCRIPTOR_RESERVE = 256;

export interface PartitionLimits {
  /** `max.broker.partitions`. */
  maxBrokerPartitions: number;
  /** `log.open.files.max`. */
  logOpenFilesMax: number;
  /** This process's open-file limit (`ulimit -n`), undefined when unknown. */
  descriptorLimit: number | undefined;
}

export function partitionLimitsOf(config: { maxBrokerPartitions: number; logOpenFilesMax: number }, limit = descriptorLimit()): PartitionLimits {
  return { maxBrokerPartitions: config.maxBrokerPartitions, logOpenFilesMax: config.logOpenFilesMax, descriptorLimit: limit };
}

/**
 * Single-node check: this broker's logs plus `additionalPartitions`. In cluster mode the
 * partitions go where the assignment puts them: the metadata image checks the assignment
 * (checkAssignmentLimits), and this checks nothing.
 */
export function checkPartitionLimits(broker: BrokerContext, additionalPartitions: number, limit = descriptorLimit()): void {
  if (broker.clusterTopicConfigs !== undefined) return;
  let current = 0;
  for (const _log of broker.logManager.allLogs()) current++;
  checkBrokerLimits('this broker', current, additionalPartitions, partitionLimitsOf(broker.config, limit), true);
}

/**
 * Cluster check of a new assignment (partition → replica broker ids) against what the
 * metadata already assigns to each broker: every broker it uses must stay within
 * max.broker.partitions, and this broker (`nodeId`) within its descriptor limit.
 */
export function checkAssignmentLimits(assigned: ReadonlyMap<number, number>, added: Iterable<readonly number[]>, nodeId: number, limits: PartitionLimits): void {
  const adding = new Map<number, number>();
  for (const replicas of added) for (const id of replicas) adding.set(id, (adding.get(id) ?? 0) + 1);
  for (const [id, n] of [...adding].sort((a, b) => a[0] - b[0])) {
    checkBrokerLimits(`broker ${id}`, assigned.get(id) ?? 0, n, limits, id === nodeId);
  }
}

/** Replicas per broker id across the partitions given. */
export function replicasPerBroker(partitions: Iterable<{ replicas: readonly number[] }>): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of partitions) for (const id of p.replicas) out.set(id, (out.get(id) ?? 0) + 1);
  return out;
}

function checkBrokerLimits(who: string, current: number, additional: number, limits: PartitionLimits, local: boolean): void {
  const total = current + additional;
  const max = limits.maxBrokerPartitions;
  if (total > max) {
    throw new KafkaError(
      ErrorCode.POLICY_VIOLATION,
      `Cannot create ${additional} partition(s): ${who} has ${current} and would have ${total}, above max.broker.partitions=${max}. ` +
        'Create fewer partitions, delete unused topics, or raise max.broker.partitions in the broker config.',
    );
  }
  const limit = limits.descriptorLimit;
  if (!local || limit === undefined) return;
  const needed = Math.min(total * FILES_PER_PARTITION, limits.logOpenFilesMax) + DESCRIPTOR_RESERVE;
  if (needed > limit) {
    throw new KafkaError(
      ErrorCode.POLICY_VIOLATION,
      `Cannot create ${additional} partition(s): ${total} partitions may keep ${needed - DESCRIPTOR_RESERVE} files open ` +
        `(log.open.files.max=${limits.logOpenFilesMax}) plus ${DESCRIPTOR_RESERVE} for connections, above the process limit of ${limit} open files (ulimit -n). ` +
        'Lower log.open.files.max or raise the limit (ulimit -n, LimitNOFILE in systemd).',
    );
  }
}
