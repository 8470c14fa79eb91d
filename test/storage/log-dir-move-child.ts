/**
 * Child process of log-dir-move.test.ts: opens log dirs argv[2] and argv[3] (the partition
 * `m-0` lives in the first), asks for its move to the second, then appends and copies in
 * small steps, printing `ACK <base> <last>` after each append returns, until the move is
 * done (KTS_LOG_DIR_MOVE_CRASH_AT kills it at that step). Then closes and prints "done".
 * With argv[4] = `off-thread` the steps copy whole segments on libuv's threads, as a
 * broker's unthrottled move does, and the child waits between steps for a copy to finish
 * (or 5 ms, so appends keep coming at a pace the copies outrun).
 */
import { LogManager } from '../../src/storage/index.js';
import { simpleBatch } from './helpers.js';

const [from, to, mode] = process.argv.slice(2) as [string, string, string | undefined];
const offThread = mode === 'off-thread';
const mgr = LogManager.open({ logDirs: [from, to], nodeId: 1 });
const log = (): NonNullable<ReturnType<LogManager['getLog']>> => mgr.getLog('m', 0)!;
let wake: (() => void) | undefined;
const copyDone = (): void => wake?.();
const nextStep = (): Promise<void> => new Promise((resolve) => {
  const timer = setTimeout(resolve, 5);
  wake = () => { clearTimeout(timer); resolve(); };
});
mgr.alterLogDir('m', 0, to);
for (let i = 0; mgr.futureLogs().length > 0; i++) {
  const r = log().appendAsLeader(simpleBatch(1 + (i % 3), { valueBytes: 300 + i }), 0);
  process.stdout.write(`ACK ${r.baseOffset} ${r.lastOffset}\n`);
  mgr.runLogDirMoves(4096, { offThread, onOffThreadCopyDone: copyDone });
  if (offThread) await nextStep();
}
const r = log().appendAsLeader(simpleBatch(2, { valueBytes: 77 }), 0);
process.stdout.write(`ACK ${r.baseOffset} ${r.lastOffset}\n`);
mgr.close();
process.stdout.write('done\n');
