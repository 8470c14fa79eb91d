/**
 * `kts zookeeper-stop [zookeeper.properties]`: zookeeper-server-stop.sh. Stops the ZooKeeper
 * that `kts zookeeper-start` started with that config (the default one without a file), found
 * through `<dataDir>/kts-zookeeper.json`: SIGTERM, then waits for it to exit. Unlike Kafka's
 * script it never signals ZooKeeper servers it did not start.
 */
import type { CommandSpec } from '../command.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { isZooKeeperProcess, readZooKeeperPidFile, removeZooKeeperPidFile } from '../../zk/local-server.js';
import { zooKeeperTarget } from './zookeeper-start.js';

const STOP_TIMEOUT_MS = 30_000;

export const zookeeperStopCommand: CommandSpec = {
  name: 'zookeeper-stop',
  mirrors: 'zookeeper-server-stop.sh',
  summary: 'Stop the ZooKeeper started by kts zookeeper-start',
  positionals: [{ name: 'config', describe: 'zookeeper.properties it was started with (to find its dataDir)', type: 'string', optional: true }],
  options: {},
  examples: [
    ['kts zookeeper-stop', 'stop the default local ZooKeeper'],
    ['kts zookeeper-stop examples/cluster/zookeeper.properties', 'stop the one started with this config'],
  ],
  async run(args, io) {
    if (args._.length > 1) throw new UsageError(`Unexpected argument '${String(args._[1])}'.`, 'Usage: kts zookeeper-stop [zookeeper.properties]');
    const { config, configFile } = zooKeeperTarget(args, io, false);
    const info = readZooKeeperPidFile(config.dataDir);
    if (!info || !isZooKeeperProcess(info.pid)) {
      if (info) removeZooKeeperPidFile(config.dataDir, info.pid);
      io.stderr.write(`No ZooKeeper started by kts is running for ${configFile} (nothing in ${config.dataDir}).\n`);
      return 1;
    }
    try {
      process.kill(info.pid, 'SIGTERM');
    } catch (err) {
      throw new KtsError('KTS_STOP', `Cannot signal ZooKeeper (pid ${info.pid}): ${(err as Error).message}`);
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isZooKeeperProcess(info.pid)) {
      if (Date.now() > deadline) {
        throw new KtsError('KTS_STOP', `ZooKeeper (pid ${info.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s.`, `kill -9 ${info.pid} as a last resort.`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    removeZooKeeperPidFile(config.dataDir, info.pid);
    io.stdout.write(`Stopped ZooKeeper (pid ${info.pid}) on ${info.host}:${info.clientPort}.\n`);
    return 0;
  },
};
