/**
 * ApiVersions (key 18), versions 0-4. Lists every API in the broker's handler list with
 * its advertised version range (computed, never a hand-kept table). A request with a
 * version we do not know is answered by the router with a v0 response carrying
 * UNSUPPORTED_VERSION and our ranges (KIP-511), so clients can downgrade.
 * Finalized features: none (kts has no feature levels); supported features likewise empty.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type AnyApiHandler } from '../handler.js';

export interface ApiVersionsRequestBody {
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface ApiVersionsResponseBody {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
  supportedFeatures: unknown[];
  finalizedFeaturesEpoch: number;
  finalizedFeatures: unknown[];
  zkMigrationReady: boolean;
}

export function advertisedRanges(apis: readonly AnyApiHandler[]): ApiVersionRange[] {
  return apis
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export function apiVersionsBody(apis: readonly AnyApiHandler[], errorCode: number): ApiVersionsResponseBody {
  return {
    errorCode,
    apiKeys: advertisedRanges(apis),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

export const apiVersionsHandler = defineHandler<ApiVersionsRequestBody, ApiVersionsResponseBody>({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(_request, ctx) {
    return apiVersionsBody(ctx.broker.apis, ErrorCode.NONE);
  },
});
