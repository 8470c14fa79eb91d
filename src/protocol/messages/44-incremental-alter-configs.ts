/** IncrementalAlterConfigs (key 44): versions 0-1, flexible from 1. Operations: 0 set, 1 delete, 2 append, 3 subtract. */
import { message, f, arr } from '../schema.js';

export interface IncrementalAlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}
export interface IncrementalAlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterableConfig[];
}
export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsResource[];
  validateOnly: boolean;
}

export interface IncrementalAlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}
export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: IncrementalAlterConfigsResourceResponse[];
}

export const incrementalAlterConfigsRequest = message<IncrementalAlterConfigsRequest>({
  name: 'IncrementalAlterConfigsRequest', type: 'request', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
  fields: [
    arr('resources', '0+', [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      arr('configs', '0+', [
        f('name', 'string', '0+'),
        f('configOperation', 'int8', '0+'),
        f('value', 'string', '0+', { nullable: true }),
      ]),
    ]),
    f('validateOnly', 'bool', '0+'),
  ],
});

export const incrementalAlterConfigsResponse = message<IncrementalAlterConfigsResponse>({
  name: 'IncrementalAlterConfigsResponse', type: 'response', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
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
