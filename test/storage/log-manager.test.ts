import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LogManager } from '../../src/storage/index.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { KtsError } from '../../src/util/errors.js';
import { simpleBatch, tempDir } from './helpers.js';

const ID_A = 'AAAAAAAAAAAAAAAAAAAAAg';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAw';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

t.test('a second open of a locked dir names the holder and points at server-start', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, command: 'kts server-start' });
  t.teardown(() => mgr.close());
  const err = thrown(() => LogManager.open({ logDirs: [dir], nodeId: 1 }));
  t.ok(err instanceof KtsError);
  t.equal((err as KtsError).code, 'KTS_LOG_DIR_LOCKED');
  t.match((err as KtsError).message, new RegExp(`locked by process ${process.pid} .*kts server-start`));
  t.match((err as KtsError).hint, /kts server-start/);
});

t.test('a lock held by another live process blocks; a dead holder is stale', async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  t.teardown(() => { child.kill('SIGKILL'); });
  writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: child.pid, host: hostname(), command: 'kts console-producer', startedAt: 'then' }));
  const err = thrown(() => LogManager.open({ logDirs: [dir], nodeId: 1 })) as KtsError;
  t.match(err.message, new RegExp(`process ${child.pid} .*kts console-producer`));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.match(mgr.notices.join('\n'), new RegExp(`stale lock of process ${child.pid}`));
  t.equal(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')).pid, process.pid);
  mgr.close();
});

t.test('meta.properties: cluster id and node id mismatches are clear errors', async (t) => {
  const dir = tempDir(t);
  LogManager.open({ logDirs: [dir], nodeId: 3, clusterId: 'cluster-one-aaaaaaaaaa' }).close();
  const a = thrown(() => LogManager.open({ logDirs: [dir], nodeId: 3, clusterId: 'cluster-two-bbbbbbbbbb' })) as KtsError;
  t.equal(a.code, 'KTS_CLUSTER_ID_MISMATCH');
  t.match(a.message, join(dir, 'meta.properties'));
  t.match(a.message, /cluster-one-aaaaaaaaaa/);
  const b = thrown(() => LogManager.open({ logDirs: [dir], nodeId: 4 })) as KtsError;
  t.equal(b.code, 'KTS_NODE_ID_MISMATCH');
  t.notOk(existsSync(join(dir, '.lock')), 'a failed open releases the lock');
  const ok = LogManager.open({ logDirs: [dir], nodeId: 3 });
  t.equal(ok.clusterId, 'cluster-one-aaaaaaaaaa');
  ok.close();
});

t.test('topics: configs validated and persisted, metadata survives restart, delete is delayed', async (t) => {
  const dir = tempDir(t);
  const clock = { now: 1800000000000 };
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  const bad = thrown(() => mgr.createLog('a', 0, ID_A, { 'retention.ms': 'soon' }));
  t.ok(bad instanceof KafkaError && bad.errorCode === ErrorCode.INVALID_CONFIG);
  t.ok(thrown(() => mgr.createLog('a', 0, ID_A, { 'no.such.config': '1' })) instanceof KafkaError);
  mgr.createLog('a', 0, ID_A, { 'max.message.bytes': '5000' });
  mgr.createLog('a', 1, ID_A);
  const idErr = thrown(() => mgr.createLog('a', 0, ID_B)) as KafkaError;
  t.equal(idErr.errorCode, ErrorCode.INCONSISTENT_TOPIC_ID);
  mgr.putTopicMetadata({ topic: 'a', topicId: ID_A, partitionCount: 2, replicaAssignment: [[1], [1]], configs: { 'max.message.bytes': '5000' }, leaderEpochs: [0, 0] });
  t.equal(mgr.getLog('a', 1)!.config.maxMessageBytes, 5000, 'topic configs apply to every partition');
  mgr.getLog('a', 0)!.appendAsLeader(simpleBatch(2, { timestampMs: clock.now }), 0);
  mgr.close();
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1, nowMs: () => clock.now });
  t.teardown(() => mgr.close());
  t.same(mgr.getTopicMetadata('a')?.replicaAssignment, [[1], [1]]);
  t.equal(mgr.getLog('a', 0)!.logEndOffset, 2);
  t.equal(mgr.getLog('a', 0)!.config.maxMessageBytes, 5000);
  mgr.updateTopicConfig('a', { 'max.message.bytes': '100' });
  t.equal((thrown(() => mgr.getLog('a', 0)!.appendAsLeader(simpleBatch(3, { valueBytes: 100 }), 0)) as KafkaError).errorCode, ErrorCode.MESSAGE_TOO_LARGE, 'config applied live');
  t.equal(mgr.deleteTopic('a'), 2);
  t.notOk(mgr.getLog('a', 0));
  t.notOk(mgr.getTopicMetadata('a'));
  const pending = readdirSync(dir).filter((f) => f.endsWith('-delete'));
  t.equal(pending.length, 2, 'partition dirs renamed <tp>.<uuid>-delete');
  t.match(pending[0]!, /^a-[01]\.[0-9a-f]{32}-delete$/);
  clock.now += 60000;
  mgr.runRetention(clock.now);
  t.equal(readdirSync(dir).filter((f) => f.endsWith('-delete')).length, 0, 'removed after file.delete.delay.ms');
  t.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n0\n');
});

