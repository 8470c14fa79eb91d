/**
 * Golden bytes from a real client: kafkajs encodes requests (its own request modules and
 * header), kts decodes them, checks the decoded values, and re-encodes them to the exact
 * same bytes. In the other direction, kts encodes responses and kafkajs's own response
 * decoders read them.
 */
import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import { decodeRequest, encodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import type { ProduceRequest } from '../../src/protocol/messages/00-produce.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/protocol/data.js';

const require = createRequire(import.meta.url);
const KJS = 'kafkajs/src/protocol';
type KjsRequest = { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
const createRequest = require(`${KJS}/request.js`) as (a: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>;

function kjsRequest(api: string, version: number): (args: unknown) => KjsRequest {
  return require(`${KJS}/requests/${api}/v${version}/request.js`) as (args: unknown) => KjsRequest;
}

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  api: string;
  versions: number[];
  args: (v: number) => unknown;
  check: (t: Test, body: Body, v: number) => void;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const TS = 1700000000000;

const cases: Case[] = [
  { api: 'apiVersions', versions: range(0, 2), args: () => ({}), check: (t, b) => t.same(b, { clientSoftwareName: '', clientSoftwareVersion: '' }) },
  {
    api: 'metadata', versions: range(0, 6),
    args: () => ({ topics: ['alpha', 'beta'], allowAutoTopicCreation: false }),
    check: (t, b, v) => {
      t.same(b.topics.map((x: Body) => x.name), ['alpha', 'beta']);
      t.equal(b.allowAutoTopicCreation, v >= 4 ? false : true);
    },
  },
  {
    api: 'produce', versions: range(0, 7),
    args: () => ({
      acks: -1, timeout: 1500, transactionalId: 'tx-1',
      topicData: [{ topic: 'orders', partitions: [{ partition: 2, firstSequence: 0, messages: [{ key: 'k1', value: 'hello', timestamp: TS }, { key: null, value: 'world', timestamp: TS + 1 }] }] }],
    }),
    check: (t, b, v) => {
      const p = b as ProduceRequest;
      t.equal(p.acks, -1);
      t.equal(p.timeoutMs, 1500);
      t.equal(p.transactionalId, v >= 3 ? 'tx-1' : null);
      t.equal(p.topicData[0]!.name, 'orders');
      t.equal(p.topicData[0]!.partitionData[0]!.index, 2);
      const records = p.topicData[0]!.partitionData[0]!.records!;
      t.ok(Buffer.isBuffer(records) && records.length > 0, 'records are opaque bytes');
      if (v >= 3) t.equal(records[16], 2, 'record batch magic v2');
    },
  },
  {
    api: 'fetch', versions: range(0, 11),
    args: () => ({
      replicaId: -1, maxWaitTime: 250, minBytes: 1, maxBytes: 52428800, isolationLevel: 1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1048576 }] }],
    }),
    check: (t, b, v) => {
      t.equal(b.maxWaitMs, 250);
      t.equal(b.topics[0].topic, 'orders');
      t.equal(b.topics[0].partitions[0].fetchOffset, 42);
      t.equal(b.topics[0].partitions[0].partitionMaxBytes, 1048576);
      if (v >= 3) t.equal(b.maxBytes, 52428800);
      if (v >= 4) t.equal(b.isolationLevel, 1);
    },
  },
  {
    api: 'listOffsets', versions: range(0, 3),
    args: () => ({ replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 3, timestamp: -2 }] }] }),
    check: (t, b) => {
      t.equal(b.topics[0].partitions[0].partitionIndex, 3);
      t.equal(b.topics[0].partitions[0].timestamp, -2);
    },
  },
  {
    api: 'findCoordinator', versions: range(0, 2),
    args: (v) => (v === 0 ? { groupId: 'g1' } : { coordinatorKey: 'g1', coordinatorType: 1 }),
    check: (t, b, v) => {
      t.equal(b.key, 'g1');
      t.equal(b.keyType, v === 0 ? 0 : 1);
    },
  },
  {
    api: 'joinGroup', versions: range(0, 5),
    args: () => ({ groupId: 'g1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: 'm-1', protocolType: 'consumer', groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2, 3]) }] }),
    check: (t, b, v) => {
      t.equal(b.groupId, 'g1');
      t.equal(b.rebalanceTimeoutMs, v >= 1 ? 60000 : -1);
      t.same(b.protocols[0].metadata, Buffer.from([0, 1, 2, 3]));
    },
  },
  {
    api: 'heartbeat', versions: range(0, 3),
    args: () => ({ groupId: 'g1', groupGenerationId: 7, memberId: 'm-1', groupInstanceId: 'i-1' }),
    check: (t, b, v) => {
      t.equal(b.generationId, 7);
      t.equal(b.groupInstanceId, v >= 3 ? 'i-1' : null);
    },
  },
  {
    api: 'leaveGroup', versions: range(0, 3),
    args: (v) => (v < 3 ? { groupId: 'g1', memberId: 'm-1' } : { groupId: 'g1', members: [{ memberId: 'm-1', groupInstanceId: 'i-1' }] }),
    check: (t, b, v) => {
      if (v < 3) t.equal(b.memberId, 'm-1');
      else t.same(b.members, [{ memberId: 'm-1', groupInstanceId: 'i-1', reason: null }]);
    },
  },
  {
    api: 'syncGroup', versions: range(0, 3),
    args: () => ({ groupId: 'g1', generationId: 2, memberId: 'm-1', groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([9, 8]) }] }),
    check: (t, b) => t.same(b.assignments[0].assignment, Buffer.from([9, 8])),
  },
  { api: 'describeGroups', versions: range(0, 2), args: () => ({ groupIds: ['g1', 'g2'] }), check: (t, b) => t.same(b.groups, ['g1', 'g2']) },
  { api: 'listGroups', versions: range(0, 2), args: () => ({}), check: (t, b) => t.same(b.statesFilter, []) },
  {
    api: 'offsetCommit', versions: range(0, 5),
    args: () => ({ groupId: 'g1', groupGenerationId: 3, memberId: 'm-1', retentionTime: -1, topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '12345', metadata: 'meta' }] }] }),
    check: (t, b) => {
      t.equal(b.topics[0].partitions[0].committedOffset, 12345);
      t.equal(b.topics[0].partitions[0].committedMetadata, 'meta');
    },
  },
  {
    api: 'offsetFetch', versions: range(1, 4),
    args: () => ({ groupId: 'g1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] }),
    check: (t, b) => t.same(b.topics[0].partitionIndexes, [0, 1]),
  },
  { api: 'saslHandshake', versions: range(0, 1), args: () => ({ mechanism: 'PLAIN' }), check: (t, b) => t.equal(b.mechanism, 'PLAIN') },
  {
    // kafkajs's SASL authenticators hand in authBytes already length-prefixed
    api: 'saslAuthenticate', versions: range(0, 1), args: () => ({ authBytes: Buffer.concat([Buffer.from([0, 0, 0, 10]), Buffer.from('\0user\0pass')]) }),
    check: (t, b) => t.same(b.authBytes, Buffer.from('\0user\0pass')),
  },
  {
    api: 'createTopics', versions: range(0, 3),
    args: () => ({ topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: true, timeout: 5000 }),
    check: (t, b, v) => {
      t.equal(b.topics[0].numPartitions, 3);
      t.same(b.topics[0].configs, [{ name: 'cleanup.policy', value: 'compact' }]);
      t.equal(b.validateOnly, v >= 1);
    },
  },
  { api: 'deleteTopics', versions: range(0, 1), args: () => ({ topics: ['a', 'b'], timeout: 5000 }), check: (t, b) => t.same(b.topicNames, ['a', 'b']) },
  {
    api: 'deleteRecords', versions: range(0, 1), args: () => ({ topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '77' }] }] }),
    check: (t, b) => t.equal(b.topics[0].partitions[0].offset, 77),
  },
  {
    api: 'initProducerId', versions: range(0, 1), args: () => ({ transactionalId: 'tx-1', transactionTimeout: 30000 }),
    check: (t, b) => {
      t.equal(b.transactionalId, 'tx-1');
      t.equal(b.transactionTimeoutMs, 30000);
    },
  },
  {
    api: 'addPartitionsToTxn', versions: range(0, 1),
    args: () => ({ transactionalId: 'tx-1', producerId: '1000', producerEpoch: 2, topics: [{ topic: 'orders', partitions: [0, 1] }] }),
    check: (t, b) => {
      t.equal(b.v3AndBelowProducerId, 1000);
      t.same(b.v3AndBelowTopics, [{ name: 'orders', partitions: [0, 1] }]);
    },
  },
  {
    api: 'addOffsetsToTxn', versions: range(0, 1), args: () => ({ transactionalId: 'tx-1', producerId: '1000', producerEpoch: 2, groupId: 'g1' }),
    check: (t, b) => t.equal(b.groupId, 'g1'),
  },
  {
    api: 'endTxn', versions: range(0, 1), args: () => ({ transactionalId: 'tx-1', producerId: '1000', producerEpoch: 2, transactionResult: true }),
    check: (t, b) => t.equal(b.committed, true),
  },
  {
    api: 'txnOffsetCommit', versions: range(0, 1),
    args: () => ({ transactionalId: 'tx-1', groupId: 'g1', producerId: '1000', producerEpoch: 2, topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '9', metadata: null }] }] }),
    check: (t, b) => t.equal(b.topics[0].partitions[0].committedOffset, 9),
  },
  {
    api: 'describeAcls', versions: range(0, 1),
    args: () => ({ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }),
    check: (t, b) => t.equal(b.principalFilter, 'User:alice'),
  },
  {
    api: 'createAcls', versions: range(0, 1),
    args: () => ({ creations: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }),
    check: (t, b) => t.equal(b.creations[0].resourceName, 'orders'),
  },
  {
    api: 'deleteAcls', versions: range(0, 1),
    args: () => ({ filters: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }),
    check: (t, b) => t.equal(b.filters[0].hostFilter, '*'),
  },
  {
    api: 'describeConfigs', versions: range(0, 2), args: () => ({ resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }], includeSynonyms: true }),
    check: (t, b) => t.same(b.resources[0].configurationKeys, ['retention.ms']),
  },
  {
    api: 'alterConfigs', versions: range(0, 1), args: () => ({ resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }] }),
    check: (t, b) => t.same(b.resources[0].configs, [{ name: 'retention.ms', value: '1000' }]),
  },
  {
    api: 'createPartitions', versions: range(0, 1), args: () => ({ topicPartitions: [{ topic: 'orders', count: 6 }] }),
    check: (t, b) => t.equal(b.topics[0].count, 6),
  },
  { api: 'deleteGroups', versions: range(0, 1), args: () => ['g1', 'g2'], check: (t, b) => t.same(b.groupsNames, ['g1', 'g2']) },
  {
    api: 'alterPartitionReassignments', versions: [0], args: () => ({ topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }] }),
    check: (t, b) => t.same(b.topics[0].partitions[0].replicas, [1, 2]),
  },
  {
    api: 'listPartitionReassignments', versions: [0], args: () => ({ topics: [{ topic: 'orders', partitions: [0, 1] }] }),
    check: (t, b) => t.same(b.topics[0].partitionIndexes, [0, 1]),
  },
];

