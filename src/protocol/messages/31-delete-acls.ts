/** DeleteAcls (key 31): versions 0-3, flexible from 2. */
import { message, f, arr } from '../schema.js';

export interface DeleteAclsFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter?: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}
export interface DeleteAclsRequest {
  filters: DeleteAclsFilter[];
}

export interface DeleteAclsMatchingAcl {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  patternType?: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}
export interface DeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: DeleteAclsMatchingAcl[];
}
export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: DeleteAclsFilterResult[];
}

export const deleteAclsRequest = message<DeleteAclsRequest>({
  name: 'DeleteAclsRequest', type: 'request', apiKey: 31, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    arr('filters', '0+', [
      f('resourceTypeFilter', 'int8', '0+'),
      f('resourceNameFilter', 'string', '0+', { nullable: true }),
      f('patternTypeFilter', 'int8', '1+', { default: 3 }),
      f('principalFilter', 'string', '0+', { nullable: true }),
      f('hostFilter', 'string', '0+', { nullable: true }),
      f('operation', 'int8', '0+'),
      f('permissionType', 'int8', '0+'),
    ]),
  ],
});

export const deleteAclsResponse = message<DeleteAclsResponse>({
  name: 'DeleteAclsResponse', type: 'response', apiKey: 31, validVersions: '0-3', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('filterResults', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
      arr('matchingAcls', '0+', [
        f('errorCode', 'int16', '0+'),
        f('errorMessage', 'string', '0+', { nullable: true }),
        f('resourceType', 'int8', '0+'),
        f('resourceName', 'string', '0+'),
        f('patternType', 'int8', '1+', { default: 3 }),
        f('principal', 'string', '0+'),
        f('host', 'string', '0+'),
        f('operation', 'int8', '0+'),
        f('permissionType', 'int8', '0+'),
      ]),
    ]),
  ],
});
