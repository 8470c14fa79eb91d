// The controller's request batch: flush order (LeaderAndIsr, UpdateMetadata, StopReplica),
// UpdateMetadata for every live broker with each LeaderAndIsr, leader -2 for topics being
// deleted, and bodies that encode and decode with kts's codec at every version from the
// flat v0/v1 (Kafka 1.1) to the newest kts sends. The channel here only records what it
// is given; the real channel is exercised against Kafka 1.1 and kts brokers in
// kafka11-under-kts-controller.test.ts and test/cluster/.
import t from 'tap';
import { ControllerContext } from '../../src/controller/context.js';
import { ControllerBrokerRequestBatch } from '../../src/controller/request-batch.js';
import { NEWEST_CONTROLLER_VERSIONS } from '../../src/controller/versions.js';
import type { ControllerChannelManager, ControllerRequest } from '../../src/controller/channel-manager.js';
import { decodeRequest, encodeRequest } from '../../src/protocol/codec.js';
import { memoryLogger } from '../../src/util/logger.js';

function setup() {
  const context = new ControllerContext();
  context.epoch = 7;
  for (const id of [1, 2, 3]) {
    context.liveBrokers.set(id, { id, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9090 + id }], rack: id === 3 ? 'r3' : null, epoch: 100 + id });
  }
  context.setReplicas({ topic: 't', partition: 0 }, [1, 2, 3]);
  context.setReplicas({ topic: 'gone', partition: 0 }, [2, 3]);
  context.setLeaderIsr({ topic: 't', partition: 0 }, { leader: 1, leaderEpoch: 4, isr: [1, 2], controllerEpoch: 7, zkVersion: 9 });
  context.setLeaderIsr({ topic: 'gone', partition: 0 }, { leader: 2, leaderEpoch: 1, isr: [2, 3], controllerEpoch: 6, zkVersion: 3 });
  context.topicsToDelete.add('gone');
  const sent: { brokerId: number; request: ControllerRequest }[] = [];
  const channels = {
    send: (brokerId: number, request: ControllerRequest) => sent.push({ brokerId, request }),
    endpointOf: (r: { endpoints: { listenerName: string; host: string; port: number; securityProtocol: string }[] }) => r.endpoints[0],
  } as unknown as ControllerChannelManager;
  const deleted: string[] = [];
  const batch = new ControllerBrokerRequestBatch({
    controllerId: 1,
    context,
    channels,
    versions: NEWEST_CONTROLLER_VERSIONS,
    log: memoryLogger(),
    onStopReplicaDeleted: (b, tp, code) => deleted.push(`${b}:${tp.topic}-${tp.partition}:${code}`),
  });
  return { context, batch, sent, deleted };
}

t.test('flush order and who gets what', async (t) => {
  const { batch, sent, context } = setup();
  batch.addStopReplica([3], { topic: 'gone', partition: 0 }, true);
  batch.addLeaderAndIsr([1, 2], { topic: 't', partition: 0 }, context.leaderIsr({ topic: 't', partition: 0 })!, [1, 2, 3], true);
  batch.send();
  t.same(sent.map((s) => `${s.request.name}->${s.brokerId}`), [
    'LeaderAndIsr->1', 'LeaderAndIsr->2',
    'UpdateMetadata->1', 'UpdateMetadata->2', 'UpdateMetadata->3',
    'StopReplica->3',
  ]);
  t.ok(batch.isEmpty, 'the batch is empty after sending');
});

t.test('every version encodes and decodes', async (t) => {
  const { batch, sent, context } = setup();
  batch.addLeaderAndIsr([1], { topic: 't', partition: 0 }, context.leaderIsr({ topic: 't', partition: 0 })!, [1, 2, 3], true);
  batch.addUpdateMetadata([1], [{ topic: 'gone', partition: 0 }]);
  batch.addStopReplica([2], { topic: 'gone', partition: 0 }, true);
  batch.send();
  const byName = new Map(sent.map((s) => [s.request.name, s.request]));
  const maxOf: Record<string, number> = { LeaderAndIsr: 4, UpdateMetadata: 6, StopReplica: 3 };
  for (const [name, request] of byName) {
    t.equal(request.maxVersion, maxOf[name], `${name} capped at v${maxOf[name]}`);
    for (let v = 0; v <= request.maxVersion; v++) {
      const frame = encodeRequest(request.apiKey, v, 1, 'controller-1', request.build(v));
      const { header, body } = decodeRequest(frame.subarray(4));
      t.equal(header.apiVersion, v);
      const b = body as Record<string, unknown>;
      t.equal(b.controllerEpoch, 7, `${name} v${v} carries the controller epoch`);
      if (name === 'LeaderAndIsr') {
        const states = v <= 1 ? (b.ungroupedPartitionStates as Record<string, unknown>[]) : (b.topicStates as { partitionStates: Record<string, unknown>[] }[])[0]!.partitionStates;
        t.match(states[0], { partitionIndex: 0, leader: 1, leaderEpoch: 4, isr: [1, 2], partitionEpoch: 9, replicas: [1, 2, 3] }, `LeaderAndIsr v${v}`);
        if (v >= 1) t.equal(states[0]!.isNew, true);
        t.same(b.liveLeaders, [{ brokerId: 1, hostName: '127.0.0.1', port: 9091 }]);
      }
      if (name === 'UpdateMetadata') {
        const flat: Record<string, unknown>[] = v <= 4
          ? (b.ungroupedPartitionStates as Record<string, unknown>[])
          : (b.topicStates as { topicName: string; partitionStates: Record<string, unknown>[] }[]).flatMap((ts) => ts.partitionStates.map((p) => ({ ...p, topicName: ts.topicName })));
        t.match(flat.find((p) => p.topicName === 'gone'), { partitionIndex: 0, leader: -2, zkVersion: 3 }, `UpdateMetadata v${v}: leader -2 while deleting`);
        t.match(flat.find((p) => p.topicName === 't'), { partitionIndex: 0, leader: 1, zkVersion: 9 }, `UpdateMetadata v${v}: the LeaderAndIsr partition too`);
        if (v >= 4) t.same(flat.find((p) => p.topicName === 't')!.offlineReplicas, []);
        t.equal((b.liveBrokers as unknown[]).length, 3);
        if (v >= 2) t.equal((b.liveBrokers as { rack: string | null }[])[2]!.rack, 'r3');
      }
      if (name === 'StopReplica') {
        if (v === 0) t.same(b.ungroupedPartitions, [{ topicName: 'gone', partitionIndex: 0 }]);
        else if (v <= 2) t.same(b.topics, [{ name: 'gone', partitionIndexes: [0] }]);
        else t.same(b.topicStates, [{ topicName: 'gone', partitionStates: [{ partitionIndex: 0, leaderEpoch: -2, deletePartition: true }] }]);
        if (v <= 2) t.equal(b.deletePartitions, true);
      }
    }
  }
});

t.test('StopReplica(delete) answers reach topic deletion per partition', async (t) => {
  const { batch, sent, deleted } = setup();
  batch.addStopReplica([2], { topic: 'gone', partition: 0 }, true);
  batch.send();
  sent[0]!.request.onResponse?.({ errorCode: 0, partitionErrors: [{ topicName: 'gone', partitionIndex: 0, errorCode: 0 }] }, 0);
  sent[0]!.request.onResponse?.({ errorCode: 0, partitionErrors: [{ topicName: 'gone', partitionIndex: 0, errorCode: 56 }] }, 0);
  t.same(deleted, ['2:gone-0:0', '2:gone-0:56']);
});
