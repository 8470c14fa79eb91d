/**
 * One ZooKeeper session at a time, Kafka's `ZooKeeperClient` contract over node-zookeeper-client:
 *
 * - Operations as promises; CONNECTION_LOSS is retried on the same session (the library queues
 *   the request until it reconnects), so callers see success, a ZooKeeper error, or
 *   {@link ZkSessionExpiredError} when the session was lost under them.
 * - Session loss is detected here, not only on reconnect: node-zookeeper-client reports expiry
 *   only when a reconnect reaches the server, and never notices a server that stopped
 *   answering. A heartbeat read every third of the negotiated timeout confirms the session; a
 *   session not confirmed within the timeout is treated as lost (onSessionExpired), closed, and
 *   a new session is opened (onNewSession), as Kafka's `ZooKeeperClient.reinitialize()` does.
 * - Watches registered through {@link watchChildren} / {@link watchData} are persistent: re-armed
 *   before each callback, and re-armed in every new session (their callbacks then fire once,
 *   since changes made while no session existed were not seen).
 * - `multi` works around node-zookeeper-client bug #67 (a check/setData/remove with version 0
 *   was sent as -1, "any version"): the op's version is set after the library built it.
 */
import { createRequire } from 'node:module';
import type { Client, Stat, Transaction, TransactionResult, Watcher, ZkException } from 'node-zookeeper-client';
import type { Logger } from '../util/logger.js';
import { KtsError, errorMessage } from '../util/errors.js';

/** ZooKeeper's error codes that callers branch on (KeeperException.Code). */
export const ZkCode = {
  OK: 0,
  RUNTIME_INCONSISTENCY: -2,
  CONNECTION_LOSS: -4,
  NO_NODE: -101,
  BAD_VERSION: -103,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
} as const;

const codeNames: Record<number, string> = Object.fromEntries(Object.entries(ZkCode).map(([k, v]) => [v, k]));

/** A ZooKeeper operation failed with a server error code (NoNode, NodeExists, BadVersion, ...). */
export class ZkError extends KtsError {
  readonly zkCode: number;
  readonly path: string;
  constructor(zkCode: number, path: string, message?: string) {
    super('KTS_ZK', message ?? `ZooKeeper ${codeNames[zkCode] ?? `error ${zkCode}`} on ${path}`);
    this.name = 'ZkError';
    this.zkCode = zkCode;
    this.path = path;
  }
}

/** The session an operation ran in was lost (expired, or not confirmed within the timeout). */
export class ZkSessionExpiredError extends ZkError {
  constructor(path: string) {
    super(ZkCode.SESSION_EXPIRED, path, `ZooKeeper session expired while working on ${path}`);
    this.name = 'ZkSessionExpiredError';
  }
}

/** ZooKeeper could not be reached within zookeeper.connection.timeout.ms. */
export class ZkConnectionError extends KtsError {
  constructor(connect: string, timeoutMs: number) {
    super(
      'KTS_ZK_UNREACHABLE',
      `could not connect to ZooKeeper at ${connect} within ${timeoutMs} ms (zookeeper.connection.timeout.ms)`,
      'start ZooKeeper (kts zookeeper-start config/zookeeper.properties) or fix zookeeper.connect',
    );
    this.name = 'ZkConnectionError';
  }
}

/** A multi (transaction) failed: `codes` holds one result code per op (0 for ops that would have succeeded). */
export class ZkMultiError extends ZkError {
  readonly codes: number[];
  readonly failedIndex: number;
  constructor(codes: number[], paths: string[]) {
    const failedIndex = Math.max(0, codes.findIndex((c) => c !== ZkCode.OK && c !== ZkCode.RUNTIME_INCONSISTENCY));
    super(codes[failedIndex] ?? ZkCode.RUNTIME_INCONSISTENCY, paths[failedIndex] ?? '/');
    this.name = 'ZkMultiError';
    this.codes = codes;
    this.failedIndex = failedIndex;
  }
}

export interface ZkStat {
  version: number;
  cversion: number;
  czxid: bigint;
  mzxid: bigint;
  ctimeMs: number;
  mtimeMs: number;
  /** The session id owning an ephemeral znode, 0n for persistent ones. */
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
}

