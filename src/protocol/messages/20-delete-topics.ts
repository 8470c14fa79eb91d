/** DeleteTopics (key 20): versions 0-6, flexible from 4; by name (topicNames) up to v5, by name or id (topics) from v6. */
import { message, f, arr } from '../schema.js';

export interface DeleteTopicState {
  name: string | null;
  topicId: string;
}
export interface DeleteTopicsRequest {
  topics?: DeleteTopicState[];
  topicNames?: string[];
  timeoutMs: number;
}

export interface DeletableTopicResult {
  name: string | null;
  topicId?: string;
  errorCode: number;
  errorMessage?: string | null;
}
export interface DeleteTopicsResponse {
  throttleTimeMs?: number;
  responses: DeletableTopicResult[];
}

export const deleteTopicsRequest = message<DeleteTopicsRequest>({
  name: 'DeleteTopicsRequest', type: 'request', apiKey: 20, validVersions: '0-6', flexibleVersions: '4+',
  fields: [
    arr('topics', '6+', [
      f('name', 'string', '6+', { nullable: '6+', default: null }),
      f('topicId', 'uuid', '6+'),
    ]),
    f('topicNames', '[]string', '0-5'),
    f('timeoutMs', 'int32', '0+'),
  ],
});

export const deleteTopicsResponse = message<DeleteTopicsResponse>({
  name: 'DeleteTopicsResponse', type: 'response', apiKey: 20, validVersions: '0-6', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('responses', '0+', [
      f('name', 'string', '0+', { nullable: '6+' }),
      f('topicId', 'uuid', '6+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '5+', { nullable: '5+', default: null }),
    ]),
  ],
});
