/**
 * Child process of cleaner-crash.test.ts: opens the log dir given as argv[2], cleans the
 * compacted partition `c-0` until done (KTS_CLEANER_CRASH_AT kills it at that step), then
 * closes cleanly and prints "done".
 */
import { LogManager } from '../../src/storage/index.js';
import { LogCleaner } from '../../src/storage/cleaner/cleaner.js';

const dir = process.argv[2]!;
const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
const log = mgr.getLog('c', 0)!;
const cleaner = new LogCleaner({ chunkBytes: 300 });
while (await cleaner.cleanIfNeeded(log, Date.now())) mgr.checkpoint();
mgr.close();
process.stdout.write('done\n');
