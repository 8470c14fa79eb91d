/** CreateAcls (key 30): versions 0-3, flexible from 2. */
import { message, f, arr } from '../schema.js';

export interface AclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType?: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface CreateAclsRequest {
  creations: AclCreation[];
}

export interface AclCreationResult {
  errorCode: number;
  errorMessage: string | null;
}
export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: AclCreationResult[];
}

export const createAclsRequest = message<CreateAclsRequest>({
  name: 'CreateAclsRequest', type: 'request', apiKey: 30, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    arr('creations', '0+', [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('resourcePatternType', 'int8', '1+', { default: 3 }),
      f('principal', 'string', '0+'),
      f('host', 'string', '0+'),
      f('operation', 'int8', '0+'),
      f('permissionType', 'int8', '0+'),
    ]),
  ],
});

export const createAclsResponse = message<CreateAclsResponse>({
  name: 'CreateAclsResponse', type: 'response', apiKey: 30, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
    ]),
  ],
});
