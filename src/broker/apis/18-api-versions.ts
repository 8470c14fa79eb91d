/**
 * ApiVersions (key 18), versions 0-4. Lists every API in the broker's handler list with
 * its advertised version range (computed, never a hand-kept table). A request with a
 * version we do not know is answered by the router with a v0 response carrying
 * UNSUPPORTED_VERSION and our ranges (KIP-511), so clients can downgrade.
 * v3+: a client software name or version outside KIP-511's pattern gets INVALID_REQUEST.
 * Finalized features: none (kts has no feature levels); supported features likewise empty.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type AnyApiHandler } from '../handler.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
  ApiVersionsResponseKey,
} from '../../protocol/messages/18-api-versions.js';

export type ApiVersionRange = ApiVersionsResponseKey;

const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** KIP-511: client software name and version are letters, digits, '-' and '.', alphanumeric at both ends. */
function validSoftwareField(value: string | undefined): boolean {
  return value !== undefined && SOFTWARE_FIELD.test(value);
}

export function advertisedRanges(apis: readonly AnyApiHandler[]): ApiVersionRange[] {
  return apis
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

export function apiVersionsBody(apis: readonly AnyApiHandler[], errorCode: number): ApiVersionsResponse {
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

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    if (ctx.apiVersion >= 3 && !(validSoftwareField(request.clientSoftwareName) && validSoftwareField(request.clientSoftwareVersion))) {
      // As Kafka: an invalid client software name/version is INVALID_REQUEST with no ranges.
      return { ...apiVersionsBody([], ErrorCode.INVALID_REQUEST) };
    }
    return apiVersionsBody(ctx.broker.apis, ErrorCode.NONE);
  },
  errorResponse(_request, errorCode, ctx) {
    return apiVersionsBody(ctx.broker.apis, errorCode);
  },
});
