/** EndTxn (key 26): versions 0-5, flexible from 3. committed = true commits, false aborts. */
import { message, f } from '../schema.js';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}
export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId?: number;
  producerEpoch?: number;
}

export const endTxnRequest = message<EndTxnRequest>({
  name: 'EndTxnRequest', type: 'request', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    f('transactionalId', 'string', '0+'),
    f('producerId', 'int64', '0+'),
    f('producerEpoch', 'int16', '0+'),
    f('committed', 'bool', '0+'),
  ],
});

export const endTxnResponse = message<EndTxnResponse>({
  name: 'EndTxnResponse', type: 'response', apiKey: 26, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('producerId', 'int64', '5+', { default: -1 }),
    f('producerEpoch', 'int16', '5+', { default: -1 }),
  ],
});
