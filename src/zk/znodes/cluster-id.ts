/** `/cluster/id`: `{"version":"1","id":"<22-char base64 UUID>"}` (the version is a string). */
import { ClusterIdPath } from './paths.js';
import { parseJsonObject, stringField, toJsonBytes } from './json.js';

export function encodeClusterId(id: string): Buffer {
  return toJsonBytes({ version: '1', id });
}

export function decodeClusterId(data: Buffer | null): string {
  return stringField(ClusterIdPath, parseJsonObject(ClusterIdPath, data), 'id');
}
