/** AddOffsetsToTxn (key 25): versions 0-4, flexible from 3. Adds a group's offsets partition to a transaction. */
import { message, f } from '../schema.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}
export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const addOffsetsToTxnRequest = message<AddOffsetsToTxnRequest>({
  name: 'AddOffsetsToTxnRequest', type: 'request', apiKey: 25, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    f('transactionalId', 'string', '0+'),
    f('producerId', 'int64', '0+'),
    f('producerEpoch', 'int16', '0+'),
    f('groupId', 'string', '0+'),
  ],
});

export const addOffsetsToTxnResponse = message<AddOffsetsToTxnResponse>({
  name: 'AddOffsetsToTxnResponse', type: 'response', apiKey: 25, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
  ],
});
