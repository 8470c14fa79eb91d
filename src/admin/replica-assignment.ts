/**
 * Kafka's replica assignment (AdminUtils.assignReplicasToBrokers of Kafka 1.1 ... 3.x):
 * leaders go round-robin from a start index, followers follow at a shift that grows by one
 * each time the partition ids wrap around the broker list, so leaders and replicas spread.
 * With `broker.rack` set on every broker, the brokers are first interleaved rack by rack and
 * a follower is skipped while a rack (or broker) without a replica of that partition remains.
 *
 * Pure: no I/O. Given the same start index and shift the output equals Kafka's, which is
 * what `kts reassign --generate`, CreateTopics and CreatePartitions rely on.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';

export interface BrokerRackInfo {
  id: number;
  rack?: string | null;
}

/** partition id → replica list (head = preferred leader). */
export type ReplicaAssignment = Map<number, number[]>;

export interface AssignOptions {
  /** Index into the (sorted / rack-alternated) broker list of partition 0's leader; random when absent or < 0. */
  fixedStartIndex?: number;
  /** The first partition id to assign (for added partitions); 0 when absent. */
  startPartitionId?: number;
  /** Ignore racks (`--disable-rack-aware`). */
  disableRackAware?: boolean;
  /** Random source in [0, 1), for tests; Math.random by default. */
  random?: () => number;
}

/**
 * Assigns `partitionCount` partitions with `replicationFactor` replicas over `brokers`.
 * Throws KafkaError INVALID_PARTITIONS / INVALID_REPLICATION_FACTOR with Kafka's messages,
 * INVALID_REPLICA_ASSIGNMENT when only some brokers have a rack.
 */
export function assignReplicasToBrokers(
  brokers: readonly BrokerRackInfo[],
  partitionCount: number,
  replicationFactor: number,
  options: AssignOptions = {},
): ReplicaAssignment {
  if (!Number.isInteger(partitionCount) || partitionCount <= 0) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor <= 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  }
  if (replicationFactor > brokers.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const withRack = sorted.filter((b) => b.rack !== undefined && b.rack !== null && b.rack !== '');
  if (options.disableRackAware || withRack.length === 0) {
    return assignRackUnaware(partitionCount, replicationFactor, sorted.map((b) => b.id), options);
  }
  if (withRack.length < sorted.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'Not all brokers have rack information for replica rack aware assignment. ' +
        `Brokers without a rack: ${sorted.filter((b) => !withRack.includes(b)).map((b) => b.id).join(',')}; ` +
        'set broker.rack on every broker or disable rack-aware assignment.',
    );
  }
  const rackOf = new Map(sorted.map((b) => [b.id, b.rack as string]));
  return assignRackAware(partitionCount, replicationFactor, rackOf, options);
}

function startValue(fixedStartIndex: number | undefined, n: number, random: () => number): number {
  return fixedStartIndex !== undefined && fixedStartIndex >= 0 ? fixedStartIndex : Math.floor(random() * n);
}

/** Kafka's replicaIndex: the j-th follower sits 1 + (shift + j) mod (n - 1) after the leader. */
function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, j: number, brokerCount: number): number {
  const shift = 1 + ((secondReplicaShift + j) % (brokerCount - 1));
  return (firstReplicaIndex + shift) % brokerCount;
}

function assignRackUnaware(
  partitionCount: number,
  replicationFactor: number,
  brokerIds: readonly number[],
  options: AssignOptions,
): ReplicaAssignment {
  const random = options.random ?? Math.random;
  const n = brokerIds.length;
  const startIndex = startValue(options.fixedStartIndex, n, random);
  let nextReplicaShift = startValue(options.fixedStartIndex, n, random);
  let partitionId = Math.max(0, options.startPartitionId ?? 0);
  const out: ReplicaAssignment = new Map();
  for (let i = 0; i < partitionCount; i++, partitionId++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift += 1;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokerIds[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokerIds[replicaIndex(first, nextReplicaShift, j, n)]!);
    out.set(partitionId, replicas);
  }
  return out;
}

