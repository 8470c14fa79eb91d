/**
 * Control records: the single record of a control batch. Key = version int16 + type
 * int16. End-transaction markers (ABORT/COMMIT) carry value = version int16 +
 * coordinator epoch int32; other types (LEADER_CHANGE, KRaft snapshot/voter records)
 * are recognised by type and their value left as bytes.
 */
import { CorruptDataError } from '../util/errors.js';
import { CompressionType } from './batch-header.js';
import { encodeRecordBatch } from './record-batch.js';

export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderChange: 2,
  SnapshotHeader: 3,
  SnapshotFooter: 4,
  KraftVersion: 5,
  KraftVoters: 6,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

const TYPE_NAMES: Record<number, string> = {
  0: 'ABORT',
  1: 'COMMIT',
  2: 'LEADER_CHANGE',
  3: 'SNAPSHOT_HEADER',
  4: 'SNAPSHOT_FOOTER',
  5: 'KRAFT_VERSION',
  6: 'KRAFT_VOTERS',
};

/** Kafka's name for a control record type; UNKNOWN for types this build does not know. */
export function controlRecordTypeName(type: number): string {
  return TYPE_NAMES[type] ?? 'UNKNOWN';
}

export interface ControlRecordKey {
  version: number;
  type: number;
}

export interface EndTransactionMarker {
  version: number;
  coordinatorEpoch: number;
}

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) throw new CorruptDataError(`control record key needs 4 bytes, has ${key?.length ?? 'null'}`, 0);
  const version = key.readInt16BE(0);
  // Kafka reads version 0 keys and ignores bytes a newer version may append.
  if (version < 0) throw new CorruptDataError(`control record key version ${version}`, 0);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTransactionMarker(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export function decodeEndTransactionMarker(value: Buffer | null): EndTransactionMarker {
  if (value === null || value.length < 6) throw new CorruptDataError(`end transaction marker needs 6 bytes, has ${value?.length ?? 'null'}`, 0);
  const version = value.readInt16BE(0);
  if (version < 0) throw new CorruptDataError(`end transaction marker version ${version}`, 0);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTransactionMarkerBatchInput {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestampMs: number;
}

/**
 * A COMMIT or ABORT marker batch as the transaction coordinator has the leader write it:
 * control + transactional bits, the producer's id/epoch, no sequence, one record.
 */
export function encodeEndTransactionMarkerBatch(input: EndTransactionMarkerBatchInput): Buffer {
  return encodeRecordBatch({
    baseOffset: input.baseOffset ?? 0,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    compression: CompressionType.None,
    transactional: true,
    control: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
    records: [
      {
        timestampMs: input.timestampMs,
        key: encodeControlRecordKey(input.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTransactionMarker(input.coordinatorEpoch),
      },
    ],
  });
}
