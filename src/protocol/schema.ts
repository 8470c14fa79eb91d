/**
 * The message DSL and its compiler.
 *
 * A message is plain TS data: fields in wire order, each with the versions it exists in,
 * the versions it may be null in, and (for flexible versions) an optional tag. The
 * vocabulary is Kafka's message JSON vocabulary so a test can diff our definitions against
 * Kafka's. `MessageSchema` compiles a definition once per version into closures (one
 * encoder and one decoder per field, arrays and structs composed from them), so nothing
 * interprets the definition per message on the hot path.
 *
 * Rules carried over from Kafka: flexible versions use compact strings/bytes/arrays and
 * end each struct with a tagged-field section; unknown tags are skipped; known tagged
 * fields are written only when they differ from their default; nullable structs carry an
 * int8 presence marker; fields absent in a version decode to their default and are not
 * written when encoding.
 */
import { Reader, ProtocolDecodeError, ZERO_UUID } from './reader.js';
import { Writer, ProtocolEncodeError } from './writer.js';

export type ScalarType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'float64' | 'bool'
  | 'uuid' | 'string' | 'bytes' | 'records';
export type FieldType = ScalarType | `[]${ScalarType}` | 'struct' | '[]struct';
export type DefaultValue = number | boolean | string | null;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: DefaultValue;
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly name: string;
  readonly type: 'request' | 'response' | 'data' | 'header';
  readonly apiKey?: number;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}

/** Options of a field. `nullable: true` means nullable in all versions the field exists in;
 * `tag` alone means tagged in all versions the field exists in. */
export interface FieldOptions {
  readonly nullable?: string | true;
  readonly tag?: number;
  readonly tagged?: string;
  readonly default?: DefaultValue;
}

