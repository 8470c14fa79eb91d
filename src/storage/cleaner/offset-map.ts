/**
 * The cleaner's key → latest offset map with a memory budget
 * (`log.cleaner.dedupe.buffer.size`). Kafka stores 24-byte hash entries; kts keeps whole
 * keys (no hash collisions) and charges each entry its key length plus a fixed overhead,
 * so a pass that fills the budget cleans only up to the offset the map reached.
 */

/** What one entry costs beyond its key bytes (Map slot, string header, number). */
export const ENTRY_OVERHEAD_BYTES = 64;

export class BoundedOffsetMap {
  private readonly map = new Map<string, number>();
  private usedBytes = 0;
  /** The largest offset put so far, -1 when empty. */
  latestOffset = -1;

  constructor(readonly capacityBytes: number) {}

  get size(): number {
    return this.map.size;
  }

  /** Record `offset` for `key`; false (nothing changed) when a new key does not fit. */
  put(key: Buffer, offset: number): boolean {
    const k = key.toString('latin1');
    if (!this.map.has(k)) {
      const cost = k.length + ENTRY_OVERHEAD_BYTES;
      if (this.usedBytes + cost > this.capacityBytes) return false;
      this.usedBytes += cost;
    }
    this.map.set(k, offset);
    if (offset > this.latestOffset) this.latestOffset = offset;
    return true;
  }

  /** Offset of the key's latest record, or -1. */
  get(key: Buffer): number {
    return this.map.get(key.toString('latin1')) ?? -1;
  }
}
