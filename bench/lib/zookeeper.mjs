// A throwaway Apache ZooKeeper (Debian's package, or ZOOKEEPER_HOME) for the cluster scenario.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './proc.mjs';

function classpath() {
  const home = process.env.ZOOKEEPER_HOME;
  if (home && existsSync(join(home, 'lib'))) return `${join(home, 'conf')}:${join(home, 'lib', '*')}`;
  if (existsSync('/usr/share/java/zookeeper.jar')) return '/etc/zookeeper/conf:/usr/share/java/*';
  return undefined;
}

function ruok(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('ruok'));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(out === 'imok'));
    setTimeout(() => s.destroy(), 1000);
  });
}

export async function startZooKeeper(work) {
  const cp = classpath();
  if (!cp) throw new Error('ZooKeeper is not installed (apt-get install zookeeper, or set ZOOKEEPER_HOME)');
  const dir = mkdtempSync(join(work, 'zk-'));
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(cfg, [`tickTime=500`, `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'maxClientCnxns=0', 'admin.enableServer=false', '4lw.commands.whitelist=srvr,ruok', ''].join('\n'));
  const child = spawn('java', ['-cp', cp, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: 'ignore' });
  const t0 = Date.now();
  while (!(await ruok(port))) {
    if (Date.now() - t0 > 30_000) {
      child.kill('SIGKILL');
      throw new Error('ZooKeeper did not start within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    connect: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
