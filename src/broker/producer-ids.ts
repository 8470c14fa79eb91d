/**
 * Producer id allocation for idempotent producers. Ids are handed out from blocks; the end
 * of the current block is written to `<log dir>/kts-producer-ids.json` (write to a temp
 * file, fsync, rename) BEFORE any id of the block is used, so after a crash or restart the
 * next id is past every id ever handed out — the same guarantee Kafka gets from its
 * producer id blocks in the metadata log.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KtsError } from '../util/errors.js';

export const PRODUCER_IDS_FILE = 'kts-producer-ids.json';
const BLOCK_SIZE = 1000;

export interface ProducerIdAllocator {
  next(): Promise<number>;
}

export function openProducerIdAllocator(logDir: string, blockSize = BLOCK_SIZE): ProducerIdAllocator {
  const path = join(logDir, PRODUCER_IDS_FILE);
  let next = readBlockEnd(path);
  let blockEnd = next;
  return {
    next() {
      if (next >= blockEnd) {
        blockEnd = next + blockSize;
        writeBlockEnd(path, blockEnd);
      }
      return Promise.resolve(next++);
    },
  };
}

function readBlockEnd(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const parsed = JSON.parse(text) as { nextProducerId?: unknown };
  if (typeof parsed.nextProducerId !== 'number' || !Number.isSafeInteger(parsed.nextProducerId) || parsed.nextProducerId < 0) {
    throw new KtsError('KTS_CORRUPT', `${path} is damaged: no valid nextProducerId.`, 'Restore it from a backup; deleting it could reuse producer ids.');
  }
  return parsed.nextProducerId;
}

function writeBlockEnd(path: string, blockEnd: number): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify({ nextProducerId: blockEnd }) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Cluster mode: blocks come from ZooKeeper's `/latest_producer_id_block` (compare-and-set, as
 * Kafka's ProducerIdManager takes them), so no two brokers ever hand out the same id. One
 * block is fetched at a time; callers queue behind it.
 */
export function zkProducerIdAllocator(allocateBlock: () => Promise<{ start: bigint; end: bigint }>): ProducerIdAllocator {
  let next = 0;
  let end = -1;
  let fetching: Promise<void> | undefined;
  const take = async (): Promise<number> => {
    while (next > end) {
      fetching ??= allocateBlock().then(
        (block) => {
          next = Number(block.start);
          end = Number(block.end);
          fetching = undefined;
        },
        (err: unknown) => {
          fetching = undefined;
          throw err;
        },
      );
      await fetching;
    }
    return next++;
  };
  return { next: take };
}
