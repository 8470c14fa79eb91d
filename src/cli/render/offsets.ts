/** Pure renderers for `kts get-offsets` (`topic:partition:offset` lines) and `kts delete-records`. */

export interface OffsetLine {
  topic: string;
  partition: number;
  offset: number;
}

export function renderOffsets(lines: readonly OffsetLine[]): string {
  return lines.map((l) => `${l.topic}:${l.partition}:${l.offset}\n`).join('');
}

export interface DeleteRecordsLine {
  topic: string;
  partition: number;
  lowWatermark?: number;
  error?: string;
}

export function renderDeleteRecords(lines: readonly DeleteRecordsLine[]): string {
  const out = ['Executing records delete operation', 'Records delete operation completed:'];
  for (const l of lines) {
    const tail = l.error !== undefined ? `error: ${l.error}` : `low_watermark: ${l.lowWatermark}`;
    out.push(`partition: ${l.topic}-${l.partition}\t${tail}`);
  }
  return out.map((l) => l + '\n').join('');
}
