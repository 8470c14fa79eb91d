/** JoinGroup (key 11): versions 0-9, flexible from 6. Protocol metadata stays opaque bytes (see data.ts for the consumer protocol). */
import { message, f, arr } from '../schema.js';

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason?: string | null;
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId?: string | null;
  metadata: Buffer;
}
export interface JoinGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  generationId: number;
  protocolType?: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment?: boolean;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export const joinGroupRequest = message<JoinGroupRequest>({
  name: 'JoinGroupRequest', type: 'request', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+',
  fields: [
    f('groupId', 'string', '0+'),
    f('sessionTimeoutMs', 'int32', '0+'),
    f('rebalanceTimeoutMs', 'int32', '1+', { default: -1 }),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '5+', { nullable: true, default: null }),
    f('protocolType', 'string', '0+'),
    arr('protocols', '0+', [
      f('name', 'string', '0+'),
      f('metadata', 'bytes', '0+'),
    ]),
    f('reason', 'string', '8+', { nullable: true, default: null }),
  ],
});

export const joinGroupResponse = message<JoinGroupResponse>({
  name: 'JoinGroupResponse', type: 'response', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+',
  fields: [
    f('throttleTimeMs', 'int32', '2+'),
    f('errorCode', 'int16', '0+'),
    f('generationId', 'int32', '0+', { default: -1 }),
    f('protocolType', 'string', '7+', { nullable: true, default: null }),
    f('protocolName', 'string', '0+', { nullable: '7+' }),
    f('leader', 'string', '0+'),
    f('skipAssignment', 'bool', '9+', { default: false }),
    f('memberId', 'string', '0+'),
    arr('members', '0+', [
      f('memberId', 'string', '0+'),
      f('groupInstanceId', 'string', '5+', { nullable: true, default: null }),
      f('metadata', 'bytes', '0+'),
    ]),
  ],
});
