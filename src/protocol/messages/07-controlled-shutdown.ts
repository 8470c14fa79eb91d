/**
 * ControlledShutdown (key 7): versions 0-3, flexible from 3. A broker asks the controller to
 * move its leaderships away before it stops. v0 uses a request header without client id
 * (the codec knows).
 */
import { message, f, arr } from '../schema.js';

export interface ControlledShutdownRequest {
  brokerId: number;
  brokerEpoch?: number;
}
export interface RemainingPartition {
  topicName: string;
  partitionIndex: number;
}
export interface ControlledShutdownResponse {
  errorCode: number;
  remainingPartitions: RemainingPartition[];
}

export const controlledShutdownRequest = message<ControlledShutdownRequest>({
  name: 'ControlledShutdownRequest', type: 'request', apiKey: 7, validVersions: '0-3', flexibleVersions: '3+',
  fields: [
    f('brokerId', 'int32', '0+'),
    f('brokerEpoch', 'int64', '2+', { default: -1 }),
  ],
});

export const controlledShutdownResponse = message<ControlledShutdownResponse>({
  name: 'ControlledShutdownResponse', type: 'response', apiKey: 7, validVersions: '0-3', flexibleVersions: '3+',
  fields: [
    f('errorCode', 'int16', '0+'),
    arr('remainingPartitions', '0+', [
      f('topicName', 'string', '0+'),
      f('partitionIndex', 'int32', '0+'),
    ]),
  ],
});
