/**
 * `/brokers/topics/T/partitions/P/state`:
 * `{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,3]}`; leader -1 = none.
 * Its znode version is the `zk_version` carried in LeaderAndIsr and UpdateMetadata.
 */
import { partitionStatePath } from './paths.js';
import { intArray, intField, parseJsonObject, toJsonBytes } from './json.js';

export interface LeaderIsrState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
}

export function encodePartitionState(s: LeaderIsrState): Buffer {
  return toJsonBytes({ controller_epoch: s.controllerEpoch, leader: s.leader, version: 1, leader_epoch: s.leaderEpoch, isr: s.isr });
}

export function decodePartitionState(topic: string, partition: number, data: Buffer | null): LeaderIsrState {
  const path = partitionStatePath(topic, partition);
  const o = parseJsonObject(path, data);
  return {
    leader: intField(path, o, 'leader'),
    leaderEpoch: intField(path, o, 'leader_epoch'),
    isr: intArray(path, o.isr, '"isr"'),
    controllerEpoch: intField(path, o, 'controller_epoch'),
  };
}

export function sameLeaderIsr(a: LeaderIsrState, b: LeaderIsrState): boolean {
  return a.leader === b.leader && a.leaderEpoch === b.leaderEpoch && a.controllerEpoch === b.controllerEpoch && a.isr.join() === b.isr.join();
}
