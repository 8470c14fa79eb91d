/**
 * One client connection: splits the byte stream into size-prefixed request frames, runs
 * them through the frame handler (several at once: clients pipeline), and writes the
 * responses strictly in request order.
 *
 * Bounds: a frame larger than `maxRequestBytes` (or with a negative size) closes the
 * connection with one log line; at most `maxInFlight` requests are being handled or
 * waiting to be written before the socket stops being read (backpressure through TCP, not
 * buffering); when more than `maxQueuedResponseBytes` sit in the socket's write buffer for
 * a client that does not read, reading pauses until the buffer drains (Kafka mutes a
 * connection until its response is sent); a connection with nothing in flight and no
 * traffic for `idleTimeoutMs` is closed.
 * With a broker-wide RequestMemoryBudget (memory-budget.ts), every byte the connection
 * holds (unparsed input, requests in flight, responses not yet handed to the kernel) is
 * reported to it, and so are the response bytes written since the client last sent
 * anything (they sit in kernel buffers while a client pipelines and does not read); while
 * the budget is full, a connection holding anything gets no new request handled until it
 * sends again or the budget has room, and a pipelined frame is dispatched only once the
 * response before it is counted.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { apiName } from '../protocol/apis.js';
import type { RequestMemoryBudget } from './memory-budget.js';
import { BufferPool, readBuffers } from '../util/buffer-pool.js';

export interface ConnectionInfo {
  connectionId: string;
  clientHost: string;
  listenerName: string;
  /** Who is on the other end; absent for the in-process transport (the data dir's owner). */
  session?: ConnectionSession;
}

/** A connection's security state; the broker's authenticator fills it in. */
export interface ConnectionSession {
  securityProtocol: string;
  /** `User:ANONYMOUS`, the TLS client certificate's principal, or the SASL user once authenticated. */
  principal: string;
  /** False on SASL listeners until the SASL exchange succeeds. */
  authenticated: boolean;
}

/** A request frame (no size prefix) in; size-prefixed response chunks out, null for none. */
export type FrameHandler = (frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null>;

export interface ConnectionLimits {
  maxRequestBytes: number;
  maxInFlight: number;
  maxQueuedResponseBytes: number;
  idleTimeoutMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  maxRequestBytes: 104_857_600,
  maxInFlight: 64,
  maxQueuedResponseBytes: 1024 * 1024,
  idleTimeoutMs: 600_000,
};

/** Thrown by a frame handler to close the connection without answering (logged once). */
export class CloseConnection extends Error {
  /** Written before closing (a failed SASL exchange's error response). */
  readonly response: Buffer[] | undefined;
  constructor(message: string, response?: Buffer[]) {
    super(message);
    this.name = 'CloseConnection';
    this.response = response;
  }
}

/** What a connection muted for the memory budget still reads ahead (its next request). */
const READ_AHEAD_BYTES = 64 * 1024;
/** Response bytes a client may leave unconfirmed without counting against the budget. */
const FREE_UNCONFIRMED_BYTES = 64 * 1024;
/** Produce (key 0): its answer is a few bytes per partition. */
const PRODUCE_API_KEY = 0;
/**
 * Produce bytes a connection may have in flight (dispatched, not answered yet) before its next
 * request waits for an answer. Kafka handles one request per connection at a time; kts lets a
 * producer pipeline about four follower fetches' worth (replica.fetch.max.bytes is 1 MiB): an
 * acks=all producer's requests appended together reach each follower in one fetch instead of
 * one fetch round trip each, the leader appends the next MiBs while the followers copy the
 * last ones, and the followers stay within that much of the leader. (Bench 13 on a quiet
 * machine, load < 1.5, runs back to back: 2 MiB 0.44-0.51x of one broker, 4 MiB 0.59-0.70x
 * (median 0.64x, leader CPU per 1M records 0.8-1.3 s), 8 MiB 0.60-0.69x with twice the
 * follower lag.)
 */
const PRODUCE_BYTES_IN_FLIGHT = 4 * 1024 * 1024;
/**
 * Where a Produce request that spans socket reads is joined, given back once its handler has
 * answered (appends are written synchronously and nothing keeps a view of the request).
 * A fresh buffer per request cost the leader page faults and, at ~100 MB per million
 * 100-byte records, the external-memory pressure that started its major GCs (bench 13).
 */
export const produceFrames = new BufferPool(64 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024);

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** Bytes held for this slot: the request while it is handled, then its response until written. */
  heldBytes: number;
  /** Close the connection once this slot's response is written. */
  closeAfter?: string;
  /** The request's API key (the frame's first two bytes). */
  apiKey: number;
  /** The request frame, when it is a pooled Produce frame to give back once answered. */
  pooledFrame?: Buffer;
}

