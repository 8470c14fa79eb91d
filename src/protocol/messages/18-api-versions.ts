/** ApiVersions (key 18): versions 0-4, flexible from 3. Its response always uses response header v0. */
import { message, f, arr } from '../schema.js';

export interface ApiVersionsRequest {
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

export interface ApiVersionsResponseKey {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}
export interface SupportedFeatureKey {
  name: string;
  minVersion: number;
  maxVersion: number;
}
export interface FinalizedFeatureKey {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseKey[];
  throttleTimeMs?: number;
  supportedFeatures?: SupportedFeatureKey[];
  finalizedFeaturesEpoch?: number;
  finalizedFeatures?: FinalizedFeatureKey[];
  zkMigrationReady?: boolean;
}

export const apiVersionsRequest = message<ApiVersionsRequest>({
  name: 'ApiVersionsRequest', type: 'request', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    f('clientSoftwareName', 'string', '3+'),
    f('clientSoftwareVersion', 'string', '3+'),
  ],
});

export const apiVersionsResponse = message<ApiVersionsResponse>({
  name: 'ApiVersionsResponse', type: 'response', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+',
  fields: [
    f('errorCode', 'int16', '0+'),
    arr('apiKeys', '0+', [
      f('apiKey', 'int16', '0+'),
      f('minVersion', 'int16', '0+'),
      f('maxVersion', 'int16', '0+'),
    ]),
    f('throttleTimeMs', 'int32', '1+'),
    arr('supportedFeatures', '3+', [
      f('name', 'string', '3+'),
      f('minVersion', 'int16', '3+'),
      f('maxVersion', 'int16', '3+'),
    ], { tag: 0 }),
    f('finalizedFeaturesEpoch', 'int64', '3+', { tag: 1, default: -1 }),
    arr('finalizedFeatures', '3+', [
      f('name', 'string', '3+'),
      f('maxVersionLevel', 'int16', '3+'),
      f('minVersionLevel', 'int16', '3+'),
    ], { tag: 2 }),
    f('zkMigrationReady', 'bool', '3+', { tag: 3, default: false }),
  ],
});
