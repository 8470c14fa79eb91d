/** DescribeAcls (key 29): versions 0-3, flexible from 2. Pattern type 3 = literal (the default before v1). */
import { message, f, arr } from '../schema.js';

export interface DescribeAclsRequest {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter?: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export interface AclDescription {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface DescribeAclsResource {
  resourceType: number;
  resourceName: string;
  patternType?: number;
  acls: AclDescription[];
}
export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResource[];
}

export const describeAclsRequest = message<DescribeAclsRequest>({
  name: 'DescribeAclsRequest', type: 'request', apiKey: 29, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    f('resourceTypeFilter', 'int8', '0+'),
    f('resourceNameFilter', 'string', '0+', { nullable: true }),
    f('patternTypeFilter', 'int8', '1+', { default: 3 }),
    f('principalFilter', 'string', '0+', { nullable: true }),
    f('hostFilter', 'string', '0+', { nullable: true }),
    f('operation', 'int8', '0+'),
    f('permissionType', 'int8', '0+'),
  ],
});

export const describeAclsResponse = message<DescribeAclsResponse>({
  name: 'DescribeAclsResponse', type: 'response', apiKey: 29, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('resources', '0+', [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('patternType', 'int8', '1+', { default: 3 }),
      arr('acls', '0+', [
        f('principal', 'string', '0+'),
        f('host', 'string', '0+'),
        f('operation', 'int8', '0+'),
        f('permissionType', 'int8', '0+'),
      ]),
    ]),
  ],
});
