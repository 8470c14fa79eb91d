/**
 * IncrementalAlterConfigs (key 44), versions 0-1. Per key: SET, DELETE (back to the
 * default), APPEND and SUBTRACT (list configs only, e.g. cleanup.policy; other types get
 * INVALID_CONFIG "Config value append is not allowed for config key: ..."). TOPIC changes
 * are validated through the topic config table, persisted and applied live to the
 * partition logs; BROKER changes (this node id or "" for the cluster-wide default) are
 * accepted for the broker defaults of topic configs, which kts applies at runtime; other
 * broker keys are refused with INVALID_CONFIG. Duplicate resources and unknown resource
 * types are answered as for AlterConfigs. validate_only changes nothing.
 */
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResource,
  IncrementalAlterConfigsResourceResponse,
  IncrementalAlterConfigsResponse,
} from '../../protocol/messages/44-incremental-alter-configs.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { applyChange, incrementalChange, screenResources } from '../configs/apply.js';

const row = (resource: IncrementalAlterConfigsResource, error: ApiError): IncrementalAlterConfigsResourceResponse => ({
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
  resourceType: resource.resourceType,
  resourceName: resource.resourceName,
});

async function alterOne(resource: IncrementalAlterConfigsResource, validateOnly: boolean, broker: BrokerContext): Promise<ApiError> {
  try {
    const change = incrementalChange(resource, resource.configs, broker);
    if (!validateOnly) await applyChange(change, broker);
    return NO_ERROR;
  } catch (err) {
    return apiErrorOf(err);
  }
}

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses: IncrementalAlterConfigsResourceResponse[] = [];
    for (const { resource, error } of screenResources(request.resources)) {
      responses.push(row(resource, error ?? (await alterOne(resource, request.validateOnly, ctx.broker))));
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, responses: request.resources.map((r) => row(r, apiError(errorCode))) };
  },
});
