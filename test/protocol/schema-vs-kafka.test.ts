/**
 * Diffs kts's hand-written message DSL against Kafka's message JSON (the franz-go
 * validate_test approach): field names, order, types, versions, nullable and tagged
 * versions, tags, defaults, valid and flexible versions. Skips when the JSON is absent.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { allApis, apiName } from '../../src/protocol/apis.js';
import { dataSchemas } from '../../src/protocol/data.js';
import { MessageSchema, parseVersions, type FieldSpec } from '../../src/protocol/schema.js';
import { fileURLToPath } from 'node:url';

// ../shared relative to the repo root, as every test that reads shared material resolves it.
const DIR = fileURLToPath(new URL('../../../shared/kafka-protocol/message', import.meta.url));

interface JsonField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  fields?: JsonField[];
}
interface JsonMessage {
  name: string;
  apiKey?: number;
  type: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: { name: string; fields: JsonField[] }[];
}

const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records']);

function load(name: string): JsonMessage {
  // internal-topic record schemas (__consumer_offsets, __transaction_state) sit next to message/
  const file = [path.join(DIR, `${name}.json`), path.join(DIR, '..', 'internal-topics', `${name}.json`)].find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no Kafka definition named ${name}`);
  const text = fs.readFileSync(file, 'utf8');
  return JSON.parse(text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n')) as JsonMessage;
}

/** Versions compared as ranges, so "2" and "2-2" agree. */
function sameVersions(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = parseVersions(a);
  const y = parseVersions(b);
  return (x.min > x.max && y.min > y.max) || (x.min === y.min && x.max === y.max);
}

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function kindOf(type: string): string {
  if (type.startsWith('[]')) return PRIMITIVES.has(type.slice(2)) ? type : '[]struct';
  return PRIMITIVES.has(type) ? type : 'struct';
}

function jsonDefault(field: JsonField): unknown {
  const d = field.default;
  const kind = kindOf(field.type);
  if (d === undefined) {
    if (kind === 'bool') return false;
    if (kind === 'string') return '';
    if (kind === 'uuid') return 'AAAAAAAAAAAAAAAAAAAAAA';
    if (kind === 'records') return null;
    if (kind.startsWith('[]') || kind === 'struct' || kind === 'bytes') return undefined;
    return 0;
  }
  if (d === 'null') return null;
  if (kind === 'bool') return d === true || d === 'true';
  if (kind === 'string') return String(d);
  if (typeof d === 'number') return d;
  return Number(d);
}

function ourDefault(field: FieldSpec): unknown {
  if (field.default !== undefined) return field.default;
  const kind = field.type;
  if (kind === 'bool') return false;
  if (kind === 'string') return '';
  if (kind === 'uuid') return 'AAAAAAAAAAAAAAAAAAAAAA';
  if (kind === 'records') return null;
  if (kind.startsWith('[]') || kind === 'struct' || kind === 'bytes') return undefined;
  return 0;
}

function diffFields(where: string, ours: readonly FieldSpec[], theirs: JsonField[], common: Map<string, JsonField[]>, out: string[]): void {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const o = ours[i];
    const j = theirs[i];
    if (!o || !j) {
      out.push(`${where}: field #${i} ${o ? `extra ${o.name}` : `missing ${j!.name}`}`);
      continue;
    }
    const at = `${where}.${camel(j.name)}`;
    if (o.name !== camel(j.name)) out.push(`${where}: field #${i} is ${o.name}, Kafka has ${camel(j.name)}`);
    if (o.type !== kindOf(j.type)) out.push(`${at}: type ${o.type}, Kafka ${j.type}`);
    // Kafka's generator takes a tagged-only field's versions from taggedVersions
    const jVersions = j.versions ?? j.taggedVersions;
    if (!sameVersions(o.versions, jVersions)) out.push(`${at}: versions ${o.versions}, Kafka ${jVersions}`);
    if (!sameVersions(o.nullableVersions, j.nullableVersions)) out.push(`${at}: nullableVersions ${o.nullableVersions}, Kafka ${j.nullableVersions}`);
    if (!sameVersions(o.taggedVersions, j.taggedVersions)) out.push(`${at}: taggedVersions ${o.taggedVersions}, Kafka ${j.taggedVersions}`);
    if (o.tag !== j.tag) out.push(`${at}: tag ${o.tag}, Kafka ${j.tag}`);
    const dOurs = ourDefault(o);
    const dTheirs = jsonDefault(j);
    if (dOurs !== dTheirs) out.push(`${at}: default ${JSON.stringify(dOurs)}, Kafka ${JSON.stringify(j.default)}`);
    const sub = j.fields ?? common.get(j.type.replace('[]', ''));
    if (o.fields || sub) diffFields(at, o.fields ?? [], sub ?? [], common, out);
  }
}

function diffMessage(schema: MessageSchema<unknown>): string[] {
  const spec = schema.spec;
  const json = load(spec.name);
  const out: string[] = [];
  if (!sameVersions(spec.validVersions, json.validVersions)) out.push(`${spec.name}: validVersions ${spec.validVersions}, Kafka ${json.validVersions}`);
  if (!sameVersions(spec.flexibleVersions, json.flexibleVersions)) out.push(`${spec.name}: flexibleVersions ${spec.flexibleVersions}, Kafka ${json.flexibleVersions}`);
  if (spec.apiKey !== json.apiKey) out.push(`${spec.name}: apiKey ${spec.apiKey}, Kafka ${json.apiKey}`);
  if (spec.type !== json.type) out.push(`${spec.name}: type ${spec.type}, Kafka ${json.type}`);
  const common = new Map((json.commonStructs ?? []).map((s) => [s.name, s.fields]));
  diffFields(spec.name, spec.fields, json.fields, common, out);
  return out;
}

/** Record schemas of internal topics defined in src/protocol/internal/, if any. */
async function internalSchemas(): Promise<MessageSchema<unknown>[]> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/protocol/internal');
  if (!fs.existsSync(dir)) return [];
  const out: MessageSchema<unknown>[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
    for (const x of Object.values(mod)) if (x instanceof MessageSchema) out.push(x as MessageSchema<unknown>);
  }
  return out;
}

if (!fs.existsSync(DIR)) {
  t.test("kts's schemas against Kafka's message JSON", { skip: `needs ${DIR} (../shared/kafka-protocol is absent)` }, () => {});
} else {
  const schemas: MessageSchema<unknown>[] = [...allApis.flatMap((a) => [a.request, a.response]), ...dataSchemas, ...(await internalSchemas())];
  for (const schema of schemas) {
    t.test(schema.spec.name, async (t) => {
      t.same(diffMessage(schema), [], `${schema.spec.name} matches Kafka's definition`);
    });
  }

  t.test('API key names match Kafka', async (t) => {
    for (const file of fs.readdirSync(DIR).filter((x) => x.endsWith('Request.json'))) {
      const json = load(file.replace('.json', ''));
      if (json.apiKey === undefined) continue;
      t.equal(apiName(json.apiKey), json.name.replace(/Request$/, ''), `key ${json.apiKey}`);
    }
  });
}
