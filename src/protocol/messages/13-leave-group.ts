/** LeaveGroup (key 13): versions 0-5, flexible from 4; one member up to v2, a batch of members from v3. */
import { message, f, arr } from '../schema.js';

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}
export interface LeaveGroupRequest {
  groupId: string;
  memberId?: string;
  members?: MemberIdentity[];
}

export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}
export interface LeaveGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  members?: LeaveGroupMemberResponse[];
}

export const leaveGroupRequest = message<LeaveGroupRequest>({
  name: 'LeaveGroupRequest', type: 'request', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+',
  fields: [
    f('groupId', 'string', '0+'),
    f('memberId', 'string', '0-2'),
    arr('members', '3+', [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullable: true, default: null }),
      f('reason', 'string', '5+', { nullable: true, default: null }),
    ]),
  ],
});

export const leaveGroupResponse = message<LeaveGroupResponse>({
  name: 'LeaveGroupResponse', type: 'response', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    arr('members', '3+', [
      f('memberId', 'string', '3+'),
      f('groupInstanceId', 'string', '3+', { nullable: true }),
      f('errorCode', 'int16', '3+'),
    ]),
  ],
});