function withOptions(base: { name: string; type: FieldType; versions: string; fields?: readonly FieldSpec[] }, o?: FieldOptions): FieldSpec {
  if (!o) return base;
  return {
    ...base,
    ...(o.nullable !== undefined ? { nullableVersions: o.nullable === true ? base.versions : o.nullable } : {}),
    ...(o.tag !== undefined ? { tag: o.tag, taggedVersions: o.tagged ?? base.versions } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
  };
}

/** A scalar field or an array of scalars. */
export function f(name: string, type: ScalarType | `[]${ScalarType}`, versions: string, o?: FieldOptions): FieldSpec {
  return withOptions({ name, type, versions }, o);
}
/** An array of structs. */
export function arr(name: string, versions: string, fields: readonly FieldSpec[], o?: FieldOptions): FieldSpec {
  return withOptions({ name, type: '[]struct', versions, fields }, o);
}
/** A single struct. */
export function struct(name: string, versions: string, fields: readonly FieldSpec[], o?: FieldOptions): FieldSpec {
  return withOptions({ name, type: 'struct', versions, fields }, o);
}

// ---- versions -------------------------------------------------------------------------

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export function parseVersions(s: string): VersionRange {
  if (s === 'none') return { min: 1, max: 0 };
  if (s.endsWith('+')) return { min: Number(s.slice(0, -1)), max: Infinity };
  const dash = s.indexOf('-');
  if (dash < 0) return { min: Number(s), max: Number(s) };
  return { min: Number(s.slice(0, dash)), max: Number(s.slice(dash + 1)) };
}

export function inVersions(s: string | undefined, version: number): boolean {
  if (s === undefined) return false;
  const r = parseVersions(s);
  return version >= r.min && version <= r.max;
}

// ---- defaults -------------------------------------------------------------------------

const EMPTY = Buffer.alloc(0);
type Obj = Record<string, unknown>;

function defaultFactory(field: FieldSpec): () => unknown {
  if (field.default !== undefined) {
    const d = field.default;
    return () => d;
  }
  switch (field.type) {
    case 'bool':
      return () => false;
    case 'string':
      return () => '';
    case 'uuid':
      return () => ZERO_UUID;
    case 'bytes':
      return () => EMPTY;
    case 'records':
      return () => null;
    case 'struct': {
      const make = structDefaults(field.fields ?? []);
      return make;
    }
    default:
      return field.type.startsWith('[]') ? () => [] : () => 0;
  }
}

function structDefaults(fields: readonly FieldSpec[]): () => Obj {
  const makers = fields.map((fl) => [fl.name, defaultFactory(fl)] as const);
  return () => {
    const o: Obj = {};
    for (const [name, make] of makers) o[name] = make();
    return o;
  };
}

/** A predicate telling whether a value equals the field's default, built once per field. */
function defaultChecker(field: FieldSpec): (x: unknown) => boolean {
  const d = defaultFactory(field)();
  if (field.type === 'struct' && d !== null) {
    const subs = (field.fields ?? []).map((sub) => [sub.name, defaultChecker(sub)] as const);
    return (x) => x === undefined || (x !== null && subs.every(([name, check]) => check((x as Obj)[name])));
  }
  if (d === null) return (x) => x === undefined || x === null;
  if (field.type.startsWith('[]') || field.type === 'bytes') return (x) => x === undefined || (x !== null && (x as { length: number }).length === 0);
  return (x) => x === undefined || x === d;
}

// ---- compiler -------------------------------------------------------------------------

type Enc = (w: Writer, x: unknown) => void;
type Dec = (r: Reader) => unknown;
interface Codec {
  readonly enc: Enc;
  readonly dec: Dec;
  /** Fewest bytes one value can occupy: bounds array counts on hostile input. */
  readonly minBytes: number;
}

function scalarCodec(type: ScalarType, flexible: boolean, nullable: boolean): Codec {
  switch (type) {
    case 'int8':
      return { enc: (w, x) => w.int8(x as number), dec: (r) => r.int8(), minBytes: 1 };
    case 'int16':
      return { enc: (w, x) => w.int16(x as number), dec: (r) => r.int16(), minBytes: 2 };
    case 'uint16':
      return { enc: (w, x) => w.uint16(x as number), dec: (r) => r.uint16(), minBytes: 2 };
    case 'int32':
      return { enc: (w, x) => w.int32(x as number), dec: (r) => r.int32(), minBytes: 4 };
    case 'uint32':
      return { enc: (w, x) => w.uint32(x as number), dec: (r) => r.uint32(), minBytes: 4 };
    case 'int64':
      return { enc: (w, x) => w.int64(x as number), dec: (r) => r.int64(), minBytes: 8 };
    case 'float64':
      return { enc: (w, x) => w.float64(x as number), dec: (r) => r.float64(), minBytes: 8 };
    case 'bool':
      return { enc: (w, x) => w.bool(x as boolean), dec: (r) => r.bool(), minBytes: 1 };
    case 'uuid':
      return { enc: (w, x) => w.uuid(x as string), dec: (r) => r.uuid(), minBytes: 16 };
    case 'string':
      if (flexible) {
        return nullable
          ? { enc: (w, x) => w.compactNullableString(x as string | null), dec: (r) => r.compactNullableString(), minBytes: 1 }
          : { enc: (w, x) => w.compactString(x as string), dec: (r) => r.compactString(), minBytes: 1 };
      }
      return nullable
        ? { enc: (w, x) => w.nullableString(x as string | null), dec: (r) => r.nullableString(), minBytes: 2 }
        : { enc: (w, x) => w.string(x as string), dec: (r) => r.string(), minBytes: 2 };
    case 'bytes':
    case 'records':
      if (flexible) {
        return nullable
          ? { enc: (w, x) => w.compactNullableBytes(x as Buffer | null), dec: (r) => r.compactNullableBytes(), minBytes: 1 }
          : { enc: (w, x) => w.compactBytes(x as Buffer), dec: (r) => r.compactBytes(), minBytes: 1 };
      }
      return nullable
        ? { enc: (w, x) => w.nullableBytes(x as Buffer | null), dec: (r) => r.nullableBytes(), minBytes: 4 }
        : { enc: (w, x) => w.bytes(x as Buffer), dec: (r) => r.bytes(), minBytes: 4 };
  }
}

function arrayCodec(elem: Codec, flexible: boolean, nullable: boolean, path: string): Codec {
  const { enc: encElem, dec: decElem, minBytes } = elem;
  const enc: Enc = (w, x) => {
    if (x === null) {
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return;
    }
    if (!Array.isArray(x)) throw new ProtocolEncodeError(`${path} must be an array`);
    if (flexible) w.uvarint(x.length + 1);
    else w.int32(x.length);
    for (let i = 0; i < x.length; i++) encElem(w, x[i]);
  };
  const dec: Dec = (r) => {
    const start = r.position;
    const n = r.arrayLength(flexible, minBytes);
    if (n < 0) {
      if (!nullable) r.fail(`${path} is null but not nullable`, start);
      return null;
    }
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(decElem(r));
    return out;
  };
  return { enc, dec, minBytes: flexible ? 1 : 4 };
}

function nullableStructCodec(inner: Codec): Codec {
  return {
    enc: (w, x) => {
      if (x === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      inner.enc(w, x);
    },
    dec: (r) => (r.int8() < 0 ? null : inner.dec(r)),
    minBytes: 1,
  };
}

/** Refuses null for a field that is not nullable in this version, with the field's path. */
function refuseNull(codec: Codec, path: string, version: number): Codec {
  const { enc } = codec;
  return {
    ...codec,
    enc: (w, x) => {
      if (x === null) throw new ProtocolEncodeError(`${path} is null but not nullable in version ${version}`);
      enc(w, x);
    },
  };
}

/** A closure codec for one field; used for tagged fields, which are rare and encoded apart. */
function fieldCodec(field: FieldSpec, version: number, flexible: boolean, path: string): Codec {
  const nullable = inVersions(field.nullableVersions, version);
  let codec: Codec;
  if (field.type === 'struct' || field.type === '[]struct') {
    const inner = compileStruct(field.fields ?? [], version, flexible, path);
    if (field.type === 'struct') codec = nullable ? nullableStructCodec(inner) : inner;
    else codec = arrayCodec(inner, flexible, nullable, path);
  } else if (field.type.startsWith('[]')) {
    codec = arrayCodec(scalarCodec(field.type.slice(2) as ScalarType, flexible, false), flexible, nullable, path);
  } else {
    codec = scalarCodec(field.type as ScalarType, flexible, nullable);
  }
  const canBeNull = field.type === 'string' || field.type === 'bytes' || field.type === 'records' || field.type.startsWith('[]') || field.type === 'struct';
  return !nullable && canBeNull ? refuseNull(codec, path, version) : codec;
}

interface TaggedPlan {
  readonly field: FieldSpec;
  readonly tag: number;
  readonly codec: Codec;
  readonly isDefault: (x: unknown) => boolean;
}

/**
 * Compiles one struct at one version to a pair of generated functions. Generated code reads
 * and writes fields by literal property names and builds decoded objects as literals, so
 * every property access site sees one shape (closures indexing `o[name]` would share one
 * megamorphic site across all fields). Only our own definitions reach the generator, and
 * names are checked to be identifiers.
 */
function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, parent: string): Codec {
  const consts: unknown[] = [];
  const ref = (x: unknown): string => {
    consts.push(x);
    return `c[${consts.length - 1}]`;
  };
  const dec: string[] = [];
  const enc: string[] = [];
  const literal: string[] = [];
  const tagged: TaggedPlan[] = [];
  let minBytes = flexible ? 1 : 0;

  fields.forEach((field, i) => {
    if (!IDENTIFIER.test(field.name)) throw new Error(`field name ${field.name} in ${parent} is not an identifier`);
    const path = `${parent}.${field.name}`;
    const def = defaultFactory(field);
    const local = `v${i}`;
    literal.push(`${field.name}: ${local}`);
    if (!inVersions(field.versions, version)) {
      dec.push(`const ${local} = ${defaultExpr(field, def, ref)};`);
      return;
    }
    if (flexible && inVersions(field.taggedVersions, version)) {
      tagged.push({ field, tag: field.tag ?? 0, codec: fieldCodec(field, version, flexible, path), isDefault: defaultChecker(field) });
      dec.push(`const ${local} = ${defaultExpr(field, def, ref)};`);
      return;
    }
    const nullable = inVersions(field.nullableVersions, version);
    const refuse = ref(() => {
      throw new ProtocolEncodeError(`${path} is null but not nullable in version ${version}`);
    });
    enc.push(`x = o.${field.name}; if (x === undefined) x = ${defaultExpr(field, def, ref)};`);
    if (field.type === 'struct') {
      const inner = compileStruct(field.fields ?? [], version, flexible, path);
      const e = ref(inner.enc);
      const d = ref(inner.dec);
      if (nullable) {
        dec.push(`const ${local} = r.int8() < 0 ? null : ${d}(r);`);
        enc.push(`if (x === null) w.int8(-1); else { w.int8(1); ${e}(w, x); }`);
        minBytes += 1;
      } else {
        dec.push(`const ${local} = ${d}(r);`);
        enc.push(`if (x === null) ${refuse}(); ${e}(w, x);`);
        minBytes += inner.minBytes;
      }
      return;
    }
    if (field.type.startsWith('[]')) {
      let elemDec: string;
      let elemEnc: string;
      let elemMin: number;
      if (field.type === '[]struct') {
        const inner = compileStruct(field.fields ?? [], version, flexible, path);
        elemDec = `${ref(inner.dec)}(r)`;
        elemEnc = `${ref(inner.enc)}(w, x[j]);`;
        elemMin = inner.minBytes;
      } else {
        const s = SCALARS[field.type.slice(2) as ScalarType](flexible, false);
        elemDec = `r.${s.read}()`;
        elemEnc = `w.${s.write}(x[j]);`;
        elemMin = s.minBytes;
      }
      const notArray = ref(() => {
        throw new ProtocolEncodeError(`${path} must be an array`);
      });
      dec.push(
        `let ${local}; { const p = r.position; const n = r.arrayLength(${flexible}, ${elemMin});`,
        nullable ? `if (n < 0) ${local} = null; else {` : `if (n < 0) r.fail(${JSON.stringify(`${path} is null but not nullable`)}, p); else {`,
        `${local} = []; for (let j = 0; j < n; j++) ${local}.push(${elemDec}); } }`,
      );
      enc.push(
        `if (x === null) { ${nullable ? (flexible ? 'w.uvarint(0);' : 'w.int32(-1);') : `${refuse}();`} } else {`,
        `if (!Array.isArray(x)) ${notArray}();`,
        flexible ? 'w.uvarint(x.length + 1);' : 'w.int32(x.length);',
        `for (let j = 0; j < x.length; j++) ${elemEnc} }`,
      );
      minBytes += flexible ? 1 : 4;
      return;
    }
    const s = SCALARS[field.type as ScalarType](flexible, nullable);
    dec.push(`const ${local} = r.${s.read}();`);
    if (s.canBeNull && !nullable) enc.push(`if (x === null) ${refuse}();`);
    enc.push(`w.${s.write}(x);`);
    minBytes += s.minBytes;
  });

  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));
  const notObject = ref(() => {
    throw new ProtocolEncodeError(`${parent} must be an object`);
  });
  const readTags = flexible ? `${ref((r: Reader, o: Obj) => readTaggedFields(r, o, byTag))}(r, o);` : '';
  const writeTags = flexible ? `${ref((w: Writer, o: Obj) => writeTaggedFields(w, o, tagged))}(w, o);` : '';
  const decodeBody = `${dec.join('\n')}\nconst o = { ${literal.join(', ')} };\n${readTags}\nreturn o;`;
  const encodeBody = `if (o === null || typeof o !== 'object') ${notObject}();\nlet x;\n${enc.join('\n')}\n${writeTags}`;
  const decode = new Function('c', `return function decode(r) {\n${decodeBody}\n};`)(consts) as Dec;
  const encode = new Function('c', `return function encode(w, o) {\n${encodeBody}\n};`)(consts) as Enc;
  return { enc: encode, dec: decode, minBytes };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Source for a field's default: a literal for scalars, a fresh [] or struct for containers. */
