/**
 * Loads ora (ESM only) on first use. The bundle runs as a CommonJS script through V8's code
 * cache (bin/kts.js), where import() needs a host callback Node 20 only gives behind a flag:
 * bin/kts.js hands over its own import() as `globalThis.__ktsImport`; run from source
 * (tests), the plain import() is used.
 */
import type oraFactory from 'ora';

type Importer = (specifier: string) => Promise<unknown>;

export async function loadOra(): Promise<typeof oraFactory> {
  const host = (globalThis as { __ktsImport?: Importer }).__ktsImport;
  const mod = (host ? await host('ora') : await import('ora')) as { default: typeof oraFactory };
  return mod.default;
}
