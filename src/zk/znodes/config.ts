/**
 * Entity configs `/config/{topics,brokers,users,clients}/NAME`: `{"version":1,"config":{"k":"v"}}`
 * (values are strings), and the change notifications `/config/changes/config_change_N`:
 * written as version 2 `{"version":2,"entity_path":"topics/t1"}`, version 1
 * `{"version":1,"entity_type":"topics","entity_name":"t1"}` read too.
 */
import { ConfigChangesPath, ConfigEntityTypes, type ConfigEntityType } from './paths.js';
import { ZnodeDataError, intField, parseJsonObject, stringField, toJsonBytes } from './json.js';

export function encodeEntityConfig(config: Record<string, string>): Buffer {
  return toJsonBytes({ version: 1, config });
}

export function decodeEntityConfig(path: string, data: Buffer | null): Record<string, string> {
  if (data === null || data.length === 0) return {};
  const o = parseJsonObject(path, data);
  const c = o.config;
  if (c === undefined || c === null) return {};
  if (typeof c !== 'object' || Array.isArray(c)) throw new ZnodeDataError(path, '"config" is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) out[k] = typeof v === 'string' ? v : String(v);
  return out;
}

export function encodeConfigChange(type: ConfigEntityType, name: string): Buffer {
  return toJsonBytes({ version: 2, entity_path: `${type}/${name}` });
}

export function decodeConfigChange(child: string, data: Buffer | null): { type: ConfigEntityType; name: string } {
  const path = `${ConfigChangesPath}/${child}`;
  const o = parseJsonObject(path, data);
  const version = intField(path, o, 'version');
  let type: string;
  let name: string;
  if (version === 1) {
    type = stringField(path, o, 'entity_type');
    name = stringField(path, o, 'entity_name');
  } else {
    const entityPath = stringField(path, o, 'entity_path');
    const slash = entityPath.indexOf('/');
    if (slash <= 0) throw new ZnodeDataError(path, `entity_path "${entityPath}" is not type/name`);
    type = entityPath.slice(0, slash);
    name = entityPath.slice(slash + 1);
  }
  if (!(ConfigEntityTypes as readonly string[]).includes(type)) throw new ZnodeDataError(path, `unknown entity type "${type}"`);
  return { type: type as ConfigEntityType, name };
}
