/**
 * The hand-written TS types of each message module name exactly the fields its schemas
 * define: every schema field appears as a property of an interface in the module, and
 * every interface property is a schema field (a text check of the module source, since
 * the types do not exist at run time). Also each struct of a schema (and the message
 * itself) must have an interface with exactly its field names. Catches a typo or a
 * misplaced property in a type, which the compiler cannot see.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldSpec, MessageSchema } from '../../src/protocol/schema.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/protocol/messages');

function fieldNames(fields: readonly FieldSpec[], out: Set<string>): Set<string> {
  for (const f of fields) {
    out.add(f.name);
    if (f.fields) fieldNames(f.fields, out);
  }
  return out;
}

function interfaces(source: string): string[] {
  return [...source.matchAll(/export interface \w+ \{([^}]*)\}/g)].map((block) =>
    [...block[1]!.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]!).sort().join(','),
  );
}

function structShapes(fields: readonly FieldSpec[], out: string[]): string[] {
  out.push(fields.map((f) => f.name).sort().join(','));
  for (const f of fields) if (f.fields) structShapes(f.fields, out);
  return out;
}

const allShapes = new Set(fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) => interfaces(fs.readFileSync(path.join(dir, f), 'utf8'))));

function interfaceProps(source: string): Set<string> {
  const props = new Set<string>();
  for (const block of source.matchAll(/export interface \w+ \{([^}]*)\}/g)) {
    for (const m of block[1]!.matchAll(/^\s+(\w+)\??:/gm)) props.add(m[1]!);
  }
  return props;
}

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
  t.test(file, async (t) => {
    const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
    const schemas = Object.values(mod).filter((x): x is MessageSchema<unknown> => typeof x === 'object' && x !== null && 'spec' in x);
    t.ok(schemas.length >= 2, 'exports a request and a response schema');
    const names = new Set<string>();
    for (const s of schemas) fieldNames(s.spec.fields, names);
    const props = interfaceProps(fs.readFileSync(path.join(dir, file), 'utf8'));
    // types shared from another module (e.g. LeaderIdAndEpoch) are checked there
    const imported = /import type \{([^}]*)\}/.exec(fs.readFileSync(path.join(dir, file), 'utf8'));
    const missing = [...names].filter((n) => !props.has(n));
    const extra = [...props].filter((p) => !names.has(p));
    t.same(imported ? missing.filter((n) => !['leaderId', 'leaderEpoch', 'nodeId', 'host', 'port', 'rack'].includes(n)) : missing, [], 'every schema field has a typed property');
    t.same(extra, [], 'every typed property is a schema field');
    const shapes = schemas.flatMap((sc) => structShapes(sc.spec.fields, []));
    t.same(shapes.filter((sh) => !allShapes.has(sh)), [], 'every struct has an interface with exactly its fields');
  });
}
