/**
 * AddOffsetsToTxn (key 25), versions 0-4: the group's `__consumer_offsets` partition joins
 * the producer's transaction, so TxnOffsetCommit for that group may follow.
 */
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/messages/25-add-offsets-to-txn.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { fencedForVersion } from '../txn/errors.js';

export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const code = await transactionCoordinatorOf(ctx.broker).addOffsets(request.transactionalId, request.producerId, request.producerEpoch, request.groupId);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(code, ctx.apiVersion, 2) };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
