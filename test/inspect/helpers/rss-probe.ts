/**
 * Runs one or more `kts` command lines (separated by `---`) in this process with real
 * stdio, then prints `rssBefore <KiB> maxRSS <KiB>` on the last stderr line: the resident
 * set size once the CLI is loaded and the peak over the whole run. Lets a test check that
 * dump-log's memory stays bounded whatever the size of the file it reads.
 */
import { runCli } from '../../../src/cli/main.js';
import { processIo } from '../../../src/cli/process-io.js';

const runs: string[][] = [[]];
for (const arg of process.argv.slice(2)) {
  if (arg === '---') runs.push([]);
  else runs[runs.length - 1]!.push(arg);
}
const io = processIo();
// Load the command and its codecs before the baseline: a first run on no files.
await runCli(['dump-log', '--files', '/nonexistent/00000000000000000000.log', '--json'], { ...io, stdout: process.stderr });
const rssBefore = Math.round(process.memoryUsage().rss / 1024);
let code = 0;
for (const argv of runs) code = Math.max(code, await runCli(argv, io));
process.stderr.write(`rssBefore ${rssBefore} maxRSS ${process.resourceUsage().maxRSS}\n`, () => process.exit(code));
