/** DeleteGroups (key 42): versions 0-2, flexible from 2. */
import { message, f, arr } from '../schema.js';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}
export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}
export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeletableGroupResult[];
}

export const deleteGroupsRequest = message<DeleteGroupsRequest>({
  name: 'DeleteGroupsRequest', type: 'request', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
  fields: [f('groupsNames', '[]string', '0+')],
});

export const deleteGroupsResponse = message<DeleteGroupsResponse>({
  name: 'DeleteGroupsResponse', type: 'response', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('groupId', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
    ]),
  ],
});
