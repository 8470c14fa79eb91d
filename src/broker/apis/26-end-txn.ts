/**
 * EndTxn (key 26), versions 0-4: commit or abort the producer's transaction. The response
 * comes once the markers are on every partition (and a commit's offsets are stored), so a
 * client's next transaction never races its own markers.
 * Deviation: v5 (KIP-890 epoch bump per transaction) is not served.
 */
import type { EndTxnRequest, EndTxnResponse } from '../../protocol/messages/26-end-txn.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { fencedForVersion } from '../txn/errors.js';

export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const code = await transactionCoordinatorOf(ctx.broker).endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(code, ctx.apiVersion, 2) };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