export class Connection {
  readonly info: ConnectionInfo;
  private readonly socket: Socket;
  private readonly handler: FrameHandler;
  private readonly limits: ConnectionLimits;
  private readonly log: Logger;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly slots: Slot[] = [];
  /** A flush is queued for the end of this tick: responses finished together share a write. */
  private flushQueued = false;
  private closing = false;
  private readPausedForInFlight = false;
  private readPausedForWrites = false;
  private draining = false;
  private readonly budget: RequestMemoryBudget | undefined;
  /** What this connection last reported to the budget. */
  private reportedBytes = 0;
  private mutedForBudget = false;
  /** The next frame waits for an answer: PRODUCE_BYTES_IN_FLIGHT are in flight. */
  private heldForProduce = false;
  /**
   * Response bytes written since the client last sent anything. A client sends its next
   * request after reading a response; one that pipelines requests and reads nothing keeps
   * these growing, in the kernel's socket buffers where writableLength no longer sees them.
   */
  private unconfirmedBytes = 0;
  /** An extraction is scheduled for the next event-loop turn. */
  private extractQueued = false;
  private closedResolve!: () => void;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;

  constructor(socket: Socket, info: ConnectionInfo, handler: FrameHandler, limits: ConnectionLimits, log: Logger, budget?: RequestMemoryBudget) {
    this.socket = socket;
    this.budget = budget;
    this.info = info;
    this.handler = handler;
    this.limits = limits;
    this.log = log;
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.log.debug(`Connection ${info.connectionId} error: ${err.message}`));
    socket.on('close', () => {
      this.closing = true;
      this.releaseBudget();
      this.closedResolve();
    });
    socket.on('drain', () => this.onDrain());
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs, () => this.onIdle());
    }
  }

  get inFlight(): number {
    return this.slots.length;
  }

  /** Stops reading new requests; in-flight ones still complete and are written. */
  stopReading(): void {
    this.draining = true;
    this.socket.pause();
  }

  /** Resolves when every accepted request has been answered (or the socket closed). */
  async settle(): Promise<void> {
    while (this.slots.length > 0 && !this.closing) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(reason?: string): void {
    if (reason) this.log.info(`Closing connection ${this.info.connectionId} from ${this.info.clientHost}: ${reason}`);
    this.closing = true;
    this.socket.destroy();
  }

  /** Closes after the write buffer is flushed. */
  end(): void {
    this.closing = true;
    this.socket.end();
  }

  private onIdle(): void {
    if (this.slots.length > 0) return; // a long poll or slow handler is not idleness
    this.close(`idle for more than ${this.limits.idleTimeoutMs} ms (connections.max.idle.ms)`);
  }

  private onData(data: Buffer): void {
    if (this.closing) return;
    this.unconfirmedBytes = 0;
    this.chunks.push(data);
    this.buffered += data.length;
    this.account();
    this.extractFrames();
    this.account();
  }

  private extractFrames(): void {
    this.heldForProduce = false;
    // Frames already read stay unparsed while the client is not reading our responses.
    while (!this.closing && !this.draining && !this.readPausedForWrites && !this.mutedForBudget && this.buffered >= 4 && this.slots.length < this.limits.maxInFlight) {
      const size = this.peekSize();
      if (size < 0 || size > this.limits.maxRequestBytes) {
        this.close(
          size < 0
            ? `invalid request size ${size}`
            : `request of ${size} bytes exceeds socket.request.max.bytes (${this.limits.maxRequestBytes})`,
        );
        return;
      }
      if (this.buffered < 4 + size) break;
      const produceInFlight = this.produceBytesInFlight();
      if (produceInFlight >= PRODUCE_BYTES_IN_FLIGHT) {
        // The next frame is dispatched when an answer is written (flush).
        this.heldForProduce = true;
        break;
      }
      if (this.budget && this.holdsResponses()) {
        if (this.budget.exhausted) {
          this.muteForBudget();
          break;
        }
        if (produceInFlight < 0) {
          // Its response is not counted yet: the next request waits for it (its flush
          // extracts the next frame once the response is counted). Polling every turn
          // instead kept 200 slow readers' connections spinning while their reads queued.
          break;
        }
      }
      this.consume(4);
      this.dispatch(this.consume(size, this.peekApiKey() === PRODUCE_API_KEY));
    }
    this.updateReadState();
  }

  /** Requests in flight, or responses not yet handed to the kernel or not yet followed by a request. */
  private holdsResponses(): boolean {
    return this.slots.length > 0 || this.socket.writableLength > 0 || this.unconfirmedResponseBytes() > 0;
  }

  /**
   * Unconfirmed bytes that count: a few small responses (ApiVersions, pipelined Metadata,
   * Produce acknowledgements) never do, so a client that pipelines small requests and
   * waits for all the answers is never muted waiting for a request it will not send.
   */
  private unconfirmedResponseBytes(): number {
    return this.unconfirmedBytes > FREE_UNCONFIRMED_BYTES ? this.unconfirmedBytes : 0;
  }

  /**
   * Bytes of the Produce requests in flight, or -1 when another request is in flight (its
   * response, not counted yet, may be large). A Produce answer is a few bytes: the next
   * pipelined frame need not wait a turn for it to be counted.
   */
  private produceBytesInFlight(): number {
    let bytes = 0;
    for (const slot of this.slots) {
      if (slot.done) continue;
      if (slot.apiKey !== PRODUCE_API_KEY) return -1;
      bytes += slot.heldBytes;
    }
    return bytes;
  }

  /** Dispatch the next pipelined frame after this turn (the budget has room again). */
  private extractNextTurn(): void {
    if (this.extractQueued) return;
    this.extractQueued = true;
    setImmediate(() => {
      this.extractQueued = false;
      this.extractFrames();
      this.account();
    });
  }

  private muteForBudget(): void {
    this.mutedForBudget = true;
    this.budget!.waitForRoom(this.onBudgetRoom);
  }

  private readonly onBudgetRoom = (): void => {
    if (!this.mutedForBudget) return;
    this.mutedForBudget = false;
    this.extractNextTurn();
    this.updateReadState();
  };

  /** Report what this connection holds now to the budget. */
  private account(): void {
    if (!this.budget || this.closing) return;
    let held = this.buffered + Math.max(this.socket.writableLength, this.unconfirmedResponseBytes());
    for (const slot of this.slots) held += slot.heldBytes;
    this.budget.add(held - this.reportedBytes);
    this.reportedBytes = held;
    // A slow reader that caught up may send its next request even while the budget is full.
    if (this.mutedForBudget && !this.holdsResponses()) {
      this.budget.cancelWait(this.onBudgetRoom);
      this.onBudgetRoom();
    }
  }

  private releaseBudget(): void {
    if (!this.budget) return;
    this.budget.cancelWait(this.onBudgetRoom);
    this.budget.add(-this.reportedBytes);
    this.reportedBytes = 0;
  }

  /** One place decides whether the socket is read: paused while any reason to wait holds. */
  private updateReadState(): void {
    if (this.closing || this.draining) return;
    this.readPausedForInFlight = this.slots.length >= this.limits.maxInFlight;
    // Muted for the budget, a connection still reads a little: a new request from it is the
    // sign it has read its responses (unconfirmedBytes), which may unmute it.
    const readAheadFull = this.buffered >= READ_AHEAD_BYTES;
    const pause = this.readPausedForInFlight || this.readPausedForWrites || ((this.mutedForBudget || this.heldForProduce) && readAheadFull);
    if (pause && !this.socket.isPaused()) this.socket.pause();
    else if (!pause && this.socket.isPaused()) this.socket.resume();
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    return head.readInt32BE(0);
  }

  /** The API key of the next frame (after its size prefix was consumed), or -1 when not yet readable. */
  private peekApiKey(): number {
    if (this.buffered < 2) return -1;
    const first = this.chunks[0]!;
    return first.length >= 2 ? first.readInt16BE(0) : Buffer.concat(this.chunks, 2).readInt16BE(0);
  }

  /**
   * Removes `n` bytes from the front of the buffered chunks (copies only when a frame spans
   * chunks, into a `produceFrames` buffer when `pooled`).
   */
  private consume(n: number, pooled = false): Buffer {
    // A zero-length frame may leave no chunk at all; it is still a (garbage) request.
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = pooled ? produceFrames.take(n) : Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const take = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, take);
        filled += take;
        if (take === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }

  private dispatch(frame: Buffer): void {
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    const slot: Slot = { done: false, chunks: null, heldBytes: frame.length, apiKey, ...(apiKey === PRODUCE_API_KEY ? { pooledFrame: frame } : {}) };
    this.slots.push(slot);
    let result: Promise<Buffer[] | null>;
    try {
      result = this.handler(frame, this.info);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (chunks) => {
        slot.done = true;
        slot.chunks = chunks;
        // The handler is done with the request (a Produce answer holds no view of it).
        if (slot.pooledFrame) produceFrames.give(slot.pooledFrame);
        slot.heldBytes = responseBytes(chunks);
        this.queueFlush();
        this.account();
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof CloseConnection && err.response) {
          slot.done = true;
          slot.chunks = err.response;
          slot.closeAfter = message;
          this.queueFlush();
          return;
        }
        if (err instanceof CloseConnection) {
          this.close(message);
          return;
        }
        // Not a decision to close (the client's bytes were fine): a broker bug, said loudly with the API.
        const what = `${apiName(slot.apiKey)} request (key ${slot.apiKey})`;
        this.log.error(`${what} on connection ${this.info.connectionId} from ${this.info.clientHost} failed, closing the connection: ${err instanceof Error && err.stack ? err.stack : message}`);
        this.close();
      },
    );
  }

  /**
   * Pipelined requests often finish in the same tick (their handlers resolve one after the
   * other): one flush after them writes all their responses in one writev, not one each.
   */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    process.nextTick(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Writes every finished response at the head of the queue, in request order. */
  private flush(): void {
    if (this.closing) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.chunks && slot.chunks.length > 0) {
        if (!wrote) this.socket.cork();
        wrote = true;
        for (const chunk of slot.chunks) {
          this.unconfirmedBytes += chunk.length;
          this.socket.write(chunk, (err) => this.afterWrite(chunk, err));
        }
      }
      if (slot.closeAfter !== undefined) {
        if (wrote) this.socket.uncork();
        this.log.info(`Closing connection ${this.info.connectionId} from ${this.info.clientHost}: ${slot.closeAfter}`);
        this.end();
        return;
      }
    }
    if (wrote) this.socket.uncork();
    if (this.socket.writableLength > this.limits.maxQueuedResponseBytes) this.readPausedForWrites = true;
    this.extractFrames();
    this.account();
  }

  /**
   * A chunk reached the kernel (or never will: the socket was destroyed): the bytes it held
   * in user space are free, and a Fetch read's pooled buffer goes back to the pool.
   */
  private afterWrite(chunk: Buffer, _err?: Error | null): void {
    readBuffers.give(chunk);
    if (this.budget) this.account();
  }

  private onDrain(): void {
    if (!this.readPausedForWrites) return;
    this.readPausedForWrites = false;
    this.extractFrames();
    this.updateReadState();
    this.account();
  }
}

function responseBytes(chunks: readonly Buffer[] | null): number {
  let n = 0;
  for (const c of chunks ?? []) n += c.length;
  return n;
}
