/**
 * ApiVersions (key 18), versions 0-4. Lists every API in the broker's handler list with
 * its advertised version range (computed, never a hand-kept table). A request with a
 * version we do not know is answered by the router with a v0 response carrying
 * UNSUPPORTED_VERSION and our ranges (KIP-511), so clients can downgrade.
 * v3+: a client software name or version outside KIP-511's pattern gets INVALID_REQUEST.
 * Finalized features: none (kts has no feature levels); supported features likewise empty.
 * Under an `inter.broker.protocol.version` of an older Kafka release (1.1), the APIs that
 * release serves are advertised no higher than it serves them (protocol/kafka-api-versions.ts:
 * clients such as kafkajs use one broker's versions with every broker of the cluster).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { clientVersionCaps } from '../../protocol/kafka-api-versions.js';
import { defineHandler, type AnyApiHandler, type BrokerContext } from '../handler.js';
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

/** `caps`: apiKey → the highest version to advertise (see clientVersionCaps). */
export function advertisedRanges(apis: readonly AnyApiHandler[], caps?: ReadonlyMap<number, number>): ApiVersionRange[] {
  return apis
    .map((h) => {
      const minVersion = h.advertisedMinVersion ?? h.minVersion;
      const cap = caps?.get(h.apiKey);
      return { apiKey: h.apiKey, minVersion, maxVersion: cap === undefined ? h.maxVersion : Math.max(minVersion, Math.min(cap, h.maxVersion)) };
    })
    .sort((a, b) => a.apiKey - b.apiKey);
}

/** The broker's advertised caps from its inter.broker.protocol.version (none in single-node mode unless set). */
export function brokerVersionCaps(broker: BrokerContext): ReadonlyMap<number, number> | undefined {
  return clientVersionCaps(broker.config.raw['inter.broker.protocol.version']);
}

export function apiVersionsBody(apis: readonly AnyApiHandler[], errorCode: number, caps?: ReadonlyMap<number, number>): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: advertisedRanges(apis, caps),
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
    return apiVersionsBody(ctx.broker.apis, ErrorCode.NONE, brokerVersionCaps(ctx.broker));
  },
  errorResponse(_request, errorCode, ctx) {
    return apiVersionsBody(ctx.broker.apis, errorCode, brokerVersionCaps(ctx.broker));
  },
});
