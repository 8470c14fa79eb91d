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
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  AlterReplicaLogDirPartitionResult,
  AlterReplicaLogDirsRequest,
  AlterReplicaLogDirsResponse,
  AlterReplicaLogDirTopicResult,
} from '../../protocol/messages/34-alter-replica-log-dirs.js';
import { errorMessage } from '../../util/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { alterLogDir } from '../configs/topic-configs.js';

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

export const alterReplicaLogDirsHandler = defineHandler<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const byTopic = new Map<string, AlterReplicaLogDirPartitionResult[]>();
    for (const dir of request.dirs) {
      for (const t of dir.topics) {
        const results = byTopic.get(t.name) ?? [];
        byTopic.set(t.name, results);
        for (const p of t.partitions) results.push({ partitionIndex: p, errorCode: alterOne(ctx.broker, t.name, p, dir.path) });
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
