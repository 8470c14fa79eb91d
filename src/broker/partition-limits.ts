/**
 * Limits on how many partitions this broker holds, checked by CreateTopics and
 * CreatePartitions before anything is created (so a refused request leaves nothing behind):
 * - `max.broker.partitions` (KIP-578's name): partitions across every topic;
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

export function checkPartitionLimits(broker: BrokerContext, additionalPartitions: number, limit = descriptorLimit()): void {
  let current = 0;
  for (const _log of broker.logManager.allLogs()) current++;
  const total = current + additionalPartitions;
  const max = broker.config.maxBrokerPartitions;
  if (total > max) {
    throw new KafkaError(
      ErrorCode.POLICY_VIOLATION,
      `Cannot create ${additionalPartitions} partition(s): this broker has ${current} and would have ${total}, above max.broker.partitions=${max}. ` +
        'Create fewer partitions, delete unused topics, or raise max.broker.partitions in the broker config.',
    );
  }
  if (limit === undefined) return;
  const needed = Math.min(total * FILES_PER_PARTITION, broker.config.logOpenFilesMax) + DESCRIPTOR_RESERVE;
  if (needed > limit) {
    throw new KafkaError(
      ErrorCode.POLICY_VIOLATION,
      `Cannot create ${additionalPartitions} partition(s): ${total} partitions may keep ${needed - DESCRIPTOR_RESERVE} files open ` +
        `(log.open.files.max=${broker.config.logOpenFilesMax}) plus ${DESCRIPTOR_RESERVE} for connections, above the process limit of ${limit} open files (ulimit -n). ` +
        'Lower log.open.files.max or raise the limit (ulimit -n, LimitNOFILE in systemd).',
    );
  }
}
