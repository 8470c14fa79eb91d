/** UpdateFeatures (key 57): versions 0-2, flexible. Upgrade type 1 = upgrade, 2 = safe downgrade, 3 = unsafe downgrade. */
import { message, f, arr } from '../schema.js';

export interface FeatureUpdateKey {
  feature: string;
  maxVersionLevel: number;
  allowDowngrade?: boolean;
  upgradeType?: number;
}
export interface UpdateFeaturesRequest {
  timeoutMs: number;
  featureUpdates: FeatureUpdateKey[];
  validateOnly?: boolean;
}

export interface UpdatableFeatureResult {
  feature: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface UpdateFeaturesResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results?: UpdatableFeatureResult[];
}

export const updateFeaturesRequest = message<UpdateFeaturesRequest>({
  name: 'UpdateFeaturesRequest', type: 'request', apiKey: 57, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    f('timeoutMs', 'int32', '0+', { default: 60000 }),
    arr('featureUpdates', '0+', [
      f('feature', 'string', '0+'),
      f('maxVersionLevel', 'int16', '0+'),
      f('allowDowngrade', 'bool', '0'),
      f('upgradeType', 'int8', '1+', { default: 1 }),
    ]),
    f('validateOnly', 'bool', '1+', { default: false }),
  ],
});

export const updateFeaturesResponse = message<UpdateFeaturesResponse>({
  name: 'UpdateFeaturesResponse', type: 'response', apiKey: 57, validVersions: '0-2', flexibleVersions: '0+',
  fields: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: true }),
    arr('results', '0-1', [
      f('feature', 'string', '0+'),
      f('errorCode', 'int16', '0+'),
      f('errorMessage', 'string', '0+', { nullable: true }),
    ]),
  ],
});
