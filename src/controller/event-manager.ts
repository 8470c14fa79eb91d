/**
 * The controller's single event loop (Kafka's ControllerEventManager): ZooKeeper watches,
 * channel responses, timers and API calls only enqueue events; one event runs at a time,
 * so the controller context never sees two writers.
 */
import type { Logger } from '../util/logger.js';

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

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        try {
          await event.process();
        } catch (err) {
          this.log.error(`Controller event ${event.name} failed: ${(err as Error).stack ?? String(err)}`);
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
