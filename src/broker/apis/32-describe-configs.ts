/**
 * DescribeConfigs (key 32), versions 0-4. TOPIC resources: every topic config with its
 * effective value and source (topic override, dynamic broker, server.properties, Kafka
 * default), synonyms (v1+, when asked), type and documentation (v3+). BROKER resources:
 * this node's id gives every broker config kts knows; the empty name gives only the
 * dynamic cluster-wide defaults, as Kafka does; another id is INVALID_REQUEST.
 * Unknown topics: UNKNOWN_TOPIC_OR_PARTITION; illegal names: INVALID_TOPIC_EXCEPTION;
 * BROKER_LOGGER and other types: INVALID_REQUEST (kts has no runtime log levels).
 * v0 `is_default` is true when the source is the Kafka default.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { apiError, apiErrorOf, NO_ERROR, type ApiError } from '../configs/api-error.js';
import { ConfigResourceType, ConfigSource, configTypeId, resourceTypeName, type DescribedConfig } from '../configs/config-types.js';
import { describeBrokerConfigs, describeClusterDefaultConfigs, describeTopicConfigs, type DescribeOptions } from '../configs/describe.js';
import { brokerLayersOf } from '../configs/dynamic-configs.js';
import { topicOverrides } from '../configs/topic-configs.js';
import { validateTopicName } from '../topic-validation.js';
import type { DescribeConfigsRequest, DescribeConfigsResource, DescribeConfigsResourceResult, DescribeConfigsResponse, DescribeConfigsResult } from '../../protocol/messages/32-describe-configs.js';

function toWire(c: DescribedConfig): DescribeConfigsResourceResult {
  return {
    name: c.name,
    value: c.sensitive ? null : c.value,
    readOnly: c.readOnly,
    isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
    configSource: c.source,
    isSensitive: c.sensitive,
    synonyms: c.synonyms.map((s) => ({ name: s.name, value: c.sensitive ? null : s.value, source: s.source })),
    configType: configTypeId(c.type),
    documentation: c.documentation,
  };
}

function describeTopic(name: string, broker: BrokerContext, options: DescribeOptions): DescribedConfig[] {
  validateTopicName(name);
  if (!broker.metadata.topic(name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  return describeTopicConfigs(topicOverrides(broker, name), brokerLayersOf(broker), options);
}

/** A broker resource name must be an integer (or "" for the cluster-wide defaults). */
function brokerIdOf(name: string): number {
  if (!/^-?\d+$/.test(name.trim())) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  return Number(name.trim());
}

function describeBroker(name: string, broker: BrokerContext, options: DescribeOptions): DescribedConfig[] {
  if (name === '') return describeClusterDefaultConfigs(brokerLayersOf(broker), options);
  if (brokerIdOf(name) !== broker.nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
  }
  return describeBrokerConfigs(brokerLayersOf(broker), options);
}

export function describeResource(resource: DescribeConfigsResource, broker: BrokerContext, options: DescribeOptions): DescribedConfig[] {
  switch (resource.resourceType) {
    case ConfigResourceType.TOPIC:
      return describeTopic(resource.resourceName, broker, options);
    case ConfigResourceType.BROKER:
      return describeBroker(resource.resourceName, broker, options);
    case ConfigResourceType.BROKER_LOGGER:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'kts has no runtime-adjustable loggers (BROKER_LOGGER resources are not supported).');
    default:
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceTypeName(resource.resourceType)}`);
  }
}

function result(resource: DescribeConfigsResource, error: ApiError, configs: DescribeConfigsResourceResult[]): DescribeConfigsResult {
  return {
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
    configs,
  };
}

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const results = request.resources.map((resource) => {
      const options: DescribeOptions = {
        // Kafka reads an empty key list like a null one: every config.
        keys: resource.configurationKeys === null || resource.configurationKeys.length === 0 ? null : resource.configurationKeys,
        includeSynonyms: request.includeSynonyms ?? false,
        includeDocumentation: request.includeDocumentation ?? false,
      };
      try {
        return result(resource, NO_ERROR, describeResource(resource, ctx.broker, options).map(toWire));
      } catch (err) {
        return result(resource, apiErrorOf(err), []);
      }
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    return { throttleTimeMs: 0, results: request.resources.map((r) => result(r, apiError(errorCode), [])) };
  },
});
