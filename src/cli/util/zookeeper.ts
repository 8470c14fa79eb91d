/**
 * `--zookeeper host:port[/chroot]` for the tools that can talk to a ZooKeeper-mode cluster
 * as Kafka 1.1's did (reassign, leader-election): one KafkaZkClient session for the
 * command, always closed.
 */
import type { ParsedArgs } from '../command.js';
import { KafkaZkClient } from '../../zk/index.js';
import { silentLogger } from '../../util/logger.js';
import { UsageError } from '../../util/errors.js';

export const zookeeperOption = {
  zookeeper: {
    type: 'string',
    placeholder: '<host:port[/chroot]>',
    describe: 'Work through the ZooKeeper of a ZooKeeper-mode cluster (Kafka 1.1 style) instead of --bootstrap-server.',
  },
} as const;

/** The --zookeeper connect string, or undefined; refuses it together with --bootstrap-server. */
export function zookeeperConnect(args: ParsedArgs): string | undefined {
  const zk = args.zookeeper;
  if (zk === undefined) return undefined;
  if (typeof zk !== 'string' || zk === '') throw new UsageError('--zookeeper needs host:port[/chroot]');
  if (args['bootstrap-server'] !== undefined) throw new UsageError('Only one of --bootstrap-server or --zookeeper must be specified');
  return zk;
}

export async function withZookeeper<T>(connect: string, work: (zk: KafkaZkClient) => Promise<T>): Promise<T> {
  const zk = await KafkaZkClient.connect({ connect, sessionTimeoutMs: 30_000, connectionTimeoutMs: 30_000, log: silentLogger });
  try {
    return await work(zk);
  } finally {
    await zk.close();
  }
}
