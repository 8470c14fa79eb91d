/**
 * DescribeLogDirs (key 35), versions 0-4. One result per configured log dir (absolute
 * path) with the partitions it holds: size on disk, offset lag 0, is_future_key false; and
 * the future logs of partitions moving into it (AlterReplicaLogDirs): bytes copied so far,
 * offset lag = the current log's end offset minus the future log's, is_future_key true. `topics` null means every partition. v4 adds the volume's
 * total and usable bytes (statfs). A log dir that cannot be read reports
 * KAFKA_STORAGE_ERROR for itself only.
 */
import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import type {
  DescribableLogDirTopic,
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResult,
  DescribeLogDirsTopic,
} from '../../protocol/messages/35-describe-log-dirs.js';
import { defineHandler, type BrokerContext } from '../handler.js';
import { adminLog, futureLogs, logDirOf, logDirs } from '../configs/topic-configs.js';

function wanted(topics: DescribableLogDirTopic[] | null): (log: { topic: string; partition: number }) => boolean {
  if (topics === null) return () => true;
  const byTopic = new Map<string, Set<number>>();
  for (const t of topics) {
    const set = byTopic.get(t.topic) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    byTopic.set(t.topic, set);
  }
  return (log) => byTopic.get(log.topic)?.has(log.partition) ?? false;
}

function volumeBytes(dir: string): { totalBytes: number; usableBytes: number } {
  const stats = statfsSync(dir);
  return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
}

interface DirEntry {
  topic: string;
  partition: number;
  size: number;
  offsetLag: number;
  isFuture: boolean;
}

function describeDir(dir: string, entries: readonly DirEntry[]): DescribeLogDirsResult {
  const byTopic = new Map<string, DescribeLogDirsTopic>();
  for (const e of entries) {
    let topic = byTopic.get(e.topic);
    if (!topic) {
      topic = { name: e.topic, partitions: [] };
      byTopic.set(e.topic, topic);
    }
    topic.partitions.push({ partitionIndex: e.partition, partitionSize: e.size, offsetLag: e.offsetLag, isFutureKey: e.isFuture });
  }
  const topics = [...byTopic.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of topics) t.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex || Number(a.isFutureKey) - Number(b.isFutureKey));
  try {
    return { errorCode: ErrorCode.NONE, logDir: dir, topics, ...volumeBytes(dir) };
  } catch {
    return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir, topics: [], totalBytes: -1, usableBytes: -1 };
  }
}

export function describeLogDirs(broker: BrokerContext, topics: DescribableLogDirTopic[] | null): DescribeLogDirsResult[] {
  const dirs = logDirs(broker).map((d) => resolve(d));
  const include = wanted(topics);
  const logsByDir = new Map<string, DirEntry[]>(dirs.map((d) => [d, []]));
  for (const found of broker.logManager.allLogs()) {
    const log = adminLog(found);
    if (!include(log)) continue;
    const dir = logDirOf(broker, log);
    if (dir !== undefined) logsByDir.get(resolve(dir))?.push({ topic: log.topic, partition: log.partition, size: log.size, offsetLag: 0, isFuture: false });
  }
  for (const f of futureLogs(broker)) {
    if (include({ topic: f.topic, partition: f.partition })) logsByDir.get(resolve(f.logDir))?.push({ topic: f.topic, partition: f.partition, size: f.size, offsetLag: f.offsetLag, isFuture: true });
  }
  return dirs.map((d) => describeDir(d, logsByDir.get(d) ?? []));
}

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: describeLogDirs(ctx.broker, request.topics) };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, results: [] };
  },
});
