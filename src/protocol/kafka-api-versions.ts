/**
 * The highest version of each API an Apache Kafka release serves to clients, for the
 * releases kts shares clusters with, keyed by `inter.broker.protocol.version`.
 *
 * Why: kafkajs (2.2.4) asks only its seed broker for ApiVersions and uses those versions
 * with every broker of the cluster. Seeded by a kts broker it sent Kafka 1.1 brokers
 * versions they cannot parse (Produce v7, FindCoordinator v2, InitProducerId v1, ...), and
 * Kafka closes the connection on those: "Closed connection" on every request to them. A kts
 * broker told it shares a cluster with Kafka 1.1 therefore advertises no more than Kafka
 * 1.1 does for the APIs Kafka 1.1 serves (it still answers higher versions a client sends);
 * APIs Kafka 1.1 lacks stay advertised as they are. Clients that negotiate per broker
 * (librdkafka, Java) lose nothing they could use on the Kafka brokers anyway.
 */
import { compareIbp, parseIbp, type IbpKey } from './inter-broker-protocol.js';

/** apiKey → max version of Apache Kafka 1.1.0's ApiVersions response (kafka-broker-api-versions.sh of a 1.1.0 broker). */
const KAFKA_1_1: ReadonlyMap<number, number> = new Map([
  [0, 5], [1, 7], [2, 2], [3, 5], [4, 1], [5, 0], [6, 4], [7, 1], [8, 3], [9, 3], [10, 1],
  [11, 2], [12, 1], [13, 1], [14, 1], [15, 1], [16, 1], [17, 1], [18, 1], [19, 2], [20, 1],
  [21, 0], [22, 0], [23, 0], [24, 0], [25, 0], [26, 0], [27, 0], [28, 0], [29, 0], [30, 0],
  [31, 0], [32, 1], [33, 0], [34, 0], [35, 0], [36, 0], [37, 0], [38, 0], [39, 0], [40, 0],
  [41, 0], [42, 0],
]);

interface Release {
  /** The IBPs of this release: from (inclusive) to (exclusive). */
  from: IbpKey;
  to: IbpKey;
  maxVersions: ReadonlyMap<number, number>;
}

const RELEASES: readonly Release[] = [{ from: [1, 1, 0], to: [2, 0, 0], maxVersions: KAFKA_1_1 }];

/**
 * apiKey → the highest version to advertise under `interBrokerProtocolVersion`, or undefined
 * when it names no release in the table (unset, newer, or a release kts was not tested with:
 * then nothing is capped).
 */
export function clientVersionCaps(interBrokerProtocolVersion: string | undefined): ReadonlyMap<number, number> | undefined {
  const key = interBrokerProtocolVersion ? parseIbp(interBrokerProtocolVersion) : undefined;
  if (!key) return undefined;
  return RELEASES.find((r) => compareIbp(key, r.from) >= 0 && compareIbp(key, r.to) < 0)?.maxVersions;
}
