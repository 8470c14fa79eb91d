/**
 * The controller a broker runs in cluster mode: KafkaController over this broker's
 * ZooKeeper session, configured from server.properties with Kafka's defaults.
 */
import type { BrokerConfig } from '../broker/config.js';
import type { KafkaZkClient } from '../zk/index.js';
import type { Logger } from '../util/logger.js';
import { DEFAULT_CONTROLLER_CONFIG, type ControllerConfig } from './env.js';
import { KafkaController } from './kafka-controller.js';
import { controllerZkOf } from './zk-adapter.js';
import { interBrokerSecurity } from '../broker/auth/inter-broker.js';

function int(raw: Record<string, string>, key: string, fallback: number): number {
  const v = raw[key]?.trim();
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function bool(raw: Record<string, string>, key: string, fallback: boolean): boolean {
  const v = raw[key]?.trim().toLowerCase();
  return v === undefined || v === '' ? fallback : v === 'true';
}

export function controllerConfigOf(config: BrokerConfig, interBrokerListenerName: string): ControllerConfig {
  const raw = config.raw;
  const d = DEFAULT_CONTROLLER_CONFIG;
  return {
    uncleanLeaderElectionEnable: bool(raw, 'unclean.leader.election.enable', d.uncleanLeaderElectionEnable),
    autoLeaderRebalanceEnable: bool(raw, 'auto.leader.rebalance.enable', d.autoLeaderRebalanceEnable),
    leaderImbalancePerBrokerPercentage: int(raw, 'leader.imbalance.per.broker.percentage', d.leaderImbalancePerBrokerPercentage),
    leaderImbalanceCheckIntervalSeconds: int(raw, 'leader.imbalance.check.interval.seconds', d.leaderImbalanceCheckIntervalSeconds),
    deleteTopicEnable: config.deleteTopicEnable,
    interBrokerListenerName,
    interBrokerProtocolVersion: raw['inter.broker.protocol.version']?.trim() || undefined,
    controllerSocketTimeoutMs: int(raw, 'controller.socket.timeout.ms', d.controllerSocketTimeoutMs),
  };
}

export function createController(opts: { config: BrokerConfig; brokerId: number; brokerEpoch: number; zk: KafkaZkClient; log: Logger; interBrokerListenerName: string }): KafkaController {
  return new KafkaController({
    config: controllerConfigOf(opts.config, opts.interBrokerListenerName),
    brokerId: opts.brokerId,
    brokerEpoch: opts.brokerEpoch,
    zk: controllerZkOf(opts.zk),
    log: opts.log,
    security: interBrokerSecurity(opts.config, opts.interBrokerListenerName),
  });
}
