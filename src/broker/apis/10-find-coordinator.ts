/**
 * FindCoordinator (key 10), versions 0-6 (v4+ batched keys). Single-node mode: this node,
 * on the listener the request came in on. Cluster mode: the leader of the key's partition
 * of the internal topic as the metadata cache knows it, on the request's listener;
 * COORDINATOR_NOT_AVAILABLE while that partition has no live leader.
 * Finding a group coordinator creates `__consumer_offsets` if needed, as Kafka does.
 * Finding a transaction coordinator (key type 1) creates `__transaction_state` likewise
 * (COORDINATOR_NOT_AVAILABLE while fewer brokers are alive than its replication factor).
 * Deviation: share coordinators (key type 2) are refused with INVALID_REQUEST.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { Coordinator, FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/10-find-coordinator.js';
import { errorMessage } from '../../util/errors.js';
import { groupCoordinatorOf } from '../group/coordinator.js';
import { transactionCoordinatorOf } from '../txn/coordinator.js';
import { TRANSACTION_STATE_TOPIC } from '../txn/store.js';
import { OFFSETS_TOPIC } from '../group/store.js';
import { defineHandler, type RequestContext } from '../handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

async function findOne(key: string, keyType: number, ctx: RequestContext): Promise<Coordinator> {
  const none = { key, nodeId: -1, host: '', port: -1 };
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) {
    return { ...none, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported key type ${keyType}` };
  }
  const broker = ctx.broker;
  const notAvailable = (message: string): Coordinator => ({ ...none, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: message });
  try {
    if (keyType === KEY_TYPE_TRANSACTION) await transactionCoordinatorOf(broker).ensureTopic();
    else await groupCoordinatorOf(broker).ensureOffsetsTopic();
  } catch (err) {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) return notAvailable(err.message);
    broker.log.error(`Could not create the coordinator's internal topic: ${errorMessage(err)}`);
    return notAvailable('The coordinator is not available.');
  }
  if (!broker.replicaManager.clusterMode) {
    const listener = broker.advertisedListeners.find((l) => l.name === ctx.listenerName) ?? broker.advertisedListeners[0];
    if (!listener) return notAvailable('No listener to advertise');
    return { key, nodeId: broker.nodeId, host: listener.host, port: listener.port, errorCode: ErrorCode.NONE, errorMessage: null };
  }
  // Cluster mode: the leader of the key's partition of the internal topic.
  const [topic, partition] =
    keyType === KEY_TYPE_TRANSACTION
      ? [TRANSACTION_STATE_TOPIC, transactionCoordinatorOf(broker).store.partitionFor(key)]
      : [OFFSETS_TOPIC, groupCoordinatorOf(broker).partitionFor(key)];
  const leader = broker.metadataCache.partitionState(topic, partition)?.leader ?? -1;
  if (leader < 0) return notAvailable(`${topic}-${partition} has no leader`);
  const endpoint = broker.metadataCache.endpoint(leader, ctx.listenerName);
  if (!endpoint) return notAvailable(`The leader of ${topic}-${partition}, broker ${leader}, has no live endpoint on listener ${ctx.listenerName}`);
  return { key, nodeId: leader, host: endpoint.host, port: endpoint.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const keyType = request.keyType ?? KEY_TYPE_GROUP;
    if (ctx.apiVersion >= 4) {
      const coordinators = await Promise.all((request.coordinatorKeys ?? []).map((k) => findOne(k, keyType, ctx)));
      return { throttleTimeMs: 0, coordinators };
    }
    const c = await findOne(request.key ?? '', keyType, ctx);
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port };
  },
  errorResponse(request, errorCode) {
    const coordinators = (request.coordinatorKeys ?? []).map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null }));
    return { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators };
  },
});
