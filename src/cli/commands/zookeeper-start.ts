/**
 * `kts zookeeper-start [zookeeper.properties] [-daemon]`: zookeeper-server-start.sh. Runs the
 * installed Apache ZooKeeper (Debian's `zookeeper` package or ZOOKEEPER_HOME; kts does not
 * ship one) with the given config, in the foreground until Ctrl-C/SIGTERM, or detached with
 * -daemon (log in `<dataDir>/zookeeper.out`). Either way it prints one line once ZooKeeper
 * answers, and leaves `<dataDir>/kts-zookeeper.json` (pid, address) for `kts zookeeper-stop`.
 * Without a file: one local server on 127.0.0.1:2181, data in `<kts data home>/zookeeper`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { parseProperties } from '../../broker/properties.js';
import { defaultDataDir } from '../../broker/config.js';
import {
  defaultZooKeeperProperties,
  findZooKeeper,
  isZooKeeperProcess,
  localZooKeeperConfig,
  readZooKeeperPidFile,
  removeZooKeeperPidFile,
  writeZooKeeperPidFile,
  zooKeeperStatus,
  zookeeperArgs,
  type LocalZooKeeperConfig,
} from '../../zk/local-server.js';

const READY_TIMEOUT_MS = 60_000;
export const ZOOKEEPER_LOG_FILE = 'zookeeper.out';

export interface ZooKeeperTarget {
  /** The config file ZooKeeper runs with (written for the default setup). */
  configFile: string;
  config: LocalZooKeeperConfig;
}

