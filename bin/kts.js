#!/usr/bin/env node
// Starts kts: runs the bundle dist/kts.cjs (built by `npm run build`, also on `npm install`)
// through V8's code cache, so a command does not parse and compile the bundle again on each
// start (about a third of a short command's time). The cache file is named after the
// bundle's size, modification time and inode (V8 itself checks only the source length),
// lives beside the bundle in dist/.cache, or in $XDG_CACHE_HOME/kts when dist/ is read-only,
// and is rewritten when a command runs that it does not cover yet. KTS_NO_CODE_CACHE=1
// turns it off. This file is CommonJS (bin/package.json): no ES module loader to start.
'use strict';
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'kts.cjs');
let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch (err) {
  if (err && err.code === 'ENOENT') {
    process.stderr.write('kts: dist/kts.cjs is missing; run `npm run build` in the kts checkout first.\n');
    process.exit(1);
  }
  throw err;
}

const useCache = !process.env.KTS_NO_CODE_CACHE;
const stat = statSync(bundle);
const hash = `${stat.size.toString(36)}-${Math.round(stat.mtimeMs).toString(36)}-${stat.ino.toString(36)}`;
const cacheDirs = [join(dirname(bundle), '.cache'), join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kts')];
const command = /^[a-z][a-z-]{1,40}$/.test(process.argv[2] ?? '') ? process.argv[2] : '';
const MAX_COMMANDS = 64;

function readCache() {
  for (const dir of cacheDirs) {
    try {
      const data = readFileSync(join(dir, `kts-${hash}.v8`));
      const commands = readFileSync(join(dir, `kts-${hash}.commands`), 'utf8').split('\n').filter(Boolean);
      return { data, commands };
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** Writes the cache (tmp + rename, so concurrent runs never read half a file) and drops stale ones. */
function writeCache(script, commands) {
  const data = script.createCachedData();
  for (const dir of cacheDirs) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `.kts-${hash}.${process.pid}.tmp`);
      writeFileSync(tmp, data);
      renameSync(tmp, join(dir, `kts-${hash}.v8`));
      writeFileSync(`${tmp}c`, commands.join('\n') + '\n');
      renameSync(`${tmp}c`, join(dir, `kts-${hash}.commands`));
      for (const f of readdirSync(dir)) {
        if (f.startsWith('kts-') && !f.startsWith(`kts-${hash}.`)) rmSync(join(dir, f), { force: true });
      }
      return;
    } catch {
      // Read-only or missing: try the next directory; without one, kts just starts slower.
    }
  }
}

const cache = useCache ? readCache() : null;
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cache?.data });
if (useCache && (cache === null || script.cachedDataRejected || (command !== '' && !cache.commands.includes(command)))) {
  const commands = [...new Set([...(script.cachedDataRejected ? [] : cache?.commands ?? []), command])].filter(Boolean).slice(-MAX_COMMANDS);
  // At exit the cache also holds the functions this command compiled while it ran.
  process.once('exit', () => writeCache(script, commands));
}
// import() inside a vm.Script needs a flag on Node 20: lend the bundle ours (see src/cli/util/load-ora.ts).
globalThis.__ktsImport = (specifier) => import(specifier);
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, dirname(bundle));
