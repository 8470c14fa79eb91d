/**
 * Read-only decoding of Kafka's text checkpoint files: the offset checkpoints at the
 * root of a log dir (recovery-point, log-start, replication, cleaner: "topic partition
 * offset" lines) and the per-partition leader-epoch-checkpoint ("epoch startOffset").
 * Layout: a version line, an entry-count line, then the entries.
 */

export interface CheckpointResult {
  header: { version: number; entries: number } | null;
  entries: Record<string, string | number>[];
  /** First problem found, with the byte position of its line. */
  error: { message: string; position: number } | null;
}

const INT = /^-?\d+$/;

function parseEntry(name: string, parts: string[]): Record<string, string | number> | null {
  if (name === 'leader-epoch-checkpoint') {
    if (parts.length !== 2 || !parts.every((p) => INT.test(p))) return null;
    return { leaderEpoch: Number(parts[0]), startOffset: Number(parts[1]) };
  }
  if (parts.length !== 3 || !INT.test(parts[1]!) || !INT.test(parts[2]!)) return null;
  return { topic: parts[0]!, partition: Number(parts[1]), offset: Number(parts[2]) };
}

export function decodeCheckpoint(name: string, text: string): CheckpointResult {
  const lines = text.split('\n');
  const starts: number[] = [];
  for (let i = 0, pos = 0; i < lines.length; pos += Buffer.byteLength(lines[i]!) + 1, i++) starts.push(pos);
  const fail = (message: string, line: number): CheckpointResult => ({ header, entries, error: { message, position: starts[line] ?? 0 } });
  let header: CheckpointResult['header'] = null;
  const entries: Record<string, string | number>[] = [];
  const version = lines[0]?.trim() ?? '';
  const count = lines[1]?.trim() ?? '';
  if (!INT.test(version) || !INT.test(count)) return fail(`${name}: expected a version line and an entry count line`, 0);
  header = { version: Number(version), entries: Number(count) };
  if (header.version !== 0) return fail(`${name}: unrecognised checkpoint version ${header.version}`, 0);
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const entry = parseEntry(name, line.split(/\s+/));
    if (entry === null) return fail(`${name}: malformed entry on line ${i + 1}: ${line}`, i);
    entries.push(entry);
  }
  if (entries.length !== header.entries) return fail(`${name}: header says ${header.entries} entries, found ${entries.length}`, 1);
  return { header, entries, error: null };
}
