/**
 * DeleteRecords (key 21), versions 0-2. Moves each partition's log start offset up to the
 * requested offset (-1: the high watermark), as Kafka does: an offset below 0 (other than
 * -1) or above the high watermark is OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy does
 * not include `delete` is POLICY_VIOLATION; unknown partitions UNKNOWN_TOPIC_OR_PARTITION.
 * The answer's low watermark is the log start offset afterwards (-1 on error). One node, so
 * there are no followers to wait for and timeout_ms is not used.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type {
  DeleteRecordsPartition,
  DeleteRecordsPartitionResult,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
} from '../../protocol/messages/21-delete-records.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiErrorOf } from '../configs/api-error.js';
import { adminLog } from '../configs/topic-configs.js';

const HIGH_WATERMARK = -1;

const row = (partitionIndex: number, lowWatermark: number, errorCode: number): DeleteRecordsPartitionResult => ({
  partitionIndex,
  lowWatermark,
  errorCode,
});

/** Deletes records of one partition; returns the new log start offset. */
export async function deleteRecords(broker: BrokerContext, topic: string, partition: number, requestedOffset: number): Promise<number> {
  const found = broker.logManager.getLog(topic, partition);
  if (!found) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const log = adminLog(found);
  const offset = requestedOffset === HIGH_WATERMARK ? log.highWatermark : requestedOffset;
  if (offset < 0 || offset > log.highWatermark) {
    throw new KafkaError(
      ErrorCode.OFFSET_OUT_OF_RANGE,
      `Cannot increment the log start offset to ${offset} of partition ${topic}-${partition} since it is larger than the high watermark ${log.highWatermark}`,
    );
  }
  if (!log.config.cleanupPolicy.includes('delete')) {
    throw new KafkaError(ErrorCode.POLICY_VIOLATION, `Records of partition ${topic}-${partition} can not be deleted due to the configured policy`);
  }
  await log.deleteRecordsBefore(offset);
  return log.logStartOffset;
}

async function deletePartition(broker: BrokerContext, topic: string, p: DeleteRecordsPartition): Promise<DeleteRecordsPartitionResult> {
  try {
    return row(p.partitionIndex, await deleteRecords(broker, topic, p.partitionIndex, p.offset), ErrorCode.NONE);
  } catch (err) {
    return row(p.partitionIndex, -1, apiErrorOf(err).errorCode);
  }
}

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const topics: DeleteRecordsResponse['topics'] = [];
    for (const topic of request.topics) {
      const partitions: DeleteRecordsPartitionResult[] = [];
      for (const p of topic.partitions) partitions.push(await deletePartition(ctx.broker, topic.name, p));
      topics.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => row(p.partitionIndex, -1, errorCode)) })),
    };
  },
});
