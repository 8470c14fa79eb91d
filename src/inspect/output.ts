/**
 * DumpSinks that write to stdout/stderr: Kafka's text or one JSON object per line.
 * Lines are batched into large writes and `drain` waits for the stream when it is
 * behind, so output never piles up in memory. The mode picks which events show:
 * the dump itself (default), per-file summaries (--summary), the corruption report (--check).
 */
import type { Writable } from 'node:stream';
import type { DumpEvent, DumpSink } from './events.js';
import { renderEvent, type RenderOptions } from './render-text.js';

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

const FLUSH_BYTES = 256 * 1024;

class BufferedStream {
  private parts: string[] = [];
  private bytes = 0;
  constructor(private readonly stream: Writable) {}

  line(text: string): void {
    this.parts.push(text, '\n');
    this.bytes += text.length + 1;
  }

  /** Hand what is buffered to the stream; true when the stream wants us to wait. */
  flush(): boolean {
    if (this.parts.length === 0) return false;
    const chunk = this.parts.join('');
    this.parts = [];
    this.bytes = 0;
    return !this.stream.write(chunk);
  }

  get pending(): number {
    return this.bytes;
  }

  async drain(): Promise<void> {
    if (this.flush() && !this.stream.destroyed) {
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

  constructor(stdout: Writable, stderr: Writable, mode: OutputMode) {
    this.out = new BufferedStream(stdout);
    this.err = new BufferedStream(stderr);
    this.mode = mode;
    this.render = { skipRecordMetadata: mode.skipRecordMetadata };
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
    if (this.out.pending >= FLUSH_BYTES) this.out.flush();
  }

  async drain(): Promise<void> {
    await this.err.drain();
    await this.out.drain();
  }
}