for (const c of cases) {
  for (const v of c.versions) {
    t.test(`${c.api} v${v} request from kafkajs`, async (t) => {
      const request = kjsRequest(c.api, v)(c.args(v));
      const { buffer } = await createRequest({ correlationId: 4242, clientId: 'kafkajs-golden', request });
      t.equal(buffer.readInt32BE(0), buffer.length - 4, 'kafkajs size prefix');
      const { header, body } = decodeRequest(buffer.subarray(4));
      t.equal(header.apiKey, request.apiKey);
      t.equal(header.apiVersion, v);
      t.equal(header.correlationId, 4242);
      t.equal(header.clientId, 'kafkajs-golden');
      c.check(t, body as Body, v);
      const again = encodeRequest(header.apiKey, v, 4242, 'kafkajs-golden', body);
      t.ok(again.equals(buffer), 're-encoding gives kafkajs bytes');
    });
  }
}

// ---- responses encoded by kts, decoded by kafkajs ------------------------------------

type KjsResponse = { decode: (payload: Buffer) => Promise<Body>; parse: (data: Body) => Promise<Body> };
function kjsResponse(api: string, version: number): KjsResponse {
  return require(`${KJS}/requests/${api}/v${version}/response.js`) as KjsResponse;
}

/** kafkajs reads the body after the size and correlation id (it never uses flexible versions). */
function forKafkajs(apiKey: number, v: number, body: unknown): Buffer {
  const frame = encodeResponse(apiKey, v, 99, body);
  t.equal(frame.readInt32BE(4), 99);
  return frame.subarray(8);
}

