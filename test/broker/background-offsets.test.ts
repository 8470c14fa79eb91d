// __consumer_offsets is compacted like any other compacted topic: many commits of one
// group are cleaned in the background down to the latest per partition, and a restarted
// broker still serves the group's committed offsets.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { LogManager, PartitionLog } from '../../src/storage/index.js';
import { startAdminBroker, type AdminBroker } from './admin-helpers.js';
import { readAll } from '../storage/cleaner-helpers.js';
import { waitFor } from '../helpers/cluster-checks.js';

const { Kafka, logLevel } = kafkajs;
const OVERRIDES = ['log.cleaner.backoff.ms=50', 'log.retention.check.interval.ms=100'];

function admin(broker: AdminBroker): kafkajs.Admin {
  return new Kafka({ clientId: 'offsets-cleaner-test', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
}

function offsetsLog(broker: AdminBroker): PartitionLog {
  const logs = [...(broker.broker.context.logManager as unknown as LogManager).allLogs()];
  return logs.find((l) => l.topic === '__consumer_offsets' && l.logEndOffset > 0)!;
}

t.test('__consumer_offsets is compacted in the background; offsets survive a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-offsets-cleaner-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startAdminBroker(t, OVERRIDES, dataDir);
  const a = admin(first);
  await a.connect();
  await a.createTopics({ waitForLeaders: true, topics: [{ topic: 't', numPartitions: 2 }] });
  const raw = await first.raw();
  const commit = async (p0: number, p1: number): Promise<void> => {
    const res = await raw.request<{ topics: Array<{ partitions: Array<{ errorCode: number }> }> }>(8, 8, {
      groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', partitions: [[0, p0], [1, p1]].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: '' })) }],
    });
    if (res.topics[0]!.partitions.some((p) => p.errorCode !== 0)) throw new Error(`commit failed: ${JSON.stringify(res)}`);
  };
  await commit(0, 0);
  // Small segments so the commits roll; AlterConfigs replaces the whole set, so the policy is repeated.
  await a.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: '__consumer_offsets', configEntries: [
    { name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '1000' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' },
  ] }] });
  for (let i = 1; i <= 60; i++) await commit(i, 1000 + i);
  const log = offsetsLog(first);
  const written = log.logEndOffset;
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  t.ok(log.segmentCount > 3, `${log.segmentCount} segments of commits`);
  await waitFor('the cleaner on __consumer_offsets', () => log.cleanerOffset === activeBase, 15_000);
  const left = readAll(log).records.length;
  t.ok(left < written / 4, `${left} of ${written} commit records left`);
  const before = await a.fetchOffsets({ groupId: 'g', topics: ['t'] });
  await a.disconnect();
  raw.close();
  await first.broker.stop();

  const second = await startAdminBroker(t, OVERRIDES, dataDir);
  const b = admin(second);
  await b.connect();
  const after = await b.fetchOffsets({ groupId: 'g', topics: ['t'] });
  t.same(after, before, 'the same committed offsets after a restart');
  t.same(after[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '60'], [1, '1060']]);
  await b.disconnect();
  await second.broker.stop();
});
