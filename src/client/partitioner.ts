/**
 * Partition choice for produced records, as Kafka's Java producer does it: murmur2 of the
 * key bytes (Utils.murmur2, then toPositive, modulo the partition count) for keyed records,
 * and a sticky partition per topic for null keys (KIP-480/KIP-794: stay on one partition
 * until about batch.size bytes went to it, then move on).
 */

/** Kafka's Utils.murmur2: 32-bit MurmurHash2 with seed 0x9747b28c, as a signed int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a keyed record. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/** Sticky partition per topic for null-key records. */
export class StickyPartitioner {
  private readonly current = new Map<string, { partition: number; bytes: number }>();
  private readonly batchSize: number;
  private readonly random: () => number;

  constructor(batchSize: number, random: () => number = Math.random) {
    this.batchSize = Math.max(1, batchSize);
    this.random = random;
  }

  /** Partition for the next null-key record of `recordBytes` on a topic with `available` partitions. */
  partition(topic: string, numPartitions: number, recordBytes: number): number {
    let sticky = this.current.get(topic);
    if (!sticky || sticky.partition >= numPartitions || sticky.bytes >= this.batchSize) {
      sticky = { partition: this.next(sticky?.partition, numPartitions), bytes: 0 };
      this.current.set(topic, sticky);
    }
    sticky.bytes += recordBytes;
    return sticky.partition;
  }

  /** Counts bytes added to the current sticky partition without a partition() call per record. */
  account(topic: string, bytes: number): void {
    const sticky = this.current.get(topic);
    if (sticky) sticky.bytes += bytes;
  }

  private next(previous: number | undefined, numPartitions: number): number {
    if (numPartitions <= 1) return 0;
    let p = Math.floor(this.random() * numPartitions);
    if (p === previous) p = (p + 1) % numPartitions;
    return p;
  }
}