async function batchFromKafkajs(): Promise<Buffer> {
  const request = kjsRequest('produce', 7)({
    acks: 1, timeout: 100, topicData: [{ topic: 'orders', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v1', timestamp: TS }, { key: 'k', value: 'v2', timestamp: TS }] }] }],
  });
  const { buffer } = await createRequest({ correlationId: 1, clientId: 'x', request });
  const body = decodeRequest(buffer.subarray(4)).body as ProduceRequest;
  return body.topicData[0]!.partitionData[0]!.records!;
}

t.test('kafkajs decodes kts ApiVersions responses v0-2', async (t) => {
  for (const v of range(0, 2)) {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 };
    const decoded = await kjsResponse('apiVersions', v).decode(forKafkajs(18, v, body));
    t.same(decoded.apiVersions, body.apiKeys, `v${v}`);
  }
});

t.test('kafkajs decodes kts Metadata responses v0-6', async (t) => {
  for (const v of range(0, 6)) {
    const body = {
      throttleTimeMs: 0, brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }], clusterId: 'kts-cluster', controllerId: 1,
      topics: [{ errorCode: 0, name: 'orders', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }],
    };
    const decoded = await kjsResponse('metadata', v).decode(forKafkajs(3, v, body));
    t.equal(decoded.brokers[0].host, '127.0.0.1', `v${v} broker`);
    t.equal(decoded.topicMetadata[0].topic, 'orders', `v${v} topic`);
    t.same(decoded.topicMetadata[0].partitionMetadata[0].replicas, [1], `v${v} replicas`);
  }
});

