/**
 * Writing to stdout with backpressure: await 'drain' when the pipe is full, and give up
 * quietly when the user interrupts or the reader went away (EPIPE, `| head`).
 */
import type { Writable } from 'node:stream';

export class OutputClosed extends Error {
  constructor() {
    super('output closed');
  }
}

export async function writeOut(out: Writable, chunk: Buffer | string, stop: Promise<void>): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new OutputClosed();
  if (out.write(chunk)) return;
  let onDrain!: () => void;
  let onClose!: () => void;
  const drained = new Promise<'drain' | 'closed'>((resolve) => {
    onDrain = () => resolve('drain');
    onClose = () => resolve('closed');
    out.once('drain', onDrain);
    out.once('close', onClose);
    out.once('error', onClose);
  });
  const r = await Promise.race([drained, stop.then(() => 'closed' as const)]);
  out.off('drain', onDrain);
  out.off('close', onClose);
  out.off('error', onClose);
  if (r === 'closed') throw new OutputClosed();
}

/** Resolves to `stopValue` when `stop` settles, so loops can race their next step against Ctrl-C. */
export function raceStop<T, S>(work: Promise<T>, stop: Promise<void>, stopValue: S): Promise<T | S> {
  return Promise.race([work, stop.then(() => stopValue)]);
}
