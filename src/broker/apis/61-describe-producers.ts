/**
 * DescribeProducers (key 61), version 0: the active producers of each partition from the
 * partition's producer state — id, epoch, last sequence and timestamp, coordinator epoch
 * and the first offset of its open transaction (-1 when none). Used by
 * `kts transactions describe-producers` / `find-hanging`.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribeProducersPartitionResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
} from '../../protocol/messages/61-describe-producers.js';
import { PartitionLog } from '../../storage/partition-log.js';
import { defineHandler, type BrokerContext } from '../handler.js';

function describePartition(broker: BrokerContext, topic: string, partitionIndex: number): DescribeProducersPartitionResponse {
  const log = broker.logManager.getLog(topic, partitionIndex);
  if (!log || !(log instanceof PartitionLog)) {
    return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
  }
  const activeProducers = [...log.producerState.producers.values()].map((e) => ({
    producerId: e.producerId,
    producerEpoch: e.producerEpoch,
    lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
    lastTimestamp: e.lastTimestampMs,
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnStartOffset: e.currentTxnFirstOffset,
  }));
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
}

export const describeProducersHandler = defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  handle(request, ctx) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => describePartition(ctx.broker, t.name, p)) })),
    };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode, errorMessage: null, activeProducers: [] })),
      })),
    };
  },
});
