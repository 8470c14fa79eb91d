/** InitProducerId (key 22): versions 0-5, flexible from 2. A null transactional id asks for an idempotent producer id. */
import { message, f } from '../schema.js';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId?: number;
  producerEpoch?: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export const initProducerIdRequest = message<InitProducerIdRequest>({
  name: 'InitProducerIdRequest', type: 'request', apiKey: 22, validVersions: '0-5', flexibleVersions: '2+',
  fields: [
    f('transactionalId', 'string', '0+', { nullable: true }),
    f('transactionTimeoutMs', 'int32', '0+'),
    f('producerId', 'int64', '3+', { default: -1 }),
    f('producerEpoch', 'int16', '3+', { default: -1 }),
  ],
});

export const initProducerIdResponse = message<InitProducerIdResponse>({
  name: 'InitProducerIdResponse', type: 'response', apiKey: 22, validVersions: '0-5', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('producerId', 'int64', '0+', { default: -1 }),
    f('producerEpoch', 'int16', '0+'),
  ],
});
