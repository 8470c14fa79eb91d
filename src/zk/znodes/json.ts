/**
 * Reading Kafka's znode JSON: written by Jackson from a map (key order arbitrary), some numbers
 * as strings. A znode that does not parse is a clear error naming the path, never a crash.
 */
import { KtsError } from '../../util/errors.js';

/** A znode whose data is not what Kafka writes there. */
export class ZnodeDataError extends KtsError {
  readonly path: string;
  constructor(path: string, why: string) {
    super('KTS_ZK_DATA', `ZooKeeper znode ${path} holds unexpected data: ${why}`);
    this.name = 'ZnodeDataError';
    this.path = path;
  }
}

export type JsonObject = Record<string, unknown>;

export function parseJsonObject(path: string, data: Buffer | null): JsonObject {
  if (data === null || data.length === 0) throw new ZnodeDataError(path, 'no data');
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch {
    throw new ZnodeDataError(path, `not JSON: ${data.toString('utf8').slice(0, 80)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ZnodeDataError(path, 'not a JSON object');
  return v as JsonObject;
}

export function toJsonBytes(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/** An integer written as a JSON number or, as Kafka does for some fields, a string. */
export function intField(path: string, o: JsonObject, key: string): number {
  const v = o[key];
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new ZnodeDataError(path, `"${key}" is not an integer (${JSON.stringify(v)})`);
  return n;
}

export function longField(path: string, o: JsonObject, key: string): bigint {
  const v = o[key];
  if ((typeof v === 'string' && /^-?\d+$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v))) return BigInt(v);
  throw new ZnodeDataError(path, `"${key}" is not an integer (${JSON.stringify(v)})`);
}

export function stringField(path: string, o: JsonObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ZnodeDataError(path, `"${key}" is not a string (${JSON.stringify(v)})`);
  return v;
}

export function intArray(path: string, v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
    throw new ZnodeDataError(path, `${what} is not a list of integers (${JSON.stringify(v)})`);
  }
  return v as number[];
}

/** `{"0":[1,2],"1":[2,3]}` → Map(0 → [1,2], 1 → [2,3]) */
export function partitionMap(path: string, v: unknown, what: string): Map<number, number[]> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ZnodeDataError(path, `${what} is not an object`);
  const out = new Map<number, number[]>();
  for (const [p, replicas] of Object.entries(v)) {
    if (!/^\d+$/.test(p)) throw new ZnodeDataError(path, `${what} has partition "${p}"`);
    out.set(Number(p), intArray(path, replicas, `${what}["${p}"]`));
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

export function partitionMapJson(m: Map<number, number[]>): Record<string, number[]> {
  const o: Record<string, number[]> = {};
  for (const [p, r] of [...m].sort((a, b) => a[0] - b[0])) o[String(p)] = r;
  return o;
}
