/**
 * DescribeCluster (key 60), versions 0-1 (flexible from 0). Answers the cluster id, this
 * node as the only broker (one entry per advertised listener host/port of the listener the
 * request came in on, as Kafka does) and as the controller. Authorized operations: Kafka's
 * "not requested" value -2147483648, or when requested the cluster operations the principal
 * may perform (all of them without an authorizer).
 * v1 endpoint_type: 1 (brokers) is answered; 2 (controllers) gets MISMATCHED_ENDPOINT_TYPE
 * as a broker listener does in Kafka, anything else UNSUPPORTED_ENDPOINT_TYPE.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { metadataBrokers } from './03-metadata.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { authorizedOperations } from '../auth/authorizer.js';
import { CLUSTER_NAME, ResourceType } from '../../protocol/acl.js';
import type { DescribeClusterBroker, DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/60-describe-cluster.js';

export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const ENDPOINT_TYPE_BROKER = 1;
const ENDPOINT_TYPE_CONTROLLER = 2;

/** The live brokers (metadata cache) at their endpoint for the request's listener. */
function brokersFor(ctx: RequestContext): DescribeClusterBroker[] {
  return metadataBrokers(ctx).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }));
}

function body(ctx: RequestContext, endpointType: number): DescribeClusterResponse {
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType,
    clusterId: ctx.broker.clusterId,
    controllerId: ctx.broker.metadataCache.controllerId,
    brokers: brokersFor(ctx),
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const endpointType = request.endpointType ?? ENDPOINT_TYPE_BROKER;
    if (endpointType !== ENDPOINT_TYPE_BROKER) {
      const mismatched = endpointType === ENDPOINT_TYPE_CONTROLLER;
      return {
        ...body(ctx, endpointType),
        errorCode: mismatched ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: mismatched
          ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
          : `Unsupported endpoint type ${endpointType}`,
        brokers: [],
        controllerId: -1,
      };
    }
    const response = body(ctx, endpointType);
    if (request.includeClusterAuthorizedOperations) response.clusterAuthorizedOperations = authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME);
    return response;
  },
  errorResponse(request, errorCode, ctx) {
    return { ...body(ctx, request.endpointType ?? ENDPOINT_TYPE_BROKER), errorCode, brokers: [] };
  },
});
