/**
 * kts's own error types. Kafka protocol errors live in protocol/errors.ts; these are
 * for everything a user sees from the CLI, the storage engine and the broker process.
 * One handler in cli/main.ts turns them into a message and an exit code.
 */

/** A fault with a stable `KTS_...` code, a message that says what is wrong, and a hint how to fix it. */
export class KtsError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KtsError';
    this.code = code;
    this.hint = hint;
  }
}

/** Wrong flags or arguments: exit code 2. */
export class UsageError extends KtsError {
  constructor(message: string, hint?: string) {
    super('KTS_USAGE', message, hint);
    this.name = 'UsageError';
  }
}

/** Bytes that do not decode: carries the byte position where decoding failed. */
export class CorruptDataError extends KtsError {
  readonly position: number;
  constructor(message: string, position: number, options?: { cause?: unknown }) {
    super('KTS_CORRUPT', `${message} (at byte ${position})`, undefined, options);
    this.name = 'CorruptDataError';
    this.position = position;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
