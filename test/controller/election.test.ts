// Leader election algorithms (Kafka's PartitionLeaderElectionAlgorithms), the auto-rebalance
// choice, and the request versions each inter.broker.protocol.version allows.
import t from 'tap';
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  partitionsToRebalance,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
} from '../../src/controller/election.js';
import { controllerRequestVersions, NEWEST_CONTROLLER_VERSIONS } from '../../src/controller/versions.js';
import { KtsError } from '../../src/util/errors.js';

const liveSet = (...ids: number[]) => (b: number) => ids.includes(b);

t.test('offline election: first live ISR member in assignment order, else unclean, else none', async (t) => {
  t.same(offlinePartitionLeaderElection([1, 2, 3], [3, 2], liveSet(2, 3), false), { leader: 2, isr: [3, 2], unclean: false },
    'assignment order decides, not ISR order');
  t.same(offlinePartitionLeaderElection([1, 2, 3], [1, 2, 3], liveSet(3), false), { leader: 3, isr: [3], unclean: false },
    'dead members leave the ISR');
  t.equal(offlinePartitionLeaderElection([1, 2, 3], [1], liveSet(2, 3), false), null, 'no live ISR member, unclean off: offline');
  t.same(offlinePartitionLeaderElection([1, 2, 3], [1], liveSet(3, 2), true), { leader: 2, isr: [2], unclean: true },
    'unclean: first live replica, ISR of just it');
  t.equal(offlinePartitionLeaderElection([1, 2], [1], liveSet(), true), null, 'no live replica at all');
});

t.test('reassignment, preferred and controlled-shutdown elections', async (t) => {
  t.same(reassignPartitionLeaderElection([4, 5], [1, 5, 4], liveSet(1, 4, 5)), { leader: 4, isr: [1, 5, 4], unclean: false });
  t.same(reassignPartitionLeaderElection([4, 5], [1, 5, 4], liveSet(1, 5)), { leader: 5, isr: [1, 5, 4], unclean: false });
  t.equal(reassignPartitionLeaderElection([4, 5], [1], liveSet(1, 4, 5)), null);

  t.same(preferredReplicaPartitionLeaderElection([2, 1], [1, 2], liveSet(1, 2)), { leader: 2, isr: [1, 2], unclean: false });
  t.equal(preferredReplicaPartitionLeaderElection([2, 1], [1], liveSet(1, 2)), null, 'preferred not in ISR');
  t.equal(preferredReplicaPartitionLeaderElection([2, 1], [1, 2], liveSet(1)), null, 'preferred not live');

  const shutting = new Set([1]);
  t.same(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 2, 3], liveSet(1, 2, 3), shutting), { leader: 2, isr: [2, 3], unclean: false });
  t.equal(controlledShutdownPartitionLeaderElection([1, 2], [1], liveSet(1, 2), shutting), null, 'the only ISR member is leaving');
});

t.test('auto rebalance picks brokers above the imbalance percentage', async (t) => {
  const parts = [
    { tp: 'a-0', assignment: [1, 2], leader: 2 },
    { tp: 'a-1', assignment: [1, 2], leader: 1 },
    { tp: 'a-2', assignment: [2, 1], leader: 2 },
    { tp: 'a-3', assignment: [3, 1], leader: 1 },
  ];
  t.same(partitionsToRebalance(parts, liveSet(1, 2, 3), 10), ['a-0', 'a-3'], 'broker 1 is 50% off, broker 3 100% off');
  t.same(partitionsToRebalance(parts, liveSet(1, 2, 3), 50), ['a-3'], 'exactly 50% is not above 50%');
  t.same(partitionsToRebalance(parts, liveSet(1, 2), 10), ['a-0'], 'a dead preferred broker is skipped');
});

t.test('request versions per inter.broker.protocol.version', async (t) => {
  t.same(controllerRequestVersions(undefined), NEWEST_CONTROLLER_VERSIONS);
  t.same(controllerRequestVersions('1.1'), { leaderAndIsr: 1, updateMetadata: 4, stopReplica: 0 }, 'what Kafka 1.1 sends');
  t.same(controllerRequestVersions('1.1-IV0'), { leaderAndIsr: 1, updateMetadata: 4, stopReplica: 0 });
  t.same(controllerRequestVersions('0.10.2'), { leaderAndIsr: 0, updateMetadata: 3, stopReplica: 0 });
  t.same(controllerRequestVersions('0.10.1-IV2'), { leaderAndIsr: 0, updateMetadata: 2, stopReplica: 0 });
  t.same(controllerRequestVersions('2.2'), { leaderAndIsr: 2, updateMetadata: 5, stopReplica: 1 });
  t.same(controllerRequestVersions('2.4-IV0'), { leaderAndIsr: 3, updateMetadata: 6, stopReplica: 2 });
  t.same(controllerRequestVersions('2.4'), { leaderAndIsr: 4, updateMetadata: 6, stopReplica: 2 });
  t.same(controllerRequestVersions('3.6'), NEWEST_CONTROLLER_VERSIONS);
  t.throws(() => controllerRequestVersions('one.one'), KtsError);
});
