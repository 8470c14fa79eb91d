/**
 * ListTransactions (key 66), versions 0-1: every transactional id this coordinator knows,
 * filtered by state names (unknown names are echoed back), producer ids and (v1) a
 * minimum running time in ms.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { ListTransactionsRequest, ListTransactionsResponse } from '../../protocol/messages/66-list-transactions.js';
import { defineHandler } from '../handler.js';
import { TXN_STATES, transactionCoordinatorOf } from '../txn/coordinator.js';

export const listTransactionsHandler = defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const coordinator = transactionCoordinatorOf(ctx.broker);
    await coordinator.ready();
    const known = new Set<string>(TXN_STATES);
    const unknownStateFilters = request.stateFilters.filter((s) => !known.has(s));
    const states = new Set(request.stateFilters);
    const producerIds = new Set(request.producerIdFilters);
    const duration = request.durationFilter ?? -1;
    const now = ctx.broker.nowMs();
    const transactionStates = [...coordinator.all()]
      .filter((m) => states.size === 0 || states.has(m.state))
      .filter((m) => producerIds.size === 0 || producerIds.has(m.producerId))
      .filter((m) => duration < 0 || now - m.startTimestampMs >= duration)
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] };
  },
});
