/**
 * The record shape the console tools print and read, independent of the client's own
 * types: what a consumer hands the formatters and what a producer is given to send.
 */

export type TimestampType = 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';

export interface ConsoleHeader {
  key: string;
  value: Buffer | null;
}

export interface ConsoleRecord {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  timestampType: TimestampType;
  /** -1 when the broker did not report one. */
  leaderEpoch: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly ConsoleHeader[];
}
