/** Heartbeat (key 12): versions 0-4, flexible from 4 (classic group protocol). */
import { message, f } from '../schema.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}
export interface HeartbeatResponse {
  throttleTimeMs?: number;
  errorCode: number;
}

export const heartbeatRequest = message<HeartbeatRequest>({
  name: 'HeartbeatRequest', type: 'request', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('groupId', 'string', '0+'),
    f('generationId', 'int32', '0+'),
    f('memberId', 'string', '0+'),
    f('groupInstanceId', 'string', '3+', { nullable: true, default: null }),
  ],
});

export const heartbeatResponse = message<HeartbeatResponse>({
  name: 'HeartbeatResponse', type: 'response', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0+'),
  ],
});
