/**
 * AlterReplicaLogDirs (key 34), versions 0-2: move replicas between this broker's log dirs
 * (KIP-113). Each partition is copied into the target dir as a future log while it is
 * written, then swapped in (storage/log-dir-move.ts); the answer comes at once, progress is
 * seen in DescribeLogDirs (is_future_key, offset_lag).
 *
 * Errors per partition as Kafka's ReplicaManager answers: LOG_DIR_NOT_FOUND for a path that
 * is not one of this broker's log dirs (absolute path, as configured), UNKNOWN_TOPIC_OR_PARTITION
 * for a partition the cluster does not have, REPLICA_NOT_AVAILABLE for one this broker does
 * not host yet (the dir is remembered for when it is created), KAFKA_STORAGE_ERROR when the
 * copy cannot start.
 *
 * kts's addition for local mode: a request from the owner of the data dir (the in-process
 * transport or the data dir's Unix socket: no network session) that names an absolute dir
 * which is not a log dir yet adds it to the data dir first (storage/attached-log-dirs.ts), so
 * a data dir on one machine can spread over two disks. Over the network the answer stays
 * Kafka's LOG_DIR_NOT_FOUND. A dir that cannot be added answers LOG_DIR_NOT_FOUND (not a
 * possible log dir), INCONSISTENT_CLUSTER_ID (another cluster's) or KAFKA_STORAGE_ERROR, and
 * the reason is logged as a warning.
 */
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  AlterReplicaLogDirPartitionResult,
  AlterReplicaLogDirsRequest,
  AlterReplicaLogDirsResponse,
  AlterReplicaLogDirTopicResult,
} from '../../protocol/messages/34-alter-replica-log-dirs.js';
import { errorMessage } from '../../util/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { alterLogDir, attachLogDir, logDirs } from '../configs/topic-configs.js';

function alterOne(broker: BrokerContext, topic: string, partition: number, path: string): number {
  const known = broker.metadata.topic(topic);
  if (!known || partition < 0 || partition >= known.partitions.length) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  try {
    alterLogDir(broker, topic, partition, path);
    return ErrorCode.NONE;
  } catch (err) {
    if (err instanceof KafkaError) return err.errorCode;
    broker.log.error(`AlterReplicaLogDirs ${topic}-${partition} to ${path} failed: ${errorMessage(err)}`);
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }
}

/** Add an absolute dir that is not a log dir yet (local mode only); the error code when it cannot be added. */
function attachIfNew(broker: BrokerContext, path: string): number {
  if (!isAbsolute(path) || logDirs(broker).includes(resolve(path))) return ErrorCode.NONE;
  try {
    attachLogDir(broker, path);
    return ErrorCode.NONE;
  } catch (err) {
    broker.log.warn(errorMessage(err));
    return err instanceof KafkaError ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR;
  }
}

export const alterReplicaLogDirsHandler = defineHandler<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const byTopic = new Map<string, AlterReplicaLogDirPartitionResult[]>();
    for (const dir of request.dirs) {
      const attachError = ctx.session === undefined ? attachIfNew(ctx.broker, dir.path) : ErrorCode.NONE;
      for (const t of dir.topics) {
        const results = byTopic.get(t.name) ?? [];
        byTopic.set(t.name, results);
        for (const p of t.partitions) results.push({ partitionIndex: p, errorCode: attachError !== ErrorCode.NONE ? attachError : alterOne(ctx.broker, t.name, p, dir.path) });
      }
    }
    const results: AlterReplicaLogDirTopicResult[] = [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions }));
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    const results = request.dirs.flatMap((d) => d.topics.map((t) => ({ topicName: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p, errorCode })) })));
    return { throttleTimeMs: 0, results };
  },
});
