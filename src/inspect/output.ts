/**
 * DumpSinks that write to stdout/stderr: Kafka's text or one JSON object per line.
 * Lines are batched into large writes (byte-lines.ts) and `drain` waits for the stream
 * when it is behind, so output never piles up in memory. The mode picks which events show:
 * the dump itself (default), per-file summaries (--summary), the corruption report (--check).
 */
import type { Writable } from 'node:stream';
import type { BatchInfo, RecordInfo } from './batch.js';
import { recordEvent, type DumpEvent, type DumpSink } from './events.js';
import { recordLine, renderEvent, type RenderOptions } from './render-text.js';
import { ByteLines } from './byte-lines.js';
import { RecordTextWriter } from './record-text.js';

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

export class StreamSink implements DumpSink {
  private readonly out: ByteLines;
  private readonly err: ByteLines;
  private readonly mode: OutputMode;
  private readonly render: RenderOptions;
  private readonly showRecords: boolean;
  /** Text mode: v2 data record lines straight from their bytes; null when records are not shown. */
  readonly recordText?: RecordTextWriter | null;

  constructor(stdout: Writable, stderr: Writable, mode: OutputMode) {
    this.out = new ByteLines(stdout);
    this.err = new ByteLines(stderr);
    this.mode = mode;
    this.render = { skipRecordMetadata: mode.skipRecordMetadata };
    this.showRecords = shows('record', mode);
    if (!this.showRecords) this.recordText = null;
    else if (!mode.json) this.recordText = new RecordTextWriter(this.out, mode.skipRecordMetadata);
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

  get behind(): boolean {
    return this.out.behind || this.err.behind;
  }

  async drain(): Promise<void> {
    await this.err.drain();
    await this.out.drain();
  }
}
