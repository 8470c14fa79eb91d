/**
 * InitProducerId (key 22), versions 0-5. Without a transactional id: a new producer id
 * (epoch 0) for an idempotent producer, from the persisted allocator so ids never repeat
 * across restarts; a producer re-initialising with its old id/epoch (KIP-360) also gets a
 * fresh id, as Kafka does for non-transactional producers. With a transactional id the
 * transaction coordinator answers: the id's producer id with its epoch bumped (fencing
 * older producers), aborting an open transaction first (CONCURRENT_TRANSACTIONS meanwhile).
 * PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v4.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/22-init-producer-id.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { fencedForVersion } from '../txn/errors.js';

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const broker = ctx.broker;
    if (request.transactionalId !== null && request.transactionalId !== undefined) {
      const r = await transactionCoordinatorOf(broker).initProducerId(
        request.transactionalId,
        request.transactionTimeoutMs,
        request.producerId ?? -1,
        request.producerEpoch ?? -1,
      );
      return { throttleTimeMs: 0, errorCode: fencedForVersion(r.errorCode, ctx.apiVersion, 4), producerId: r.producerId, producerEpoch: r.producerEpoch };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await broker.producerIds.next(), producerEpoch: 0 };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  },
});
