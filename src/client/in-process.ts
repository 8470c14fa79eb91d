/**
 * The in-process transport: a FrameChannel that hands each request frame to a broker
 * engine running in this process (broker.handleFrame), so the local engine is reached
 * through exactly the same encode/decode path as a TCP broker.
 */
import type { FrameChannel } from '../net/tcp-channel.js';
import { ConnectionError } from '../net/tcp-channel.js';

/** The part of the broker the in-process channel needs (src/broker/broker.ts's Broker). */
export interface FrameHandlingBroker {
  handleFrame(frame: Buffer, conn: { connectionId: string; clientHost: string; listenerName: string }): Promise<Buffer[] | null>;
}

let nextConnectionId = 0;

export class InProcessChannel implements FrameChannel {
  readonly address: string;
  private readonly broker: FrameHandlingBroker;
  private readonly conn: { connectionId: string; clientHost: string; listenerName: string };
  private closed = false;

  constructor(broker: FrameHandlingBroker, address: string, listenerName: string) {
    this.broker = broker;
    this.address = address;
    this.conn = { connectionId: `in-process-${nextConnectionId++}`, clientHost: 'in-process', listenerName };
  }

  async request(chunks: readonly Buffer[], expectResponse: boolean, timeoutMs: number): Promise<Buffer | null> {
    if (this.closed) throw new ConnectionError(`Connection to ${this.address} was closed`, undefined, undefined, 'client-closed');
    const frame = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    // handleFrame takes the message without its size prefix, like the TCP server passes it.
    const work = this.broker.handleFrame(frame.subarray(4), this.conn);
    // If the timeout wins, a later failure of `work` has no one left to hear it.
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectionError(`Request to ${this.address} timed out after ${timeoutMs} ms`, undefined, undefined, 'timeout')), timeoutMs);
    });
    try {
      const chunks = await Promise.race([work, timeout]);
      if (!expectResponse || chunks === null) return null;
      const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      return whole.subarray(4);
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
  }
}
