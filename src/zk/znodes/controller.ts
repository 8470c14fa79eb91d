/**
 * `/controller` (ephemeral): `{"version":1,"brokerid":1,"timestamp":"1796621094176"}`;
 * `/controller_epoch`: a bare decimal (`2`), not JSON.
 */
import { ControllerEpochPath, ControllerPath } from './paths.js';
import { ZnodeDataError, intField, parseJsonObject, toJsonBytes } from './json.js';

export function encodeController(brokerId: number, timestampMs: number = Date.now()): Buffer {
  return toJsonBytes({ version: 1, brokerid: brokerId, timestamp: String(timestampMs) });
}

export function decodeController(data: Buffer | null): number {
  // ZooKeeper-era tools before 0.8.2 wrote the bare broker id; Kafka still reads it.
  const text = data?.toString('utf8').trim() ?? '';
  if (/^\d+$/.test(text)) return Number(text);
  return intField(ControllerPath, parseJsonObject(ControllerPath, data), 'brokerid');
}

export function encodeControllerEpoch(epoch: number): Buffer {
  return Buffer.from(String(epoch), 'utf8');
}

export function decodeControllerEpoch(data: Buffer | null): number {
  const text = data?.toString('utf8').trim() ?? '';
  if (!/^\d+$/.test(text)) throw new ZnodeDataError(ControllerEpochPath, `not a decimal epoch (${JSON.stringify(text.slice(0, 40))})`);
  return Number(text);
}
