/**
 * The console's operations beyond reading: the message browser, producing a record, resetting
 * a group's offsets (plan first, then execute), and topic create / delete / config edits.
 * Each validates its input and throws UiInputError (HTTP 400) with a message saying what is
 * wrong; Kafka errors pass through with their names.
 */
import type { KafkaClient, ConsumerRecord, TopicPartition } from '../client/index.js';
import { formatRecord, formatterConfig, type FormatterConfig } from '../cli/util/message-formatter.js';
import { parseProperties } from '../cli/util/properties.js';

export class UiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UiInputError';
  }
}

/** Bounds of one search: records returned, records scanned, time spent polling. */
export const SEARCH_LIMIT_MAX = 500;
export const SEARCH_SCAN_MAX = 100_000;
const SEARCH_POLL_MS = 200;
const SEARCH_BUDGET_MS = 5_000;

export interface MessageQuery {
  topic: string;
  /** One partition, or every partition of the topic. */
  partition?: number;
  /** Start at this offset (per partition), or at the first record at/after `timestampMs`; default: the last `limit` records. */
  offset?: number;
  timestampMs?: number;
  limit: number;
  /** Substring filters (case-sensitive), on the UTF-8 text of key, value and header values. */
  key?: string;
  value?: string;
  header?: string;
  /**
   * Console-consumer formatter properties (`print.key=true`, `key.separator= | `,
   * `value.deserializer=...LongDeserializer`, ... one per line, as `--property` takes them):
   * each record is also printed as kafka-console-consumer would print it.
   */
  format?: string;
}

export interface MessageView {
  partition: number;
  offset: number;
  timestampMs: number;
  timestampType: string;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  /** Bytes that are not valid UTF-8 are shown as base64 with this flag. */
  keyBase64: boolean;
  valueBase64: boolean;
}

export interface MessageSearchResult {
  messages: MessageView[];
  /** With `format`: the records as kafka-console-consumer prints them, in the order listed. */
  formatted?: string;
  scanned: number;
  /** True when the scan stopped at a bound before reaching the end of the partitions. */
  truncated: boolean;
}

function text(b: Buffer | null): { text: string | null; base64: boolean } {
  if (b === null) return { text: null, base64: false };
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? { text: s, base64: false } : { text: b.toString('base64'), base64: true };
}

function matches(r: ConsumerRecord, q: MessageQuery): boolean {
  if (q.key !== undefined && q.key !== '' && !(r.key?.toString('utf8').includes(q.key) ?? false)) return false;
  if (q.value !== undefined && q.value !== '' && !(r.value?.toString('utf8').includes(q.value) ?? false)) return false;
  if (q.header !== undefined && q.header !== '') {
    const h = q.header;
    if (!r.headers.some((x) => x.key.includes(h) || (x.value?.toString('utf8').includes(h) ?? false))) return false;
  }
  return true;
}

export async function searchMessages(client: KafkaClient, q: MessageQuery): Promise<MessageSearchResult> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > SEARCH_LIMIT_MAX) throw new UiInputError(`limit must be between 1 and ${SEARCH_LIMIT_MAX}.`);
  // Checked first: a bad property is refused before any record is read, as the tool does.
  const formatter = q.format !== undefined && q.format.trim() !== '' ? formatterConfig(parseProperties(q.format, 'format')) : undefined;
  const [topic] = await client.admin.describeTopics([q.topic]);
  const all = topic!.partitions.map((p) => p.partition);
  if (q.partition !== undefined && !all.includes(q.partition)) throw new UiInputError(`Topic ${q.topic} has no partition ${q.partition} (it has ${all.length}).`);
  const tps: TopicPartition[] = (q.partition !== undefined ? [q.partition] : all).map((partition) => ({ topic: q.topic, partition }));
  const consumer = client.consumer({ 'auto.offset.reset': 'earliest' });
  try {
    consumer.assign(tps);
    const ends = await consumer.endOffsets(tps);
    const starts = await consumer.beginningOffsets(tps);
    const filtering = Boolean(q.key || q.value || q.header);
    for (const tp of tps) {
      const k = `${tp.topic}:${tp.partition}`;
      if (q.timestampMs !== undefined) await consumer.seekToTimestamp(tp, q.timestampMs);
      else if (q.offset !== undefined) consumer.seek(tp, Math.min(Math.max(q.offset, starts.get(k) ?? 0), ends.get(k) ?? 0));
      // Newest records by default; with a filter, scan from the start.
      else consumer.seek(tp, filtering ? (starts.get(k) ?? 0) : Math.max(starts.get(k) ?? 0, (ends.get(k) ?? 0) - q.limit));
    }
    const remaining = new Set(tps.map((tp) => `${tp.topic}:${tp.partition}`));
    for (const tp of tps) if ((await consumer.position(tp)) >= (ends.get(`${tp.topic}:${tp.partition}`) ?? 0)) remaining.delete(`${tp.topic}:${tp.partition}`);
    const found: ConsumerRecord[] = [];
    let scanned = 0;
    const deadline = Date.now() + SEARCH_BUDGET_MS;
    while (remaining.size > 0 && found.length < q.limit && scanned < SEARCH_SCAN_MAX && Date.now() < deadline) {
      for (const r of await consumer.poll(SEARCH_POLL_MS)) {
        const k = `${r.topic}:${r.partition}`;
        if (!remaining.has(k)) continue;
        scanned++;
        if (r.offset + 1 >= (ends.get(k) ?? 0)) remaining.delete(k);
        if (found.length < q.limit && matches(r, q)) found.push(r);
      }
    }
    found.sort((a, b) => a.timestampMs - b.timestampMs || a.partition - b.partition || a.offset - b.offset);
    return {
      messages: found.map((r) => {
        const key = text(r.key);
        const value = text(r.value);
        return {
          partition: r.partition,
          offset: r.offset,
          timestampMs: r.timestampMs,
          timestampType: r.timestampType,
          key: key.text,
          value: value.text,
          headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })),
          keyBase64: key.base64,
          valueBase64: value.base64,
        };
      }),
      ...(formatter ? { formatted: consoleConsumerText(formatter, found) } : {}),
      scanned,
      truncated: remaining.size > 0 && found.length < q.limit,
    };
  } finally {
    await consumer.close();
  }
}

