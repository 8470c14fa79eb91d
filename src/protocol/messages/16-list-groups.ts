/** ListGroups (key 16): versions 0-5, flexible from 3; state filter from v4, type filter from v5. */
import { message, f, arr } from '../schema.js';

export interface ListGroupsRequest {
  statesFilter?: string[];
  typesFilter?: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState?: string;
  groupType?: string;
}
export interface ListGroupsResponse {
  throttleTimeMs?: number;
  errorCode: number;
  groups: ListedGroup[];
}

export const listGroupsRequest = message<ListGroupsRequest>({
  name: 'ListGroupsRequest', type: 'request', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    f('statesFilter', '[]string', '4+'),
    f('typesFilter', '[]string', '5+'),
  ],
});

export const listGroupsResponse = message<ListGroupsResponse>({
  name: 'ListGroupsResponse', type: 'response', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    arr('groups', '0+', [
      f('groupId', 'string', '0+'),
      f('protocolType', 'string', '0+'),
      f('groupState', 'string', '4+'),
      f('groupType', 'string', '5+'),
    ]),
  ],
});
