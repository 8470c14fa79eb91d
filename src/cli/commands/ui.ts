/**
 * `kts ui`: a web console for a kts cluster or any Kafka cluster, served by kts itself
 * (src/ui/): overview with history charts, brokers (each broker's partitions, charts of its
 * own /metrics), unhealthy partitions, reassignments in progress, topics (search, detail,
 * message browser, produce, configs, create/delete), consumer groups (lag per partition, lag
 * over time, offset reset with a dry run first), a read-only ZooKeeper view. History is kept
 * by kts ui in a bounded local file store.
 */
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { CommandSpec, ParsedArgs } from '../command.js';
import { clientConfig, connectionOptions } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { UsageError } from '../../util/errors.js';
import { startUiServer } from '../../ui/server.js';
import { DEFAULT_HISTORY_MAX_BYTES } from '../../ui/history.js';

const DEFAULT_LISTEN = '127.0.0.1:8048';

export const uiCommand: CommandSpec = {
  name: 'ui',
  summary: 'Serve a web console for the cluster (topics, groups and lag, charts with history)',
  description:
    'Serves the console on --listen (127.0.0.1:8048 by default: only this machine can reach it) until Ctrl-C. It reads the cluster through the Kafka admin and group APIs, so it works with kts, Apache Kafka and Redpanda; without --bootstrap-server it uses the local data dir or the kts server running on it, like every kts command. Every --sample-interval seconds it records cluster figures (messages in, bytes, lag per group, unhealthy partitions) in a local history store, so charts cover the last days and survive a restart: no database to install. Brokers that set kts.metrics.listener (a fixed port) are scraped at each sample too, for charts of each broker\'s own figures (messages and bytes in and out, under-replicated partitions, fetcher lag, request queue, memory). Pages: overview, brokers (each broker\'s partitions; partitions not healthy highlighted), reassignments in progress, topics, consumer groups, alerts (the conditions of examples/prometheus/alerts.yml, evaluated by kts ui), and for a ZooKeeper-mode cluster a read-only view of its znodes. --read-only hides every action and the server refuses them.',
  options: {
    ...connectionOptions,
    listen: { type: 'string', default: DEFAULT_LISTEN, placeholder: '<host:port>', describe: 'Address to serve the console on (port 0 picks a free port).' },
    'read-only': { type: 'boolean', describe: 'No actions: no topic create/delete/config changes, no produce, no offset resets (refused by the server too).' },
    'history-dir': { type: 'string', placeholder: '<dir>', describe: 'Where the history is kept (default: ${XDG_STATE_HOME:-~/.local/state}/kts/ui-history/<cluster id>).' },
    'history-max-bytes': { type: 'number', default: DEFAULT_HISTORY_MAX_BYTES, placeholder: '<bytes>', describe: 'Most bytes the history store keeps on disk.' },
    zookeeper: { type: 'string', placeholder: '<host:port[/chroot]>', describe: 'ZooKeeper of the cluster, for the read-only ZooKeeper page (default: the zookeeper.connect the brokers report).' },
    'sample-interval': { type: 'number', default: 10, placeholder: '<seconds>', describe: 'Seconds between two history samples.' },
  },
  examples: [
    ['kts ui', 'console for the local data dir or running kts server, on http://127.0.0.1:8048/'],
    ['kts ui --bootstrap-server kafka1:9092 --read-only', 'a read-only console for a Kafka cluster'],
    ['kts ui --listen 0.0.0.0:8048 --history-dir /var/lib/kts-ui', 'reachable from other machines, history in /var/lib/kts-ui'],
    ['kts ui --bootstrap-server kafka1:9092 --zookeeper zk1:2181/kafka', 'with the ZooKeeper page reading zk1 under the /kafka chroot'],
  ],
  async run(args, io) {
    const { host, port } = parseListen(String(args.listen ?? DEFAULT_LISTEN));
    const sampleSeconds = positive(args['sample-interval'], '--sample-interval');
    const historyMaxBytes = positive(args['history-max-bytes'], '--history-max-bytes');
    if (historyMaxBytes < 64 * 1024) throw new UsageError('--history-max-bytes must be at least 65536.');
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const cluster = await client.admin.describeCluster();
      const historyDir = historyDirOf(args, io.cwd, io.env, cluster.clusterId ?? 'unknown-cluster');
      const ui = await startUiServer({
        client,
        host,
        port,
        readOnly: args['read-only'] === true,
        historyDir,
        historyMaxBytes,
        sampleIntervalMs: Math.round(sampleSeconds * 1000),
        zookeeper: typeof args.zookeeper === 'string' && args.zookeeper !== '' ? args.zookeeper : undefined,
        onError: (m) => io.stderr.write(m + '\n'),
      });
      io.stdout.write(`kts ui serving ${ui.url} for ${client.target}${args['read-only'] === true ? ' (read-only)' : ''}; history in ${historyDir}. Ctrl-C stops it.\n`);
      await io.interrupted;
      await ui.stop();
      return 0;
    });
  },
};

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--listen ${text}: expected host:port, e.g. 127.0.0.1:8048.`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen ${text}: port ${port} is out of range.`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function positive(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not '${String(value)}'.`);
  return n;
}

function historyDirOf(args: ParsedArgs, cwd: string, env: Readonly<Record<string, string | undefined>>, clusterId: string): string {
  if (typeof args['history-dir'] === 'string') return resolve(cwd, args['history-dir']);
  const stateHome = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(stateHome, 'kts', 'ui-history', clusterId.replace(/[^A-Za-z0-9._-]/g, '_'));
}