/** The records as kafka-console-consumer's DefaultMessageFormatter prints them (the same code as `kts console-consumer`). */
function consoleConsumerText(cfg: FormatterConfig, records: readonly ConsumerRecord[]): string {
  return Buffer.concat(records.map((r) => formatRecord(cfg, { ...r, leaderEpoch: r.leaderEpoch ?? -1 }))).toString('utf8');
}

export interface ProduceInput {
  topic: string;
  partition?: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string }[];
}

export async function produceRecord(client: KafkaClient, input: ProduceInput): Promise<{ partition: number; offset: number }> {
  const producer = client.producer({ acks: 'all' });
  try {
    const meta = await producer.send({ topic: input.topic, partition: input.partition, key: input.key, value: input.value, headers: input.headers.map((h) => ({ key: h.key, value: Buffer.from(h.value) })) });
    return { partition: meta.partition, offset: meta.offset };
  } finally {
    await producer.close();
  }
}

export type ResetSpec = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; timestampMs: number };

export interface ResetRow extends TopicPartition {
  currentOffset: number | null;
  newOffset: number;
}

/**
 * The new committed offsets of `groupId` on `topic` (all its partitions), as
 * kafka-consumer-groups.sh --reset-offsets computes them: offsets clamp to the log's range,
 * a timestamp past the last record means the log end. Executes only when `execute`, and only
 * while the group has no members (Kafka's rule).
 */
export async function resetOffsets(client: KafkaClient, groupId: string, topic: string, spec: ResetSpec, execute: boolean): Promise<ResetRow[]> {
  const d = await client.groups.describeGroup(groupId);
  if (d.state !== 'Empty' && d.state !== 'Dead') {
    throw new UiInputError(`Offsets can only be reset while group '${groupId}' has no active members; it is ${d.state}. Stop its consumers first.`);
  }
  const [desc] = await client.admin.describeTopics([topic]);
  const tps = desc!.partitions.map((p) => ({ topic, partition: p.partition }));
  const offsets = async (s: 'earliest' | 'latest' | { timestampMs: number }): Promise<Map<number, number>> =>
    new Map((await client.admin.listOffsets(tps.map((tp) => ({ ...tp, spec: s })))).map((r) => [r.partition, r.offset]));
  const [earliest, latest] = await Promise.all([offsets('earliest'), offsets('latest')]);
  const byTime = spec.kind === 'timestamp' ? await offsets({ timestampMs: spec.timestampMs }) : undefined;
  const committed = new Map((await client.groups.fetchOffsets(groupId)).filter((c) => c.topic === topic).map((c) => [c.partition, c.offset]));
  const rows = tps.map((tp): ResetRow => {
    const lo = earliest.get(tp.partition) ?? 0;
    const hi = latest.get(tp.partition) ?? 0;
    let target: number;
    if (spec.kind === 'earliest') target = lo;
    else if (spec.kind === 'latest') target = hi;
    else if (spec.kind === 'offset') target = Math.min(hi, Math.max(lo, spec.offset));
    else {
      const o = byTime!.get(tp.partition);
      target = o === undefined || o < 0 ? hi : o;
    }
    return { ...tp, currentOffset: committed.get(tp.partition) ?? null, newOffset: target };
  });
  if (execute) await client.groups.commitOffsets(groupId, rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })));
  return rows;
}
