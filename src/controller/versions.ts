/**
 * The controller request versions `inter.broker.protocol.version` allows (Kafka's
 * ControllerChannelManager choices per IBP). kts sends at most the versions here even when
 * both sides know newer ones: the topic-id versions (LeaderAndIsr 5+, UpdateMetadata 7+)
 * need topic ids in ZooKeeper, which a ZooKeeper-mode cluster of Kafka < 2.8 does not have.
 */
import { KtsError } from '../util/errors.js';
import { compareIbp, parseIbp } from '../protocol/inter-broker-protocol.js';

export interface ControllerRequestVersions {
  leaderAndIsr: number;
  updateMetadata: number;
  stopReplica: number;
}

/** The newest versions kts's controller sends (no IBP set, or an IBP of 2.4 or later). */
export const NEWEST_CONTROLLER_VERSIONS: ControllerRequestVersions = { leaderAndIsr: 4, updateMetadata: 6, stopReplica: 3 };

interface IbpStep {
  /** [major, minor, iv] the step starts at. */
  from: [number, number, number];
  versions: ControllerRequestVersions;
}

// Read from Kafka's ControllerChannelManager (1.1, 2.2, 2.4, 2.6): the IBP at which each
// version became the one sent.
const STEPS: IbpStep[] = [
  { from: [0, 0, 0], versions: { leaderAndIsr: 0, updateMetadata: 0, stopReplica: 0 } },
  { from: [0, 9, 0], versions: { leaderAndIsr: 0, updateMetadata: 1, stopReplica: 0 } },
  { from: [0, 10, 0], versions: { leaderAndIsr: 0, updateMetadata: 2, stopReplica: 0 } },
  { from: [0, 10, 2], versions: { leaderAndIsr: 0, updateMetadata: 3, stopReplica: 0 } },
  { from: [1, 0, 0], versions: { leaderAndIsr: 1, updateMetadata: 4, stopReplica: 0 } },
  { from: [2, 2, 0], versions: { leaderAndIsr: 2, updateMetadata: 5, stopReplica: 1 } },
  { from: [2, 4, 0], versions: { leaderAndIsr: 3, updateMetadata: 6, stopReplica: 2 } },
  { from: [2, 4, 1], versions: { leaderAndIsr: 4, updateMetadata: 6, stopReplica: 2 } },
  { from: [2, 6, 0], versions: NEWEST_CONTROLLER_VERSIONS },
];

/**
 * Parses an IBP such as `1.1`, `1.1-IV0`, `0.10.2`, `2.4-IV1`, `3.6`; throws a KtsError naming
 * the key when it is not one.
 */
export function controllerRequestVersions(interBrokerProtocolVersion: string | undefined): ControllerRequestVersions {
  if (interBrokerProtocolVersion === undefined || interBrokerProtocolVersion === '') return NEWEST_CONTROLLER_VERSIONS;
  const key = parseIbp(interBrokerProtocolVersion);
  if (!key) {
    throw new KtsError(
      'KTS_CONFIG',
      `inter.broker.protocol.version=${interBrokerProtocolVersion} is not a Kafka version.`,
      'Use a version such as 1.1, 2.4-IV1 or 3.6 (or leave it unset for the newest).',
    );
  }
  let chosen = STEPS[0]!.versions;
  for (const step of STEPS) if (compareIbp(key, step.from) >= 0) chosen = step.versions;
  return chosen;
}
