/**
 * The part of node-zookeeper-client 1.1.3 that src/zk uses (the package ships no types).
 * Longs in stats (zxids, ephemeralOwner, times) arrive as 8-byte big-endian Buffers.
 */
declare module 'node-zookeeper-client' {
  import type { EventEmitter } from 'node:events';

  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export interface ZkException extends Error {
    getCode(): number;
    getName(): string;
    code: number;
  }

  export interface WatcherEvent {
    getType(): number;
    getName(): string;
    getPath(): string;
  }

  export type Watcher = (event: WatcherEvent) => void;

  export interface TransactionOp {
    type: number;
    path: string;
    version?: number;
  }

  export interface TransactionResult {
    type: number;
    err?: number;
    path?: string;
    stat?: Stat;
  }

  export interface Transaction {
    ops: TransactionOp[];
    create(path: string, data: Buffer | undefined, acls: unknown[], mode: number): Transaction;
    check(path: string, version: number): Transaction;
    setData(path: string, data: Buffer | undefined, version: number): Transaction;
    remove(path: string, version: number): Transaction;
    commit(cb: (error: ZkException | null, results: TransactionResult[] | undefined) => void): void;
  }

  export interface Client extends EventEmitter {
    connect(): void;
    close(): void;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    create(path: string, data: Buffer | undefined, acls: unknown[], mode: number, cb: (e: ZkException | null, path: string) => void): void;
    remove(path: string, version: number, cb: (e: ZkException | null) => void): void;
    setData(path: string, data: Buffer | undefined, version: number, cb: (e: ZkException | null, stat: Stat) => void): void;
    getData(path: string, watcher: Watcher | undefined, cb: (e: ZkException | null, data: Buffer | undefined, stat: Stat) => void): void;
    exists(path: string, watcher: Watcher | undefined, cb: (e: ZkException | null, stat: Stat | null) => void): void;
    getChildren(path: string, watcher: Watcher | undefined, cb: (e: ZkException | null, children: string[], stat: Stat) => void): void;
    transaction(): Transaction;
    /** Internal: its 'state' event carries ConnectionManager.STATES (-2 CLOSED: the socket is gone after close()). */
    connectionManager: { socket?: { destroy(): void }; on(event: 'state', listener: (state: number) => void): void };
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
    sessionId?: Buffer;
    sessionPassword?: Buffer;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  export const ACL: { OPEN_ACL_UNSAFE: unknown[] };
  export const CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL: number; EPHEMERAL_SEQUENTIAL: number };
  export const Exception: {
    OK: number;
    CONNECTION_LOSS: number;
    NO_NODE: number;
    NODE_EXISTS: number;
    BAD_VERSION: number;
    NOT_EMPTY: number;
    SESSION_EXPIRED: number;
  };

  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    CreateMode: typeof CreateMode;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
