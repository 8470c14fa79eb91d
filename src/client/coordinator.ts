/**
 * FindCoordinator, once for the whole client (groups, transactions, transaction admin).
 * Up to v3 the broker answers one coordinator in top-level fields; from v4 a
 * `coordinators` array (KIP-699). Kafka before 0.11 (v0) knows only group keys.
 */
import { ApiKey } from '../protocol/apis.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { FindCoordinatorResponse } from '../protocol/messages/10-find-coordinator.js';
import type { Cluster } from './cluster.js';

export const COORDINATOR_KEY_GROUP = 0;
export const COORDINATOR_KEY_TRANSACTION = 1;

export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** The single coordinator a FindCoordinator response names, whatever its version. */
export function coordinatorFromResponse(version: number, body: FindCoordinatorResponse): { errorCode: number } & CoordinatorNode {
  if (version >= 4) {
    const c = body.coordinators?.[0];
    if (!c) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 };
    return { errorCode: c.errorCode, nodeId: c.nodeId, host: c.host, port: c.port };
  }
  return { errorCode: body.errorCode ?? ErrorCode.NONE, nodeId: body.nodeId ?? -1, host: body.host ?? '', port: body.port ?? -1 };
}

/** Asks any broker for the coordinator of a group (keyType 0) or transactional id (1). */
export async function findCoordinator(cluster: Cluster, keyType: number, key: string): Promise<CoordinatorNode> {
  const conn = await cluster.any();
  const { version, body } = await conn.call(
    ApiKey.FindCoordinator,
    (v) => (v >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }),
    // Transaction coordinators need v1 (Kafka 0.11); a v0-only broker has none.
    { maxVersion: 4, minVersion: keyType === COORDINATOR_KEY_GROUP ? 0 : 1 },
  );
  const c = coordinatorFromResponse(version, body);
  if (c.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(c.errorCode, `FindCoordinator for ${keyType === COORDINATOR_KEY_TRANSACTION ? 'transactional id' : 'group'} ${key}`);
  }
  return { nodeId: c.nodeId, host: c.host, port: c.port };
}
