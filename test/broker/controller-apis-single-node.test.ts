// ElectLeaders (43), AlterPartitionReassignments (45) and ListPartitionReassignments (46) on
// a single-node kts broker (no zookeeper.connect): kafkajs' admin client for 45/46 and the
// raw protocol for 43 (kafkajs has no ElectLeaders). The one broker leads everything, so
// elections are not needed, reassignments to itself succeed and others are refused clearly.
import t from 'tap';
import kafkajs from 'kafkajs';
import { startAdminBroker } from './admin-helpers.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ElectLeadersResponse } from '../../src/protocol/messages/43-elect-leaders.js';
import type { AlterPartitionReassignmentsResponse } from '../../src/protocol/messages/45-alter-partition-reassignments.js';

const { Kafka, logLevel } = kafkajs;

t.test('single-node broker: elections not needed, reassignments only to itself', async (t) => {
  const broker = await startAdminBroker(t);
  const kafka = new Kafka({ clientId: 'controller-apis', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'moves', numPartitions: 2 }] });

  const raw = await broker.raw();
  for (const version of [0, 1, 2]) {
    const r = await raw.request<ElectLeadersResponse>(43, version, {
      electionType: 0,
      topicPartitions: [{ topic: 'moves', partitions: [0, 1] }, { topic: 'nope', partitions: [0] }],
      timeoutMs: 1000,
    });
    const codes = Object.fromEntries(r.replicaElectionResults.flatMap((e) => e.partitionResult.map((p) => [`${e.topic}-${p.partitionId}`, p.errorCode])));
    t.same(codes, { 'moves-0': ErrorCode.ELECTION_NOT_NEEDED, 'moves-1': ErrorCode.ELECTION_NOT_NEEDED, 'nope-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }, `ElectLeaders v${version}`);
  }
  const all = await raw.request<ElectLeadersResponse>(43, 2, { electionType: 1, topicPartitions: null, timeoutMs: 1000 });
  t.same(all.replicaElectionResults.find((e) => e.topic === 'moves')?.partitionResult.map((p) => p.errorCode), [84, 84], 'null = every partition');

  await admin.alterPartitionReassignments({ topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [broker.nodeId] }] }] });
  const refused = await admin.alterPartitionReassignments({ topics: [{ topic: 'moves', partitionAssignment: [{ partition: 1, replicas: [broker.nodeId, 7] }] }] })
    .then(() => null, (err: { message: string; type?: string }) => err);
  t.ok(refused, 'a move to a broker that does not exist fails');
  t.match(refused?.message ?? '', /Errors altering partition reassignments/);
  const direct = await raw.request<AlterPartitionReassignmentsResponse>(45, 0, {
    timeoutMs: 1000,
    topics: [{ name: 'moves', partitions: [{ partitionIndex: 1, replicas: [broker.nodeId, 7] }, { partitionIndex: 0, replicas: null }] }],
  });
  const [moveTo7, cancel] = direct.responses[0]!.partitions;
  t.equal(moveTo7?.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  t.match(moveTo7?.errorMessage, /broker 7, but no such broker is registered.*single-node mode.*broker 1 is the only one/);
  t.equal(cancel?.errorCode, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);

  const listed = await admin.listPartitionReassignments({});
  t.same(listed.topics, [], 'nothing is ever in flight');
});
