/**
 * `/latest_producer_id_block`: `{"version":1,"broker":2,"block_start":"2000","block_end":"2999"}`
 * (the bounds are strings: they are longs). Blocks are 1000 ids by default (ProducerIdManager).
 */
import { ProducerIdBlockPath } from './paths.js';
import { intField, longField, parseJsonObject, toJsonBytes } from './json.js';

export const ProducerIdBlockSize = 1000;

export interface ProducerIdBlock {
  brokerId: number;
  /** First id of the block, inclusive. */
  start: bigint;
  /** Last id of the block, inclusive. */
  end: bigint;
}

export function encodeProducerIdBlock(b: ProducerIdBlock): Buffer {
  return toJsonBytes({ version: 1, broker: b.brokerId, block_start: b.start.toString(), block_end: b.end.toString() });
}

export function decodeProducerIdBlock(data: Buffer | null): ProducerIdBlock {
  const o = parseJsonObject(ProducerIdBlockPath, data);
  return { brokerId: intField(ProducerIdBlockPath, o, 'broker'), start: longField(ProducerIdBlockPath, o, 'block_start'), end: longField(ProducerIdBlockPath, o, 'block_end') };
}
