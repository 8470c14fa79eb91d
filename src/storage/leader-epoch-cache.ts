/**
 * Leader epoch cache (`leader-epoch-checkpoint`): the start offset of every leader epoch
 * of a partition, as Kafka's LeaderEpochFileCache keeps it; answers OffsetForLeaderEpoch.
 */
import { join } from 'node:path';
import { type EpochEntry, leaderEpochCheckpointText, readLeaderEpochCheckpoint, writeFileAtomic } from './checkpoint.js';
import type { EpochEndOffset } from './types.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1;

export class LeaderEpochCache {
  private entries: EpochEntry[];
  private readonly path: string;
  /** Written since the last fsync. */
  private dirty = false;

  constructor(partitionDir: string) {
    this.path = join(partitionDir, LEADER_EPOCH_CHECKPOINT);
    this.entries = readLeaderEpochCheckpoint(this.path);
  }

  get epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1]!.epoch;
  }

  /** Record that `epoch` starts at `startOffset` (only a newer epoch is recorded, as Kafka does). */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    // A new epoch cannot start before an older one: drop entries it supersedes.
    this.entries = this.entries.filter((e) => e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    // Written at once but fsynced with the log (flushIfDirty), not per new epoch on the
    // produce path: until the log is flushed its records are no more durable than this file,
    // and recovery re-assigns epochs from the batches after the recovery point.
    writeFileAtomic(this.path, leaderEpochCheckpointText(this.entries), { sync: false });
    this.dirty = true;
  }

  /** Remove epochs starting at or after `endOffset` (log truncated to endOffset). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.flush();
  }

  /** The log now starts at `startOffset`: drop epochs wholly before it, clamp the first one. */
  truncateFromStart(startOffset: number): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1]!.startOffset <= startOffset) i++;
    const kept = this.entries.slice(i);
    const first = kept[0];
    if (first && first.startOffset < startOffset) kept[0] = { epoch: first.epoch, startOffset };
    if (kept.length === this.entries.length && kept[0] === this.entries[0]) return;
    this.entries = kept;
    this.flush();
  }

  /** Kafka's endOffsetFor: the largest epoch <= requested, and where the next epoch starts (or the LEO). */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    if (requestedEpoch === UNDEFINED_EPOCH) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === this.latestEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const floor = [...this.entries].reverse().find((e) => e.epoch <= requestedEpoch);
    return floor ? { leaderEpoch: floor.epoch, endOffset: higher.startOffset } : { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
  }

  /** Forget every epoch (the log was replaced by an empty one). */
  clear(): void {
    this.entries = [];
    this.flush();
  }

  /** Epoch of the batch holding `offset`, or -1. */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const e of this.entries) if (e.startOffset <= offset) epoch = e.epoch;
    return epoch;
  }

  flush(): void {
    writeFileAtomic(this.path, leaderEpochCheckpointText(this.entries));
    this.dirty = false;
  }

  /** fsync the checkpoint if an epoch was written without (called when the log is flushed). */
  flushIfDirty(): void {
    if (this.dirty) this.flush();
  }
}
