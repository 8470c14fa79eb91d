/**
 * Every subcommand kts has. One line per command; each command lives in its own file
 * under cli/commands/. Order here is the order of `kts --help`.
 */
import type { CommandSpec } from './command.js';
import { versionCommand } from './commands/version.js';
import { profileCommand } from './commands/profile.js';
import { topicsCommand } from './commands/topics.js';
import { consoleProducerCommand } from './commands/console-producer.js';
import { consoleConsumerCommand } from './commands/console-consumer.js';
import { getOffsetsCommand } from './commands/get-offsets.js';
import { configsCommand } from './commands/configs.js';
import { deleteRecordsCommand } from './commands/delete-records.js';
import { logDirsCommand } from './commands/log-dirs.js';
import { reassignCommand } from './commands/reassign.js';
import { brokerApiVersionsCommand } from './commands/broker-api-versions.js';
import { leaderElectionCommand } from './commands/leader-election.js';
import { replicaVerificationCommand } from './commands/replica-verification.js';
import { dumpLogCommand } from './commands/dump-log.js';
import { serverStartCommand } from './commands/server-start.js';
import { serverStopCommand } from './commands/server-stop.js';
import { zookeeperStartCommand } from './commands/zookeeper-start.js';
import { zookeeperStopCommand } from './commands/zookeeper-stop.js';
import { producerPerfTestCommand } from './commands/producer-perf-test.js';
import { consumerPerfTestCommand } from './commands/consumer-perf-test.js';
import { e2eLatencyCommand } from './commands/e2e-latency.js';
import { consumerGroupsCommand } from './commands/consumer-groups.js';
import { transactionsCommand } from './commands/transactions.js';
import { uiCommand } from './commands/ui.js';
import { aclsCommand } from './commands/acls.js';

export const commands: readonly CommandSpec[] = [
  topicsCommand,
  consoleProducerCommand,
  consoleConsumerCommand,
  consumerGroupsCommand,
  transactionsCommand,
  getOffsetsCommand,
  configsCommand,
  aclsCommand,
  deleteRecordsCommand,
  logDirsCommand,
  reassignCommand,
  leaderElectionCommand,
  brokerApiVersionsCommand,
  replicaVerificationCommand,
  dumpLogCommand,
  serverStartCommand,
  serverStopCommand,
  zookeeperStartCommand,
  zookeeperStopCommand,
  producerPerfTestCommand,
  consumerPerfTestCommand,
  e2eLatencyCommand,
  uiCommand,
  profileCommand,
  versionCommand,
];
