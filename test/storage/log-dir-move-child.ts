/**
 * Child process of log-dir-move.test.ts: opens log dirs argv[2] and argv[3] (the partition
 * `m-0` lives in the first), asks for its move to the second, then appends and copies in
 * small steps, printing `ACK <base> <last>` after each append returns, until the move is
 * done (KTS_LOG_DIR_MOVE_CRASH_AT kills it at that step). Then closes and prints "done".
 */
import { LogManager } from '../../src/storage/index.js';
import { simpleBatch } from './helpers.js';

const [from, to] = process.argv.slice(2) as [string, string];
const mgr = LogManager.open({ logDirs: [from, to], nodeId: 1 });
const log = (): NonNullable<ReturnType<LogManager['getLog']>> => mgr.getLog('m', 0)!;
mgr.alterLogDir('m', 0, to);
for (let i = 0; mgr.futureLogs().length > 0; i++) {
  const r = log().appendAsLeader(simpleBatch(1 + (i % 3), { valueBytes: 300 + i }), 0);
  process.stdout.write(`ACK ${r.baseOffset} ${r.lastOffset}\n`);
  mgr.runLogDirMoves(4096);
}
const r = log().appendAsLeader(simpleBatch(2, { valueBytes: 77 }), 0);
process.stdout.write(`ACK ${r.baseOffset} ${r.lastOffset}\n`);
mgr.close();
process.stdout.write('done\n');
