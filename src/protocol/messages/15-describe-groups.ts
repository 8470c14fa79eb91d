/** DescribeGroups (key 15): versions 0-5, flexible from 5 (classic groups). */
import { message, f, arr } from '../schema.js';

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean;
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId?: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
  authorizedOperations?: number;
}
export interface DescribeGroupsResponse {
  throttleTimeMs?: number;
  groups: DescribedGroup[];
}

export const describeGroupsRequest = message<DescribeGroupsRequest>({
  name: 'DescribeGroupsRequest', type: 'request', apiKey: 15, validVersions: '0-5', flexibleVersions: '5+',
  fields: [
    f('groups', '[]string', '0+'),
    f('includeAuthorizedOperations', 'bool', '3+'),
  ],
});

export const describeGroupsResponse = message<DescribeGroupsResponse>({
  name: 'DescribeGroupsResponse', type: 'response', apiKey: 15, validVersions: '0-5', flexibleVersions: '5+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    arr('groups', '0+', [
      f('errorCode', 'int16', '0+'),
      f('groupId', 'string', '0+'),
      f('groupState', 'string', '0+'),
      f('protocolType', 'string', '0+'),
      f('protocolData', 'string', '0+'),
      arr('members', '0+', [
        f('memberId', 'string', '0+'),
        f('groupInstanceId', 'string', '4+', { nullable: true, default: null }),
        f('clientId', 'string', '0+'),
        f('clientHost', 'string', '0+'),
        f('memberMetadata', 'bytes', '0+'),
        f('memberAssignment', 'bytes', '0+'),
      ]),
      f('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
    ]),
  ],
});
