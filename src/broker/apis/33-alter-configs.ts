/**
 * AlterConfigs (key 33), versions 0-2: the legacy, non-incremental form. The configs given
 * for a resource replace its whole set (null values are dropped, as Kafka does): for a
 * TOPIC the topic's overrides, for a BROKER (this node id, or "" for the cluster-wide
 * default) its dynamic configs. Each resource succeeds or fails on its own;
 * validate_only checks everything and changes nothing.
 */
import type { AlterConfigsRequest, AlterConfigsResource, AlterConfigsResourceResponse, AlterConfigsResponse } from '../../protocol/messages/33-alter-configs.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { applyChange, replacementChange, screenResources } from '../configs/apply.js';

const row = (resource: AlterConfigsResource, error: ApiError): AlterConfigsResourceResponse => ({
  errorCode: error.errorCode,
  errorMessage: error.errorMessage,
  resourceType: resource.resourceType,
  resourceName: resource.resourceName,
});

async function alterOne(resource: AlterConfigsResource, validateOnly: boolean, broker: BrokerContext): Promise<ApiError> {
  try {
    const change = replacementChange(resource, resource.configs, broker);
    if (!validateOnly) await applyChange(change, broker);
    return NO_ERROR;
  } catch (err) {
    return apiErrorOf(err);
  }
}

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses: AlterConfigsResourceResponse[] = [];
    for (const { resource, error } of screenResources(request.resources)) {
      responses.push(row(resource, error ?? (await alterOne(resource, request.validateOnly, ctx.broker))));
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, responses: request.resources.map((r) => row(r, apiError(errorCode))) };
  },
});
