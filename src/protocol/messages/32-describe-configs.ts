/** DescribeConfigs (key 32): versions 0-4, flexible from 4. Resource types: 2 topic, 4 broker, 8 broker logger. */
import { message, f, arr } from '../schema.js';

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}
export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
  includeSynonyms?: boolean;
  includeDocumentation?: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}
export interface DescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault?: boolean;
  configSource?: number;
  isSensitive: boolean;
  synonyms?: DescribeConfigsSynonym[];
  configType?: number;
  documentation?: string | null;
}
export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResourceResult[];
}
export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

export const describeConfigsRequest = message<DescribeConfigsRequest>({
  name: 'DescribeConfigsRequest', type: 'request', apiKey: 32, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    arr('resources', '0+', [
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      f('configurationKeys', '[]string', '0+', { nullable: true }),
    ]),
    f('includeSynonyms', 'bool', '1+', { default: false }),
    f('includeDocumentation', 'bool', '3+', { default: false }),
  ],
});

export const describeConfigsResponse = message<DescribeConfigsResponse>({
  name: 'DescribeConfigsResponse', type: 'response', apiKey: 32, validVersions: '0-4', flexibleVersions: '4+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    arr('results', '0+', [
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
      f('resourceType', 'int8', '0+'),
      f('resourceName', 'string', '0+'),
      arr('configs', '0+', [
        f('name', 'string', '0+'),
        f('value', 'string', '0+', { nullable: true }),
        f('readOnly', 'bool', '0+'),
        f('isDefault', 'bool', '0'),
        f('configSource', 'int8', '1+', { default: -1 }),
        f('isSensitive', 'bool', '0+'),
        arr('synonyms', '1+', [
          f('name', 'string', '1+'),
          f('value', 'string', '1+', { nullable: '0+' }),
          f('source', 'int8', '1+'),
        ]),
        f('configType', 'int8', '3+', { default: 0 }),
        f('documentation', 'string', '3+', { nullable: '0+' }),
      ]),
    ]),
  ],
});
