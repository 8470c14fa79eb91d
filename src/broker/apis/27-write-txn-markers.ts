/**
 * WriteTxnMarkers (key 27), versions 0-1: writes COMMIT/ABORT markers for the given
 * producers to partitions this broker leads (NOT_LEADER_OR_FOLLOWER for the others), each
 * answered once the ISR has it (acks=all). Sent by transaction coordinators on other
 * brokers (cluster mode; markers of partitions the coordinator's broker leads are written
 * there directly), and by admin clients aborting a hanging transaction
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
  async handle(request, ctx) {
    const markers = request.markers.map(async (m) => ({
      producerId: m.producerId,
      topics: await Promise.all(
        m.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitionIndexes.map(async (partitionIndex) => ({
              partitionIndex,
              errorCode: await appendMarker(ctx.broker, t.name, partitionIndex, {
                producerId: m.producerId,
                producerEpoch: m.producerEpoch,
                commit: m.transactionResult,
                coordinatorEpoch: m.coordinatorEpoch,
              }),
            })),
          ),
        })),
      ),
    }));
    return { markers: await Promise.all(markers) };
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
