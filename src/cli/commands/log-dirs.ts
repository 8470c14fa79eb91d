/**
 * `kts log-dirs`: kafka-log-dirs.sh --describe. Prints, for each broker, its log dirs and
 * the size of each partition replica in them, as one JSON line after Kafka's two headers.
 * kts's own `--detach-log-dir DIR`: removes a log dir that local mode added to a data dir
 * (kts reassign with a log dir that was not one yet), once no partition lives there.
 */
import { resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { type LogDirsJson, renderLogDirs } from '../render/log-dirs.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { defaultDataDir, detachLocalLogDir, type LogDirDescription } from '../../client/index.js';

export const logDirsCommand: CommandSpec = {
  name: 'log-dirs',
  mirrors: 'kafka-log-dirs.sh',
  summary: 'Describe the log directories of brokers',
  options: {
    ...connectionOptions,
    describe: { type: 'boolean', describe: 'Describe the log dirs (required, as in Kafka).' },
    'topic-list': { type: 'string', placeholder: '<t1,t2>', describe: 'Only these topics (default: all).' },
    'broker-list': { type: 'string', placeholder: '<0,1>', describe: 'Only these broker ids (default: all); an unknown id is an error.' },
    'detach-log-dir': {
      type: 'string',
      placeholder: '<dir>',
      describe: 'kts: remove a log dir that local mode added to the data dir (kts-log-dirs.json), once no partition lives there; needs the data dir closed (no server or other command on it).',
    },
    ...jsonOption,
  },
  examples: [
    ['kts log-dirs --describe --topic-list orders', 'sizes of the partitions of orders on every broker'],
    ['kts log-dirs --describe --data-dir ~/kts', 'the log dirs of a local data dir (with any dir kts reassign added to it)'],
    ['kts log-dirs --detach-log-dir /disk2/kts --data-dir ~/kts', 'stop using a second disk once its partitions have moved back'],
  ],
  async run(args, io) {
    if (typeof args['detach-log-dir'] === 'string') {
      if (args.describe === true || typeof args['bootstrap-server'] === 'string') {
        throw new UsageError('--detach-log-dir works on a local data dir (--data-dir), alone: not with --describe or --bootstrap-server');
      }
      const dataDir = typeof args['data-dir'] === 'string' ? resolve(io.cwd, args['data-dir']) : defaultDataDir(io.env);
      const left = await detachLocalLogDir(dataDir, resolve(io.cwd, args['detach-log-dir']));
      io.stdout.write(args.json === true ? `${JSON.stringify({ dataDir, detached: resolve(io.cwd, args['detach-log-dir']), logDirs: left })}\n` : `Detached log dir ${resolve(io.cwd, args['detach-log-dir'])} from ${dataDir}; its log dirs are now ${left.join(', ')}\n`);
      return 0;
    }
    if (args.describe !== true) throw new UsageError('log-dirs needs --describe (or --detach-log-dir)');
    const topics = typeof args['topic-list'] === 'string' ? args['topic-list'].split(',').filter((t) => t !== '') : undefined;
    const brokerIds = typeof args['broker-list'] === 'string' ? parseBrokerList(args['broker-list']) : undefined;
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const cluster = await client.admin.describeCluster();
      const known = new Set(cluster.brokers.map((b) => b.nodeId));
      const missing = (brokerIds ?? []).filter((id) => !known.has(id));
      if (missing.length > 0) {
        throw new KtsError('KTS_UNKNOWN_BROKER', `The given brokers do not exist from --broker-list: ${missing.join(',')}. Current existent brokers: ${[...known].sort((a, b) => a - b).join(',')}`);
      }
      const dirs = await client.admin.describeLogDirs({ brokerIds: brokerIds ?? [...known], topics });
      const data = toJson(dirs, brokerIds ?? [...known].sort((a, b) => a - b));
      io.stdout.write(args.json === true ? JSON.stringify(data) + '\n' : renderLogDirs(data));
      return 0;
    });
  },
};

function parseBrokerList(text: string): number[] {
  return text.split(',').map((s) => {
    if (!/^\d+$/.test(s.trim())) throw new UsageError(`--broker-list: '${s}' is not a broker id`);
    return Number(s.trim());
  });
}

export function toJson(dirs: readonly LogDirDescription[], brokerIds: readonly number[]): LogDirsJson {
  return {
    version: 1,
    brokers: brokerIds.map((broker) => ({
      broker,
      logDirs: dirs
        .filter((d) => d.brokerId === broker)
        .map((d) => ({
          logDir: d.logDir,
          error: d.error,
          partitions: d.topics.flatMap((t) =>
            t.partitions.map((p) => ({ partition: `${t.topic}-${p.partition}`, size: p.sizeBytes, offsetLag: p.offsetLag, isFuture: p.isFutureKey })),
          ),
        })),
    })),
  };
}
