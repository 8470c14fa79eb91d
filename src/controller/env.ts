/**
 * What the controller's parts share while this broker is the active controller: the
 * context, ZooKeeper, the current request batch, the configuration and the fence that
 * every ZooKeeper write carries.
 */
import type { Logger } from '../util/logger.js';
import type { ControllerContext } from './context.js';
import type { ControllerBrokerRequestBatch } from './request-batch.js';
import type { ControllerFence, ControllerZk } from './zk-port.js';

/** The broker keys the controller acts on, with Kafka's defaults applied by the caller. */
export interface ControllerConfig {
  /** `unclean.leader.election.enable` (default false); topics override it in /config/topics. */
  uncleanLeaderElectionEnable: boolean;
  /** `auto.leader.rebalance.enable` (default true). */
  autoLeaderRebalanceEnable: boolean;
  /** `leader.imbalance.per.broker.percentage` (default 10). */
  leaderImbalancePerBrokerPercentage: number;
  /** `leader.imbalance.check.interval.seconds` (default 300). */
  leaderImbalanceCheckIntervalSeconds: number;
  /** `delete.topic.enable` (default true). */
  deleteTopicEnable: boolean;
  /** The listener controller requests go to: `inter.broker.listener.name`, else the name of `security.inter.broker.protocol` (PLAINTEXT). */
  interBrokerListenerName: string;
  /** `inter.broker.protocol.version`; unset = the newest versions kts sends. */
  interBrokerProtocolVersion?: string;
  /** `controller.socket.timeout.ms` (default 30000). */
  controllerSocketTimeoutMs: number;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  uncleanLeaderElectionEnable: false,
  autoLeaderRebalanceEnable: true,
  leaderImbalancePerBrokerPercentage: 10,
  leaderImbalanceCheckIntervalSeconds: 300,
  deleteTopicEnable: true,
  interBrokerListenerName: 'PLAINTEXT',
  controllerSocketTimeoutMs: 30000,
};

export interface ControllerEnv {
  brokerId: number;
  config: ControllerConfig;
  context: ControllerContext;
  zk: ControllerZk;
  log: Logger;
  /** The batch state changes add requests to; the event that made them sends it. */
  batch: ControllerBrokerRequestBatch;
  fence(): ControllerFence;
}

/** Another controller took over (our /controller_epoch check failed): resign. */
export class ControllerMovedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControllerMovedError';
  }
}