t.test('kafkajs decodes kts Produce responses v3-7', async (t) => {
  for (const v of range(3, 7)) {
    const body = { responses: [{ name: 'orders', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 1234, logAppendTimeMs: -1, logStartOffset: 0 }] }], throttleTimeMs: 0 };
    const decoded = await kjsResponse('produce', v).decode(forKafkajs(0, v, body));
    t.equal(decoded.topics[0].topicName, 'orders', `v${v}`);
    t.equal(String(decoded.topics[0].partitions[0].baseOffset), '1234', `v${v} base offset`);
  }
});

t.test('kafkajs decodes kts Fetch responses v4-11 with record batches', async (t) => {
  const records = await batchFromKafkajs();
  for (const v of range(4, 11)) {
    const body = {
      throttleTimeMs: 0, errorCode: 0, sessionId: 0,
      responses: [{ topic: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 2, lastStableOffset: 2, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records }] }],
    };
    const decoded = await kjsResponse('fetch', v).decode(forKafkajs(1, v, body));
    const p = decoded.responses[0].partitions[0];
    t.equal(p.highWatermark, '2', `v${v} high watermark`);
    t.same(p.messages.map((m: Body) => m.value.toString()), ['v1', 'v2'], `v${v} records`);
  }
});

t.test('kafkajs decodes kts ListOffsets responses v1-3', async (t) => {
  for (const v of range(1, 3)) {
    const body = { throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 55 }] }] };
    const decoded = await kjsResponse('listOffsets', v).decode(forKafkajs(2, v, body));
    t.equal(decoded.responses[0].partitions[0].offset, '55', `v${v}`);
  }
});

