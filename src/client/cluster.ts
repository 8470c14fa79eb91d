/**
 * The client's view of a cluster: bootstrap addresses, one negotiated connection per
 * broker id (from Metadata's broker list), a metadata cache with refresh, routing to
 * partition leaders, and retry with backoff for retriable Kafka and connection errors.
 */
import { ErrorCode, KafkaError, isRetriable } from '../protocol/errors.js';
import { BrokerConnection } from '../net/broker-connection.js';
import { ConnectionError, type FrameChannel } from '../net/tcp-channel.js';
import type { BrokerNode } from './types.js';
import { ApiKey } from '../protocol/apis.js';
import type { MetadataResponse } from '../protocol/messages/03-metadata.js';

export type ChannelFactory = (host: string, port: number) => Promise<FrameChannel>;

export interface ClusterOptions {
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  retryBackoffMs: number;
  /** Give up on retriable failures after this long. */
  apiTimeoutMs: number;
  metadataMaxAgeMs: number;
  /** Runs on each new connection after version negotiation (SASL authentication). */
  authenticate?: (conn: BrokerConnection) => Promise<void>;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicMetadata {
  name: string;
  errorCode: number;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionMetadata[];
}

export interface MetadataSnapshot {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerNode[];
  topics: Map<string, TopicMetadata>;
}

/** Highest Metadata version kts's client fills correctly. */
const METADATA_MAX_VERSION = 12;

export class Cluster {
  private readonly bootstrap: readonly { host: string; port: number }[];
  private readonly openChannel: ChannelFactory;
  readonly options: ClusterOptions;
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private brokers = new Map<number, BrokerNode>();
  private readonly topics = new Map<string, { meta: TopicMetadata; fetchedAtMs: number }>();
  private lastSnapshot: MetadataSnapshot | null = null;
  private readonly topicRefreshes = new Map<string, Promise<MetadataSnapshot>>();
  private closed = false;
  private everConnected = false;

  constructor(bootstrap: readonly { host: string; port: number }[], openChannel: ChannelFactory, options: ClusterOptions) {
    this.bootstrap = bootstrap;
    this.openChannel = openChannel;
    this.options = options;
  }

  /**
   * A view of the same cluster with its own connections and metadata cache. Producers and
   * consumers each get one, as Java clients do: a broker answers one connection in order,
   * so a consumer's long-poll fetch must not hold up a producer's request.
   */
  fork(): Cluster {
    const child = new Cluster(this.bootstrap, this.openChannel, this.options);
    child.brokers = new Map(this.brokers);
    child.everConnected = this.everConnected;
    return child;
  }

  /** A connection to any broker: a known one first, else a bootstrap address. */
  async any(): Promise<BrokerConnection> {
    let lastError: unknown = null;
    const known = [...this.brokers.values()].map((b) => ({ host: b.host, port: b.port }));
    for (const addr of [...known, ...this.bootstrap]) {
      try {
        return await this.connect(addr.host, addr.port);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError ?? new ConnectionError('No bootstrap servers given');
  }

  /** The connection to broker `nodeId` (as listed by Metadata). */
  async node(nodeId: number): Promise<BrokerConnection> {
    let broker = this.brokers.get(nodeId);
    if (!broker) {
      await this.refreshMetadata([]);
      broker = this.brokers.get(nodeId);
    }
    if (!broker) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`);
    return this.connect(broker.host, broker.port);
  }

  knownBrokers(): BrokerNode[] {
    return [...this.brokers.values()];
  }

  /**
   * Fetches metadata for `topics` (null: all topics). Auto-creation is off: kts asks for
   * topics explicitly. Updates the cache for the topics returned.
   */
  async refreshMetadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<MetadataSnapshot> {
    const conn = await this.any();
    const { body } = await conn.call(
      ApiKey.Metadata,
      (v) => ({
        topics: topics === null ? (v === 0 ? [] : null) : topics.map((name) => ({ topicId: ZERO_UUID, name })),
        allowAutoTopicCreation,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      }),
      { maxVersion: METADATA_MAX_VERSION },
    );
    const snapshot = toSnapshot(body);
    if (snapshot.brokers.length > 0) this.brokers = new Map(snapshot.brokers.map((b) => [b.nodeId, b]));
    const now = Date.now();
    for (const t of snapshot.topics.values()) {
      if (t.errorCode === ErrorCode.NONE) this.topics.set(t.name, { meta: t, fetchedAtMs: now });
      else this.topics.delete(t.name);
    }
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  lastMetadata(): MetadataSnapshot | null {
    return this.lastSnapshot;
  }

  /** Cached topic metadata if present and fresh, without any request. */
  cachedTopic(name: string, nowMs = Date.now()): TopicMetadata | undefined {
    const cached = this.topics.get(name);
    return cached && nowMs - cached.fetchedAtMs < this.options.metadataMaxAgeMs ? cached.meta : undefined;
  }

  /** Cached topic metadata; refreshes when missing or older than metadata.max.age.ms. */
  async topic(name: string, forceRefresh = false, allowAutoTopicCreation = false): Promise<TopicMetadata> {
    const cached = this.topics.get(name);
    if (!forceRefresh && cached && Date.now() - cached.fetchedAtMs < this.options.metadataMaxAgeMs) return cached.meta;
    // Concurrent lookups of one topic share a single Metadata request.
    let refresh = this.topicRefreshes.get(name);
    if (!refresh) {
      refresh = this.refreshMetadata([name], allowAutoTopicCreation).finally(() => this.topicRefreshes.delete(name));
      this.topicRefreshes.set(name, refresh);
    }
    const snapshot = await refresh;
    const meta = snapshot.topics.get(name);
    if (!meta) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} not in metadata response`);
    if (meta.errorCode !== ErrorCode.NONE) throw new KafkaError(meta.errorCode, `topic ${name}`);
    return meta;
  }

  invalidate(topic: string): void {
    this.topics.delete(topic);
  }

  /** Leader broker id of a partition; throws a retriable error when there is none. */
  async leaderOf(topic: string, partition: number): Promise<number> {
    const meta = await this.topic(topic);
    const p = meta.partitions.find((x) => x.partition === partition);
    if (!p) {
      throw new KafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `topic ${topic} has ${meta.partitions.length} partitions; partition ${partition} does not exist`,
      );
    }
    if (p.leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `no leader for ${topic}-${partition}`);
    return p.leader;
  }