export type CreateModeName = 'persistent' | 'ephemeral' | 'persistent_sequential';

export type ZkOp =
  | { type: 'create'; path: string; data: Buffer | null; mode?: CreateModeName }
  | { type: 'setData'; path: string; data: Buffer | null; version: number }
  | { type: 'check'; path: string; version: number }
  | { type: 'delete'; path: string; version: number };

export type ZkOpResult = { type: 'create'; path: string } | { type: 'setData'; stat: ZkStat } | { type: 'check' } | { type: 'delete' };

export interface ZooKeeperClientOptions {
  /** host:port[,host:port][/chroot] */
  connect: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  /** zookeeper.max.in.flight.requests (Kafka's default 10): requests pipelined before waiting for answers. */
  maxInFlightRequests?: number;
  log: Logger;
}

type Zk = typeof import('node-zookeeper-client').default;

let zkModule: Zk | undefined;
/** Loaded on first use: commands that never talk to ZooKeeper do not pay for it at start. */
// require, not import(): the built CLI runs as a vm.Script (code cache), which has no dynamic import.
async function loadZk(): Promise<Zk> {
  zkModule ??= createRequire(import.meta.url)('node-zookeeper-client') as Zk;
  return Promise.resolve(zkModule);
}

function long(b: Buffer | undefined): bigint {
  return b && b.length === 8 ? b.readBigInt64BE(0) : 0n;
}

