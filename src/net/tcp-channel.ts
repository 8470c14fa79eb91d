/**
 * One TCP (or local Unix socket) connection to one broker: 4-byte size framing, correlation ids, pipelined
 * requests (answered in order), per-request and connect timeouts, and clean errors.
 * Works on whole frames; encoding is the caller's (see broker-connection.ts).
 */
import { Socket, connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsClientSettings } from './tls.js';
import { KtsError } from '../util/errors.js';
import type { BufferPool } from '../util/buffer-pool.js';

/** A byte-level request channel: TCP here, or the in-process engine (in-process.ts). */
export interface FrameChannel {
  readonly address: string;
  /** False once the channel failed or was closed: open a new one. */
  readonly isOpen: boolean;
  /**
   * Sends one size-prefixed request frame, given as chunks (record batches by reference).
   * Resolves with the response frame WITHOUT its size prefix, or null when
   * `expectResponse` is false (acks=0 produce).
   */
  request(frame: readonly Buffer[], expectResponse: boolean, timeoutMs: number): Promise<Buffer | null>;
  close(): void;
}

/** Bound on a response frame; a larger size prefix means a corrupt stream. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * What went wrong with a connection. `refused`/`unresolved` mean nothing listens there;
 * `client-closed` means we closed it; the others are faults of a live connection.
 */
export type ConnectionFailure = 'refused' | 'unresolved' | 'timeout' | 'closed' | 'client-closed' | 'protocol' | 'tls-handshake' | 'failed';

export class ConnectionError extends KtsError {
  readonly failure: ConnectionFailure;
  constructor(message: string, hint?: string, cause?: unknown, failure: ConnectionFailure = 'failed') {
    super('KTS_CONNECTION', message, hint, { cause });
    this.name = 'ConnectionError';
    this.failure = failure;
  }
}

// Said whether or not --bootstrap-server was passed: the address may have come from it, $KTS_BOOTSTRAP_SERVER, a profile or a local server file.
/** Brokers close connections whose security settings do not match the listener's. */
const CLOSED_HINT = "If the broker's listener uses SSL or SASL, set security.protocol and the ssl.* / sasl.* settings (--command-config); the broker's log says why it closed the connection.";
const NO_BROKER_HINT = 'Check the broker address (--bootstrap-server, $KTS_BOOTSTRAP_SERVER or kts profile); a local broker starts with `kts server-start`';

/**
 * Opens a TCP connection, over TLS when `tls` is given (security.protocol SSL / SASL_SSL).
 * Large responses are read into buffers of `responseBuffers` when given: the caller gives
 * each back once nothing uses the response (a replica fetcher, after appending it).
 */
export async function openTcpChannel(host: string, port: number, connectTimeoutMs: number, tls?: TlsClientSettings, responseBuffers?: BufferPool): Promise<FrameChannel> {
  const address = `${host}:${port}`;
  const frames = new FrameAssembler(address, responseBuffers);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = tls
      ? tlsConnect({
          host,
          port,
          ...tls.context,
          ...(isIP(host) ? {} : { servername: host }),
          ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        })
      : connect({ host, port, noDelay: true, onread: frames.onread() });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ConnectionError(`Connection to ${address} timed out after ${connectTimeoutMs} ms`, NO_BROKER_HINT, undefined, 'timeout'));
    }, connectTimeoutMs);
    s.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      s.setNoDelay(true);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(address, err));
    });
  });
  return new TcpChannel(address, socket, frames, !tls);
}

/**
 * Connects to the Unix socket of the process that owns a local data dir (local-socket.ts).
 * Nothing listening there (no socket file, or one left by a dead owner) is `refused`.
 */
export async function openLocalChannel(path: string, target: string): Promise<FrameChannel> {
  const frames = new FrameAssembler(target);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ path, onread: frames.onread() });
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      const refused = err.code === 'ECONNREFUSED' || err.code === 'ENOENT';
      reject(new ConnectionError(`Connection to ${target} (${path}) failed: ${err.message}`, undefined, err, refused ? 'refused' : 'failed'));
    });
  });
  return new TcpChannel(target, socket, frames, true);
}

