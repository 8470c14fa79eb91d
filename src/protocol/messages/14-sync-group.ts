/** SyncGroup (key 14): versions 0-5, flexible from 4. The leader sends every member's assignment as opaque bytes. */
import { message, f, arr } from '../schema.js';

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  throttleTimeMs?: number;
  errorCode: number;
  protocolType?: string | null;
  protocolName?: string | null;
  assignment: Buffer;
}

export const syncGroupRequest = message<SyncGroupRequest>({
  name: 'SyncGroupRequest', type: 'request', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+',
  fields: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullable: true, default: null }),
    f('protocolType', 'string', '5+', { nullable: true, default: null }),
    f('protocolName', 'string', '5+', { nullable: true, default: null }),
    arr('assignments', '0+', [
      f('memberId', 'string', '0+'),
      f('assignment', 'bytes', '0+'),
    ]),
  ],
});

export const syncGroupResponse = message<SyncGroupResponse>({
  name: 'SyncGroupResponse', type: 'response', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
    f('protocolType', 'string', '5+', { nullable: true, default: null }),
    f('protocolName', 'string', '5+', { nullable: true, default: null }),
    f('assignment', 'bytes', '0+'),
  ],
});
