/**
 * Transaction markers on their way to partition leaders (Kafka's
 * TransactionMarkerChannelManager). A partition this broker leads gets its marker appended
 * here (acks=all); a partition led by another broker gets a WriteTxnMarkers request on one
 * connection per broker, over the inter-broker listener. While the leader is unknown, down
 * or moved (NOT_LEADER_OR_FOLLOWER and the like, or the connection fails) the marker is
 * retried with the metadata cache's newer answer, until it is written, the partition is
 * gone, or the coordinator no longer wants it (it lost the transactional id, or stopped).
 */
import { ApiKey } from '../../protocol/apis.js';
import { ErrorCode } from '../../protocol/errors.js';
import { BrokerConnection } from '../../net/broker-connection.js';
import { connectToBroker } from '../../net/broker-connect.js';
import { errorMessage } from '../../util/errors.js';
import type { BrokerContext } from '../handler.js';
import { replicationConfigOf } from '../replica/replication-config.js';

export interface MarkerSpec {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

/** Appends a marker to a partition this broker leads; resolves with the Kafka error code once the ISR has it. */
export type LocalMarkerWriter = (topic: string, partition: number, marker: MarkerSpec) => Promise<number>;

/** Worth another try: the leader may be elsewhere now, or back soon. */
const RETRIABLE = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
]);
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 1_000;
const WRITE_TXN_MARKERS_MAX_VERSION = 1;

export class TxnMarkerSender {
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private stopped = false;

  constructor(
    private readonly broker: BrokerContext,
    private readonly writeLocal: LocalMarkerWriter,
  ) {}

  /** Resolves with NONE once written, or the error that ended the tries (NOT_COORDINATOR when no longer wanted). */
  async send(topic: string, partition: number, marker: MarkerSpec, stillWanted: () => boolean): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped || !stillWanted()) return ErrorCode.NOT_COORDINATOR;
      const code = await this.sendOnce(topic, partition, marker);
      if (!RETRIABLE.has(code)) return code;
      if (attempt === 3) this.broker.log.info(`Transaction marker for ${topic}-${partition} (producer ${marker.producerId}) still not written: error ${code}; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt)));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.connections.values()) c.then((conn) => conn.channel.close(), () => undefined);
    this.connections.clear();
  }

  private async sendOnce(topic: string, partition: number, marker: MarkerSpec): Promise<number> {
    const broker = this.broker;
    let leader = broker.nodeId;
    if (broker.replicaManager.clusterMode) {
      const state = broker.metadataCache.partitionState(topic, partition);
      // A partition deleted since it joined the transaction needs no marker.
      if (!state) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (state.leader < 0) return ErrorCode.LEADER_NOT_AVAILABLE;
      leader = state.leader;
    }
    if (leader === broker.nodeId) return this.writeLocal(topic, partition, marker);
    try {
      const conn = await this.connection(leader);
      const { body } = await conn.call(
        ApiKey.WriteTxnMarkers,
        () => ({ markers: [{ producerId: marker.producerId, producerEpoch: marker.producerEpoch, transactionResult: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, topics: [{ name: topic, partitionIndexes: [partition] }] }] }),
        { maxVersion: WRITE_TXN_MARKERS_MAX_VERSION },
      );
      const code = body.markers[0]?.topics[0]?.partitions[0]?.errorCode;
      return code ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    } catch (err) {
      this.broker.log.info(`WriteTxnMarkers to broker ${leader} for ${topic}-${partition} failed: ${errorMessage(err)}`);
      this.dropConnection(leader);
      return ErrorCode.NETWORK_EXCEPTION;
    }
  }

  private connection(brokerId: number): Promise<BrokerConnection> {
    const known = this.connections.get(brokerId);
    if (known) {
      return known.then((conn) => {
        if (conn.channel.isOpen) return conn;
        this.connections.delete(brokerId);
        return this.connection(brokerId);
      });
    }
    const replication = replicationConfigOf(this.broker.config);
    const endpoint = this.broker.metadataCache.endpoint(brokerId, replication.fetcher.listenerName);
    if (!endpoint) return Promise.reject(new Error(`broker ${brokerId} has no live endpoint on listener ${replication.fetcher.listenerName}`));
    const timeoutMs = replication.fetcher.socketTimeoutMs;
    const opening = connectToBroker(endpoint.host, endpoint.port, `kts-txn-marker-sender-${this.broker.nodeId}`, timeoutMs, replication.fetcher.security);
    this.connections.set(brokerId, opening);
    opening.catch(() => this.connections.delete(brokerId));
    return opening;
  }

  private dropConnection(brokerId: number): void {
    const c = this.connections.get(brokerId);
    this.connections.delete(brokerId);
    c?.then((conn) => conn.channel.close(), () => undefined);
  }
}
