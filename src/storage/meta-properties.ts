/**
 * `meta.properties` of a log dir, as Kafka's KRaft mode writes it (version 1, node.id,
 * cluster.id, directory.id), and Kafka's base64 UUIDs for cluster, directory and topic ids.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KtsError } from '../util/errors.js';
import { parseProperties, writeFileAtomic } from './checkpoint.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  version: number;
  nodeId: number;
  clusterId: string;
  directoryId: string;
}

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, URL-safe base64 without padding, never starting with '-'. */
export function randomKafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (usableKafkaUuid(id)) return id;
  }
}

/**
 * The topic id of a topic known without one (a ZooKeeper znode or a log dir Kafka wrote
 * before 2.8): derived from the name, so every broker, and every open of a dir, derives the
 * same one without writing it anywhere.
 */
export function derivedTopicId(topic: string): string {
  const bytes = createHash('sha256').update(`kts-topic-id:${topic}`).digest().subarray(0, 16);
  bytes[0] = bytes[0]! | 0x01;
  return bytes.toString('base64url');
}

/** Kafka reserves the all-zero and one-valued ids and avoids a leading '-' (CLI parsing). */
function usableKafkaUuid(id: string): boolean {
  return !id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ';
}

export function metaPropertiesText(meta: MetaProperties, now = new Date()): string {
  return `#\n#${now.toUTCString()}\nnode.id=${meta.nodeId}\ndirectory.id=${meta.directoryId}\nversion=${meta.version}\ncluster.id=${meta.clusterId}\n`;
}

export function readMetaProperties(dir: string): MetaProperties | undefined {
  const path = join(dir, META_PROPERTIES);
  if (!existsSync(path)) return undefined;
  const props = parseProperties(readFileSync(path, 'utf8'));
  const version = Number(props.get('version') ?? '0');
  const nodeId = Number(props.get(version === 0 ? 'broker.id' : 'node.id') ?? props.get('node.id') ?? props.get('broker.id'));
  const clusterId = props.get('cluster.id');
  // Version 0 (ZooKeeper-mode Kafka) had no cluster.id before 0.10.1: the broker adds it.
  if (version === 0 && !clusterId && Number.isInteger(nodeId)) return { version, nodeId, clusterId: '', directoryId: '' };
  if (!clusterId || !Number.isInteger(nodeId)) {
    throw new KtsError('KTS_BAD_META_PROPERTIES', `${path} has no ${clusterId ? 'node.id' : 'cluster.id'}`, 'Restore the file, or remove it if the directory holds no data you need.');
  }
  return { version, nodeId, clusterId, directoryId: props.get('directory.id') ?? '' };
}

/** meta.properties as checked by ensureMetaProperties. */
export interface CheckedMetaProperties extends MetaProperties {
  /**
   * With `deferWrite`: the file's completed text (a cluster id or directory id added in
   * memory) for the caller to write with the dir's first change (writeMetaPropertiesText).
   */
  readonly pendingText?: string;
}

/**
 * Check or create meta.properties in `dir`. A different cluster or node id is an error
 * naming the file; a missing cluster.id (version 0 before Kafka 0.10.1) or directory.id is
 * added, as Kafka does when it opens such a dir: at once, or with `deferWrite` kept in
 * memory (`pendingText`) so that a command that only reads leaves the dir as it was.
 */
export function ensureMetaProperties(dir: string, nodeId: number, clusterId: string | undefined, options: { deferWrite?: boolean } = {}): CheckedMetaProperties {
  const path = join(dir, META_PROPERTIES);
  const existing = readMetaProperties(dir);
  const complete = (meta: MetaProperties, text: string): CheckedMetaProperties => {
    if (options.deferWrite) return { ...meta, pendingText: text };
    writeFileAtomic(path, text);
    return meta;
  };
  if (!existing) {
    const meta: MetaProperties = { version: 1, nodeId, clusterId: clusterId ?? randomKafkaUuid(), directoryId: randomKafkaUuid() };
    writeFileAtomic(path, metaPropertiesText(meta));
    return meta;
  }
  const adopted = existing.version === 0 && existing.clusterId === '' ? { ...existing, clusterId: clusterId ?? randomKafkaUuid() } : existing;
  if (clusterId !== undefined && adopted.clusterId !== clusterId) {
    throw new KtsError(
      'KTS_CLUSTER_ID_MISMATCH',
      `${path} says this log dir belongs to cluster ${adopted.clusterId}, not ${clusterId}`,
      'Use a different data dir for this cluster, or remove that meta.properties if the data there is not needed.',
    );
  }
  if (adopted.nodeId !== nodeId) {
    throw new KtsError(
      'KTS_NODE_ID_MISMATCH',
      `${path} says this log dir belongs to node ${adopted.nodeId}, not ${nodeId}`,
      `Start with node.id=${adopted.nodeId}, or use a different data dir.`,
    );
  }
  // As Kafka 1.1 does to an older dir: add the cluster id, keep version 0 (a v1 file would be refused by ZooKeeper-mode Kafka).
  if (adopted !== existing) return complete(adopted, `#\n#${new Date().toUTCString()}\nversion=0\nbroker.id=${adopted.nodeId}\ncluster.id=${adopted.clusterId}\n`);
  // A version 0 file stays as Kafka wrote it, so Kafka can still open the dir; it has no directory id.
  if (existing.version !== 0 && !existing.directoryId) {
    const upgraded: MetaProperties = { version: 1, nodeId, clusterId: existing.clusterId, directoryId: randomKafkaUuid() };
    return complete(upgraded, metaPropertiesText(upgraded));
  }
  return existing;
}

/** Write the text ensureMetaProperties kept pending for `dir` (durably, as one rename). */
export function writeMetaPropertiesText(dir: string, text: string): void {
  writeFileAtomic(join(dir, META_PROPERTIES), text);
}
