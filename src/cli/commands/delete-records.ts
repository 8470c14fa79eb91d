/**
 * `kts delete-records`: kafka-delete-records.sh. Moves the log start offset of each
 * partition in --offset-json-file forward (offset -1: to the high watermark).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { type DeleteRecordsLine, renderDeleteRecords } from '../render/offsets.js';
import { KtsError, UsageError, errorMessage } from '../../util/errors.js';

export const deleteRecordsCommand: CommandSpec = {
  name: 'delete-records',
  mirrors: 'kafka-delete-records.sh',
  summary: 'Delete records before an offset in partitions',
  description:
    'The JSON file lists the partitions and the offset before which records are deleted: {"partitions":[{"topic":"foo","partition":1,"offset":1}],"version":1}. Offset -1 deletes up to the high watermark.',
  options: {
    ...connectionOptions,
    'offset-json-file': { type: 'string', placeholder: '<file>', describe: 'JSON file of {topic, partition, offset} entries (required).' },
    ...jsonOption,
  },
  examples: [['kts delete-records --offset-json-file delete.json', 'delete the records named in delete.json']],
  async run(args, io) {
    const path = args['offset-json-file'];
    if (typeof path !== 'string') throw new UsageError('delete-records needs --offset-json-file <file>');
    const requests = parseOffsetJson(readJson(resolve(io.cwd, path)));
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const results = await client.admin.deleteRecords(requests);
      const lines: DeleteRecordsLine[] = results.map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: r.lowWatermark }));
      io.stdout.write(args.json === true ? JSON.stringify(lines) + '\n' : renderDeleteRecords(lines));
      return 0;
    });
  },
};

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KtsError('KTS_CONFIG_FILE', `cannot read --offset-json-file ${path}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--offset-json-file ${path} is not valid JSON: ${errorMessage(err)}`);
  }
}

export function parseOffsetJson(doc: unknown): { topic: string; partition: number; offset: number }[] {
  const parts = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(parts)) throw new UsageError('the offset JSON needs a "partitions" array');
  const seen = new Set<string>();
  const dups: string[] = [];
  const out = parts.map((p: unknown, i) => {
    const e = p as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof e?.topic !== 'string' || !Number.isInteger(e.partition) || !Number.isSafeInteger(e.offset)) {
      throw new UsageError(`partitions[${i}] needs "topic" (string), "partition" and "offset" (integers)`);
    }
    const key = `${e.topic}-${e.partition as number}`;
    if (seen.has(key)) dups.push(key);
    seen.add(key);
    return { topic: e.topic, partition: e.partition as number, offset: e.offset as number };
  });
  if (dups.length > 0) throw new UsageError(`Offset json file contains duplicate topic partitions: ${dups.join(',')}`);
  return out;
}
