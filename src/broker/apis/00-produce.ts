/**
 * Produce (key 0), versions 3-11 served; 0-2 advertised but refused (see router.ts:
 * Kafka 4 behaviour for librdkafka, KAFKA-18659). Batches stay opaque: the partition log
 * validates them (magic, CRC, sizes, producer id/epoch/sequence) and assigns offsets.
 * acks 0, 1 and -1 (all): on one node the ISR is this node, so acks=-1 is satisfied by
 * the local append unless min.insync.replicas > 1 (NOT_ENOUGH_REPLICAS, as Kafka answers
 * when the ISR is too small). acks=0 sends no response; an error then closes the
 * connection, as Kafka does, so the client notices.
 * Requests from one connection are appended one after another (serializePerConnection), so
 * a pipelining idempotent producer's batches land in sequence order on every partition.
 * Transactional batches (request with a transactional id) are accepted only from the
 * transaction's current producer id/epoch (older epoch: INVALID_PRODUCER_EPOCH) and only
 * for partitions added to its open transaction (else INVALID_TXN_STATE), as the broker-side
 * verification of KIP-890 does; the transaction coordinator is on this node.
 * Deviation: timeout_ms is unused (nothing waits on replication).
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import type {
  ProducePartitionResponse,
  ProduceRequest,
  ProduceResponse,
  ProduceTopicResponse,
} from '../../protocol/messages/00-produce.js';
import { defineHandler, type BrokerContext, type RequestContext } from '../handler.js';
import { INTERNAL_TOPICS } from '../metadata.js';
import { CloseConnection } from '../../net/server-connection.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { ATTR_TRANSACTIONAL, ATTRIBUTES_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, readInt64 } from '../../records/batch-header.js';

function failed(index: number, errorCode: number, errorMessage: string | null = null): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage };
}

/** Producer id and epoch of the first transactional batch, or undefined when none is. */
function transactionalProducer(records: Buffer): { producerId: number; producerEpoch: number } | undefined {
  let pos = 0;
  while (pos + RECORD_BATCH_OVERHEAD <= records.length) {
    if (records.readInt16BE(pos + ATTRIBUTES_OFFSET) & ATTR_TRANSACTIONAL) {
      return { producerId: readInt64(records, pos + PRODUCER_ID_OFFSET), producerEpoch: records.readInt16BE(pos + PRODUCER_EPOCH_OFFSET) };
    }
    const batchLength = records.readInt32BE(pos + LENGTH_OFFSET);
    if (batchLength <= 0) break;
    pos += LOG_OVERHEAD + batchLength;
  }
  return undefined;
}

async function appendPartition(
  topic: string,
  index: number,
  records: Buffer | null,
  acks: number,
  transactionalId: string | null,
  broker: BrokerContext,
): Promise<ProducePartitionResponse> {
  const log = broker.logManager.getLog(topic, index);
  if (!log) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (INTERNAL_TOPICS.has(topic)) {
    return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  }
  if (records === null || records.length === 0) return failed(index, ErrorCode.CORRUPT_MESSAGE, 'Produce request has no records');
  const txn = transactionalProducer(records);
  if (txn && transactionalId === null) {
    return failed(index, ErrorCode.INVALID_TXN_STATE, 'Transactional records need the transactional id in the produce request');
  }
  if (txn && transactionalId !== null) {
    const code = transactionCoordinatorOf(broker).checkProduce(transactionalId, txn.producerId, txn.producerEpoch, topic, index);
    if (code !== ErrorCode.NONE) return failed(index, code, `Producer ${txn.producerId} epoch ${txn.producerEpoch} may not write transactional records to ${topic}-${index} now`);
  }
  if (acks === -1 && log.config.minInsyncReplicas > 1) {
    return failed(
      index,
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR [${broker.nodeId}] is insufficient to satisfy the min.isr requirement of ${log.config.minInsyncReplicas}`,
    );
  }
  try {
    const result = await log.appendAsLeader(records, log.leaderEpoch);
    broker.purgatory.notifyAppend(topic, index);
    return {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTimeMs,
      logStartOffset: result.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
  } catch (err) {
    if (err instanceof KafkaError) return failed(index, err.errorCode, err.message);
    broker.log.error(`Error appending to ${topic}-${index}: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
    return failed(index, ErrorCode.UNKNOWN_SERVER_ERROR, null);
  }
}

function allPartitions(request: ProduceRequest, errorCode: number, message: string | null): ProduceResponse {
  return {
    throttleTimeMs: 0,
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, message)),
    })),
  };
}

export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 3,
  maxVersion: 11,
  advertisedMinVersion: 0,
  serializePerConnection: true,
  async handle(request, ctx: RequestContext) {
    const broker = ctx.broker;
    const acks = request.acks;
    let response: ProduceResponse;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      response = allPartitions(request, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, not ${acks}`);
    } else {
      const transactionalId = request.transactionalId ?? null;
      if (transactionalId !== null) await transactionCoordinatorOf(broker).ready();
      const responses: ProduceTopicResponse[] = [];
      for (const topic of request.topicData) {
        const partitionResponses: ProducePartitionResponse[] = [];
        for (const p of topic.partitionData) {
          partitionResponses.push(await appendPartition(topic.name, p.index, p.records, acks, transactionalId, broker));
        }
        responses.push({ name: topic.name, partitionResponses });
      }
      response = { throttleTimeMs: 0, responses };
    }
    if (acks === 0) {
      const error = response.responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== ErrorCode.NONE);
      if (error) {
        throw new CloseConnection(`acks=0 produce failed with error code ${error.errorCode}${error.errorMessage ? `: ${error.errorMessage}` : ''}`);
      }
      return null;
    }
    return response;
  },
  errorResponse(request, errorCode) {
    if (request.acks === 0) throw new CloseConnection(`acks=0 produce failed with error code ${errorCode}`);
    return allPartitions(request, errorCode, null);
  },
});
