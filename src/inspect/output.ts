/**
 * DumpSinks that write to stdout/stderr: Kafka's text or one JSON object per line.
 * Lines are batched into large writes and `drain` waits for the stream when it is
 * behind, so output never piles up in memory. The mode picks which events show:
 * the dump itself (default), per-file summaries (--summary), the corruption report (--check).
 */
import type { Writable } from 'node:stream';
import type { BatchInfo, RecordInfo } from './batch.js';
import { recordEvent, type DumpEvent, type DumpSink } from './events.js';
import { recordLine, renderEvent, type RenderOptions } from './render-text.js';

export interface OutputMode {
  json: boolean;
  summary: boolean;
  check: boolean;
  skipRecordMetadata: boolean;
}

const DUMP_EVENTS: ReadonlySet<DumpEvent['type']> = new Set([
  'file',
  'logStart',
  'snapshotStart',
  'bootstrapSnapshot',
  'batch',
  'record',
  'invalidBytes',
  'indexEntry',
  'timeIndexEntry',
  'indexEmpty',
  'sanityPassed',
  'abortedTxn',
  'producerState',
  'checkpointHeader',
  'checkpointEntry',
  'report',
]);

/** Whether an event is shown in this mode. */
export function shows(type: DumpEvent['type'], mode: OutputMode): boolean {
  const dumping = !mode.summary && !mode.check;
  if (DUMP_EVENTS.has(type)) return dumping;
  if (type === 'summary') return mode.summary;
  if (type === 'problem') return mode.json || mode.summary || mode.check;
  return true;
}

const CHUNK_BYTES = 1024 * 1024;

/** Lines encoded straight into a byte chunk (no string joins); full chunks go to the stream. */
class BufferedStream {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  constructor(private readonly stream: Writable) {}

  line(text: string): void {
    // UTF-16 length * 3 bounds the UTF-8 length.
    if (this.used + text.length * 3 + 1 > this.chunk.length) {
      this.flush();
      if (text.length * 3 + 1 > this.chunk.length) {
        this.stream.write(`${text}\n`);
        return;
      }
    }
    this.used += this.chunk.write(text, this.used);
    this.chunk[this.used++] = 10;
  }

  /** Hand what is buffered to the stream; true when the stream wants us to wait. */
  flush(): boolean {
    if (this.used === 0) return false;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return !this.stream.write(full);
  }

  get pending(): number {
    return this.used;
  }

  async drain(): Promise<void> {
    if ((this.flush() || this.stream.writableNeedDrain) && !this.stream.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}

export class StreamSink implements DumpSink {
  private readonly out: BufferedStream;
  private readonly err: BufferedStream;
  private readonly mode: OutputMode;
  private readonly render: RenderOptions;
  private readonly showRecords: boolean;

  constructor(stdout: Writable, stderr: Writable, mode: OutputMode) {
    this.out = new BufferedStream(stdout);
    this.err = new BufferedStream(stderr);
    this.mode = mode;
    this.render = { skipRecordMetadata: mode.skipRecordMetadata };
    this.showRecords = shows('record', mode);
  }

  emit(event: DumpEvent): void {
    if (!shows(event.type, this.mode)) return;
    if (this.mode.json) {
      this.out.line(JSON.stringify(event));
    } else {
      const r = renderEvent(event, this.render);
      if (r.out !== undefined) this.out.line(r.out);
      if (r.err !== undefined) {
        // Keep stdout and stderr in the order they were produced.
        this.out.flush();
        this.err.line(r.err);
        this.err.flush();
      }
    }
    
  }

  record(path: string, batch: BatchInfo, rec: RecordInfo, key: string | undefined, payload: string | undefined): void {
    if (!this.showRecords) return;
    if (this.mode.json) this.out.line(JSON.stringify(recordEvent(path, batch, rec, key, payload)));
    else this.out.line(recordLine(batch, rec, key, payload, this.render));
  }

  async drain(): Promise<void> {
    await this.err.drain();
    await this.out.drain();
  }
}
