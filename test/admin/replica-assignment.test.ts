// Replica assignment: outputs of Kafka's AdminUtils.assignReplicasToBrokers for fixed start
// indexes (from Kafka's AdminUtilsTest / AdminRackAwareTest), spread properties with random
// starts, added partitions, and the validation messages.
import t from 'tap';
import {
  assignAddedPartitions,
  assignReplicasToBrokers,
  rackAlternatedBrokerList,
  validateReplicaAssignment,
} from '../../src/admin/replica-assignment.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

const asObject = (m: Map<number, number[]>): Record<number, number[]> => Object.fromEntries(m);
function catchError(fn: () => unknown): KafkaError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e;
    throw e;
  }
  return undefined;
}
const thrown = (fn: () => unknown) => {
  const e = catchError(fn);
  return e && /currently has 3 partitions/.test(e.message) ? `${e.errorCode} ok` : String(e?.message);
};
const brokers = (ids: number[]) => ids.map((id) => ({ id }));

t.test('rack-unaware with a fixed start index is Kafka\'s assignment', async (t) => {
  const got = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4]), 10, 3, { fixedStartIndex: 0 });
  t.same(asObject(got), {
    0: [0, 1, 2], 1: [1, 2, 3], 2: [2, 3, 4], 3: [3, 4, 0], 4: [4, 0, 1],
    5: [0, 2, 3], 6: [1, 3, 4], 7: [2, 4, 0], 8: [3, 0, 1], 9: [4, 1, 2],
  });
  // brokers are sorted by id first, whatever order they come in
  const shuffled = assignReplicasToBrokers(brokers([3, 0, 4, 2, 1]), 10, 3, { fixedStartIndex: 0 });
  t.same(asObject(shuffled), asObject(got));
});

t.test('rack-aware: brokers alternate by rack and replicas spread over racks', async (t) => {
  const racks: [number, string][] = [[0, 'rack1'], [1, 'rack3'], [2, 'rack3'], [3, 'rack2'], [4, 'rack2'], [5, 'rack1']];
  t.same(rackAlternatedBrokerList(new Map(racks)), [0, 3, 1, 5, 4, 2]);
  t.same(rackAlternatedBrokerList(new Map(racks.filter(([id]) => id !== 5))), [0, 3, 1, 4, 2]);
  const got = assignReplicasToBrokers(racks.map(([id, rack]) => ({ id, rack })), 7, 3, { fixedStartIndex: 0, startPartitionId: 0 });
  t.same(asObject(got), {
    0: [0, 3, 1], 1: [3, 1, 5], 2: [1, 5, 4], 3: [5, 4, 2], 4: [4, 2, 0], 5: [2, 0, 3], 6: [0, 4, 2],
  });
  for (const replicas of got.values()) {
    t.equal(new Set(replicas.map((b) => racks.find(([id]) => id === b)![1])).size, 3, `${replicas} covers 3 racks`);
  }
  const unaware = assignReplicasToBrokers(racks.map(([id, rack]) => ({ id, rack })), 7, 3, { fixedStartIndex: 0, disableRackAware: true });
  t.same(unaware.get(0), [0, 1, 2], '--disable-rack-aware ignores racks');
});

t.test('random starts still spread leaders and replicas evenly', async (t) => {
  for (let seed = 0; seed < 20; seed++) {
    let s = seed + 1;
    const random = () => ((s = (s * 48271) % 2147483647) / 2147483647);
    const got = assignReplicasToBrokers(brokers([1, 2, 3]), 6, 3, { random });
    const leaders = new Map<number, number>();
    for (const replicas of got.values()) {
      t.equal(new Set(replicas).size, 3);
      leaders.set(replicas[0]!, (leaders.get(replicas[0]!) ?? 0) + 1);
    }
    t.same([...leaders.values()], [2, 2, 2], 'each broker leads 2 of 6 partitions');
  }
});

t.test('added partitions continue the pattern of partition 0', async (t) => {
  const existing = assignReplicasToBrokers(brokers([1, 2, 3]), 3, 2, { fixedStartIndex: 1 });
  t.same(asObject(existing), { 0: [2, 1], 1: [3, 2], 2: [1, 3] });
  const added = assignAddedPartitions(brokers([1, 2, 3]), existing, 5);
  t.same([...added.keys()], [3, 4]);
  t.same(asObject(added), { 3: [2, 3], 4: [3, 1] });
  t.equal(thrown(() => assignAddedPartitions(brokers([1, 2, 3]), existing, 3)), `${ErrorCode.INVALID_PARTITIONS} ok`);
});

t.test('bad input gets Kafka\'s error codes and messages', async (t) => {
  const check = (fn: () => unknown, code: number, re: RegExp) => {
    const err = catchError(fn);
    t.ok(err instanceof KafkaError, re.source);
    t.equal(err?.errorCode, code, re.source);
    t.match(err?.message, re);
  };
  check(() => assignReplicasToBrokers(brokers([1, 2]), 3, 3), ErrorCode.INVALID_REPLICATION_FACTOR,
    /Replication factor: 3 larger than available brokers: 2\./);
  check(() => assignReplicasToBrokers(brokers([1, 2]), 0, 1), ErrorCode.INVALID_PARTITIONS, /Number of partitions must be larger than 0/);
  check(() => assignReplicasToBrokers(brokers([1, 2]), 1, 0), ErrorCode.INVALID_REPLICATION_FACTOR, /must be larger than 0/);
  check(() => assignReplicasToBrokers([{ id: 1, rack: 'a' }, { id: 2 }], 1, 1), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    /Not all brokers have rack information.*without a rack: 2/);
  const live = new Set([1, 2, 3]);
  check(() => validateReplicaAssignment([1, 1], live, null), ErrorCode.INVALID_REPLICA_ASSIGNMENT, /includes the broker 1 more than once/);
  check(() => validateReplicaAssignment([3], live, 2), ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    /a partition with 1 replica\(s\), but this is not consistent with previous partitions, which have 2/);
  check(() => validateReplicaAssignment([1, 7], live, null), ErrorCode.INVALID_REPLICA_ASSIGNMENT, /includes broker 7, but no such broker is registered/);
  check(() => validateReplicaAssignment([], live, null), ErrorCode.INVALID_REPLICA_ASSIGNMENT, /empty replica list/);
  t.doesNotThrow(() => validateReplicaAssignment([2, 3], live, 2));
});
