/**
 * The broker's background work, one scheduler: retention checks every
 * `log.retention.check.interval.ms` (time, size, log start offset, `.deleted` files),
 * offset checkpoints every `log.flush.offset.checkpoint.interval.ms`, and the log cleaner
 * (`log.cleaner.enable`), which cleans the dirtiest compacted log, checkpoints, and sleeps
 * `log.cleaner.backoff.ms` when nothing needs cleaning, and log-dir moves (AlterReplicaLogDirs):
 * a slice every 50 ms at `replica.alter.log.dirs.io.max.bytes.per.second`, or as fast as the
 * disks go when it is unset. Configs are read from each log
 * at each run, so AlterConfigs changes apply without a restart.
 */
import { LogCleaner, type CleanStats } from '../../storage/cleaner/cleaner.js';
import type { LogManager } from '../../storage/index.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

/** Log-dir moves copy at most this much per slice on the event loop (bounded so requests keep flowing). */
const MOVE_TICK_MS = 50;
const MOVE_TICK_MAX_BYTES = 8 * 1024 * 1024;

export interface BackgroundOptions {
  retentionCheckIntervalMs: number;
  checkpointIntervalMs: number;
  cleanerEnable: boolean;
  cleanerBackoffMs: number;
  dedupeBufferBytes: number;
  ioMaxBytesPerSecond: number;
  nowMs: () => number;
  /** `replica.alter.log.dirs.io.max.bytes.per.second` now (dynamic): the pace of log-dir moves. */
  logDirMoveBytesPerSecond?: () => number;
  /** Called after each cleaning pass (tests, logging). */
  onCleaned?: (stats: CleanStats) => void;
}

export interface BackgroundWork {
  /** Stop timers and the cleaner; resolves once a pass in progress has given up. */
  stop(): Promise<void>;
  /** Run one retention check now. */
  runRetention(): number;
  /** Wake the cleaner now instead of at the end of its backoff. */
  wakeCleaner(): void;
}

/** Broker config keys (as given) → scheduler options, with Kafka's defaults. */
export function backgroundOptionsFrom(raw: Readonly<Record<string, string>>, retentionCheckIntervalMs: number, checkpointIntervalMs: number, nowMs: () => number): BackgroundOptions {
  const num = (key: string, dflt: number): number => {
    const v = raw[key];
    const n = v === undefined ? dflt : Number(v);
    return Number.isFinite(n) ? n : dflt;
  };
  return {
    retentionCheckIntervalMs,
    checkpointIntervalMs,
    cleanerEnable: (raw['log.cleaner.enable'] ?? 'true') !== 'false',
    cleanerBackoffMs: num('log.cleaner.backoff.ms', 15000),
    dedupeBufferBytes: num('log.cleaner.dedupe.buffer.size', 128 * 1024 * 1024),
    ioMaxBytesPerSecond: num('log.cleaner.io.max.bytes.per.second', Number.POSITIVE_INFINITY),
    nowMs,
  };
}