t.test('several log dirs: partitions spread, each dir has its own checkpoints', async (t) => {
  const d1 = tempDir(t);
  const d2 = tempDir(t);
  const mgr = LogManager.open({ logDirs: [d1, d2], nodeId: 1 });
  for (let p = 0; p < 4; p++) mgr.createLog('s', p, ID_A).appendAsLeader(simpleBatch(1), 0);
  mgr.close();
  t.equal(readdirSync(d1).filter((f) => f.startsWith('s-')).length, 2);
  t.equal(readdirSync(d2).filter((f) => f.startsWith('s-')).length, 2);
  t.match(readFileSync(join(d2, 'recovery-point-offset-checkpoint'), 'utf8'), /^0\n2\ns \d 1\ns \d 1\n$/);
  t.equal(readFileSync(join(d1, 'meta.properties'), 'utf8').match(/cluster\.id=(.*)/)![1], readFileSync(join(d2, 'meta.properties'), 'utf8').match(/cluster\.id=(.*)/)![1]);
  const again = LogManager.open({ logDirs: [d1, d2], nodeId: 1 });
  t.equal(again.allLogs().length, 4);
  again.close();
});

t.test('with highWatermarkFollowsLeo=false the broker moves the HW and it is checkpointed', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1, highWatermarkFollowsLeo: false });
  const log = mgr.createLog('h', 0, ID_A);
  log.appendAsLeader(simpleBatch(3), 0);
  log.appendAsLeader(simpleBatch(3), 0);
  t.equal(log.highWatermark, 0);
  t.equal(log.read(0, 1 << 20, { maxOffset: log.highWatermark }).records.length, 0, 'nothing visible below the HW yet');
  log.highWatermark = 3;
  t.equal(log.lastStableOffset, 3);
  log.highWatermark = 100;
  t.equal(log.highWatermark, 6, 'clamped to the LEO');
  log.highWatermark = 3;
  mgr.close();
  t.equal(readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8'), '0\n1\nh 0 3\n');
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1, highWatermarkFollowsLeo: false });
  t.teardown(() => mgr.close());
  t.equal(mgr.getLog('h', 0)!.highWatermark, 3, 'restored from replication-offset-checkpoint');
});

t.test('broker-level defaults change live under topic overrides', async (t) => {
  const dir = tempDir(t);
  const mgr = LogManager.open({ logDirs: [dir], nodeId: 1, defaultConfig: { retentionMs: 1000 } });
  t.teardown(() => mgr.close());
  const plain = mgr.createLog('p', 0, ID_A);
  const overridden = mgr.createLog('o', 0, ID_B, { 'retention.ms': '5' });
  t.same([plain.config.retentionMs, overridden.config.retentionMs], [1000, 5]);
  mgr.updateDefaultConfig({ retentionMs: 2000, maxMessageBytes: 300 });
  t.same([plain.config.retentionMs, overridden.config.retentionMs, overridden.config.maxMessageBytes], [2000, 5, 300]);
  t.equal(mgr.createLog('n', 0, 'AAAAAAAAAAAAAAAAAAAABA').config.retentionMs, 2000, 'new logs start from the new defaults');
});

t.test('topicLogs: one topic\'s logs, kept current through create, delete and restart', async (t) => {
  const dir = tempDir(t);
  let mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  await mgr.createLogs('a', [0, 1, 2], ID_A);
  await mgr.createLogs('b', [0], ID_B);
  const parts = (topic: string): number[] => [...mgr.topicLogs(topic)].map((l) => l.partition).sort();
  t.same(parts('a'), [0, 1, 2]);
  t.same(parts('b'), [0]);
  t.same(parts('none'), []);
  mgr.deletePartition('a', 1);
  t.same(parts('a'), [0, 2]);
  mgr.close();
  mgr = LogManager.open({ logDirs: [dir], nodeId: 1 });
  t.same(parts('a'), [0, 2], 'loaded logs are indexed by topic');
  mgr.deleteTopic('a');
  t.same(parts('a'), []);
  t.same(parts('b'), [0]);
  mgr.close();
});
