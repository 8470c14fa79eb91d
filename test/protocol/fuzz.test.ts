/**
 * Hostile bytes: random frames and mutated valid frames (fixed seed, bounded count) for
 * every API version, requests and responses. Decoding must either succeed or throw a
 * ProtocolDecodeError (or UNSUPPORTED_VERSION for headers naming unknown APIs) — never
 * a TypeError/RangeError, never a hang, never a huge allocation.
 */
import t, { type Test } from 'tap';
import { allApis } from '../../src/protocol/apis.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import { ProtocolDecodeError } from '../../src/protocol/reader.js';
import { KafkaError } from '../../src/protocol/errors.js';
import type { FieldSpec } from '../../src/protocol/schema.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0x6b7473);
const int = (n: number): number => Math.floor(rand() * n);

/** A small valid value with one element per array, so mutations hit every field kind. */
function sample(fields: readonly FieldSpec[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.type === 'struct') o[f.name] = sample(f.fields ?? []);
    else if (f.type === '[]struct') o[f.name] = [sample(f.fields ?? [])];
    else if (f.type === '[]string') o[f.name] = ['ab'];
    else if (f.type.startsWith('[]')) o[f.name] = [1];
    else if (f.type === 'string') o[f.name] = 'xyz';
    else if (f.type === 'bytes' || f.type === 'records') o[f.name] = Buffer.from([1, 2, 3]);
    else if (f.type === 'bool') o[f.name] = true;
    else if (f.type === 'uuid') o[f.name] = 'AAAAAAAAAAAAAAAAAAAAAQ';
    else o[f.name] = 1;
  }
  return o;
}

function mutate(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const kind = int(4);
  if (kind === 0) return out.subarray(0, int(out.length + 1));
  const edits = 1 + int(4);
  for (let i = 0; i < edits; i++) {
    const at = int(out.length);
    if (kind === 1) out[at] = int(256);
    else if (kind === 2) out[at] = [0x00, 0x7f, 0x80, 0xff][int(4)]!;
    else out.writeInt8(-1, at);
  }
  return out;
}

function expectSafe(t: Test, label: string, fn: () => unknown, failures: string[]): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolDecodeError) return;
    if (err instanceof KafkaError) return;
    failures.push(`${label}: ${(err as Error).name}: ${(err as Error).message}`);
  }
  void t;
}

const MUTATIONS_PER_VERSION = 100;

t.test('mutated request and response frames of every API version', async (t) => {
  const failures: string[] = [];
  let decoded = 0;
  for (const api of allApis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const req = encodeRequest(api.apiKey, v, 1, 'fuzz', sample(api.request.spec.fields)).subarray(4);
      const res = encodeResponse(api.apiKey, v, 1, sample(api.response.spec.fields)).subarray(4);
      for (let i = 0; i < MUTATIONS_PER_VERSION; i++) {
        const a = mutate(req);
        expectSafe(t, `${api.name} v${v} request`, () => decodeRequest(a), failures);
        const b = mutate(res);
        expectSafe(t, `${api.name} v${v} response`, () => decodeResponse(api.apiKey, v, b), failures);
        decoded += 2;
      }
    }
  }
  t.same(failures.slice(0, 10), [], `${decoded} mutated frames decoded or refused cleanly`);
});

t.test('random frames', async (t) => {
  const failures: string[] = [];
  for (let i = 0; i < 10000; i++) {
    const api = allApis[int(allApis.length)]!;
    const v = api.minVersion + int(api.maxVersion - api.minVersion + 1);
    const body = Buffer.from(Array.from({ length: int(64) }, () => (rand() < 0.3 ? 0xff : int(256))));
    const header = Buffer.alloc(8);
    header.writeInt16BE(api.apiKey, 0);
    header.writeInt16BE(v, 2);
    header.writeInt16BE(int(4) - 1, 6);
    const frame = Buffer.concat([header, body]);
    expectSafe(t, `${api.name} v${v} random request`, () => decodeRequest(frame), failures);
    expectSafe(t, `${api.name} v${v} random response`, () => decodeResponse(api.apiKey, v, body), failures);
  }
  t.same(failures.slice(0, 10), [], 'random frames decoded or refused cleanly');
});

t.test('huge declared lengths and counts do not allocate', async (t) => {
  const before = process.memoryUsage().arrayBuffers;
  // Produce v3: transactional id null, acks, timeout, topics count 2^31-1
  const frame = Buffer.from([0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0, 1, 0, 0, 0, 100, 0x7f, 0xff, 0xff, 0xff, 0, 1]);
  t.throws(() => decodeRequest(frame), ProtocolDecodeError);
  // Fetch v12 (flexible): compact array count 2^35 via a long varint
  const flex = Buffer.from([0, 1, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  t.throws(() => decodeRequest(flex), ProtocolDecodeError);
  t.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large allocation');
});
