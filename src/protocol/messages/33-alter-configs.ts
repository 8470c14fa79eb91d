/** AlterConfigs (key 33): versions 0-2, flexible from 2. Replaces the whole config set of each resource. */
import { message, f, arr } from '../schema.js';

export interface AlterableConfig {
  name: string;
  value: string | null;
}
export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterableConfig[];
}
export interface AlterConfigsRequest {
  resources: AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}
export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

export const alterConfigsRequest = message<AlterConfigsRequest>({
  name: 'AlterConfigsRequest', type: 'request', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    arr('resources', '0+', [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      arr('configs', '0+', [
        f('name', 'string', '0+'),
        f('value', 'string', '0+', { nullable: true }),
      ]),
    ]),
    f('validateOnly', 'bool', '0+'),
  ],
});

export const alterConfigsResponse = message<AlterConfigsResponse>({
  name: 'AlterConfigsResponse', type: 'response', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('responses', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
    ]),
  ],
});
