/**
 * Server processes of tests (kts brokers, ZooKeeper, Kafka 1.1) die with the test process:
 * they are started through util-linux's `setpriv --pdeathsig KILL`, which asks the kernel to
 * SIGKILL it when its parent dies and then execs the command (same pid, so SIGSTOP and kill
 * by pid work as before). Teardowns stop them too, but a test process that tap SIGKILLs after
 * its timeout (or that crashes) runs no teardown, and its brokers lived on for hours, retrying
 * a dead ZooKeeper, holding ports and loading every later test. Without setpriv: a plain spawn.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

const hasSetpriv = spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;

export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return hasSetpriv ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], options) : spawn(command, args, options);
}
