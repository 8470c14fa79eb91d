/**
 * Kafka's transaction index (`.txnindex`): one 34-byte AbortedTxn entry per aborted
 * transaction whose marker is in the segment (version int16 0, producer id, first offset,
 * last offset, last stable offset). The file is created lazily, on the first entry.
 */
import { existsSync, ftruncateSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readInt64, writeInt64 } from '../records/batch-header.js';
import { CorruptDataError } from '../util/errors.js';
import { CachedFile } from './file-cache.js';
import { syncFile } from './sync-group.js';

export const ABORTED_TXN_SIZE = 34;
const ABORTED_TXN_VERSION = 0;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

export function encodeAbortedTxn(txn: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_SIZE);
  b.writeInt16BE(ABORTED_TXN_VERSION, 0);
  writeInt64(b, 2, txn.producerId);
  writeInt64(b, 10, txn.firstOffset);
  writeInt64(b, 18, txn.lastOffset);
  writeInt64(b, 26, txn.lastStableOffset);
  return b;
}

/** Decode a whole .txnindex file's bytes; a torn last entry is ignored, a bad version throws. */
export function decodeAbortedTxns(bytes: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_SIZE <= bytes.length; at += ABORTED_TXN_SIZE) {
    const version = bytes.readInt16BE(at);
    if (version !== ABORTED_TXN_VERSION) throw new CorruptDataError(`unknown aborted transaction entry version ${version}`, at);
    out.push(readAbortedTxn(bytes, at));
  }
  return out;
}

/** The fields of the entry at `at` (its version, at `at`, is the caller's to check). */
export function readAbortedTxn(bytes: Buffer, at: number): AbortedTxn {
  return { producerId: readInt64(bytes, at + 2), firstOffset: readInt64(bytes, at + 10), lastOffset: readInt64(bytes, at + 18), lastStableOffset: readInt64(bytes, at + 26) };
}

export class TxnIndex {
  /** Undefined until the first entry creates the file; its descriptor comes from the bounded cache. */
  private file: CachedFile | undefined;
  private txns: AbortedTxn[];

  /** `exists`: whether the file is there, when the caller listed the directory already. */
  constructor(public path: string, exists: boolean = existsSync(path)) {
    this.txns = exists ? decodeAbortedTxns(readFileSync(path)) : [];
    if (exists) this.file = new CachedFile(path, false);
  }

  get entries(): readonly AbortedTxn[] {
    return this.txns;
  }

  append(txn: AbortedTxn): void {
    const last = this.txns[this.txns.length - 1];
    if (last && txn.lastOffset <= last.lastOffset) {
      throw new Error(`aborted transaction last offset ${txn.lastOffset} is not after ${last.lastOffset} in ${this.path}`);
    }
    this.file ??= new CachedFile(this.path, !existsSync(this.path));
    writeSync(this.file.fd(), encodeAbortedTxn(txn), 0, ABORTED_TXN_SIZE, this.txns.length * ABORTED_TXN_SIZE);
    this.txns.push(txn);
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.txns.filter((t) => t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset);
  }

  /** Drop entries whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    const keep = this.txns.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    this.txns.length = keep;
    if (this.file !== undefined) ftruncateSync(this.file.fd(), keep * ABORTED_TXN_SIZE);
  }

  reset(): void {
    this.truncateTo(-1);
  }

  flush(): void {
    const file = this.file;
    if (file !== undefined) syncFile(this.path, () => file.fd());
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }

  renameTo(path: string): void {
    if (existsSync(this.path)) renameSync(this.path, path);
    this.path = path;
    this.file?.renamed(path);
  }

  deleteFile(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}
