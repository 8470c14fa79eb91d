/**
 * `kts server-start [server.properties] [--override k=v]... [-daemon] [--data-dir DIR]`:
 * kafka-server-start.sh. Runs a broker in the foreground until SIGTERM/SIGINT, logging to
 * stdout; prints one readiness line once listening. With -daemon / --daemon it starts
 * itself detached (log in `<log dir>/kts-server.log`, pid in `<log dir>/kts-server.json`),
 * waits until the child is listening, and returns.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { KTS_VERSION } from '../../util/version.js';
import { buildBrokerConfig, type BrokerConfig } from '../../broker/config.js';
import { parseProperties } from '../../broker/properties.js';
import { startBroker } from '../../broker/broker.js';
import { streamLogger } from '../../util/logger.js';
import { findRunningServer, isPidAlive, readServerFile } from '../../broker/server-file.js';

export const SERVER_LOG_FILE = 'kts-server.log';
const DAEMON_READY_TIMEOUT_MS = 60_000;

/** The broker config from the command line: properties file, overrides, data dir. */
export function loadServerConfig(args: ParsedArgs, io: CliIo): BrokerConfig {
  const file = typeof args.config === 'string' ? resolve(io.cwd, args.config) : undefined;
  let fileEntries;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KtsError('KTS_CONFIG', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'Give the path of a server.properties file (see examples/server.properties).');
    }
    fileEntries = parseProperties(text, file);
  }
  const overrides = toStrings(args.override);
  const dataDir = typeof args['data-dir'] === 'string' ? resolve(io.cwd, args['data-dir']) : undefined;
  return buildBrokerConfig({ fileEntries, overrides, dataDir, env: io.env, source: file });
}

function toStrings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function readinessLine(config: BrokerConfig, listeners: readonly string[], clusterId: string, logDirs: readonly string[]): string {
  return `[KtsServer id=${config.nodeId}] started (kts ${KTS_VERSION}) listening on ${listeners.join(', ')}, log dir ${logDirs.join(',')}, cluster id ${clusterId}`;
}

/**
 * The line says where the broker listens (the bound address); clients are told the
 * advertised one. A different port for the same listener is usually a mistake (an
 * --override of listeners without advertised.listeners): say so.
 */
export function advertisedMismatches(bound: readonly { name: string; host: string; port: number }[], advertised: readonly string[]): string[] {
  const out: string[] = [];
  for (const b of bound) {
    const a = advertised.find((x) => x.startsWith(`${b.name}://`));
    const port = a === undefined ? NaN : Number(/:(\d+)$/.exec(a)?.[1]);
    if (a !== undefined && port !== b.port) {
      out.push(`listener ${b.name} listens on port ${b.port} but advertises ${a}: clients will connect to port ${port}. Set advertised.listeners (e.g. --override advertised.listeners=${b.name}://127.0.0.1:${b.port}) if that is not meant.`);
    }
  }
  return out;
}

async function runForeground(config: BrokerConfig, io: CliIo): Promise<number> {
  const log = streamLogger(io.stdout, 'KtsServer', io.env.KTS_LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'INFO');
  for (const warning of config.warnings) log.warn(warning);
  const broker = await startBroker(config, { listen: true, log, command: 'kts server-start' });
  const bound = broker.boundPorts.map((b) => `${b.name}://${b.host}:${b.port}`);
  for (const warning of advertisedMismatches(broker.boundPorts, broker.advertisedListeners)) log.warn(warning);
  io.stdout.write(readinessLine(config, bound.length > 0 ? bound : broker.advertisedListeners, broker.clusterId, broker.logDirs) + '\n');
  await io.interrupted;
  log.info(`[KtsServer id=${config.nodeId}] shutting down`);
  await broker.stop();
  return 0;
}

