/**
 * InitProducerId (key 22), versions 0-5. Without a transactional id: a new producer id
 * (epoch 0) for an idempotent producer, from the persisted allocator so ids never repeat
 * across restarts; a producer re-initialising with its old id/epoch (KIP-360) also gets a
 * fresh id, as Kafka does for non-transactional producers.
 * Deviation: with a transactional id the request is refused with INVALID_REQUEST (kts has
 * no transaction coordinator yet; FindCoordinator for transactions is not served either).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/22-init-producer-id.js';
import { defineHandler } from '../handler.js';

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  handle(request, ctx) {
    const broker = ctx.broker;
    if (request.transactionalId !== null && request.transactionalId !== undefined) {
      broker.log.info(`Refused InitProducerId for transactional id '${request.transactionalId}' from ${ctx.clientHost}: kts does not support transactions yet`);
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: broker.producerIds.next(), producerEpoch: 0 };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
  },
});
