/**
 * `kts server-stop [server.properties] [--data-dir DIR] [--node-id N]`:
 * kafka-server-stop.sh. Finds the broker running on the data dir through
 * `<log dir>/kts-server.json`, sends SIGTERM, waits for it to exit, and reports.
 */
import type { CommandSpec } from '../command.js';
import { KtsError } from '../../util/errors.js';
import { findRunningServer, isPidAlive } from '../../broker/server-file.js';
import { loadServerConfig } from './server-start.js';

const STOP_TIMEOUT_MS = 60_000;

export const serverStopCommand: CommandSpec = {
  name: 'server-stop',
  mirrors: 'kafka-server-stop.sh',
  summary: 'Stop the kts broker running on a data dir',
  positionals: [{ name: 'config', describe: 'server.properties the broker was started with (to find log.dirs)', type: 'string', optional: true }],
  options: {
    'data-dir': { type: 'string', describe: 'Data directory of the broker to stop', placeholder: '<dir>' },
    'node-id': { type: 'number', describe: 'Only stop the broker with this node id', placeholder: '<id>' },
    override: { type: 'array', describe: 'Overrides the broker was started with (only log.dirs matters)', placeholder: '<key=value>', hidden: true },
  },
  examples: [
    ['kts server-stop', 'stop the broker on the default data dir'],
    ['kts server-stop --data-dir /tmp/kts --node-id 1', 'stop node 1 on /tmp/kts'],
  ],
  async run(args, io) {
    const config = loadServerConfig(args, io);
    const logDir = config.logDirs[0]!;
    const server = findRunningServer(logDir);
    const nodeId = typeof args['node-id'] === 'number' ? args['node-id'] : undefined;
    if (!server || (nodeId !== undefined && server.nodeId !== nodeId)) {
      const which = nodeId !== undefined ? ` with node id ${nodeId}` : '';
      io.stderr.write(`No kts server${which} to stop (none running on ${logDir}).\n`);
      return 1;
    }
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch (err) {
      throw new KtsError('KTS_STOP', `Cannot signal pid ${server.pid}: ${(err as Error).message}`);
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isPidAlive(server.pid)) {
      if (Date.now() > deadline) {
        throw new KtsError('KTS_STOP', `The kts server (pid ${server.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s.`, `Check its log, or kill -9 ${server.pid} as a last resort.`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    io.stdout.write(`Stopped kts server (pid ${server.pid}, node ${server.nodeId}).\n`);
    return 0;
  },
};
