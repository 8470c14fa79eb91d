/**
 * AddPartitionsToTxn (key 24), versions 0-3: the client path, one transaction per request.
 * The partitions join the producer's transaction (state Ongoing, written to
 * `__transaction_state`) so its transactional batches may go there.
 * Deviation: v4+ (batched, broker-to-broker verification of KIP-890) is not served.
 */
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnTopicResult,
} from '../../protocol/messages/24-add-partitions-to-txn.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { fencedForVersion } from '../txn/errors.js';

function results(request: AddPartitionsToTxnRequest, code: (topic: string, partition: number) => number): AddPartitionsToTxnTopicResult[] {
  return (request.v3AndBelowTopics ?? []).map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })),
  }));
}

export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const codes = await transactionCoordinatorOf(ctx.broker).addPartitions(
      request.v3AndBelowTransactionalId ?? '',
      request.v3AndBelowProducerId ?? -1,
      request.v3AndBelowProducerEpoch ?? -1,
      request.v3AndBelowTopics ?? [],
    );
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results(request, (t, p) => fencedForVersion(codes.get(t)?.get(p) ?? 0, ctx.apiVersion, 2)) };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results(request, () => errorCode) };
  },
});