  /** The controller (for admin requests), or any broker when unknown. */
  async controller(): Promise<BrokerConnection> {
    const snapshot = this.lastSnapshot ?? (await this.refreshMetadata([]));
    if (snapshot.controllerId >= 0 && this.brokers.has(snapshot.controllerId)) return this.node(snapshot.controllerId);
    return this.any();
  }

  /**
   * Runs `op` until it succeeds, a non-retriable error happens, or apiTimeoutMs passes.
   * Before each retry metadata is refreshed (leaders move, topics appear).
   */
  async retry<T>(op: () => Promise<T>, deadlineMs = Date.now() + this.options.apiTimeoutMs): Promise<T> {
    const deadline = deadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!this.isRetriable(err) || Date.now() >= deadline || this.closed) throw err;
        await sleep(Math.max(0, Math.min(this.options.retryBackoffMs * 2 ** Math.min(attempt, 5), 1000, deadline - Date.now())));
        // A broker that went away (or lost leadership or controllership): learn the cluster again
        // before the next try, or every retry would go back to the same dead address.
        await this.refreshMetadata([]).catch(() => undefined);
      }
    }
  }

  /**
   * Retriable Kafka errors, and connection faults. A refused connection counts only once
   * this cluster has answered before (a restarting broker), so a wrong address fails fast.
   */
  isRetriable(err: unknown): boolean {
    if (err instanceof KafkaError) return isRetriable(err.errorCode);
    if (!(err instanceof ConnectionError) || this.closed) return false;
    // A peer that does not speak Kafka (HTTP, TLS, garbage) will not start to on a retry.
    if (err.failure === 'client-closed' || err.failure === 'unresolved' || err.failure === 'protocol' || err.failure === 'tls-handshake') return false;
    return err.failure !== 'refused' || this.everConnected;
  }

  close(): void {
    this.closed = true;
    this.dropConnections();
  }

  private dropConnections(): void {
    for (const p of this.connections.values()) p.then((c) => c.channel.close(), () => undefined);
    this.connections.clear();
  }

  private async connect(host: string, port: number): Promise<BrokerConnection> {
    if (this.closed) throw new ConnectionError('The client is closed', undefined, undefined, 'client-closed');
    const key = `${host}:${port}`;
    const cached = this.connections.get(key);
    if (cached) {
      const conn = await cached.catch(() => null);
      if (conn && conn.channel.isOpen) return conn;
      // A failed or dead connection: forget it and dial again.
      if (this.connections.get(key) === cached) this.connections.delete(key);
      if (this.connections.has(key)) return this.connect(host, port);
    }
    const p = this.openChannel(host, port)
      .then((ch) => BrokerConnection.open(ch, this.options.clientId, this.options.requestTimeoutMs))
      .then(async (conn) => {
        try {
          await this.options.authenticate?.(conn);
        } catch (err) {
          conn.channel.close();
          throw err;
        }
        return conn;
      });
    this.connections.set(key, p);
    try {
      const conn = await p;
      this.everConnected = true;
      return conn;
    } catch (err) {
      if (this.connections.get(key) === p) this.connections.delete(key);
      throw err;
    }
  }
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function toSnapshot(body: MetadataResponse): MetadataSnapshot {
  const topics = new Map<string, TopicMetadata>();
  for (const t of body.topics) {
    if (t.name === null) continue;
    topics.set(t.name, {
      name: t.name,
      errorCode: t.errorCode,
      topicId: t.topicId ?? ZERO_UUID,
      isInternal: t.isInternal ?? false,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
        }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  return {
    clusterId: body.clusterId ?? null,
    controllerId: body.controllerId ?? -1,
    brokers: body.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
    topics,
  };
}
