/**
 * The controller's ZooKeeper port (zk-port.ts) over the zk layer's KafkaZkClient: the same
 * znodes and fencing, in the shapes the controller's flows use. Errors that mean "another
 * controller took over" become the controller's ControllerMovedError.
 */
import { ControllerMovedError as ZkControllerMovedError, type KafkaZkClient } from '../zk/index.js';
import { ControllerMovedError } from './env.js';
import { tpKey, type BrokerRegistration, type CasResult, type ControllerFence, type ControllerZk, type TopicPartition, type ZkPartitionState } from './zk-port.js';

async function fenced<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ZkControllerMovedError) throw new ControllerMovedError(err.message);
    throw err;
  }
}

function casOf(r: { zkVersion: number } | { error: string } | undefined): CasResult {
  if (r && 'zkVersion' in r) return { ok: true, zkVersion: r.zkVersion };
  const reason = r?.error === 'fenced' ? 'fenced' : r?.error === 'noNode' ? 'no-node' : 'bad-version';
  return { ok: false, reason };
}

function splitKey(key: string): TopicPartition {
  const dash = key.lastIndexOf('-');
  return { topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)) };
}

export function controllerZkOf(zk: KafkaZkClient): ControllerZk {
  const assignmentWatches = new Map<string, () => void>();
  const stateWatches = new Map<string, () => void>();
  const brokerWatches = new Map<number, () => void>();
  const zkFence = (f: ControllerFence) => ({ epochZkVersion: f.epochZkVersion });
  return {
    getControllerId: async () => (await zk.getControllerId()) ?? null,
    watchController: (h) => void zk.watchController(h),
    tryCreateControllerZnode: (id) => zk.tryCreateControllerZnode(id),
    incrementControllerEpoch: () => fenced(() => zk.incrementControllerEpoch()),
    deleteControllerZnode: async (brokerId) => {
      if ((await zk.getControllerId()) === brokerId) await zk.deleteControllerZnode();
    },
    getAllBrokers: async (): Promise<BrokerRegistration[]> =>
      (await zk.getAllBrokers()).map((b) => ({ id: b.id, endpoints: b.endpoints, rack: b.rack ?? null, epoch: b.epoch === undefined ? -1 : Number(b.epoch) })),
    watchBrokerIds: (h) => void zk.watchBrokerIds(h),
    // Once per broker id: addLiveBroker runs on every failover and broker bounce, and a
    // persistent watch per call would pile up (one more BrokerModifications event each time).
    watchBroker: (id, h) => {
      if (!brokerWatches.has(id)) brokerWatches.set(id, zk.watchBroker(id, h));
    },
    getAllTopics: () => zk.getAllTopics(),
    watchTopics: (h) => void zk.watchTopics(h),
    getReplicaAssignment: async (topics) => new Map([...(await zk.getReplicaAssignment([...topics]))].map(([t, z]) => [t, z.assignment])),
    watchTopicAssignment: (topic, h) => {
      if (!assignmentWatches.has(topic)) assignmentWatches.set(topic, zk.watchTopicAssignment(topic, h));
    },
    unwatchTopicAssignment: (topic) => {
      assignmentWatches.get(topic)?.();
      assignmentWatches.delete(topic);
    },
    setReplicaAssignment: async (topic, assignment, fence) => {
      const copy = new Map([...assignment].map(([p, r]) => [p, [...r]]));
      await fenced(() => zk.setReplicaAssignment(topic, copy, -1, zkFence(fence)));
    },
    getPartitionStates: async (tps) => {
      const found = await zk.getPartitionStates([...tps]);
      const out = new Map<string, ZkPartitionState>();
      for (const tp of tps) {
        const s = found.get(tpKey(tp.topic, tp.partition));
        if (s) out.set(tpKey(tp.topic, tp.partition), { ...s.state, zkVersion: s.zkVersion });
      }
      return out;
    },
    createPartitionStates: async (states, fence) => {
      const list = [...states].map(([key, state]) => ({ tp: splitKey(key), state }));
      const results = await fenced(() => zk.createPartitionStates(list, zkFence(fence)));
      return new Map(list.map(({ tp }) => [tpKey(tp.topic, tp.partition), casOf(results.get(tpKey(tp.topic, tp.partition)) as { zkVersion: number } | { error: string } | undefined)]));
    },
    updatePartitionStates: async (states, fence) => {
      const list = [...states].map(([key, s]) => ({
        tp: splitKey(key),
        state: { leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, controllerEpoch: s.controllerEpoch },
        expectedZkVersion: s.zkVersion,
      }));
      const results = await fenced(() => zk.updatePartitionStates(list, zkFence(fence)));
      return new Map(list.map(({ tp }) => [tpKey(tp.topic, tp.partition), casOf(results.get(tpKey(tp.topic, tp.partition)))]));
    },
    getTopicConfig: (topic) => zk.getEntityConfig('topics', topic),
    getTopicDeletions: () => zk.getTopicDeletions(),
    watchTopicDeletions: (h) => void zk.watchTopicDeletions(h),
    deleteTopicDeletions: (topics, fence) => fenced(() => zk.deleteTopicDeletions([...topics], zkFence(fence))),
    deleteTopicZnodes: (topic, fence) => fenced(() => zk.deleteTopicZnodes(topic, zkFence(fence))),
    getPartitionReassignment: async () => new Map([...(await zk.getPartitionReassignment())].map(([key, r]) => [key, r.replicas])),
    watchPartitionReassignment: (h) => void zk.watchPartitionReassignment(h),
    setOrDeletePartitionReassignment: (remaining, fence) =>
      fenced(() => zk.setOrDeletePartitionReassignment(new Map([...remaining].map(([key, replicas]) => [key, { ...splitKey(key), replicas: [...replicas] }])), zkFence(fence))),
    watchPartitionState: (tp, h) => {
      const key = tpKey(tp.topic, tp.partition);
      if (!stateWatches.has(key)) stateWatches.set(key, zk.watchPartitionState(tp.topic, tp.partition, h));
    },
    unwatchPartitionState: (tp) => {
      const key = tpKey(tp.topic, tp.partition);
      stateWatches.get(key)?.();
      stateWatches.delete(key);
    },
    getPreferredReplicaElection: () => zk.getPreferredReplicaElection(),
    watchPreferredReplicaElection: (h) => void zk.watchPreferredReplicaElection(h),
    deletePreferredReplicaElection: (fence) => fenced(() => zk.deletePreferredReplicaElection(zkFence(fence))),
    getIsrChangeNotifications: async () => (await zk.getIsrChangeNotifications()).map((n) => ({ name: n.seq, partitions: n.partitions })),
    watchIsrChangeNotifications: (h) => void zk.watchIsrChangeNotifications(h),
    deleteIsrChangeNotifications: (names, fence) => fenced(() => zk.deleteIsrChangeNotifications([...names], zkFence(fence))),
    getLogDirEventNotifications: async () => (await zk.getLogDirEventNotifications()).map((n) => ({ name: n.seq, brokerId: n.brokerId })),
    watchLogDirEventNotifications: (h) => void zk.watchLogDirEventNotifications(h),
    deleteLogDirEventNotifications: (names, fence) => fenced(() => zk.deleteLogDirEventNotifications([...names], zkFence(fence))),
    onSessionExpired: (h) => zk.onSessionExpired(h),
    onNewSession: (h) => zk.onNewSession(h),
  };
}
