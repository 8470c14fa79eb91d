#!/usr/bin/env node
// The bundle is built by `npm run build` (also run on `npm install` via `prepare`).
import('../dist/kts.mjs').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/kts.mjs')) {
    process.stderr.write('kts: dist/kts.mjs is missing; run `npm run build` in the kts checkout first.\n');
    process.exit(1);
  }
  throw err;
});