function defaultExpr(field: FieldSpec, def: () => unknown, ref: (x: unknown) => string): string {
  if (field.type === 'struct' || field.type === 'bytes') return `${ref(def)}()`;
  if (field.type.startsWith('[]') && field.default === undefined) return '[]';
  const d = def();
  return d === null ? 'null' : JSON.stringify(d);
}

interface ScalarPlan {
  readonly read: string;
  readonly write: string;
  readonly minBytes: number;
  readonly canBeNull: boolean;
}

const fixed = (name: string, minBytes: number): ((flexible: boolean, nullable: boolean) => ScalarPlan) => () => ({ read: name, write: name, minBytes, canBeNull: false });

function variable(classic: string, compact: string, classicMin: number): (flexible: boolean, nullable: boolean) => ScalarPlan {
  return (flexible, nullable) => {
    const base = flexible ? compact : classic;
    const name = nullable ? (flexible ? `compactNullable${classic.charAt(0).toUpperCase()}${classic.slice(1)}` : `nullable${classic.charAt(0).toUpperCase()}${classic.slice(1)}`) : base;
    return { read: name, write: name, minBytes: flexible ? 1 : classicMin, canBeNull: true };
  };
}

const SCALARS: Record<ScalarType, (flexible: boolean, nullable: boolean) => ScalarPlan> = {
  int8: fixed('int8', 1),
  int16: fixed('int16', 2),
  uint16: fixed('uint16', 2),
  int32: fixed('int32', 4),
  uint32: fixed('uint32', 4),
  int64: fixed('int64', 8),
  float64: fixed('float64', 8),
  bool: fixed('bool', 1),
  uuid: fixed('uuid', 16),
  string: variable('string', 'compactString', 2),
  bytes: variable('bytes', 'compactBytes', 4),
  records: variable('bytes', 'compactBytes', 4),
};