function connectError(address: string, err: NodeJS.ErrnoException): ConnectionError {
  if (err.code === 'ECONNREFUSED') {
    return new ConnectionError(`Connection to ${address} refused: is a broker running?`, NO_BROKER_HINT, err, 'refused');
  }
  if (err.code === 'ECONNRESET' || err.code === 'EPROTO' || /certificate|SSL|TLS|self.signed|altnames/i.test(err.message)) {
    // A refused certificate, host name or TLS version will be refused again: like Kafka's
    // SslAuthenticationException, it is not retried ('tls-handshake'); a reset may be a restart.
    const handshake = err.code !== undefined && /CERT|^ERR_SSL_|SELF_SIGNED|^UNABLE_TO_/.test(err.code);
    return new ConnectionError(
      `TLS connection to ${address} failed: ${err.message}`,
      'Check security.protocol (is this listener SSL/SASL_SSL?), ssl.truststore.location (the CA that signed the broker certificate) and ssl.endpoint.identification.algorithm.',
      err,
      handshake ? 'tls-handshake' : 'failed',
    );
  }
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return new ConnectionError(`Cannot resolve host of ${address}`, 'Check the --bootstrap-server host name', err, 'unresolved');
  }
  return new ConnectionError(`Connection to ${address} failed: ${err.message}`, NO_BROKER_HINT, err);
}

/** A first answer that is not a Kafka frame: name what it looks like (HTTP, TLS) instead of a size. */
function notKafka(address: string, head: Buffer, size: number): ConnectionError {
  if (head.subarray(0, 4).toString('latin1') === 'HTTP') {
    return new ConnectionError(`${address} answered HTTP, not the Kafka protocol`, 'This is a web server (a REST proxy, a UI, a schema registry?): use the Kafka listener port', undefined, 'protocol');
  }
  if (head[0] === 0x15 || head[0] === 0x16) {
    return new ConnectionError(`${address} answered TLS, not plain Kafka`, 'Set security.protocol=SSL (or SASL_SSL) with --command-property', undefined, 'protocol');
  }
  return new ConnectionError(`Broker ${address} sent an invalid frame size ${size}: is this a Kafka listener?`, undefined, undefined, 'protocol');
}

/** A response this large is read straight into its own buffer (no chunks joined). */
const DIRECT_FRAME_BYTES = 32 * 1024;
/** What small reads (size prefixes, small responses) go into; later reads use its unread rest. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Below this much room left, the next small read gets a fresh read buffer. */
const MIN_READ_ROOM = 4 * 1024;

/**
 * Cuts the byte stream into response frames. Fed either with the socket's 'data' chunks
 * (TLS), or through `onread` (plain TCP, Unix sockets): then a large response is read by
 * the kernel straight into a buffer of its size, instead of into 64 KiB chunks joined
 * afterwards. A replica fetcher receives every replicated byte this way: the join copied
 * each megabyte a second time into fresh memory (a fifth of a follower's CPU, bench 13).
 */
class FrameAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being received, once its prefix has arrived; -1 before. */
  private expectedSize = -1;
  /** The large frame being read in place, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private frameFilled = 0;
  private readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readUsed = 0;
  private deliver: (frame: Buffer) => void = () => {};
  private fail: (err: Error) => void = () => {};
  private stopped = false;
  private direct = false;

  constructor(
    private readonly address: string,
    private readonly pool?: BufferPool,
  ) {}

  attach(deliver: (frame: Buffer) => void, fail: (err: Error) => void): void {
    this.deliver = deliver;
    this.fail = (err) => {
      this.stopped = true;
      fail(err);
    };
  }

  /** net.connect's `onread`: the next read goes into the large frame's rest, or the read buffer's. */
  onread(): { buffer: () => Buffer; callback: (n: number, buf: Buffer) => boolean } {
    this.direct = true;
    return {
      buffer: () => {
        if (this.frame) return this.frame.subarray(this.frameFilled);
        if (this.readBuffer.length - this.readUsed < MIN_READ_ROOM) {
          this.readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
          this.readUsed = 0;
        }
        return this.readBuffer.subarray(this.readUsed);
      },
      callback: (n, buf) => {
        if (this.frame && buf.buffer === this.frame.buffer) this.frameRead(n);
        else {
          // Delivered frames may point into the read buffer: its bytes are never reused.
          this.readUsed += n;
          this.push(buf.subarray(0, n));
        }
        return true;
      },
    };
  }

  private frameRead(n: number): void {
    this.frameFilled += n;
    if (this.frameFilled < this.frame!.length) return;
    const frame = this.frame!;
    this.frame = null;
    this.frameFilled = 0;
    this.deliver(frame);
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      if (this.expectedSize < 0) {
        // Read the size prefix without joining a large response's chunks on every read.
        const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.compact();
        const size = head.readInt32BE(0);
        if (size < 4 || size > MAX_RESPONSE_BYTES) {
          this.fail(notKafka(this.address, head, size));
          return;
        }
        this.expectedSize = size;
      }
      if (this.buffered < 4 + this.expectedSize) {
        if (this.direct && 4 + this.expectedSize - this.buffered >= DIRECT_FRAME_BYTES) this.readInPlace();
        return;
      }
      const all = this.compact();
      const frame = all.subarray(4, 4 + this.expectedSize);
      const rest = all.subarray(4 + this.expectedSize);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.expectedSize = -1;
      this.deliver(frame);
      if (this.stopped) return;
    }
  }

  /** The rest of the frame is read into its own buffer; what arrived of it so far is copied there. */
  private readInPlace(): void {
    const frame = this.pool ? this.pool.take(this.expectedSize) : Buffer.allocUnsafe(this.expectedSize);
    this.frameFilled = this.compact().copy(frame, 0, 4);
    this.frame = frame;
    this.chunks = [];
    this.buffered = 0;
    this.expectedSize = -1;
  }

  private compact(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}

class TcpChannel implements FrameChannel {
  readonly address: string;
  private readonly socket: Socket;
  /** Responses arrive in request order (Kafka answers one connection in order). */
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;
  /** The socket is corked until the end of this tick (see write). */
  private corked = false;

  get isOpen(): boolean {
    return this.failure === null;
  }

  /** `direct`: the socket reads into `frames`' buffers (onread); otherwise its 'data' chunks are pushed. */
  constructor(address: string, socket: Socket, frames: FrameAssembler, direct: boolean) {
    this.address = address;
    this.socket = socket;
    frames.attach((frame) => this.deliver(frame), (err) => this.fail(err));
    if (!direct) socket.on('data', (chunk: Buffer) => frames.push(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(`Connection to ${address} failed: ${err.message}`, undefined, err)));
    socket.on('close', () => this.fail(new ConnectionError(`Connection to ${address} was closed by the broker`, CLOSED_HINT, undefined, 'closed')));
  }

  request(frame: readonly Buffer[], expectResponse: boolean, timeoutMs: number): Promise<Buffer | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (!expectResponse) {
      return new Promise((resolve, reject) => {
        this.write(frame, (err) => (err ? reject(err) : resolve(null)));
      });
    }
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Later responses on this socket would be matched to the wrong request: drop it.
        this.fail(new ConnectionError(`Request to ${this.address} timed out after ${timeoutMs} ms`, undefined, undefined, 'timeout'));
      }, timeoutMs);
      this.pending.push({ resolve, reject, timer });
      this.write(frame);
    });
  }

  /**
   * Frames written in one tick go out in one writev at its end (record batches by
   * reference, no copy): several requests sent together cost one system call, not one each
   * (on loopback each call also runs the receiver's TCP work).
   */
  private write(frame: readonly Buffer[], done?: (err?: Error | null) => void): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (let i = 0; i < frame.length; i++) this.socket.write(frame[i]!, i === frame.length - 1 ? done : undefined);
  }

  close(): void {
    this.fail(new ConnectionError(`Connection to ${this.address} was closed`, undefined, undefined, 'client-closed'));
  }

  private deliver(frame: Buffer): void {
    const p = this.pending.shift();
    if (!p) {
      this.fail(new ConnectionError(`Broker ${this.address} sent a response nobody asked for`, undefined, undefined, 'protocol'));
      return;
    }
    clearTimeout(p.timer);
    p.resolve(frame);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.socket.destroy();
  }
}
