/**
 * DescribeTransactions (key 65), version 0: state, timeout, start time, producer id/epoch
 * and partitions of each transactional id (TRANSACTIONAL_ID_NOT_FOUND for unknown ids).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeTransactionsRequest, DescribeTransactionsResponse, DescribeTransactionsState } from '../../protocol/messages/65-describe-transactions.js';
import { defineHandler } from '../handler.js';
import { transactionCoordinatorOf, type TxnMetadata } from '../txn/coordinator.js';

function notFound(transactionalId: string, errorCode: number): DescribeTransactionsState {
  return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
}

function describe(m: TxnMetadata): DescribeTransactionsState {
  return {
    errorCode: ErrorCode.NONE,
    transactionalId: m.transactionalId,
    transactionState: m.state,
    transactionTimeoutMs: m.timeoutMs,
    transactionStartTimeMs: m.startTimestampMs,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    topics: [...m.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })),
  };
}

export const describeTransactionsHandler = defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const coordinator = transactionCoordinatorOf(ctx.broker);
    await coordinator.ready();
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => {
        const m = coordinator.get(id);
        return m ? describe(m) : notFound(id, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      }),
    };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, transactionStates: request.transactionalIds.map((id) => notFound(id, errorCode)) };
  },
});
