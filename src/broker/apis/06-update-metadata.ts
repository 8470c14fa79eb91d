/**
 * UpdateMetadata (key 6), versions 0-8 (Kafka 1.1's controller sends v4): replaces the live
 * brokers and upserts partition states in the metadata cache that client Metadata requests
 * are answered from (leader -2 deletes a partition). A stale controller epoch is refused
 * with STALE_CONTROLLER_EPOCH; so is every request to a single-node broker.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { UpdateMetadataRequest, UpdateMetadataResponse } from '../../protocol/messages/06-update-metadata.js';
import { defineHandler } from '../handler.js';

export const updateMetadataHandler = defineHandler<UpdateMetadataRequest, UpdateMetadataResponse>({
  apiKey: 6,
  minVersion: 0,
  maxVersion: 8,
  handle(request, ctx) {
    const rm = ctx.broker.replicaManager;
    if (!rm.clusterMode) return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH };
    return { errorCode: rm.updateMetadata(request) };
  },
  errorResponse(_request, errorCode) {
    return { errorCode };
  },
});