function writeTaggedFields(w: Writer, o: Obj, tagged: readonly TaggedPlan[]): void {
  if (tagged.length === 0) {
    w.uvarint(0);
    return;
  }
  let count = 0;
  for (const t of tagged) if (!t.isDefault(o[t.field.name])) count++;
  w.uvarint(count);
  if (count === 0) return;
  for (const t of tagged) {
    if (t.isDefault(o[t.field.name])) continue;
    const sub = new Writer(64);
    t.codec.enc(sub, o[t.field.name]);
    const body = sub.toBuffer();
    w.uvarint(t.tag);
    w.uvarint(body.length);
    w.raw(body);
  }
}

function readTaggedFields(r: Reader, o: Obj, byTag: ReadonlyMap<number, TaggedPlan>): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    const tag = r.uvarint();
    const sizeAt = r.position;
    const size = r.uvarint();
    if (size > r.remaining) r.fail(`tagged field ${tag} of ${size} bytes exceeds the ${r.remaining} bytes left`, sizeAt);
    const start = r.position;
    r.position = start + size;
    const plan = byTag.get(tag);
    if (plan) o[plan.field.name] = plan.codec.dec(new Reader(r.buf, start, start + size));
  }
}

// ---- messages -------------------------------------------------------------------------

/**
 * A compiled message definition. `T` is the hand-written TS type of the message; decode
 * returns every field (absent ones at their default), encode accepts missing optional
 * fields and writes their default.
 */
