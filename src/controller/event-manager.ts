/**
 * The controller's single event loop (Kafka's ControllerEventManager): ZooKeeper watches,
 * channel responses, timers and API calls only enqueue events; one event runs at a time,
 * so the controller context never sees two writers.
 */
import type { Logger } from '../util/logger.js';

const STALL_WARNING_MS = 10_000;

export interface ControllerEvent {
  name: string;
  process(): Promise<void>;
}

export class ControllerEventManager {
  private readonly queue: ControllerEvent[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly log: Logger) {}

  put(event: ControllerEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (!this.running) void this.drain();
  }

  /** Runs `fn` as an event and resolves with its result (API calls such as controlled shutdown). */
  call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) {
        reject(new Error('the controller is shutting down'));
        return;
      }
      this.put({ name, process: () => fn().then(resolve, reject) });
    });
  }

  /** Resolves once the queue is empty and no event runs. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.queue.length;
  }

  /** Drops queued events and stops taking new ones; waits for the running one. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.idle();
  }

  /**
   * One event at a time means one stuck event (a ZooKeeper call or a broker that never
   * answers) stops the controller: say so while it runs, with what waits behind it.
   */
  private warnWhileRunning(event: ControllerEvent): NodeJS.Timeout {
    const startedMs = Date.now();
    const timer = setInterval(() => {
      const waiting = this.queue.map((e) => e.name).slice(0, 5).join(', ');
      this.log.warn(`Controller event ${event.name} has been running for ${Math.round((Date.now() - startedMs) / 1000)} s; ${this.queue.length} queued behind it${waiting ? ` (${waiting})` : ''}`);
    }, STALL_WARNING_MS);
    timer.unref();
    return timer;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        const stallWarning = this.warnWhileRunning(event);
        try {
          await event.process();
        } catch (err) {
          this.log.error(`Controller event ${event.name} failed: ${(err as Error).stack ?? String(err)}`);
        } finally {
          clearInterval(stallWarning);
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
