/**
 * Round trip of every API, both directions, every version: a value with every field set
 * to a non-default value (and a second one with nulls wherever the version allows them)
 * is encoded, decoded, compared with what that version can carry, and re-encoded to the
 * same bytes.
 */
import t, { type Test } from 'tap';
import { allApis } from '../../src/protocol/apis.js';
import { dataSchemas } from '../../src/protocol/data.js';
import { inVersions, type FieldSpec, type MessageSchema } from '../../src/protocol/schema.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

type Obj = Record<string, unknown>;

/** A deterministic stream of varied values. */
class Gen {
  private n = 0;
  next(): number {
    this.n = (this.n * 1103515245 + 12345) % 2147483648;
    return this.n;
  }
  scalar(type: string): unknown {
    const x = this.next();
    switch (type) {
      case 'int8': return (x % 200) - 100 || 7;
      case 'int16': return (x % 60000) - 30000 || 7;
      case 'uint16': return (x % 65535) + 1;
      case 'int32': return x - 1073741824 || 7;
      case 'uint32': return x * 2 + 1;
      case 'int64': return (x * 4096 + 17) * (x % 2 ? 1 : -1);
      case 'float64': return x / 3;
      case 'bool': return true;
      case 'uuid': return Buffer.from(Array.from({ length: 16 }, (_, i) => (x + i * 31) & 0xff)).toString('base64url');
      case 'string': return `s${x}-é`;
      case 'bytes': return Buffer.from([x & 0xff, (x >> 8) & 0xff, 3]);
      case 'records': return Buffer.alloc(1500 + (x % 100), x & 0xff);
    }
    throw new Error(type);
  }
}

/** A full value: every field of every version set; nulls where `nulls` and nullable. */
function makeValue(fields: readonly FieldSpec[], gen: Gen, version: number, nulls: boolean): Obj {
  const o: Obj = {};
  for (const f of fields) {
    if (nulls && inVersions(f.nullableVersions, version)) {
      o[f.name] = null;
      continue;
    }
    if (f.type === 'struct') o[f.name] = makeValue(f.fields ?? [], gen, version, nulls);
    else if (f.type === '[]struct') o[f.name] = [makeValue(f.fields ?? [], gen, version, nulls), makeValue(f.fields ?? [], gen, version, nulls)];
    else if (f.type.startsWith('[]')) o[f.name] = [gen.scalar(f.type.slice(2)), gen.scalar(f.type.slice(2))];
    else o[f.name] = gen.scalar(f.type);
  }
  return o;
}

function typeDefault(f: FieldSpec): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type === 'bool') return false;
  if (f.type === 'string') return '';
  if (f.type === 'uuid') return 'AAAAAAAAAAAAAAAAAAAAAA';
  if (f.type === 'bytes') return Buffer.alloc(0);
  if (f.type === 'records') return null;
  if (f.type === 'struct') return project(f.fields ?? [], {}, -1);
  if (f.type.startsWith('[]')) return [];
  return 0;
}

/** What a version can carry: fields absent in it come back at their default. */
function project(fields: readonly FieldSpec[], value: Obj, version: number): Obj {
  const o: Obj = {};
  for (const f of fields) {
    const x = value[f.name];
    if (version < 0 || !inVersions(f.versions, version) || x === undefined) {
      o[f.name] = typeDefault(f);
    } else if (x !== null && f.type === 'struct') {
      o[f.name] = project(f.fields ?? [], x as Obj, version);
    } else if (x !== null && f.type === '[]struct') {
      o[f.name] = (x as Obj[]).map((e) => project(f.fields ?? [], e, version));
    } else {
      o[f.name] = x;
    }
  }
  return o;
}

function roundTrip(t: Test, schema: MessageSchema<unknown>, version: number, value: Obj, label: string): void {
  const w = new Writer(16);
  schema.encode(w, version, value);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const decoded = schema.decode(r, version);
  t.equal(r.remaining, 0, `${label}: all bytes consumed`);
  t.same(decoded, project(schema.spec.fields, value, version), `${label}: decoded value`);
  const again = schema.toBuffer(version, decoded);
  t.ok(again.equals(bytes), `${label}: re-encoded bytes equal`);
}

const schemas: MessageSchema<unknown>[] = [...allApis.flatMap((a) => [a.request, a.response]), ...dataSchemas];
for (const schema of schemas) {
  t.test(schema.spec.name, async (t) => {
    for (let v = schema.minVersion; v <= schema.maxVersion; v++) {
      const gen = new Gen();
      roundTrip(t, schema, v, makeValue(schema.spec.fields, gen, v, false), `v${v} full`);
      roundTrip(t, schema, v, makeValue(schema.spec.fields, gen, v, true), `v${v} nulls`);
      roundTrip(t, schema, v, {}, `v${v} defaults`);
    }
  });
}
