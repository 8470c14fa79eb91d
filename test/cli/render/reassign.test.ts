// Pure parts of kts reassign: Kafka's throttle lists from a move map, the plan JSON format,
// and the renderers of --list, --verify and --cancel.
import t from 'tap';
import { followerThrottles, formatReassignmentJson, leaderThrottles, parseReassignmentJson, proposedMoveMap, reassigningBrokers } from '../../../src/cli/reassign/plan.js';
import { renderCancelled, renderList, renderPartitionStates, renderProgress, renderReplicaMoveStates } from '../../../src/cli/render/reassign.js';

t.test('throttles: sources lead, new destinations follow; an ongoing move keeps its sources', async (t) => {
  const plan = parseReassignmentJson(JSON.stringify({ version: 1, partitions: [
    { topic: 'foo', partition: 0, replicas: [2, 3] },
    { topic: 'foo', partition: 10, replicas: [1, 4] },
    { topic: 'bar', partition: 1, replicas: [5, 6] },
  ] }));
  const current = new Map([['foo-0', [1, 2]], ['foo-10', [1, 2]], ['bar-1', [1, 2]]]);
  const ongoing = [{ topic: 'bar', partition: 1, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }];
  const moves = proposedMoveMap(ongoing, plan.partitions, current);
  t.same([...leaderThrottles(moves)], [['bar', '1:1,1:2'], ['foo', '0:1,0:2,10:1,10:2']], 'TreeSet order of strings');
  t.same([...followerThrottles(moves)], [['bar', '1:5,1:6'], ['foo', '0:3,10:4']]);
  t.same(reassigningBrokers(moves), [1, 2, 3, 4, 5, 6]);
});

t.test('plan JSON: Kafka\'s key order, sorted partitions, log dirs per replica', async (t) => {
  const plan = parseReassignmentJson('{"partitions":[{"topic":"b","partition":1,"replicas":[2,1],"log_dirs":["/d","any"]},{"topic":"a","partition":2,"replicas":[1]}]}');
  t.same(plan.replicaMoves, [{ topic: 'b', partition: 1, brokerId: 2, logDir: '/d' }]);
  const assignment = new Map(plan.partitions.map((p) => [`${p.topic}-${p.partition}`, p]));
  t.equal(formatReassignmentJson(assignment, plan.replicaMoves),
    '{"version":1,"partitions":[{"topic":"a","partition":2,"replicas":[1],"log_dirs":["any"]},{"topic":"b","partition":1,"replicas":[2,1],"log_dirs":["/d","any"]}]}');
});

t.test('renderers', async (t) => {
  t.equal(renderList([]), 'No partition reassignments found.\n');
  t.equal(renderList([{ topic: 'foo', partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }, { topic: 'bar', partition: 2, replicas: [1, 2], addingReplicas: [], removingReplicas: [] }]),
    'Current partition reassignments:\nbar-2: replicas: 1,2.\nfoo-0: replicas: 1,2,3. adding: 3. removing: 1.\n');
  t.equal(renderPartitionStates([
    { topic: 'foo', partition: 1, currentReplicas: [1, 2], targetReplicas: [2, 3], done: true },
    { topic: 'foo', partition: 0, currentReplicas: [2, 3], targetReplicas: [2, 3], done: true },
    { topic: 'foo', partition: 2, currentReplicas: [1, 2, 3], targetReplicas: [2, 3], done: false },
  ]), 'Status of partition reassignment:\nReassignment of partition foo-0 is completed.\nThere is no active reassignment of partition foo-1, but replica set is 1,2 rather than 2,3.\nReassignment of partition foo-2 is still in progress.\n');
  const base = { topic: 'foo', partition: 0, targetLogDir: '/b', currentLogDir: '/a', futureLogDir: null };
  t.equal(renderReplicaMoveStates([
    { ...base, brokerId: 2, status: 'active', futureLogDir: '/c' },
    { ...base, brokerId: 1, status: 'active', futureLogDir: '/b' },
    { ...base, brokerId: 3, status: 'cancelled' },
    { ...base, brokerId: 4, status: 'missing-replica' },
    { ...base, brokerId: 5, status: 'completed' },
  ]), [
    'Reassignment of replica foo-0-1 is still in progress.',
    'Partition foo-0 on broker 2 is being moved to log dir /c instead of /b.',
    'Partition foo-0 on broker 3 is not being moved from log dir /a to /b.',
    'Partition foo-0 cannot be found in any live log directory on broker 4.',
    'Reassignment of replica foo-0-5 completed successfully.',
    '',
  ].join('\n'));
  t.equal(renderCancelled([{ topic: 'b', partition: 1 }, { topic: 'a', partition: 0 }]), 'Successfully cancelled partition reassignments for: a-0,b-1\n');
  t.equal(renderProgress(512 * 1024, 1024 * 1024, 2000), 'reassignment: 50% (512.0 KiB of 1.0 MiB), ETA 2 s');
});
