/** FindCoordinator (key 10): versions 0-6, flexible from 3; one key up to v3, a batch of keys from v4. Key type 0 = group, 1 = transaction. */
import { message, f, arr } from '../schema.js';

export interface FindCoordinatorRequest {
  key?: string;
  keyType?: number;
  coordinatorKeys?: string[];
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface FindCoordinatorResponse {
  throttleTimeMs?: number;
  errorCode?: number;
  errorMessage?: string | null;
  nodeId?: number;
  host?: string;
  port?: number;
  coordinators?: Coordinator[];
}

export const findCoordinatorRequest = message<FindCoordinatorRequest>({
  name: 'FindCoordinatorRequest', type: 'request', apiKey: 10, validVersions: '0-6', flexibleVersions: '3+',
  fields: [
    f('key', 'string', '0-3'),
    f('keyType', 'int8', '1+', { default: 0 }),
    f('coordinatorKeys', '[]string', '4+'),
  ],
});

export const findCoordinatorResponse = message<FindCoordinatorResponse>({
  name: 'FindCoordinatorResponse', type: 'response', apiKey: 10, validVersions: '0-6', flexibleVersions: '3+',
  fields: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0-3'),
    f('errorMessage', 'string', '1-3', { nullable: true }),
    f('nodeId', 'int32', '0-3'),
    f('host', 'string', '0-3'),
    f('port', 'int32', '0-3'),
    arr('coordinators', '4+', [
      f('key', 'string', '4+'),
      f('nodeId', 'int32', '4+'),
      f('host', 'string', '4+'),
      f('port', 'int32', '4+'),
      f('errorCode', 'int16', '4+'),
      f('errorMessage', 'string', '4+', { nullable: true }),
    ]),
  ],
});