/** Re-runs this command detached, without the daemon flag, and waits until it is listening. */
async function runDaemon(argv: readonly string[], config: BrokerConfig, io: CliIo): Promise<number> {
  const logDir = config.logDirs[0]!;
  const running = findRunningServer(logDir);
  if (running) {
    throw new KtsError('KTS_ALREADY_RUNNING', `A kts server (pid ${running.pid}) is already running on ${logDir}, listening on ${running.listeners.join(', ')}.`, "Stop it first with 'kts server-stop', or use another --data-dir.");
  }
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, SERVER_LOG_FILE);
  const out = openSync(logPath, 'a');
  const script = process.argv[1];
  if (!script) throw new KtsError('KTS_DAEMON', 'Cannot find the kts entry script to start the daemon.');
  const child = spawn(process.execPath, [script, ...argv], {
    cwd: io.cwd,
    // glibc's dynamic mmap threshold would keep the buffers of a load spike in the heap after
    // it ends; a fixed threshold returns them to the system (README, Memory).
    env: { MALLOC_MMAP_THRESHOLD_: '131072', ...io.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new KtsError('KTS_DAEMON', 'Could not start the daemon process.');
  let exitCode: number | null = null;
  child.on('exit', (code) => (exitCode = code ?? 1));
  child.unref();
  const deadline = Date.now() + DAEMON_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const info = readServerFile(logDir);
    if (info && info.pid === pid) {
      io.stdout.write(`kts server started as a daemon (pid ${pid}), listening on ${info.listeners.join(', ')}; log: ${logPath}\n`);
      return 0;
    }
    if (exitCode !== null || !isPidAlive(pid)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tail = logTail(logPath);
  if (exitCode === null && isPidAlive(pid)) {
    throw new KtsError('KTS_DAEMON', `The daemon (pid ${pid}) did not become ready within ${DAEMON_READY_TIMEOUT_MS / 1000} s.${tail}`, `See ${logPath}.`);
  }
  throw new KtsError('KTS_DAEMON', `The daemon exited before it was ready.${tail}`, `See ${logPath}.`);
}

function logTail(path: string): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-5);
    return `\n  ${lines.join('\n  ')}`;
  } catch {
    return '';
  }
}

/** The argv to give the daemon child: ours minus the daemon flags. */
function childArgv(args: ParsedArgs): string[] {
  const out = ['server-start'];
  if (typeof args.config === 'string') out.push(resolve(String(args.config)));
  for (const o of toStrings(args.override)) out.push('--override', o);
  if (typeof args['data-dir'] === 'string') out.push('--data-dir', resolve(args['data-dir']));
  return out;
}

export const serverStartCommand: CommandSpec = {
  name: 'server-start',
  mirrors: 'kafka-server-start.sh',
  summary: 'Start a kts broker (foreground, or -daemon)',
  description:
    'Starts a single-node broker speaking the Kafka protocol over Kafka-format logs. With no properties file it listens on PLAINTEXT://127.0.0.1:9092 and keeps its data in --data-dir, else $KTS_DATA_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/kts/data. Stops gracefully on SIGTERM or Ctrl-C (in-flight requests finish, logs are flushed, checkpoints and the clean-shutdown marker are written).',
  positionals: [{ name: 'config', describe: 'server.properties file (Java properties syntax)', type: 'string', optional: true }],
  options: {
    override: { type: 'array', describe: 'Override a property: --override key=value (repeatable)', placeholder: '<key=value>' },
    daemon: { type: 'boolean', describe: 'Run in the background (also -daemon); log to <log dir>/kts-server.log' },
    'data-dir': { type: 'string', describe: 'Data directory (replaces log.dirs)', placeholder: '<dir>' },
  },
  examples: [
    ['kts server-start', 'start on 127.0.0.1:9092 with the default data dir'],
    ['kts server-start config/server.properties --override num.partitions=3', 'start from a Kafka properties file'],
    ['kts server-start -daemon --data-dir /tmp/kts', 'start in the background'],
  ],
  async run(args, io) {
    const config = loadServerConfig(args, io);
    if (args.daemon === true) return runDaemon(childArgv(args), config, io);
    if (args._.length > 1) throw new UsageError(`Unexpected argument '${String(args._[1])}'.`);
    return runForeground(config, io);
  },
};