/** Brokers interleaved rack by rack (racks sorted, brokers sorted within a rack), as Kafka does. */
export function rackAlternatedBrokerList(rackOf: ReadonlyMap<number, string>): number[] {
  const byRack = new Map<string, number[]>();
  for (const [id, rack] of rackOf) {
    const list = byRack.get(rack) ?? [];
    list.push(id);
    byRack.set(rack, list);
  }
  const racks = [...byRack.keys()].sort();
  const queues = racks.map((r) => byRack.get(r)!.sort((a, b) => a - b));
  const out: number[] = [];
  for (let round = 0; out.length < rackOf.size; round++) {
    for (const q of queues) if (round < q.length) out.push(q[round]!);
  }
  return out;
}

function assignRackAware(
  partitionCount: number,
  replicationFactor: number,
  rackOf: ReadonlyMap<number, string>,
  options: AssignOptions,
): ReplicaAssignment {
  const random = options.random ?? Math.random;
  const rackCount = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokerList(rackOf);
  const n = arranged.length;
  const startIndex = startValue(options.fixedStartIndex, n, random);
  let nextReplicaShift = startValue(options.fixedStartIndex, n, random);
  let partitionId = Math.max(0, options.startPartitionId ?? 0);
  const out: ReplicaAssignment = new Map();
  for (let i = 0; i < partitionCount; i++, partitionId++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift += 1;
    const first = (partitionId + startIndex) % n;
    const leader = arranged[first]!;
    const replicas = [leader];
    const racksWithReplicas = new Set([rackOf.get(leader)!]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let j = 0; j < replicationFactor - 1; j++) {
      for (;;) {
        const broker = arranged[replicaIndex(first, nextReplicaShift * rackCount, k, n)]!;
        const rack = rackOf.get(broker)!;
        k += 1;
        // Skip a broker whose rack already has a replica while a rack without one remains,
        // or a broker that already has one while a broker without one remains.
        const rackOk = !racksWithReplicas.has(rack) || racksWithReplicas.size === rackCount;
        const brokerOk = !brokersWithReplicas.has(broker) || brokersWithReplicas.size === n;
        if (rackOk && brokerOk) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
    }
    out.set(partitionId, replicas);
  }
  return out;
}

/**
 * The replicas of partitions added to a topic (AdminZkClient.addPartitions): same replication
 * factor as partition 0, start index at the first broker whose id is ≥ partition 0's leader,
 * partition ids continuing after the existing ones.
 */
export function assignAddedPartitions(
  brokers: readonly BrokerRackInfo[],
  existing: ReadonlyMap<number, readonly number[]>,
  newPartitionCount: number,
  options: Pick<AssignOptions, 'disableRackAware' | 'random'> = {},
): ReplicaAssignment {
  const partition0 = existing.get(0);
  if (!partition0 || partition0.length === 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The topic has no replica assignment for partition 0; it cannot get more partitions.');
  }
  const toAdd = newPartitionCount - existing.size;
  if (toAdd <= 0) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${existing.size} partitions, which is higher than the requested ${newPartitionCount}.`,
    );
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const startIndex = Math.max(0, sorted.findIndex((b) => b.id >= partition0[0]!));
  return assignReplicasToBrokers(sorted, toAdd, partition0.length, {
    ...options,
    fixedStartIndex: startIndex,
    startPartitionId: existing.size,
  });
}

/**
 * Checks one partition's replica list given by hand (`--replica-assignment`, CreateTopics
 * and CreatePartitions assignments, reassignment targets), with Kafka's messages: not
 * empty, registered brokers, no broker twice, and (when given) the topic's replica count.
 * Throws KafkaError INVALID_REPLICA_ASSIGNMENT.
 */
export function validateReplicaAssignment(
  brokerIds: readonly number[],
  registeredBrokers: ReadonlySet<number>,
  expectedReplicas: number | null,
): void {
  const fail = (message: string): never => {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  };
  if (brokerIds.length === 0) fail('The manual partition assignment includes an empty replica list.');
  const sorted = [...brokerIds].sort((a, b) => a - b);
  let previous: number | null = null;
  for (const brokerId of sorted) {
    if (!registeredBrokers.has(brokerId)) {
      fail(`The manual partition assignment includes broker ${brokerId}, but no such broker is registered.`);
    }
    if (brokerId === previous) fail(`The manual partition assignment includes the broker ${brokerId} more than once.`);
    previous = brokerId;
  }
  if (expectedReplicas !== null && brokerIds.length !== expectedReplicas) {
    fail(
      `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not ` +
        `consistent with previous partitions, which have ${expectedReplicas} replica(s).`,
    );
  }
}
