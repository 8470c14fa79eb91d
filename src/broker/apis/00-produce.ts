/**
 * Produce (key 0), versions 3-11 served; 0-2 advertised but refused (see router.ts:
 * Kafka 4 behaviour for librdkafka, KAFKA-18659). Batches stay opaque: the partition log
 * validates them (magic, CRC, sizes, producer id/epoch/sequence) and assigns offsets.
 * Only the partition's leader appends (else NOT_LEADER_OR_FOLLOWER, from the replica
 * manager), with its leader epoch stamped into each batch.
 * acks 0, 1 and -1 (all): acks=all is refused before appending with NOT_ENOUGH_REPLICAS
 * when the ISR is smaller than min.insync.replicas, and otherwise waits (delayed produce)
 * until the high watermark passes the appended records: NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * when the ISR shrank below min.insync.replicas meanwhile, REQUEST_TIMED_OUT after
 * timeout_ms, NOT_LEADER_OR_FOLLOWER when leadership moved. acks=0 sends no response; an
 * error then closes the connection, as Kafka does, so the client notices.
 * Requests from one connection are appended one after another (serializePerConnection), so
 * a pipelining idempotent producer's batches land in sequence order on every partition; the
 * wait for the ISR happens after, so the connection's next request is not held up by it.
 * Transactional batches (request with a transactional id) are accepted only from the
 * transaction's current producer id/epoch (older epoch: INVALID_PRODUCER_EPOCH) and only
 * for partitions added to its open transaction (else INVALID_TXN_STATE), as the broker-side
 * verification of KIP-890 does.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';
import type {
  ProducePartitionResponse,
  ProduceRequest,
  ProduceResponse,
  ProduceTopicResponse,
} from '../../protocol/messages/00-produce.js';
import { DeferredResponse, defineHandler, type BrokerContext, type RequestContext } from '../handler.js';
import { topicPartitionKey } from '../../storage/checkpoint.js';
import type { Partition } from '../replica/partition.js';
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

/** An acks=all append waiting for the ISR: where its response goes and the offset the HW must pass. */
interface PendingAck {
  partition: Partition;
  requiredOffset: number;
  response: ProducePartitionResponse;
  /** Set once the wait is over; never re-evaluated (a leadership lost and regained must not turn an error into success). */
  outcome?: number;
}

async function appendPartition(
  topic: string,
  index: number,
  records: Buffer | null,
  acks: number,
  transactionalId: string | null,
  broker: BrokerContext,
  pending: PendingAck[],
): Promise<ProducePartitionResponse> {
  const leader = broker.replicaManager.leaderPartition(topic, index);
  if (!leader.partition) return failed(index, leader.errorCode);
  const partition = leader.partition;
  const log = partition.log;
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
  const minIsr = log.config.minInsyncReplicas;
  if (acks === -1 && !broker.replicaManager.canGuaranteeAcks) {
    return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS, `Broker ${broker.nodeId} lost its ZooKeeper session and cannot guarantee acks=all for ${topic}-${index} until it has a new one`);
  }
  if (acks === -1 && partition.isr.length < minIsr) {
    return failed(
      index,
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR [${partition.isr.join(',')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topic}-${index}`,
    );
  }
  try {
    const result = await log.appendAsLeader(records, partition.leaderEpoch);
    broker.replicaManager.afterLeaderAppend(partition);
    const response: ProducePartitionResponse = {
      index,
      errorCode: ErrorCode.NONE,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTimeMs,
      logStartOffset: result.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
    if (acks === -1) pending.push({ partition, requiredOffset: result.lastOffset + 1, response });
    return response;
  } catch (err) {
    if (err instanceof KafkaError) return failed(index, err.errorCode, err.message);
    broker.log.error(`Error appending to ${topic}-${index}: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
    return failed(index, ErrorCode.UNKNOWN_SERVER_ERROR, null);
  }
}

/** Whether the append's wait is over; the first outcome sticks. */
function settled(a: PendingAck): boolean {
  if (a.outcome !== undefined) return true;
  const state = a.partition.checkEnoughReplicasReachOffset(a.requiredOffset, a.partition.log.config.minInsyncReplicas);
  if (state.done) a.outcome = state.errorCode;
  return state.done;
}

/** Kafka's delayed produce: wait until every acks=all append reached the HW (or failed, or timed out). */
async function awaitReplication(pending: PendingAck[], timeoutMs: number, broker: BrokerContext): Promise<void> {
  const allDone = (): boolean => pending.reduce((done, a) => settled(a) && done, true);
  if (!allDone()) {
    const keys = [...new Set(pending.map((a) => topicPartitionKey(a.partition.topic, a.partition.partition)))];
    await broker.purgatory.wait({ operation: 'Produce', keys, tryComplete: allDone }, Math.max(0, timeoutMs));
  }
  for (const a of pending) {
    const errorCode = settled(a) ? a.outcome! : ErrorCode.REQUEST_TIMED_OUT;
    if (errorCode === ErrorCode.NONE) continue;
    Object.assign(a.response, failed(a.response.index, errorCode, errorCode === ErrorCode.REQUEST_TIMED_OUT ? `Records were not replicated to the ISR within ${timeoutMs} ms` : null));
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
      const pending: PendingAck[] = [];
      for (const topic of request.topicData) {
        const partitionResponses: ProducePartitionResponse[] = [];
        for (const p of topic.partitionData) {
          partitionResponses.push(await appendPartition(topic.name, p.index, p.records, acks, transactionalId, broker, pending));
        }
        responses.push({ name: topic.name, partitionResponses });
      }
      response = { throttleTimeMs: 0, responses };
      if (pending.length > 0 && !pending.reduce((done, a) => settled(a) && done, true)) {
        const complete = response;
        return new DeferredResponse(awaitReplication(pending, request.timeoutMs, broker).then(() => complete));
      }
      if (pending.length > 0) await awaitReplication(pending, 0, broker);
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
