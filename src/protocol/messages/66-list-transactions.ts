/** ListTransactions (key 66): versions 0-1, flexible; duration filter (ms running) from v1. */
import { message, f, arr } from '../schema.js';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
  durationFilter?: number;
}

export interface ListTransactionsState {
  transactionalId: string;
  producerId: number;
  transactionState: string;
}
export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListTransactionsState[];
}

export const listTransactionsRequest = message<ListTransactionsRequest>({
  name: 'ListTransactionsRequest', type: 'request', apiKey: 66, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    f('stateFilters', '[]string', '0+'),
    f('producerIdFilters', '[]int64', '0+'),
    f('durationFilter', 'int64', '1+', { default: -1 }),
  ],
});

export const listTransactionsResponse = message<ListTransactionsResponse>({
  name: 'ListTransactionsResponse', type: 'response', apiKey: 66, validVersions: '0-1', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('unknownStateFilters', '[]string', '0+'),
    arr('transactionStates', '0+', [
      f('transactionalId', 'string', '0+'),
      f('producerId', 'int64', '0+'),
      f('transactionState', 'string', '0+'),
    ]),
  ],
});
