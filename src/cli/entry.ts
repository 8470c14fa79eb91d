/** Process entry point, bundled to dist/kts.cjs and started by bin/kts.js. */
import { runCli } from './main.js';
import { processIo } from './process-io.js';

// No top-level await: the bundle is a CommonJS script (see bin/kts.js).
void (async () => {
  const io = processIo();
  const code = await runCli(process.argv.slice(2), io);
  // Commands that leave handles open (servers) resolve only when done; exit explicitly so
  // a stray timer never keeps a finished command alive.
  process.exitCode = code;
  if (!io.env.KTS_NO_EXIT) {
    io.stdout.write('', () => process.exit(code));
  }
})();
