/**
 * The (error code, error message) pair admin responses carry per topic or resource.
 * KafkaError prefixes its message with the error name for logs; on the wire Kafka sends
 * only the message text, so the prefix is removed here.
 */
import { ErrorCode, KafkaError, errorName } from '../../protocol/errors.js';
import { errorMessage } from '../../util/errors.js';

export interface ApiError {
  errorCode: number;
  errorMessage: string | null;
}

export const NO_ERROR: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

export function apiError(errorCode: number, message: string | null = null): ApiError {
  return { errorCode, errorMessage: message };
}

/** Turns anything thrown into the pair a response carries; unexpected faults become UNKNOWN_SERVER_ERROR. */
export function apiErrorOf(err: unknown): ApiError {
  if (err instanceof KafkaError) {
    const prefix = `${errorName(err.errorCode)}: `;
    const text = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { errorCode: err.errorCode, errorMessage: text === errorName(err.errorCode) ? null : text };
  }
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: errorMessage(err) };
}
