/**
 * WriteTxnMarkers (key 27), versions 0-1: writes COMMIT/ABORT markers for the given
 * producers to partitions of this broker. kts's own coordinator writes markers directly;
 * this request serves admin clients aborting a hanging transaction
 * (`kts transactions abort`, Kafka's Admin.abortTransaction). Storage refuses a marker
 * from an older producer epoch (INVALID_PRODUCER_EPOCH) or coordinator epoch
 * (TRANSACTION_COORDINATOR_FENCED).
 */
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/27-write-txn-markers.js';
import { defineHandler } from '../handler.js';
import { appendMarker } from '../txn/coordinator.js';

export const writeTxnMarkersHandler = defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>({
  apiKey: 27,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    return {
      markers: request.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            errorCode: appendMarker(ctx.broker, t.name, partitionIndex, {
              producerId: m.producerId,
              producerEpoch: m.producerEpoch,
              commit: m.transactionResult,
              coordinatorEpoch: m.coordinatorEpoch,
            }),
          })),
        })),
      })),
    };
  },
  errorResponse(request, errorCode) {
    return {
      markers: request.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
      })),
    };
  },
});