t.test('kafkajs decodes kts group responses', async (t) => {
  const fc = await kjsResponse('findCoordinator', 2).decode(forKafkajs(10, 2, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'localhost', port: 9092 }));
  t.same(fc.coordinator, { nodeId: 1, host: 'localhost', port: 9092 });
  const jg = await kjsResponse('joinGroup', 5).decode(forKafkajs(11, 5, {
    throttleTimeMs: 0, errorCode: 0, generationId: 4, protocolName: 'RoundRobinAssigner', leader: 'm-1', memberId: 'm-1',
    members: [{ memberId: 'm-1', groupInstanceId: null, metadata: Buffer.from([1, 2]) }],
  }));
  t.equal(jg.generationId, 4);
  t.equal(jg.groupProtocol, 'RoundRobinAssigner');
  t.same(jg.members[0].memberMetadata, Buffer.from([1, 2]));
  const sg = await kjsResponse('syncGroup', 3).decode(forKafkajs(14, 3, { throttleTimeMs: 0, errorCode: 0, assignment: Buffer.from([7]) }));
  t.same(sg.memberAssignment, Buffer.from([7]));
  const of = await kjsResponse('offsetFetch', 4).decode(forKafkajs(9, 4, {
    throttleTimeMs: 0, errorCode: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 17, metadata: null, errorCode: 0 }] }],
  }));
  t.equal(of.responses[0].partitions[0].offset, '17');
});

t.test('consumer protocol subscription and assignment match kafkajs', async (t) => {
  const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js') as {
    MemberMetadata: { encode: (a: unknown) => Buffer; decode: (b: Buffer) => Body };
    MemberAssignment: { encode: (a: unknown) => Buffer; decode: (b: Buffer) => Body };
  };
  const sub = MemberMetadata.encode({ version: 0, topics: ['orders', 'payments'], userData: Buffer.from([5]) });
  const decoded = decodeSubscription(sub);
  t.equal(decoded.version, 0);
  t.same(decoded.value.topics, ['orders', 'payments']);
  t.same(decoded.value.userData, Buffer.from([5]));
  t.ok(encodeSubscription(0, decoded.value).equals(sub), 'subscription bytes equal');

  const asg = MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [1] } });
  const a = decodeAssignment(asg);
  t.same(a.value.assignedPartitions, [{ topic: 'orders', partitions: [0, 2] }, { topic: 'payments', partitions: [1] }]);
  t.ok(encodeAssignment(0, a.value).equals(asg), 'assignment bytes equal');
  const back = MemberAssignment.decode(encodeAssignment(1, { assignedPartitions: [{ topic: 'orders', partitions: [3] }], userData: null }));
  t.same(back.assignment, { orders: [3] }, 'kafkajs reads a kts v1 assignment');
  t.same(decodeAssignment(Buffer.alloc(0)).value.assignedPartitions, [], 'empty assignment bytes');

  // a newer subscription version than we know decodes with our newest (fields are only appended)
  const future = Buffer.concat([Buffer.from([0, 9]), encodeSubscription(3, { topics: ['t'], userData: null, rackId: 'r1' }).subarray(2), Buffer.from([1, 2, 3])]);
  const f = decodeSubscription(future);
  t.equal(f.version, 9);
  t.equal(f.value.rackId, 'r1');
});