/** The config file named on the command line, or the default one (written on first use when `create`). */
export function zooKeeperTarget(args: ParsedArgs, io: CliIo, create: boolean): ZooKeeperTarget {
  let configFile: string;
  let text: string;
  if (typeof args.config === 'string') {
    configFile = resolve(io.cwd, args.config);
    try {
      text = readFileSync(configFile, 'utf8');
    } catch (err) {
      throw new KtsError('KTS_CONFIG', `Cannot read ${configFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'Give the path of a zookeeper.properties file (see examples/cluster/zookeeper.properties).');
    }
  } else {
    // Next to kts's default data dir (${XDG_DATA_HOME:-~/.local/share}/kts), whatever KTS_DATA_DIR says.
    const dataDir = join(dirname(defaultDataDir({ ...io.env, KTS_DATA_DIR: undefined })), 'zookeeper');
    configFile = join(dataDir, 'zookeeper.properties');
    text = defaultZooKeeperProperties(dataDir);
    if (create) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(configFile, text);
    }
  }
  const props = new Map(parseProperties(text, configFile).map((e) => [e.key, e.value] as const));
  const config = localZooKeeperConfig(props, configFile);
  if (typeof config === 'string') throw new KtsError('KTS_CONFIG', config);
  config.dataDir = resolve(dirname(configFile), config.dataDir);
  return { configFile, config };
}

async function waitReady(config: LocalZooKeeperConfig, exited: () => boolean): Promise<string | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !exited()) {
    const status = await zooKeeperStatus(config.host, config.clientPort, 500);
    const version = /Zookeeper version: ([^\n,]+)/i.exec(status);
    // Debian's build leaves an unexpanded ${mvngit.commit.id} in the version.
    if (version) return version[1]!.replace(/-\$\{[^}]*\}$/, '').trim();
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

function refuseIfRunning(config: LocalZooKeeperConfig): void {
  const running = readZooKeeperPidFile(config.dataDir);
  if (running && isZooKeeperProcess(running.pid)) {
    throw new KtsError(
      'KTS_ALREADY_RUNNING',
      `A ZooKeeper server (pid ${running.pid}) is already running on ${config.dataDir}, listening on ${running.host}:${running.clientPort}.`,
      "Stop it first with 'kts zookeeper-stop', or use another dataDir.",
    );
  }
}

function launch(target: ZooKeeperTarget, io: CliIo, daemon: boolean): { child: ChildProcess; logPath?: string } {
  const install = findZooKeeper(io.env as NodeJS.ProcessEnv);
  if (typeof install === 'string') throw new KtsError('KTS_NO_ZOOKEEPER', install);
  mkdirSync(target.config.dataDir, { recursive: true });
  // ZooKeeper 3.5+ opens an HTTP admin server on :8080 unless told otherwise; Kafka's own
  // zookeeper.properties of 1.x does not say, so keep it off unless the file decides.
  const jvm = target.config.adminServerSet ? [] : ['-Dzookeeper.admin.enableServer=false'];
  const args = zookeeperArgs(install, target.configFile, jvm);
  io.stdout.write(`Starting ZooKeeper (${install.source}) with ${target.configFile}: ${target.config.host}:${target.config.clientPort}, data in ${target.config.dataDir}\n`);
  if (!daemon) return { child: spawn(install.java, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...io.env } }) };
  const logPath = join(target.config.dataDir, ZOOKEEPER_LOG_FILE);
  const out = openSync(logPath, 'a');
  const child = spawn(install.java, args, { detached: true, stdio: ['ignore', out, out], env: { ...io.env } });
  closeSync(out);
  child.unref();
  return { child, logPath };
}

function logTail(path: string | undefined): string {
  if (!path) return '';
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-8);
    return lines.length > 0 && lines[0] !== '' ? `\n  ${lines.join('\n  ')}` : '';
  } catch {
    return '';
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args._.length > 1) throw new UsageError(`Unexpected argument '${String(args._[1])}'.`, 'Usage: kts zookeeper-start [zookeeper.properties] [-daemon]');
  const target = zooKeeperTarget(args, io, true);
  refuseIfRunning(target.config);
  const daemon = args.daemon === true;
  const { child, logPath } = launch(target, io, daemon);
  let exitCode: number | null = null;
  const exit = new Promise<number>((resolveExit) => {
    child.once('error', (err) => {
      exitCode = 1;
      io.stderr.write(`Could not run java: ${err.message}\n`);
      resolveExit(1);
    });
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolveExit(exitCode);
    });
  });
  const pid = child.pid ?? -1;
  const where = `${target.config.host}:${target.config.clientPort}`;
  writeZooKeeperPidFile(target.config.dataDir, { pid, host: target.config.host, clientPort: target.config.clientPort, config: target.configFile, ...(logPath ? { log: logPath } : {}) });
  const version = await waitReady(target.config, () => exitCode !== null);
  if (!version) {
    if (exitCode === null) child.kill('SIGKILL');
    removeZooKeeperPidFile(target.config.dataDir, pid);
    const why = exitCode === null ? `did not answer on ${where} within ${READY_TIMEOUT_MS / 1000} s` : `exited (code ${exitCode}) before answering on ${where}`;
    throw new KtsError('KTS_ZOOKEEPER_START', `ZooKeeper ${why}.${logTail(logPath)}`, 'Is the port in use (another ZooKeeper)? Is dataDir writable?');
  }
  if (daemon) {
    io.stdout.write(`ZooKeeper ${version} started as a daemon (pid ${pid}), listening on ${where}; log: ${logPath}\n`);
    return 0;
  }
  io.stdout.write(`ZooKeeper ${version} is ready on ${where} (pid ${pid}); Ctrl-C stops it\n`);
  const stopped = await Promise.race([exit.then((code) => ({ code })), io.interrupted.then(() => undefined)]);
  if (stopped === undefined) {
    child.kill('SIGTERM');
    await exit;
  }
  removeZooKeeperPidFile(target.config.dataDir, pid);
  return stopped === undefined ? 0 : stopped.code;
}

export const zookeeperStartCommand: CommandSpec = {
  name: 'zookeeper-start',
  mirrors: 'zookeeper-server-start.sh',
  summary: 'Start an installed Apache ZooKeeper for a kts cluster (foreground, or -daemon)',
  description:
    'Runs the Apache ZooKeeper server installed on this machine (Debian/Ubuntu: apt-get install zookeeper; elsewhere set ZOOKEEPER_HOME to an Apache ZooKeeper directory) with a zoo.cfg / zookeeper.properties file, as Kafka\'s zookeeper-server-start.sh does. Without a file it runs one server on 127.0.0.1:2181 with its data in ${XDG_DATA_HOME:-$HOME/.local/share}/kts/zookeeper. It prints a line once ZooKeeper answers, and writes <dataDir>/kts-zookeeper.json so that kts zookeeper-stop finds it. The HTTP admin server of ZooKeeper 3.5+ stays off unless the file sets admin.enableServer.',
  positionals: [{ name: 'config', describe: 'zookeeper.properties / zoo.cfg (needs dataDir and clientPort)', type: 'string', optional: true }],
  options: {
    daemon: { type: 'boolean', describe: 'Run in the background (also -daemon); log to <dataDir>/zookeeper.out' },
  },
  examples: [
    ['kts zookeeper-start -daemon', 'one local ZooKeeper on 127.0.0.1:2181, in the background'],
    ['kts zookeeper-start examples/cluster/zookeeper.properties', 'run with a config file, in the foreground'],
    ['ZOOKEEPER_HOME=/opt/apache-zookeeper-3.8.4-bin kts zookeeper-start zoo.cfg -daemon', 'use a ZooKeeper unpacked from apache.org'],
  ],
  run,
};