export function startBackgroundWork(logManager: LogManager, log: Logger, opts: BackgroundOptions): BackgroundWork {
  const guard = (what: string, fn: () => void) => () => {
    try {
      fn();
    } catch (err) {
      log.error(`${what} failed: ${errorMessage(err)}`);
    }
  };
  const runRetention = (): number => {
    const deleted = logManager.runRetention(opts.nowMs());
    if (deleted > 0) log.info(`Retention deleted ${deleted} segment(s)`);
    return deleted;
  };
  const retention = setInterval(guard('Retention check', runRetention), Math.max(10, opts.retentionCheckIntervalMs));
  const checkpoint = setInterval(guard('Checkpoint', () => logManager.checkpoint()), Math.max(1000, opts.checkpointIntervalMs));
  retention.unref();
  checkpoint.unref();
  // A throttled move copies one slice per tick, at the rate. An unthrottled one copies its
  // closed segments off the event loop and its active segment in slices back to back,
  // yielding to requests between slices.
  let movesRunning = true;
  let moveTimeout: NodeJS.Timeout | undefined;
  let moveImmediate: NodeJS.Immediate | undefined;
  const scheduleMoves = (now: boolean): void => {
    clearTimeout(moveTimeout);
    if (moveImmediate) clearImmediate(moveImmediate);
    moveTimeout = moveImmediate = undefined;
    if (!movesRunning) return;
    if (now) moveImmediate = setImmediate(runMoves).unref();
    else moveTimeout = setTimeout(runMoves, MOVE_TICK_MS).unref();
  };
  const runMovesNow = (): void => scheduleMoves(true);
  logManager.onLogDirMoveStarted = runMovesNow;
  // A throttled move earns `rate` bytes per second of credit (at most one tick's worth kept
  // while idle) and spends what it copies: a step copies at least one whole batch, so a batch
  // larger than a tick's share leaves a debt the next ticks pay before copying again.
  let moveCredit = 0;
  let moveCreditAtMs = Date.now();
  function runMoves(): void {
    let copied = 0;
    let unthrottled = false;
    guard('Log dir move', () => {
      const rate = opts.logDirMoveBytesPerSecond?.() ?? Number.POSITIVE_INFINITY;
      unthrottled = rate === Number.POSITIVE_INFINITY;
      const now = Date.now();
      const tickBytes = Math.min(MOVE_TICK_MAX_BYTES, Math.max(1, Math.floor((rate * MOVE_TICK_MS) / 1000)));
      moveCredit = unthrottled ? 0 : Math.min(tickBytes, moveCredit + (rate * Math.max(0, now - moveCreditAtMs)) / 1000);
      moveCreditAtMs = now;
      if (unthrottled) {
        copied = logManager.runLogDirMoves(MOVE_TICK_MAX_BYTES, { offThread: true, onOffThreadCopyDone: runMovesNow });
      } else if (moveCredit > 0) {
        copied = logManager.runLogDirMoves(Math.max(1, Math.floor(moveCredit)));
        moveCredit -= copied;
      }
    })();
    scheduleMoves(unthrottled && copied > 0);
  }
  scheduleMoves(false);

  let running = true;
  let wake: (() => void) | undefined;
  const cleaner = new LogCleaner({ dedupeBufferBytes: opts.dedupeBufferBytes, ioMaxBytesPerSecond: opts.ioMaxBytesPerSecond });
  const backoff = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => { wake = undefined; resolve(); }, ms);
    timer.unref();
    wake = () => { clearTimeout(timer); wake = undefined; resolve(); };
  });
  const cleanLoop = async (): Promise<void> => {
    while (running) {
      let stats: CleanStats | undefined;
      try {
        stats = await cleaner.cleanDirtiest(logManager.allLogs(), opts.nowMs());
        if (stats?.completed) {
          logManager.checkpoint();
          log.debug(`Cleaned ${stats.topic}-${stats.partition} up to offset ${stats.endOffset}: ${stats.bytesRead} bytes read, ${stats.bytesWritten} written, ${stats.recordsRemoved} records removed`);
        }
        if (stats) opts.onCleaned?.(stats);
      } catch (err) {
        if (running) log.error(`Log cleaner failed: ${errorMessage(err)}`);
        stats = undefined;
      }
      if (running && !stats?.completed) await backoff(opts.cleanerBackoffMs);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  };
  // As Kafka: with log.cleaner.enable=false compacted topics are not compacted at all.
  const loop = opts.cleanerEnable ? cleanLoop() : Promise.resolve();

  return {
    async stop() {
      running = false;
      clearInterval(retention);
      clearInterval(checkpoint);
      movesRunning = false;
      scheduleMoves(false);
      logManager.onLogDirMoveStarted = () => {};
      cleaner.stop();
      wake?.();
      await loop;
    },
    runRetention,
    wakeCleaner: () => wake?.(),
  };
}
