/**
 * Loops that must stop on Ctrl-C, and writing to stdout with backpressure.
 *
 * `Promise.race([work, interrupted])` in a loop leaks: every call leaves a reaction on the
 * never-settling `interrupted` promise that keeps the race (and its result) alive. A
 * StopSignal subscribes once and only ever holds the current waiter.
 */
import type { Writable } from 'node:stream';

export class OutputClosed extends Error {
  constructor() {
    super('output closed');
  }
}

export class StopSignal {
  private stoppedFlag = false;
  private wake: (() => void) | null = null;

  constructor(stop: Promise<void>) {
    void stop.then(() => {
      this.stoppedFlag = true;
      this.wake?.();
    });
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** `work`'s result, or null as soon as the stop signal fires. */
  race<T>(work: Promise<T>): Promise<T | null> {
    if (this.stoppedFlag) return Promise.resolve(null);
    return new Promise<T | null>((resolve, reject) => {
      this.wake = () => resolve(null);
      work.then(
        (v) => {
          this.wake = null;
          resolve(v);
        },
        (err: unknown) => {
          this.wake = null;
          reject(err);
        },
      );
    });
  }
}

/** Write, awaiting 'drain' when the pipe is full; OutputClosed when it closes or we stop. */
export async function writeOut(out: Writable, chunk: Buffer | string, stop: StopSignal): Promise<void> {
  if (out.destroyed || out.writableEnded || stop.stopped) throw new OutputClosed();
  if (out.write(chunk)) return;
  await drained(out, stop);
}

/** Resolves on the stream's 'drain'; OutputClosed when it closes, fails or we stop first. */
export async function drained(out: Writable, stop: StopSignal): Promise<void> {
  let onDrain!: () => void;
  let onClose!: () => void;
  const done = new Promise<'drain' | 'closed'>((resolve) => {
    onDrain = () => resolve('drain');
    onClose = () => resolve('closed');
    out.once('drain', onDrain);
    out.once('close', onClose);
    out.once('error', onClose);
  });
  const r = await stop.race(done);
  out.off('drain', onDrain);
  out.off('close', onClose);
  out.off('error', onClose);
  if (r !== 'drain') throw new OutputClosed();
}
