// KafkaZkClient against a real ZooKeeper (Debian's 3.8 server): the znodes Kafka's layout
// needs, compare-and-set, controller-epoch fencing, node-zookeeper-client bug #67. One server
// for the file; each subtest works under its own chroot so they do not see each other.
import t from 'tap';
import { needsZookeeper, startZooKeeper, type ZooKeeperServer } from '../helpers/zookeeper.js';
import {
  BrokerIdInUseError,
  ClusterIdMismatchError,
  ControllerMovedError,
  KafkaZkClient,
  ReassignmentInProgressError,
  PreferredElectionInProgressError,
  TopicExistsError,
  ZkCode,
  ZkMultiError,
  checkClusterId,
} from '../../src/zk/index.js';
import { memoryLogger } from '../../src/util/logger.js';
import { waitFor } from '../helpers/cluster-checks.js';

t.test('KafkaZkClient on a real ZooKeeper', { skip: needsZookeeper }, async (t) => {
  const server: ZooKeeperServer = await startZooKeeper(t);
  let n = 0;
  const open = async (tt: { teardown(fn: () => unknown): void }, chroot?: string): Promise<KafkaZkClient> => {
    const zk = await KafkaZkClient.connect({ connect: `${server.connect}${chroot ?? `/t${++n}`}`, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: memoryLogger() });
    tt.teardown(() => zk.close());
    return zk;
  };

  t.test('chroot, top-level paths, cluster id', async (t) => {
    const zk = await open(t, '/kafka/c1');
    await zk.createTopLevelPaths();
    for (const p of ['/consumers', '/brokers/ids', '/brokers/topics', '/brokers/seqid', '/config/changes', '/admin/delete_topics', '/isr_change_notification', '/latest_producer_id_block', '/log_dir_event_notification', '/config/topics', '/config/clients', '/config/users', '/config/brokers']) {
      t.ok(await zk.zk.exists(p), `${p} exists`);
    }
    const root = await open(t, '');
    t.ok(await root.zk.exists('/kafka/c1/brokers/ids'), 'created under the chroot');
    t.equal(await zk.getOrCreateClusterId('first-id'), 'first-id');
    t.equal(await zk.getOrCreateClusterId('second-id'), 'first-id', 'the first broker’s id wins');
    t.same(JSON.parse((await zk.zk.getData('/cluster/id'))!.data!.toString()), { version: '1', id: 'first-id' });
    t.doesNotThrow(() => checkClusterId('first-id', 'first-id', '/d/meta.properties', zk.connectString));
    t.doesNotThrow(() => checkClusterId('first-id', undefined, '/d/meta.properties', zk.connectString));
    t.throws(() => checkClusterId('first-id', 'other-id', '/d/meta.properties', zk.connectString), ClusterIdMismatchError);
    try {
      checkClusterId('first-id', 'other-id', '/d/meta.properties', zk.connectString);
    } catch (err) {
      t.match((err as Error).message, /first-id.*other-id.*\/d\/meta.properties.*wrong cluster/);
    }
  });

  t.test('broker id generation from /brokers/seqid', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    t.equal(await zk.generateBrokerId(1000), 1001);
    t.equal(await zk.generateBrokerId(1000), 1002);
    t.equal((await zk.zk.exists('/brokers/seqid'))!.version, 2);
  });

  t.test('broker registration, epoch, watch, id in use', async (t) => {
    const chroot = `/t${++n}`;
    const a = await open(t, chroot);
    const b = await open(t, chroot);
    await a.createTopLevelPaths();
    let changes = 0;
    b.watchBrokerIds(() => changes++);
    // A round trip on b's session: the watch it armed is in place on the server before a's change (another session).
    await b.zk.exists('/brokers/ids');
    const epoch = await a.registerBroker({ id: 1, rack: 'r1', endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19091 }] });
    t.type(epoch, 'bigint');
    const raw = await a.zk.getData('/brokers/ids/1');
    t.equal(raw!.stat.czxid, epoch, 'broker epoch = czxid');
    t.equal(raw!.stat.ephemeralOwner, a.zk.sessionId, 'ephemeral, owned by the registering session');
    const json = JSON.parse(raw!.data!.toString());
    t.same(Object.keys(json).sort(), ['endpoints', 'host', 'jmx_port', 'listener_security_protocol_map', 'port', 'rack', 'timestamp', 'version']);
    t.equal(json.version, 4);
    t.type(json.timestamp, 'string');
    await waitFor('broker watch', () => changes === 1);
    const err = await b.registerBroker({ id: 1, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19092 }] }).catch((e: unknown) => e);
    t.type(err, BrokerIdInUseError);
    t.match((err as Error).message, /broker\.id 1 is already registered.*PLAINTEXT:\/\/127\.0\.0\.1:19091/, 'names the holder’s endpoint');
    t.equal(await a.registerBroker({ id: 1, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19091 }] }), epoch, 'a retried registration in the same session is accepted');
    const all = await b.getAllBrokers();
    t.same(all.map((x) => [x.id, x.rack, x.epoch]), [[1, 'r1', epoch]]);
    await a.close();
    await waitFor('broker removal seen', () => changes === 2);
    t.same(await b.getAllBrokers(), [], 'the ephemeral registration went with the session');
    t.equal(await b.getBroker(1), undefined);
  });

  t.test('zookeeper.max.in.flight.requests bounds the pipeline without losing requests', async (t) => {
    const zk = await KafkaZkClient.connect({ connect: `${server.connect}/t${++n}`, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, maxInFlightRequests: 2, log: memoryLogger() });
    t.teardown(() => zk.close());
    await zk.createTopLevelPaths();
    const names = Array.from({ length: 60 }, (_, i) => `t${i}`);
    await Promise.all(names.map((name) => zk.createTopic(name, new Map([[0, [1]]]), {})));
    const read = await zk.getReplicaAssignment(names);
    t.equal(read.size, 60, 'every one of 60 concurrent topic creations and reads answered');
    t.same((await zk.getAllTopics()).length, 60);
  });

  t.test('bug #67: a multi check with version 0 is a real check', async (t) => {
    const zk = await open(t);
    await zk.zk.create('/v', Buffer.from('a'));
    await zk.zk.setData('/v', Buffer.from('b'), 0);
    const err = await zk.zk.multi([{ type: 'check', path: '/v', version: 0 }, { type: 'setData', path: '/v', data: Buffer.from('c'), version: -1 }]).catch((e: unknown) => e);
    t.type(err, ZkMultiError, 'check(version 0) on a version-1 znode fails');
    t.equal((err as ZkMultiError).failedIndex, 0);
    t.equal((err as ZkMultiError).zkCode, ZkCode.BAD_VERSION);
    t.equal((await zk.zk.getData('/v'))!.data!.toString(), 'b', 'nothing written');
    const err2 = await zk.zk.multi([{ type: 'setData', path: '/v', data: Buffer.from('c'), version: 0 }]).catch((e: unknown) => e);
    t.type(err2, ZkMultiError, 'setData(version 0) in a multi is a real compare-and-set');
    const err3 = await zk.zk.multi([{ type: 'delete', path: '/v', version: 0 }]).catch((e: unknown) => e);
    t.type(err3, ZkMultiError, 'delete(version 0) in a multi too');
    const ok = await zk.zk.multi([{ type: 'check', path: '/v', version: 1 }, { type: 'setData', path: '/v', data: Buffer.from('c'), version: 1 }, { type: 'create', path: '/w', data: null }]);
    t.equal(ok.length, 3);
    t.equal((await zk.zk.getData('/v'))!.stat.version, 2);
    t.ok(await zk.zk.exists('/w'));
  });

  t.test('controller election and epoch fencing', async (t) => {
    const chroot = `/t${++n}`;
    const a = await open(t, chroot);
    const b = await open(t, chroot);
    await a.createTopLevelPaths();
    let controllerEvents = 0;
    b.watchController(() => controllerEvents++);
    t.equal(await a.getControllerId(), undefined);
    t.equal(await a.tryCreateControllerZnode(1), true);
    t.equal(await b.tryCreateControllerZnode(2), false, 'one controller at a time');
    t.equal(await b.getControllerId(), 1);
    const first = await a.incrementControllerEpoch();
    t.same(first, { epoch: 1, epochZkVersion: 0 }, 'created as "1" at version 0');
    t.equal((await a.zk.getData('/controller_epoch'))!.data!.toString(), '1');
    await waitFor('controller watch', () => controllerEvents >= 1);

    // The state znode a controller writes behind its fence.
    const tp = { topic: 'fenced', partition: 0 };
    await a.createTopic('fenced', new Map([[0, [1, 2]]]), {});
    const created = await a.createPartitionStates([{ tp, state: { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 } }], { epochZkVersion: first.epochZkVersion });
    t.same(created.get('fenced-0'), { zkVersion: 0 });
    t.same((await a.createPartitionStates([{ tp, state: { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 } }], first)).get('fenced-0'), { error: 'exists' });

    // b takes over: the controller znode goes (a's resignation), b bumps the epoch.
    await a.deleteControllerZnode();
    t.equal(await b.tryCreateControllerZnode(2), true);
    const second = await b.incrementControllerEpoch();
    t.same(second, { epoch: 2, epochZkVersion: 1 });
    const zombie = await a.updatePartitionStates([{ tp, state: { leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 1 }, expectedZkVersion: 0 }], first);
    t.same(zombie.get('fenced-0'), { error: 'fenced' }, 'the old controller (fence at version 0) cannot write');
    t.same((await a.getPartitionStates([tp])).get('fenced-0')?.state.isr, [1, 2], 'state unchanged');
    await t.rejects(a.incrementControllerEpoch.call({ ...a, getControllerEpoch: async () => ({ epoch: 1, epochZkVersion: 0 }), zk: a.zk } as unknown as KafkaZkClient), ControllerMovedError, 'a CAS from a stale epoch version: ControllerMovedError');
    await t.rejects(a.deleteTopicZnodes('fenced', first), ControllerMovedError);
    await t.rejects(a.setReplicaAssignment('fenced', new Map([[0, [2, 1]]]), 0, first), ControllerMovedError);
    const good = await b.updatePartitionStates([{ tp, state: { leader: 2, leaderEpoch: 1, isr: [2, 1], controllerEpoch: 2 }, expectedZkVersion: 0 }], second);
    t.same(good.get('fenced-0'), { zkVersion: 1 });
  });

  t.test('topics: create, assignment, partition state compare-and-set', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    let topicEvents = 0;
    zk.watchTopics(() => topicEvents++);
    const assignment = new Map([[0, [1, 3]], [1, [2, 1]], [2, [3, 2]]]);
    await zk.createTopic('t1', assignment, { 'min.insync.replicas': '2' });
    await t.rejects(zk.createTopic('t1', assignment, {}), TopicExistsError);
    t.same(JSON.parse((await zk.zk.getData('/brokers/topics/t1'))!.data!.toString()), { version: 1, partitions: { 0: [1, 3], 1: [2, 1], 2: [3, 2] } });
    t.same(await zk.getEntityConfig('topics', 't1'), { 'min.insync.replicas': '2' }, 'config written (first)');
    t.same(await zk.getAllTopics(), ['t1']);
    await waitFor('topic watch', () => topicEvents === 1);
    const got = (await zk.getReplicaAssignment(['t1', 'missing'])).get('t1');
    t.same([...got!.assignment], [...assignment]);
    t.equal(got!.zkVersion, 0);
    t.notOk((await zk.getReplicaAssignment(['missing'])).has('missing'));

    let assignmentEvents = 0;
    zk.watchTopicAssignment('t1', () => assignmentEvents++);
    // A newer Kafka's fields survive a rewrite.
    await zk.zk.setData('/brokers/topics/t1', Buffer.from('{"version":3,"topic_id":"abcdefghijklmnopqrstuv","partitions":{"0":[1,3],"1":[2,1],"2":[3,2]},"adding_replicas":{},"removing_replicas":{}}'), -1);
    const v = await zk.setReplicaAssignment('t1', new Map([...assignment, [3, [1, 2]]]), 1);
    t.equal(v, 2);
    const rewritten = JSON.parse((await zk.zk.getData('/brokers/topics/t1'))!.data!.toString());
    t.equal(rewritten.topic_id, 'abcdefghijklmnopqrstuv', 'topic_id kept');
    t.same(rewritten.partitions['3'], [1, 2]);
    await t.rejects(zk.setReplicaAssignment('t1', assignment, 1), /BAD_VERSION/);
    await waitFor('assignment watch', () => assignmentEvents >= 2);

    const epoch = await zk.incrementControllerEpoch();
    const tps = [0, 1, 2].map((p) => ({ topic: 't1', partition: p }));
    const states = tps.map((tp) => ({ tp, state: { leader: assignment.get(tp.partition)![0]!, leaderEpoch: 0, isr: assignment.get(tp.partition)!, controllerEpoch: epoch.epoch } }));
    await zk.createPartitionStates(states, epoch);
    t.equal((await zk.zk.getData('/brokers/topics/t1/partitions/0/state'))!.data!.toString(), `{"controller_epoch":${epoch.epoch},"leader":1,"version":1,"leader_epoch":0,"isr":[1,3]}`);
    const read = await zk.getPartitionStates([...tps, { topic: 't1', partition: 9 }]);
    t.equal(read.size, 3);
    t.same(read.get('t1-1'), { state: { leader: 2, leaderEpoch: 0, isr: [2, 1], controllerEpoch: epoch.epoch }, zkVersion: 0 });
    // The leader's ISR shrink (no fence), then a stale writer.
    const shrink = { tp: tps[0]!, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: epoch.epoch }, expectedZkVersion: 0 };
    t.same((await zk.updatePartitionStates([shrink])).get('t1-0'), { zkVersion: 1 });
    t.same((await zk.updatePartitionStates([shrink])).get('t1-0'), { zkVersion: 1 }, 'a retry of a write that landed counts as done (read-back check)');
    t.same((await zk.updatePartitionStates([{ ...shrink, state: { ...shrink.state, isr: [1, 3] } }])).get('t1-0'), { error: 'badVersion' });
    t.same((await zk.updatePartitionStates([{ ...shrink, tp: { topic: 't1', partition: 7 } }])).get('t1-7'), { error: 'noNode' });
  });

  t.test('topic deletion znodes', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    const fence = await zk.incrementControllerEpoch();
    await zk.createTopic('gone', new Map([[0, [1]], [1, [1]]]), { 'retention.ms': '1000' });
    await zk.createPartitionStates([0, 1].map((p) => ({ tp: { topic: 'gone', partition: p }, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 } })), fence);
    let deletions = 0;
    zk.watchTopicDeletions(() => deletions++);
    t.equal(await zk.createTopicDeletion('gone'), true);
    t.equal(await zk.createTopicDeletion('gone'), false, 'already marked');
    t.same(await zk.getTopicDeletions(), ['gone']);
    await waitFor('deletion watch', () => deletions === 1);
    await zk.deleteTopicZnodes('gone', fence);
    t.equal(await zk.zk.exists('/brokers/topics/gone'), undefined);
    t.equal(await zk.zk.exists('/config/topics/gone'), undefined);
    await zk.deleteTopicDeletions(['gone'], fence);
    t.same(await zk.getTopicDeletions(), []);
    await zk.deleteTopicZnodes('gone', fence);
  });

  t.test('reassignment and preferred election znodes', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    const fence = await zk.incrementControllerEpoch();
    let events = 0;
    zk.watchPartitionReassignment(() => events++);
    t.same(await zk.getPartitionReassignment(), new Map());
    const m = new Map([['t1-0', { topic: 't1', partition: 0, replicas: [2, 3] }], ['t1-1', { topic: 't1', partition: 1, replicas: [3, 1] }]]);
    await zk.createPartitionReassignment(m);
    await t.rejects(zk.createPartitionReassignment(m), ReassignmentInProgressError);
    await waitFor('reassignment created', () => events === 1);
    t.same([...(await zk.getPartitionReassignment()).keys()], ['t1-0', 't1-1']);
    m.delete('t1-0');
    await zk.setOrDeletePartitionReassignment(m, fence);
    t.same([...(await zk.getPartitionReassignment()).keys()], ['t1-1']);
    await zk.setOrDeletePartitionReassignment(new Map(), fence);
    t.equal(await zk.zk.exists('/admin/reassign_partitions'), undefined, 'deleted when empty');
    await waitFor('reassignment deleted', () => events === 3);

    let ple = 0;
    zk.watchPreferredReplicaElection(() => ple++);
    await zk.createPreferredReplicaElection([{ topic: 't1', partition: 0 }]);
    await t.rejects(zk.createPreferredReplicaElection([{ topic: 't1', partition: 1 }]), PreferredElectionInProgressError);
    t.same(await zk.getPreferredReplicaElection(), [{ topic: 't1', partition: 0 }]);
    await zk.deletePreferredReplicaElection(fence);
    t.same(await zk.getPreferredReplicaElection(), []);
    await waitFor('preferred election watch', () => ple === 2);
  });

  t.test('ISR change notifications', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    let events = 0;
    zk.watchIsrChangeNotifications(() => events++);
    await zk.propagateIsrChanges([{ topic: 't1', partition: 0 }]);
    await zk.propagateIsrChanges([{ topic: 't1', partition: 1 }, { topic: 't2', partition: 0 }]);
    await zk.propagateIsrChanges([]);
    const notes = await zk.getIsrChangeNotifications();
    t.same(notes.map((x) => x.seq), ['isr_change_0000000000', 'isr_change_0000000001']);
    t.same(notes[1]!.partitions, [{ topic: 't1', partition: 1 }, { topic: 't2', partition: 0 }]);
    await waitFor('isr change watch', () => events >= 1);
    await zk.deleteIsrChangeNotifications(notes.map((x) => x.seq));
    t.same(await zk.getIsrChangeNotifications(), []);
  });

  t.test('log dir event notifications', async (t) => {
    const zk = await open(t);
    await zk.createTopLevelPaths();
    const fence = await zk.incrementControllerEpoch();
    let events = 0;
    zk.watchLogDirEventNotifications(() => events++);
    await zk.propagateLogDirEvent(3);
    const notes = await zk.getLogDirEventNotifications();
    t.same(notes, [{ seq: 'log_dir_event_0000000000', brokerId: 3, event: 1 }]);
    t.same(JSON.parse((await zk.zk.getData('/log_dir_event_notification/log_dir_event_0000000000'))!.data!.toString()), { version: 1, broker: 3, event: 1 });
    await waitFor('log dir event watch', () => events >= 1);
    await zk.deleteLogDirEventNotifications(notes.map((n) => n.seq), fence);
    t.same(await zk.getLogDirEventNotifications(), []);
  });

  t.test('entity configs and change notifications', async (t) => {
    const chroot = `/t${++n}`;
    const writer = await open(t, chroot);
    const reader = await open(t, chroot);
    await writer.createTopLevelPaths();
    await writer.setEntityConfig('topics', 'old', { 'retention.ms': '1' });
    const seen: string[] = [];
    reader.watchConfigChanges((type, name) => seen.push(`${type}/${name}`));
    await new Promise((r) => setTimeout(r, 100));
    await writer.setEntityConfig('brokers', '<default>', { 'follower.replication.throttled.rate': '1000000' });
    await writer.setEntityConfig('topics', 't1', { 'cleanup.policy': 'compact' });
    await waitFor('config notifications', () => seen.length === 2);
    t.same(seen, ['brokers/<default>', 'topics/t1'], 'only changes after the watch began, in order');
    t.same(await reader.getEntityConfig('brokers', '<default>'), { 'follower.replication.throttled.rate': '1000000' });
    t.same(await reader.getEntityConfig('users', 'nobody'), {});
    const children = (await reader.zk.getChildren('/config/changes'))!;
    t.same(JSON.parse((await reader.zk.getData(`/config/changes/${children[children.length - 1]}`))!.data!.toString()), { version: 2, entity_path: 'topics/t1' });
  });

  t.test('producer id blocks', async (t) => {
    const chroot = `/t${++n}`;
    const a = await open(t, chroot);
    const b = await open(t, chroot);
    await a.createTopLevelPaths();
    t.same(await a.allocateProducerIdBlock(1), { start: 0n, end: 999n }, 'the empty znode gives the first block');
    const blocks = await Promise.all([a.allocateProducerIdBlock(1), b.allocateProducerIdBlock(2), a.allocateProducerIdBlock(1), b.allocateProducerIdBlock(2)]);
    const starts = blocks.map((x) => x.start).sort((x, y) => (x < y ? -1 : 1));
    t.same(starts, [1000n, 2000n, 3000n, 4000n], 'concurrent allocations never overlap');
    t.same(JSON.parse((await a.zk.getData('/latest_producer_id_block'))!.data!.toString()).block_end, '4999');
  });
});
