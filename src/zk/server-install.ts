/**
 * Finding an installed Apache ZooKeeper server to run (kts does not ship one): `ZOOKEEPER_HOME`
 * (an Apache ZooKeeper directory: `conf/` and `lib/*.jar`), else Debian's `zookeeper` package
 * (`/etc/zookeeper/conf:/usr/share/java/zookeeper.jar`). Used by `kts zookeeper-start` and the tests.
 */
import { existsSync, readdirSync } from 'node:fs';
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
