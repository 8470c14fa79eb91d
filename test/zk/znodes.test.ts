// Kafka's znode JSON: the captures in ../shared/reference/zk-cluster.md (written by real Kafka
// 1.1.0 brokers and tools) decode, and what kts writes re-encodes to the same fields.
import t from 'tap';
import { decodeBroker, encodeBroker } from '../../src/zk/znodes/brokers.js';
import { decodeClusterId, encodeClusterId } from '../../src/zk/znodes/cluster-id.js';
import { decodeController, decodeControllerEpoch, encodeController, encodeControllerEpoch } from '../../src/zk/znodes/controller.js';
import { decodeTopic, encodeTopic } from '../../src/zk/znodes/topics.js';
import { decodePartitionState, encodePartitionState } from '../../src/zk/znodes/partition-state.js';
import { decodeReassignment, decodePreferredReplicaElection, encodeReassignment, encodePartitionList } from '../../src/zk/znodes/admin.js';
import { decodeIsrChange } from '../../src/zk/znodes/isr-change.js';
import { decodeConfigChange, decodeEntityConfig, encodeConfigChange, encodeEntityConfig } from '../../src/zk/znodes/config.js';
import { decodeProducerIdBlock, encodeProducerIdBlock } from '../../src/zk/znodes/producer-id-block.js';
import { ZnodeDataError } from '../../src/zk/znodes/json.js';

const b = (s: string): Buffer => Buffer.from(s);
const obj = (buf: Buffer): unknown => JSON.parse(buf.toString());

t.test('/cluster/id: version is the string "1"', async (t) => {
  t.equal(decodeClusterId(b('{"version":"1","id":"3g8foYTdSCGjFS2UfKNCsw"}')), '3g8foYTdSCGjFS2UfKNCsw');
  t.same(obj(encodeClusterId('abc')), { version: '1', id: 'abc' });
  t.equal(typeof (obj(encodeClusterId('abc')) as { version: unknown }).version, 'string');
});

t.test('/brokers/ids/N version 4 as Kafka 1.1 writes it', async (t) => {
  const captured = '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:19091"],"jmx_port":-1,"host":"127.0.0.1","timestamp":"1796621094117","port":19091,"version":4}';
  const reg = decodeBroker(1, b(captured));
  t.same(reg.endpoints, [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 19091 }]);
  t.equal(reg.timestampMs, 1796621094117);
  t.same(obj(encodeBroker(reg)), JSON.parse(captured), 'same fields and values, timestamp a string');
  const withRack = obj(encodeBroker({ id: 2, rack: 'r1', endpoints: [{ listenerName: 'INTERNAL', securityProtocol: 'SSL', host: '::1', port: 9093 }] }, 5)) as Record<string, unknown>;
  t.same(withRack, {
    listener_security_protocol_map: { INTERNAL: 'SSL' },
    endpoints: ['INTERNAL://[::1]:9093'],
    jmx_port: -1,
    host: null,
    timestamp: '5',
    port: -1,
    version: 4,
    rack: 'r1',
  }, 'no PLAINTEXT endpoint: host null, port -1; rack kept; IPv6 in brackets');
  t.same(decodeBroker(2, encodeBroker({ id: 2, rack: 'r1', endpoints: [{ listenerName: 'INTERNAL', securityProtocol: 'SSL', host: '::1', port: 9093 }] })).endpoints[0]?.host, '::1');
  t.same(decodeBroker(3, b('{"jmx_port":-1,"timestamp":"1","host":"h","version":1,"port":9092}')).endpoints, [
    { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'h', port: 9092 },
  ], 'version 1');
  t.same(decodeBroker(4, b('{"jmx_port":-1,"timestamp":"1","endpoints":["SSL://h:9093"],"host":null,"version":2,"port":-1}')).endpoints[0]?.securityProtocol, 'SSL', 'version 2');
  t.throws(() => decodeBroker(5, b('{"version":4,"endpoints":["X://h:1"],"listener_security_protocol_map":{}}')), ZnodeDataError);
});

t.test('/controller and /controller_epoch', async (t) => {
  t.equal(decodeController(b('{"version":1,"brokerid":1,"timestamp":"1796621094176"}')), 1);
  t.equal(decodeController(b('7')), 7, 'the bare id older tools wrote');
  t.same(obj(encodeController(3, 42)), { version: 1, brokerid: 3, timestamp: '42' });
  t.equal(encodeControllerEpoch(2).toString(), '2', 'a bare decimal');
  t.equal(decodeControllerEpoch(b('2')), 2);
  t.throws(() => decodeControllerEpoch(b('{"epoch":2}')), ZnodeDataError);
});