export class MessageSchema<T> {
  readonly spec: MessageSpec;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Lowest flexible version; Infinity when the message has none. */
  readonly flexibleMinVersion: number;
  private readonly compiled: (Codec | undefined)[] = [];

  constructor(spec: MessageSpec) {
    this.spec = spec;
    const valid = parseVersions(spec.validVersions);
    this.minVersion = valid.min;
    this.maxVersion = valid.max;
    const flex = parseVersions(spec.flexibleVersions);
    this.flexibleMinVersion = flex.min <= flex.max ? flex.min : Infinity;
  }

  isFlexible(version: number): boolean {
    return version >= this.flexibleMinVersion;
  }

  supports(version: number): boolean {
    return Number.isInteger(version) && version >= this.minVersion && version <= this.maxVersion;
  }

  private codec(version: number): Codec | undefined {
    if (!this.supports(version)) return undefined;
    let c = this.compiled[version];
    if (!c) {
      c = compileStruct(this.spec.fields, version, this.isFlexible(version), this.spec.name);
      this.compiled[version] = c;
    }
    return c;
  }

  encode(w: Writer, version: number, value: T): void {
    const c = this.codec(version);
    if (!c) throw new ProtocolEncodeError(`${this.spec.name} has no version ${version} (valid ${this.spec.validVersions})`);
    c.enc(w, value);
  }

  decode(r: Reader, version: number): T {
    const c = this.codec(version);
    if (!c) throw new ProtocolDecodeError(`${this.spec.name} has no version ${version} (valid ${this.spec.validVersions})`, r.position);
    return c.dec(r) as T;
  }

  /** Encodes to a standalone Buffer. */
  toBuffer(version: number, value: T): Buffer {
    const w = new Writer();
    this.encode(w, version, value);
    return w.toBuffer();
  }

  /** Decodes a standalone Buffer. */
  fromBuffer(version: number, buf: Buffer): T {
    return this.decode(new Reader(buf), version);
  }

  /** A value with every field at its default (for building responses). */
  defaults(): T {
    return structDefaults(this.spec.fields)() as T;
  }
}

export function message<T>(spec: MessageSpec): MessageSchema<T> {
  return new MessageSchema<T>(spec);
}