export function toZkStat(s: Stat): ZkStat {
  return {
    version: s.version,
    cversion: s.cversion,
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    ctimeMs: Number(long(s.ctime)),
    mtimeMs: Number(long(s.mtime)),
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

/** node-zookeeper-client's ConnectionManager.STATES.CLOSED. */
const CONNECTION_MANAGER_CLOSED = -2;

interface Session {
  client: Client;
  id: bigint;
  timeoutMs: number;
  lastConfirmedMs: number;
  lost: boolean;
  /** Rejections of the operations in flight, so a lost session fails them instead of hanging. */
  inFlight: Set<(err: Error) => void>;
  heartbeat: NodeJS.Timeout;
}

interface PersistentWatch {
  kind: 'children' | 'data';
  path: string;
  cb: () => void;
  active: boolean;
}

export class ZooKeeperClient {
  readonly connect: string;
  private readonly opts: ZooKeeperClientOptions;
  private readonly log: Logger;
  private zk!: Zk;
  private session!: Session;
  /** Resolves when a session is usable; replaced while a new one is being opened. */
  private ready: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly maxInFlight: number;
  private inFlightCount = 0;
  private readonly slotWaiters: Array<() => void> = [];
  /** Abandons a session still being opened (close() during a reconnect). */
  private abortOpen: (() => void) | undefined;
  private readonly expiredCallbacks: Array<() => void> = [];
  private readonly newSessionCallbacks: Array<() => void> = [];
  private readonly watches = new Set<PersistentWatch>();
  /** Ids of this client's earlier sessions, so an ephemeral znode they still hold can be recognised. */
  readonly previousSessionIds = new Set<bigint>();

  private constructor(opts: ZooKeeperClientOptions) {
    this.opts = opts;
    this.connect = opts.connect;
    this.log = opts.log;
    this.maxInFlight = Math.max(1, opts.maxInFlightRequests ?? 10);
  }

  /** Opens a session, retrying until `connectionTimeoutMs`; then {@link ZkConnectionError}. */
  static async open(opts: ZooKeeperClientOptions): Promise<ZooKeeperClient> {
    validateConnectString(opts.connect);
    const c = new ZooKeeperClient(opts);
    c.zk = await loadZk();
    c.session = await c.openSession();
    return c;
  }

  get sessionId(): bigint {
    return this.session.id;
  }

  /** The current session's password (with sessionId, what another client needs to attach to this session). */
  get sessionPassword(): Buffer {
    return this.session.client.getSessionPassword();
  }

  /** The session timeout the server granted (within [2, 20] × its tickTime). */
  get sessionTimeoutMs(): number {
    return this.session.timeoutMs;
  }

  onSessionExpired(cb: () => void): void {
    this.expiredCallbacks.push(cb);
  }

  onNewSession(cb: () => void): void {
    this.newSessionCallbacks.push(cb);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.active = false;
    this.watches.clear();
    // A session being opened after a loss is abandoned; the current one is closed.
    this.abortOpen?.();
    if (!this.session.lost) await this.closeSession(this.session);
  }

  private openSession(): Promise<Session> {
    const { connect, sessionTimeoutMs, connectionTimeoutMs } = this.opts;
    return new Promise((resolve, reject) => {
      const client = this.zk.createClient(connect, { sessionTimeout: sessionTimeoutMs, spinDelay: 200, retries: 0 });
      const started = Date.now();
      const waiting = setInterval(() => {
        this.log.warn(`Still waiting for ZooKeeper at ${connect} (${Date.now() - started} ms of ${connectionTimeoutMs} ms)`);
      }, Math.max(1000, Math.floor(connectionTimeoutMs / 4)));
      const giveUp = (err: Error): void => {
        clearTimeout(fail);
        clearInterval(waiting);
        this.abortOpen = undefined;
        client.removeAllListeners();
        client.close();
        client.connectionManager.socket?.destroy();
        reject(err);
      };
      const fail = setTimeout(() => giveUp(new ZkConnectionError(connect, connectionTimeoutMs)), connectionTimeoutMs);
      this.abortOpen = () => giveUp(new ZkError(ZkCode.CONNECTION_LOSS, '/', `ZooKeeper client closed while connecting to ${connect}`));
      client.once('connected', () => {
        this.abortOpen = undefined;
        clearTimeout(fail);
        clearInterval(waiting);
        const session = this.startSession(client);
        this.log.info(`Connected to ZooKeeper at ${connect}, session 0x${session.id.toString(16)}, timeout ${session.timeoutMs} ms`);
        resolve(session);
      });
      client.connect();
    });
  }

  private startSession(client: Client): Session {
    const timeoutMs = client.getSessionTimeout();
    const session: Session = {
      client,
      id: long(client.getSessionId()),
      timeoutMs,
      lastConfirmedMs: Date.now(),
      lost: false,
      inFlight: new Set(),
      heartbeat: setInterval(() => this.heartbeat(session), Math.max(100, Math.floor(timeoutMs / 3))),
    };
    session.heartbeat.unref();
    client.on('connected', () => {
      if (!session.lost) session.lastConfirmedMs = Date.now();
    });
    client.on('disconnected', () => {
      if (!session.lost && !this.closed) this.log.warn(`Disconnected from ZooKeeper at ${this.connect}; reconnecting`);
    });
    client.on('expired', () => this.sessionLost(session, 'expired'));
    return session;
  }

  private heartbeat(session: Session): void {
    if (session.lost || this.closed) return;
    if (Date.now() - session.lastConfirmedMs > session.timeoutMs) {
      this.sessionLost(session, `not confirmed by ZooKeeper within ${session.timeoutMs} ms`);
      return;
    }
    // Only an answer confirms the session: a server may keep a connection open for a session it
    // already closed and answer every request with SESSION_EXPIRED.
    // ('/' would become "/chroot/", an invalid path; exists() answers whether or not the znode is there.)
    session.client.exists('/zookeeper', undefined, (e) => {
      if (!e) session.lastConfirmedMs = Date.now();
      else if (e.code === ZkCode.SESSION_EXPIRED) this.sessionLost(session, 'expired');
    });
  }

  /** Kafka's reinitialize(): tell the callers, drop the old session, open a new one, re-arm the watches. */
  private sessionLost(session: Session, reason: string): void {
    if (session.lost || this.closed) return;
    session.lost = true;
    this.previousSessionIds.add(session.id);
    this.log.warn(`ZooKeeper session 0x${session.id.toString(16)} lost (${reason}); opening a new session`);
    for (const reject of session.inFlight) reject(new ZkSessionExpiredError('/'));
    session.inFlight.clear();
    void this.closeSession(session);
    for (const cb of this.expiredCallbacks) this.safely(cb, 'onSessionExpired');
    this.ready = this.renewSession();
  }

  private async renewSession(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      try {
        this.session = await this.openSession();
        break;
      } catch (err) {
        if (this.closed) return;
        this.log.error(`${errorMessage(err)}; retrying`);
      }
    }
    for (const cb of this.newSessionCallbacks) this.safely(cb, 'onNewSession');
    for (const w of this.watches) {
      this.arm(w);
      this.safely(w.cb, `watch on ${w.path}`);
    }
  }

  private safely(cb: () => void, what: string): void {
    try {
      cb();
    } catch (err) {
      this.log.error(`ZooKeeper ${what} callback failed: ${errorMessage(err)}`);
    }
  }

  private closeSession(session: Session): Promise<void> {
    clearInterval(session.heartbeat);
    session.lost = true;
    const client = session.client;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.connectionManager.socket?.destroy();
        resolve();
      };
      // close() sends closeSession (so the server drops our ephemerals now) when connected.
      // A loaded server can take over a second to answer; cutting the socket before it read
      // the request leaves our ephemerals (/controller, /brokers/ids/<id>) in place until the
      // session expires. So wait up to the session timeout: past it the server has dropped
      // the session anyway, and a server that does not answer cannot hold us up longer.
      const timer = setTimeout(() => {
        if (!this.closed || session !== this.session) return done();
        this.log.warn(`ZooKeeper did not confirm closing session 0x${session.id.toString(16)} within ${session.timeoutMs} ms; its ephemeral znodes go when it expires`);
        done();
      }, session.timeoutMs);
      client.once('disconnected', done);
      // A client that was reconnecting emits no 'disconnected' when the close ends it.
      client.connectionManager.on('state', (state) => {
        if (state === CONNECTION_MANAGER_CLOSED) done();
      });
      client.close();
    });
  }

  /**
   * Runs one request on the current session. CONNECTION_LOSS is retried on the same session
   * (the library resends after reconnecting); a lost session fails with ZkSessionExpiredError.
   */
  private async call<T>(path: string, fn: (client: Client, cb: (e: ZkException | null, v: T) => void) => void): Promise<T> {
    if (this.closed) throw new ZkError(ZkCode.CONNECTION_LOSS, path, `ZooKeeper client is closed (operation on ${path})`);
    await this.ready;
    if (this.closed) throw new ZkError(ZkCode.CONNECTION_LOSS, path, `ZooKeeper client is closed (operation on ${path})`);
    const session = this.session;
    for (;;) {
      await this.acquireSlot();
      let result: { e: ZkException | null; v: T };
      try {
        if (session.lost) throw new ZkSessionExpiredError(path);
        result = await new Promise<{ e: ZkException | null; v: T }>((resolve, reject) => {
          session.inFlight.add(reject);
          fn(session.client, (e, v) => {
            session.inFlight.delete(reject);
            resolve({ e, v });
          });
        });
      } finally {
        this.releaseSlot();
      }
      if (!result.e) {
        session.lastConfirmedMs = Date.now();
        return result.v;
      }
      const code = result.e.code;
      if (code === ZkCode.CONNECTION_LOSS && !this.closed) continue;
      if (code === ZkCode.SESSION_EXPIRED) {
        this.sessionLost(session, 'expired');
        throw new ZkSessionExpiredError(path);
      }
      throw new ZkError(code, path);
    }
  }

  /** At most maxInFlightRequests requests wait for an answer at once (zookeeper.max.in.flight.requests). */
  private async acquireSlot(): Promise<void> {
    if (this.inFlightCount < this.maxInFlight) {
      this.inFlightCount++;
      return;
    }
    await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  /** Hands the slot to the next waiter, if any. */
  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.inFlightCount--;
  }

  private mode(m: CreateModeName = 'persistent'): number {
    const modes = this.zk.CreateMode;
    return m === 'ephemeral' ? modes.EPHEMERAL : m === 'persistent_sequential' ? modes.PERSISTENT_SEQUENTIAL : modes.PERSISTENT;
  }

  /** Creates a znode; returns its path (with the sequence suffix for sequential znodes). */
  create(path: string, data: Buffer | null, mode?: CreateModeName): Promise<string> {
    return this.call<string>(path, (c, cb) => c.create(path, data ?? undefined, this.zk.ACL.OPEN_ACL_UNSAFE, this.mode(mode), cb));
  }

  /** Creates `path` and any missing parents (with null data); an existing `path` is left as it is unless `failIfExists`. */
  async createRecursive(path: string, data: Buffer | null = null, failIfExists = false): Promise<void> {
    try {
      await this.create(path, data);
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS && !failIfExists) return;
      if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NO_NODE) throw err;
      await this.createRecursive(parentOf(path));
      await this.createRecursive(path, data, failIfExists);
    }
  }

  /** The data and stat of `path`, or undefined when it does not exist. */
  async getData(path: string): Promise<{ data: Buffer | null; stat: ZkStat } | undefined> {
    try {
      const r = await this.call<{ data: Buffer | undefined; stat: Stat }>(path, (c, cb) =>
        c.getData(path, undefined, (e, data, stat) => cb(e, { data, stat })),
      );
      return { data: r.data ?? null, stat: toZkStat(r.stat) };
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) return undefined;
      throw err;
    }
  }

  /** Sets data if the znode's version is `version` (-1: any); returns the new stat. */
  async setData(path: string, data: Buffer | null, version: number): Promise<ZkStat> {
    // The library cannot send null data in setData; Kafka writes empty data there too (/brokers/seqid).
    const stat = await this.call<Stat>(path, (c, cb) => c.setData(path, data ?? Buffer.alloc(0), version, cb));
    return toZkStat(stat);
  }

  async exists(path: string): Promise<ZkStat | undefined> {
    const stat = await this.call<Stat | null>(path, (c, cb) => c.exists(path, undefined, cb));
    return stat ? toZkStat(stat) : undefined;
  }

  /** Child names (sorted), or undefined when `path` does not exist. */
  async getChildren(path: string): Promise<string[] | undefined> {
    try {
      const children = await this.call<string[]>(path, (c, cb) => c.getChildren(path, undefined, cb));
      return [...children].sort();
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) return undefined;
      throw err;
    }
  }

  /** Deletes `path` if its version is `version` (-1: any); returns false when it did not exist. */
  async delete(path: string, version = -1): Promise<boolean> {
    try {
      await this.call<void>(path, (c, cb) => c.remove(path, version, (e) => cb(e, undefined)));
      return true;
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) return false;
      throw err;
    }
  }

  /** Deletes `path` and everything below it (children first, as Kafka's deleteRecursive). */
  async deleteRecursive(path: string): Promise<void> {
    const children = await this.getChildren(path);
    if (children === undefined) return;
    await Promise.all(children.map((c) => this.deleteRecursive(`${path === '/' ? '' : path}/${c}`)));
    try {
      await this.delete(path);
    } catch (err) {
      // A child created meanwhile: go round again.
      if (err instanceof ZkError && err.zkCode === ZkCode.NOT_EMPTY) return this.deleteRecursive(path);
      throw err;
    }
  }

  /** Runs `ops` atomically; throws {@link ZkMultiError} with one code per op when any fails. */
  async multi(ops: ZkOp[]): Promise<ZkOpResult[]> {
    const paths = ops.map((o) => o.path);
    const first = paths[0] ?? '/';
    const results = await this.call<TransactionResult[] | { failed: TransactionResult[] }>(first, (c, cb) => {
      const tx = this.buildTransaction(c, ops);
      tx.commit((e, res) => {
        // The library reports a failed op as an error but also hands over every op's result.
        if (e && res && e.code !== ZkCode.CONNECTION_LOSS && e.code !== ZkCode.SESSION_EXPIRED) cb(null, { failed: res });
        else cb(e, res ?? []);
      });
    });
    if (!Array.isArray(results)) throw new ZkMultiError(results.failed.map((r) => r.err ?? ZkCode.OK), paths);
    return results.map((r, i): ZkOpResult => {
      const op = ops[i]!;
      if (op.type === 'create') return { type: 'create', path: r.path ?? op.path };
      if (op.type === 'setData') return { type: 'setData', stat: toZkStat(r.stat!) };
      return { type: op.type };
    });
  }

  private buildTransaction(c: Client, ops: ZkOp[]): Transaction {
    const tx = c.transaction();
    for (const op of ops) {
      if (op.type === 'create') tx.create(op.path, op.data ?? undefined, this.zk.ACL.OPEN_ACL_UNSAFE, this.mode(op.mode));
      else if (op.type === 'setData') tx.setData(op.path, op.data ?? undefined, -1);
      else if (op.type === 'check') tx.check(op.path, -1);
      else tx.remove(op.path, -1);
      // Bug #67: the library turns version 0 into -1 ("any version"); set the real one on the op it built.
      if (op.type !== 'create') tx.ops[tx.ops.length - 1]!.version = op.version;
    }
    return tx;
  }

  /**
   * Calls `cb` whenever the children of `path` change (or `path` is created or deleted).
   * Persistent: re-armed before each call and in every new session. Returns a cancel function.
   */
  watchChildren(path: string, cb: () => void): () => void {
    return this.addWatch({ kind: 'children', path, cb, active: true });
  }

  /** Calls `cb` whenever `path` is created, deleted or its data changes. Persistent like {@link watchChildren}. */
  watchData(path: string, cb: () => void): () => void {
    return this.addWatch({ kind: 'data', path, cb, active: true });
  }

  private addWatch(w: PersistentWatch): () => void {
    this.watches.add(w);
    this.arm(w);
    return () => {
      w.active = false;
      this.watches.delete(w);
    };
  }

  /**
   * Sets the ZooKeeper watch behind `w`. With `notify`, calls `w.cb` once the watch is set:
   * a re-arm after a failure cannot know what changed while no watch was set, so the caller
   * re-reads (a spare callback costs a read; a missed one leaves the caller stale for good).
   */
  private arm(w: PersistentWatch, notify = false): void {
    const session = this.session;
    const fire: Watcher = () => {
      if (!w.active || session.lost || this.closed) return;
      this.arm(w);
      this.safely(w.cb, `watch on ${w.path}`);
    };
    const armed = (): void => {
      if (notify && w.active && !session.lost && !this.closed) this.safely(w.cb, `watch on ${w.path}`);
    };
    const client = session.client;
    if (w.kind === 'data') {
      client.exists(w.path, fire, (e) => (e ? this.armFailed(w, session, e) : armed()));
      return;
    }
    client.getChildren(w.path, fire, (e) => {
      if (!e) return armed();
      if (e.code !== ZkCode.NO_NODE) return this.armFailed(w, session, e);
      // No node yet: an exists watch fires when it is created. If it was created between the
      // two calls, the exists watch would only see its deletion or data: watch its children.
      client.exists(w.path, fire, (e2, stat) => {
        if (e2) this.armFailed(w, session, e2);
        else if (stat) this.arm(w, true);
        else armed();
      });
    });
  }

  private armFailed(w: PersistentWatch, session: Session, e: ZkException): void {
    if (!w.active || session.lost || this.closed) return;
    const retry = (): void => {
      if (session === this.session && !session.lost) this.arm(w, true);
    };
    if (e.code === ZkCode.CONNECTION_LOSS) setTimeout(retry, 200).unref();
    else this.log.warn(`Could not watch ${w.path} in ZooKeeper: ${e.message}`);
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Checks `host:port[,host:port][/chroot]`; a clear message for each way it can be wrong. */
export function validateConnectString(connect: string): { hosts: string; chroot: string | undefined } {
  const trimmed = connect.trim();
  const slash = trimmed.indexOf('/');
  const hosts = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const chroot = slash < 0 ? undefined : trimmed.slice(slash);
  const bad = (why: string): never => {
    throw new KtsError('KTS_CONFIG', `zookeeper.connect "${connect}" is invalid: ${why}`, 'use host:port[,host:port][/chroot], e.g. 127.0.0.1:2181/kafka');
  };
  if (hosts === '') bad('no host:port');
  for (const hp of hosts.split(',')) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+)(?::(\d+))?$/.exec(hp.trim());
    if (!m) bad(`"${hp}" is not host:port`);
    const port = m![2] === undefined ? 2181 : Number(m![2]);
    if (!(port > 0 && port < 65536)) bad(`port ${m![2]} is out of range`);
  }
  if (chroot !== undefined && (chroot === '/' || chroot.endsWith('/') || chroot.includes('//'))) {
    bad(`chroot "${chroot}" must be an absolute path without a trailing slash`);
  }
  return { hosts, chroot: chroot === '/' ? undefined : chroot };
}