t.test('/brokers/topics/T: version 1, and versions 2/3 fields kept', async (t) => {
  const captured = '{"version":1,"partitions":{"2":[3,2],"1":[2,1],"0":[1,3]}}';
  const topic = decodeTopic('t1', b(captured));
  t.same([...topic.assignment], [[0, [1, 3]], [1, [2, 1]], [2, [3, 2]]]);
  t.same(obj(encodeTopic(topic)), JSON.parse(captured));
  const v3 = '{"version":3,"topic_id":"Y6B7Xkn9T6y0w8rW0eFXuA","partitions":{"0":[1,2]},"adding_replicas":{"0":[2]},"removing_replicas":{}}';
  const t3 = decodeTopic('t2', b(v3));
  t.equal(t3.topicId, 'Y6B7Xkn9T6y0w8rW0eFXuA');
  t.same([...t3.addingReplicas!], [[0, [2]]]);
  t.same(obj(encodeTopic(t3)), JSON.parse(v3), 'rewritten with topic_id, adding and removing replicas');
  t.throws(() => decodeTopic('t3', b('{"version":1,"partitions":{"0":[1],"2":[1]}}')), /missing 1/);
  t.throws(() => decodeTopic('t3', b('{"version":1,"partitions":{"0":"1"}}')), ZnodeDataError);
  t.throws(() => decodeTopic('t3', b('not json')), /not JSON/);
});

t.test('partition state', async (t) => {
  const captured = '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,3]}';
  const s = decodePartitionState('t1', 0, b(captured));
  t.same(s, { leader: 1, leaderEpoch: 0, isr: [1, 3], controllerEpoch: 1 });
  t.equal(encodePartitionState(s).toString(), captured, 'byte for byte, in Kafka’s key order');
  t.throws(() => decodePartitionState('t1', 0, b('{"leader":1}')), /leader_epoch/);
});

t.test('admin znodes, ISR change notifications', async (t) => {
  const reassign = '{"version":1,"partitions":[{"topic":"t1","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}';
  const m = decodeReassignment(b(reassign));
  t.same([...m], [['t1-0', { topic: 't1', partition: 0, replicas: [2, 3] }]]);
  t.same(obj(encodeReassignment(m)), { version: 1, partitions: [{ topic: 't1', partition: 0, replicas: [2, 3] }] }, 'log_dirs not written');
  const ple = '{"version":1,"partitions":[{"topic":"t1","partition":0}]}';
  t.same(decodePreferredReplicaElection(b(ple)), [{ topic: 't1', partition: 0 }]);
  t.same(obj(encodePartitionList([{ topic: 't1', partition: 0 }])), JSON.parse(ple));
  t.same(decodeIsrChange('/isr_change_notification/isr_change_0000000000', b(ple)), [{ topic: 't1', partition: 0 }]);
});

t.test('configs and config change notifications', async (t) => {
  const captured = '{"version":1,"config":{"min.insync.replicas":"2","leader.replication.throttled.replicas":"2:3,2:2,0:1,0:3"}}';
  const c = decodeEntityConfig('/config/topics/t1', b(captured));
  t.equal(c['min.insync.replicas'], '2');
  t.same(obj(encodeEntityConfig(c)), JSON.parse(captured));
  t.same(decodeEntityConfig('/config/topics/t1', null), {});
  t.same(obj(encodeConfigChange('topics', 't1')), { version: 2, entity_path: 'topics/t1' });
  t.same(decodeConfigChange('config_change_0000000001', b('{"version":2,"entity_path":"topics/t1"}')), { type: 'topics', name: 't1' });
  t.same(decodeConfigChange('config_change_0000000002', b('{"version":1,"entity_type":"brokers","entity_name":"<default>"}')), { type: 'brokers', name: '<default>' });
  t.throws(() => decodeConfigChange('config_change_3', b('{"version":2,"entity_path":"widgets/x"}')), /unknown entity type/);
});

t.test('/latest_producer_id_block: bounds are strings', async (t) => {
  const captured = '{"version":1,"broker":2,"block_start":"2000","block_end":"2999"}';
  const blk = decodeProducerIdBlock(b(captured));
  t.same(blk, { brokerId: 2, start: 2000n, end: 2999n });
  t.same(obj(encodeProducerIdBlock(blk)), JSON.parse(captured));
});
