/**
 * ControlledShutdown (key 7), versions 1-3 (Kafka 1.1 brokers send v1; v0's header without
 * client id is not served): a broker about to stop asks the active controller to move its
 * leaderships away. Answered by the controller of this broker when it is the active one,
 * else NOT_CONTROLLER (the caller finds the controller in ZooKeeper and retries);
 * `remaining_partitions` are the partitions it still leads. A single-node broker has no
 * controller to ask: NOT_CONTROLLER.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { ControlledShutdownRequest, ControlledShutdownResponse } from '../../protocol/messages/07-controlled-shutdown.js';
import { defineHandler } from '../handler.js';

export const controlledShutdownHandler = defineHandler<ControlledShutdownRequest, ControlledShutdownResponse>({
  apiKey: 7,
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    const controller = ctx.broker.controller;
    if (!controller || !controller.isActive()) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    const result = await controller.controlledShutdown(request.brokerId, request.brokerEpoch ?? -1);
    return {
      errorCode: result.errorCode,
      remainingPartitions: result.partitionsRemaining.map((p) => ({ topicName: p.topic, partitionIndex: p.partition })),
    };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, remainingPartitions: [] };
  },
});
