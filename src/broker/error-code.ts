/**
 * How the broker turns a caught error into a Kafka error code: a KafkaError carries its
 * own code; anything else is a kts bug, logged with its stack, and answered with
 * UNKNOWN_SERVER_ERROR so the client sees a failure instead of a dropped connection.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export function errorCodeOf(err: unknown, log: Logger, what: string): number {
  if (err instanceof KafkaError) return err.errorCode;
  log.error(`${what} failed: ${err instanceof Error && err.stack ? err.stack : errorMessage(err)}`);
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
