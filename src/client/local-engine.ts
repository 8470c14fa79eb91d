/**
 * The local transport: connections to a data dir's engine, wherever it runs. If another
 * process owns the data dir, its Unix socket (net/local-socket.ts) carries the requests;
 * if none does, this process starts the engine and owns it (serving the others in turn).
 * Each new connection decides again, so when the owner exits (or is killed) the next
 * request of a waiting process takes the data dir over instead of failing.
 */
import { startBroker, type Broker } from '../broker/broker.js';
import type { BrokerConfig } from '../broker/config.js';
import { checkLocalSocketDir, localSocketPath, ownerSocketPath } from '../net/local-socket.js';
import { ConnectionError, openLocalChannel, type FrameChannel } from '../net/tcp-channel.js';
import { KtsError } from '../util/errors.js';
import { InProcessChannel } from './in-process.js';
import { sleep } from './cluster.js';

/** Between attempts while another process holds the data dir without serving it yet (it is loading). */
const RETRY_BACKOFF_MS = 50;

export class LocalEngine {
  private readonly config: BrokerConfig;
  private readonly target: string;
  private readonly waitMs: number;
  private owned: Promise<Broker> | null = null;
  private stopped = false;

  /** `waitMs`: how long to wait for a data dir held by a process that does not serve it. */
  constructor(config: BrokerConfig, target: string, waitMs: number) {
    this.config = config;
    this.target = target;
    this.waitMs = waitMs;
  }

  /** Whether this process runs the engine (the others reach it through this process). */
  get isOwner(): boolean {
    return this.owned !== null;
  }

  async channel(): Promise<FrameChannel> {
    const deadline = Date.now() + this.waitMs;
    const dir = this.config.logDirs[0]!;
    for (;;) {
      if (this.stopped) throw new ConnectionError(`The engine on ${this.target} was closed`, undefined, undefined, 'client-closed');
      if (this.owned) return new InProcessChannel(await this.owned, this.target, this.config.listeners[0]?.name ?? 'PLAINTEXT');
      const socketPath = (await ownerSocketPath(dir)) ?? localSocketPath(dir);
      // Records go to whoever listens there: never through a directory another user controls.
      checkLocalSocketDir(socketPath, false);
      try {
        return await openLocalChannel(socketPath, this.target);
      } catch (err) {
        if (!(err instanceof ConnectionError) || err.failure !== 'refused') throw err;
      }
      try {
        await this.own();
        continue;
      } catch (err) {
        if (!(err instanceof KtsError) || err.code !== 'KTS_LOG_DIR_LOCKED' || Date.now() >= deadline) throw lockedHint(err, this.target);
      }
      await sleep(RETRY_BACKOFF_MS);
    }
  }

  /** Opens the engine here; concurrent callers share one attempt. */
  private own(): Promise<Broker> {
    if (!this.owned) {
      const attempt = startBroker(this.config, { listen: false, localSocket: true, command: `kts ${process.argv.slice(2).join(' ')}`.trim() });
      this.owned = attempt;
      attempt.catch(() => {
        if (this.owned === attempt) this.owned = null;
      });
    }
    return this.owned;
  }

  /** Stops the engine if this process runs it; the processes it served take over. */
  async stop(): Promise<void> {
    this.stopped = true;
    const owned = this.owned;
    if (owned) await (await owned.catch(() => null))?.stop();
  }
}

function lockedHint(err: unknown, target: string): unknown {
  if (!(err instanceof KtsError) || err.code !== 'KTS_LOG_DIR_LOCKED') return err;
  return new KtsError(
    'KTS_LOG_DIR_LOCKED',
    `Cannot open the engine on ${target}: ${err.message}`,
    'That process holds the data dir without sharing it (a kts server starting up, or an older kts). Wait for it, stop it, or pass --bootstrap-server.',
    { cause: err },
  );
}
