/**
 * Running a local Apache ZooKeeper server (kts does not ship one): finding it
 * (`ZOOKEEPER_HOME`, an Apache ZooKeeper directory with `conf/` and `lib/*.jar`, else Debian's
 * `zookeeper` package: `/etc/zookeeper/conf:/usr/share/java/zookeeper.jar`), its command line,
 * the settings of a zoo.cfg / zookeeper.properties, the pid file `kts zookeeper-start` leaves in
 * the data dir, and readiness (the `srvr` four-letter word, allowed by default since 3.5).
 * Used by `kts zookeeper-start` / `zookeeper-stop` and by the tests.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

export interface ZooKeeperInstall {
  java: string;
  classpath: string;
  /** Where it was found, for messages. */
  source: string;
}

export const ZooKeeperMainClass = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

export const zookeeperInstallHint =
  'install it with `apt-get install zookeeper` (Debian/Ubuntu) or set ZOOKEEPER_HOME to an Apache ZooKeeper directory (https://zookeeper.apache.org/releases.html); it needs Java (apt-get install default-jre-headless)';

function javaBinary(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : undefined, 'java'].filter((c): c is string => c !== undefined);
  for (const c of candidates) {
    if (spawnSync(c, ['-version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return undefined;
}

function jarsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(dir, f));
}

/** The ZooKeeper server to run, or a sentence saying what is missing. */
export function findZooKeeper(env: NodeJS.ProcessEnv = process.env): ZooKeeperInstall | string {
  let classpath: string | undefined;
  let source: string;
  if (env.ZOOKEEPER_HOME) {
    const home = env.ZOOKEEPER_HOME;
    const jars = [...jarsIn(home), ...jarsIn(join(home, 'lib'))];
    if (!jars.some((j) => /zookeeper[^/]*\.jar$/.test(j))) return `ZOOKEEPER_HOME=${home} holds no zookeeper jar (looked in ${home} and ${join(home, 'lib')})`;
    classpath = [join(home, 'conf'), ...jars].join(delimiter);
    source = `ZOOKEEPER_HOME=${home}`;
  } else if (existsSync('/usr/share/java/zookeeper.jar')) {
    classpath = ['/etc/zookeeper/conf', '/usr/share/java/zookeeper.jar'].join(delimiter);
    source = "Debian's zookeeper package";
  } else {
    return `ZooKeeper is not installed: ${zookeeperInstallHint}`;
  }
  const java = javaBinary(env);
  if (!java) return `ZooKeeper (${source}) needs Java, and no java was found (JAVA_HOME or PATH): apt-get install default-jre-headless`;
  return { java, classpath, source };
}

/** The java command line that runs a ZooKeeper server with `configFile`. */
export function zookeeperArgs(install: ZooKeeperInstall, configFile: string, jvmOptions: string[] = []): string[] {
  return [...jvmOptions, '-cp', install.classpath, ZooKeeperMainClass, configFile];
}

/** What kts needs from a ZooKeeper server config (zoo.cfg / Kafka's zookeeper.properties). */
export interface LocalZooKeeperConfig {
  dataDir: string;
  clientPort: number;
  /** Where to reach it: clientPortAddress, or 127.0.0.1 when it listens on every interface. */
  host: string;
  /** admin.enableServer as the file sets it (ZooKeeper 3.5+ starts an HTTP admin server on :8080 by default). */
  adminServerSet: boolean;
}

/** Reads the keys kts needs from parsed properties; a clear message for each that is missing or wrong. */
export function localZooKeeperConfig(props: ReadonlyMap<string, string>, source: string): LocalZooKeeperConfig | string {
  const dataDir = props.get('dataDir')?.trim();
  if (!dataDir) return `${source} has no dataDir (where ZooKeeper keeps its snapshots), e.g. dataDir=/tmp/zookeeper`;
  const portText = props.get('clientPort')?.trim() ?? '';
  const clientPort = Number(portText);
  if (!/^\d+$/.test(portText) || clientPort < 1 || clientPort > 65535) {
    return `${source}: clientPort ${portText === '' ? 'is missing' : `"${portText}" is not a port`} (kts needs it to know where ZooKeeper listens), e.g. clientPort=2181`;
  }
  const address = props.get('clientPortAddress')?.trim();
  const host = !address || address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return { dataDir, clientPort, host, adminServerSet: props.has('admin.enableServer') };
}

/** The config `kts zookeeper-start` uses without a file: one local server, Kafka's quick-start settings. */
export function defaultZooKeeperProperties(dataDir: string): string {
  return [`dataDir=${dataDir}`, 'clientPort=2181', 'clientPortAddress=127.0.0.1', 'maxClientCnxns=0', 'tickTime=2000', 'admin.enableServer=false', ''].join('\n');
}

export const ZooKeeperPidFile = 'kts-zookeeper.json';

export interface ZooKeeperPidInfo {
  pid: number;
  host: string;
  clientPort: number;
  config: string;
  log?: string;
}

export function writeZooKeeperPidFile(dataDir: string, info: ZooKeeperPidInfo): void {
  writeFileSync(join(dataDir, ZooKeeperPidFile), JSON.stringify(info) + '\n');
}

export function removeZooKeeperPidFile(dataDir: string, pid: number): void {
  if (readZooKeeperPidFile(dataDir)?.pid === pid) rmSync(join(dataDir, ZooKeeperPidFile), { force: true });
}

export function readZooKeeperPidFile(dataDir: string): ZooKeeperPidInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, ZooKeeperPidFile), 'utf8')) as ZooKeeperPidInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is a running ZooKeeper server (not a process that reused a stale pid). */
export function isZooKeeperProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(ZooKeeperMainClass);
  } catch {
    // No /proc (macOS): fall back to "some process has this pid".
    try {
      process.kill(pid, 0);
      return !existsSync('/proc/self');
    } catch {
      return false;
    }
  }
}

/** Answers of the `srvr` four-letter word ('' when the server does not answer). */
export function zooKeeperStatus(host: string, port: number, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(port, host, () => s.write('srvr'));
    let out = '';
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
