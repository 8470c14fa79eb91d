/** CreatePartitions (key 37): versions 0-3, flexible from 2. `count` is the new total partition count. */
import { message, f, arr } from '../schema.js';

export interface CreatePartitionsAssignment {
  brokerIds: number[];
}
export interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsAssignment[] | null;
}
export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

export const createPartitionsRequest = message<CreatePartitionsRequest>({
  name: 'CreatePartitionsRequest', type: 'request', apiKey: 37, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    arr('topics', '0+', [
      f('name', 'string', '0+'),
      f('count', 'int32', '0+'),
      arr('assignments', '0+', [f('brokerIds', '[]int32', '0+')], { nullable: true }),
    ]),
    f('timeoutMs', 'int32', '0+'),
    f('validateOnly', 'bool', '0+'),
  ],
});

export const createPartitionsResponse = message<CreatePartitionsResponse>({
  name: 'CreatePartitionsResponse', type: 'response', apiKey: 37, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('name', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true, default: null }),
    ]),
  ],
});
