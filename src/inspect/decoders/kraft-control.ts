/**
 * KRaft control records as dump-log prints them: SnapshotHeader, SnapshotFooter,
 * KRaftVersion and KRaftVoters values as JSON (field names as Kafka's JSON converters
 * write them). Schemas: kafka-protocol/message/*Record.json (flexible, version 0).
 */
import { SchemaReader, type Json } from './schema-reader.js';

function endpoint(r: SchemaReader): Json {
  const e = { name: r.string(), host: r.string(), port: r.uint16() };
  r.taggedFields();
  return e;
}

function voter(r: SchemaReader): Json {
  const voterId = r.int32();
  const voterDirectoryId = r.uuid();
  const endpoints: Json[] = [];
  for (let i = 0, n = r.arrayLength(); i < n; i++) endpoints.push(endpoint(r));
  const kRaftVersionFeature = { minSupportedVersion: r.int16(), maxSupportedVersion: r.int16() };
  r.taggedFields();
  r.taggedFields();
  return { voterId, voterDirectoryId, endpoints, kRaftVersionFeature };
}

const BODIES: Record<number, [label: string, read: (r: SchemaReader) => Record<string, Json>]> = {
  3: ['SnapshotHeader', (r) => ({ version: r.int16(), lastContainedLogTimestamp: r.int64() })],
  4: ['SnapshotFooter', (r) => ({ version: r.int16() })],
  5: ['KRaftVersion', (r) => ({ version: r.int16(), kRaftVersion: r.int16() })],
  6: [
    'KRaftVoters',
    (r) => {
      const version = r.int16();
      const voters: Json[] = [];
      for (let i = 0, n = r.arrayLength(); i < n; i++) voters.push(voter(r));
      return { version, voters };
    },
  ],
};

export interface KraftControlRecord {
  /** SnapshotHeader, SnapshotFooter, KRaftVersion or KRaftVoters, as Kafka labels them. */
  label: string;
  data: Record<string, Json>;
}

/** The decoded value of a KRaft control record of type 3-6; null for other types or undecodable values. */
export function decodeKraftControl(typeId: number, value: Buffer | null): KraftControlRecord | null {
  const body = BODIES[typeId];
  if (body === undefined || value === null) return null;
  try {
    const r = new SchemaReader(value, true);
    const json = body[1](r);
    r.taggedFields();
    if (r.c.remaining !== 0) return null;
    return { label: body[0], data: json };
  } catch {
    return null;
  }
}
