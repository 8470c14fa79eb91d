/**
 * PRODUCER_FENCED (KIP-588) is only understood by newer request versions; older clients get
 * INVALID_PRODUCER_EPOCH for the same condition, as Kafka's handlers convert it.
 */
import { ErrorCode } from '../../protocol/errors.js';

export function fencedForVersion(errorCode: number, apiVersion: number, firstVersionWithFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
