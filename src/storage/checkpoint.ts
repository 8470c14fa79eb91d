/**
 * Kafka's small text files: offset checkpoints (`recovery-point-offset-checkpoint`,
 * `log-start-offset-checkpoint`, `replication-offset-checkpoint`), `leader-epoch-checkpoint`,
 * `partition.metadata`, `meta.properties`; all written atomically (tmp + fsync + rename +
 * fsync of the directory) as Kafka's CheckpointFile does.
 */
import { parseProperties as parseJavaProperties } from '../util/java-properties.js';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CorruptDataError } from '../util/errors.js';
import { deferSync, isCollectingSyncs } from './sync-group.js';

/**
 * Write `text` to `path` via `path.tmp`, fsync, rename, fsync the directory. Inside a sync
 * group (sync-group.ts) the file and directory are fsynced with the group; with
 * `sync: false` not at all (a rename is still atomic: a kill -9 leaves the old or the new).
 */
export function writeFileAtomic(path: string, text: string | Buffer, options: { sync?: boolean } = {}): void {
  const sync = (options.sync ?? true) && !isCollectingSyncs();
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (sync) fsyncDir(dirname(path));
  else if (options.sync ?? true) {
    deferSync(path);
    deferSync(dirname(path));
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Lines of a checkpoint file: version, count, then `count` entries. */
function parseCheckpoint(path: string, text: string, expectedVersion: number): string[][] {
  // Kafka creates a checkpoint file empty before its first write (its leader-epoch-checkpoint
  // stays so until the partition has a leader epoch) and reads an empty file as no entries.
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const version = Number(lines[0]);
  if (lines.length < 2 || version !== expectedVersion) {
    throw new CorruptDataError(`${path}: unrecognised checkpoint version ${JSON.stringify(lines[0] ?? '')}`, 0);
  }
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || count !== lines.length - 2) {
    throw new CorruptDataError(`${path}: expected ${lines[1]} entries, found ${lines.length - 2}`, 0);
  }
  return lines.slice(2).map((l) => l.split(' '));
}

function checkpointText(version: number, entries: string[]): string {
  return `${version}\n${entries.length}\n${entries.map((e) => `${e}\n`).join('')}`;
}

/** `topic partition offset` entries keyed by `topic-partition`. */
export type OffsetCheckpoint = Map<string, { topic: string; partition: number; offset: number }>;

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * The file's text, or null when it does not exist: one open instead of a stat and an open
 * (a broker with 10,000 partitions reads several small files per partition at start).
 */
export function readTextIfExists(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // open, read, close: readFileSync adds an fstat and a read to find the end, and parses
  // options per call (a tenth of a 10,000-partition start's CPU went to these two files).
  try {
    let got = readSync(fd, smallFileBuffer, 0, smallFileBuffer.length, 0);
    if (got < smallFileBuffer.length) return smallFileBuffer.toString('utf8', 0, got);
    const parts = [Buffer.from(smallFileBuffer)];
    let position = got;
    const more = Buffer.allocUnsafe(64 * 1024);
    while ((got = readSync(fd, more, 0, more.length, position)) > 0) {
      parts.push(Buffer.from(more.subarray(0, got)));
      position += got;
    }
    return Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Most checkpoint files (partition.metadata, leader-epoch-checkpoint) fit in one read of this. */
const smallFileBuffer = Buffer.allocUnsafe(4096);

export function readOffsetCheckpoint(path: string): OffsetCheckpoint {
  const out: OffsetCheckpoint = new Map();
  const text = readTextIfExists(path);
  if (text === null) return out;
  for (const fields of parseCheckpoint(path, text, 0)) {
    const [topic, partition, offset] = fields;
    if (fields.length !== 3 || !/^\d+$/.test(partition ?? '') || !/^-?\d+$/.test(offset ?? '')) {
      throw new CorruptDataError(`${path}: malformed line "${fields.join(' ')}"`, 0);
    }
    out.set(topicPartitionKey(topic!, Number(partition)), { topic: topic!, partition: Number(partition), offset: Number(offset) });
  }
  return out;
}

export function offsetCheckpointText(entries: Iterable<{ topic: string; partition: number; offset: number }>): string {
  return checkpointText(0, [...entries].map((e) => `${e.topic} ${e.partition} ${e.offset}`));
}

/**
 * Written only when the entries change: opening and closing a data dir to read it (a
 * local command that only reads) leaves its checkpoints untouched. The order of the lines
 * carries nothing (Kafka writes them in hash order; a load lists directories in another
 * order than they were created in), so the same entries in another order are the same.
 */
export function writeOffsetCheckpoint(path: string, entries: Iterable<{ topic: string; partition: number; offset: number }>): void {
  const text = offsetCheckpointText(entries);
  if (sameEntries(path, text)) return;
  writeFileAtomic(path, text);
}

function sameEntries(path: string, text: string): boolean {
  let current: string;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (current === text) return true;
  const sorted = (t: string): string => t.split('\n').sort().join('\n');
  return current.length === text.length && sorted(current) === sorted(text);
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function readLeaderEpochCheckpoint(path: string): EpochEntry[] {
  const text = readTextIfExists(path);
  if (text === null) return [];
  return parseCheckpoint(path, text, 0).map((fields) => {
    if (fields.length !== 2 || !/^-?\d+$/.test(fields[0]!) || !/^-?\d+$/.test(fields[1]!)) {
      throw new CorruptDataError(`${path}: malformed line "${fields.join(' ')}"`, 0);
    }
    return { epoch: Number(fields[0]), startOffset: Number(fields[1]) };
  });
}

export function leaderEpochCheckpointText(entries: readonly EpochEntry[]): string {
  return checkpointText(0, entries.map((e) => `${e.epoch} ${e.startOffset}`));
}

/** `partition.metadata`: Kafka's PartitionMetadataFile (version 0, topic id as base64 UUID). */
export function partitionMetadataText(topicId: string): string {
  return `version: 0\ntopic_id: ${topicId}`;
}

export function readPartitionMetadata(path: string): string | null {
  const text = readTextIfExists(path);
  if (text === null) return null;
  const m = /^version: 0\ntopic_id: (\S+)\s*$/.exec(text);
  if (!m) throw new CorruptDataError(`${path}: not a version 0 partition.metadata file`, 0);
  return m[1]!;
}

/** A Java properties file (meta.properties) as a map; later keys win. */
export function parseProperties(text: string, source = 'meta.properties'): Map<string, string> {
  return new Map(parseJavaProperties(text, source).map((e) => [e.key, e.value]));
}
