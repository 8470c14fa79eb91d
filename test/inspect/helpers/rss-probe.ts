/**
 * Runs `kts <args>` in this process with real stdio, then prints the peak resident set
 * size (KiB) on the last stderr line as `maxRSS <n>`: lets a test check that dump-log's
 * memory stays bounded whatever the size of the file it reads.
 */
import { runCli } from '../../../src/cli/main.js';
import { processIo } from '../../../src/cli/process-io.js';

const code = await runCli(process.argv.slice(2), processIo());
process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`, () => process.exit(code));
