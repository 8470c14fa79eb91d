/**
 * The admin client: topic, partition, config, offset, record and log-dir management over
 * Kafka's admin APIs, with typed results. Per-resource error codes become KafkaErrors
 * carrying the broker's error message. Topic-level requests go to the controller (or any
 * broker); broker resources and log dirs to the broker concerned.
 */
import { ErrorCode, KafkaError, errorName } from '../protocol/errors.js';
import { UsageError } from '../util/errors.js';
import { ApiKey } from '../protocol/apis.js';
import type { RequestOf, ResponseOf, TypedApiKey } from '../protocol/types.js';
import { ZERO_UUID, type Cluster } from './cluster.js';
import type { BrokerConnection } from '../net/broker-connection.js';
import { listOffsets } from './offsets.js';
import { firstKafkaRelease } from '../protocol/kafka-releases.js';
import { PatternType, type AclBinding, type AclBindingFilter } from '../protocol/acl.js';
import { randomBytes } from 'node:crypto';
import { SCRAM_MECHANISM_IDS, isScramMechanism, saltedPassword, scramMechanismById } from '../net/sasl/scram.js';
import type {
  Admin,
  BrokerApiVersions,
  ClusterDescription,
  ConfigAlteration,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSourceName,
  CreateTopicResult,
  DeleteRecordsResult,
  DescribeConfigsOptions,
  ElectionType,
  IsolationLevel,
  ListOffsetsResult,
  LogDirDescription,
  NewTopic,
  OffsetSpec,
  OngoingReassignment,
  PartitionOutcome,
  ReplicaFetchResult,
  ReplicaLogDir,
  ScramAlteration,
  TopicDescription,
  TopicPartition,
} from './types.js';

const RESOURCE_TYPE: Record<ConfigResourceType, number> = { topic: 2, broker: 4, 'broker-logger': 8 };
const CONFIG_SOURCES: readonly ConfigSourceName[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];
const CONFIG_TYPES = ['UNKNOWN', 'BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'];
const ALTER_OPS = { set: 0, delete: 1, append: 2, subtract: 3 } as const;
const DEFAULT_TIMEOUT_MS = 30000;

function sourceName(code: number): ConfigSourceName {
  return CONFIG_SOURCES[code] ?? 'UNKNOWN';
}

function check(errorCode: number, what: string, message?: string | null): void {
  if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, message ? `${what}: ${message}` : what);
}

function outcome(topic: string, partition: number, errorCode: number, message: string | null): PartitionOutcome {
  return { topic, partition, errorCode, error: errorCode === ErrorCode.NONE ? null : errorName(errorCode), message };
}

export class KafkaAdmin implements Admin {
  private readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  async createTopics(topics: readonly NewTopic[], options: { validateOnly?: boolean; timeoutMs?: number } = {}): Promise<CreateTopicResult[]> {
    const defaults = await this.legacyTopicDefaults(topics);
    const body = await this.onController(ApiKey.CreateTopics, () => ({
      topics: topics.map((t) => ({
        name: t.topic,
        numPartitions: t.replicaAssignment ? -1 : orDefault(t.numPartitions, defaults.numPartitions),
        replicationFactor: t.replicaAssignment ? -1 : orDefault(t.replicationFactor, defaults.replicationFactor),
        assignments: [...(t.replicaAssignment ?? new Map<number, readonly number[]>())].map(([partitionIndex, brokerIds]) => ({
          partitionIndex,
          brokerIds: [...brokerIds],
        })),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      validateOnly: options.validateOnly ?? false,
    }), options.validateOnly ? 1 : 0);
    for (const t of body.topics) check(t.errorCode, `create topic ${t.name}`, t.errorMessage);
    invalidateAll(this.cluster, topics.map((t) => t.topic));
    return body.topics.map((t) => ({
      topic: t.name,
      topicId: t.topicId ?? ZERO_UUID,
      numPartitions: t.numPartitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      configs: (t.configs ?? []).map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        source: sourceName(c.configSource),
        isSensitive: c.isSensitive,
      })),
    }));
  }

  /**
   * CreateTopics before v4 (Kafka < 2.4) refuses -1 for partitions and replication
   * factor: ask the controller for its num.partitions and default.replication.factor,
   * which is what Kafka's broker would have applied.
   */
  private async legacyTopicDefaults(topics: readonly NewTopic[]): Promise<{ numPartitions: number; replicationFactor: number }> {
    const none = { numPartitions: -1, replicationFactor: -1 };
    const needed = topics.some((t) => !t.replicaAssignment && (orDefault(t.numPartitions, -1) < 0 || orDefault(t.replicationFactor, -1) < 0));
    if (!needed) return none;
    const conn = await this.cluster.retry(() => this.cluster.controller());
    if (conn.version(ApiKey.CreateTopics) >= 4) return none;
    const snapshot = this.cluster.lastMetadata();
    const brokerId = snapshot && snapshot.controllerId >= 0 ? snapshot.controllerId : (this.cluster.knownBrokers()[0]?.nodeId ?? -1);
    if (brokerId < 0) return none;
    const entries = await this.describeConfigs({ type: 'broker', name: String(brokerId) }, { keys: ['num.partitions', 'default.replication.factor'] });
    const value = (name: string): number => {
      const n = Number(entries.find((e) => e.name === name)?.value ?? NaN);
      return Number.isInteger(n) && n > 0 ? n : -1;
    };
    return { numPartitions: value('num.partitions'), replicationFactor: value('default.replication.factor') };
  }

  async deleteTopics(topics: readonly string[], options: { timeoutMs?: number } = {}): Promise<void> {
    const body = await this.onController(ApiKey.DeleteTopics, () => ({
      topicNames: [...topics],
      topics: topics.map((name) => ({ name, topicId: ZERO_UUID })),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }));
    for (const r of body.responses ?? []) check(r.errorCode, `delete topic ${r.name}`, r.errorMessage);
    invalidateAll(this.cluster, topics);
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const snapshot = await this.cluster.retry(() => this.cluster.refreshMetadata(null));
    return [...snapshot.topics.values()]
      .filter((t) => t.errorCode === ErrorCode.NONE && (options.includeInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  async describeTopics(topics?: readonly string[]): Promise<TopicDescription[]> {
    const snapshot = await this.cluster.retry(() => this.cluster.refreshMetadata(topics ?? null));
    const names = topics ?? [...snapshot.topics.keys()].sort();
    return names.map((name) => {
      const t = snapshot.topics.get(name);
      if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
      check(t.errorCode, `topic ${name}`);
      return {
        name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      };
    });
  }

  async createPartitions(
    requests: readonly { topic: string; totalCount: number; assignments?: readonly (readonly number[])[] }[],
    options: { validateOnly?: boolean; timeoutMs?: number } = {},
  ): Promise<void> {
    const body = await this.onController(ApiKey.CreatePartitions, () => ({
      topics: requests.map((r) => ({
        name: r.topic,
        count: r.totalCount,
        assignments: r.assignments ? r.assignments.map((brokerIds) => ({ brokerIds: [...brokerIds] })) : null,
      })),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      validateOnly: options.validateOnly ?? false,
    }));
    for (const r of body.results ?? []) check(r.errorCode, `create partitions for ${r.name}`, r.errorMessage);
    invalidateAll(this.cluster, requests.map((r) => r.topic));
  }

  async describeConfigs(resource: ConfigResource, options: DescribeConfigsOptions = {}): Promise<ConfigEntry[]> {
    const { body } = await this.cluster.retry(async () => {
      const conn = await this.connectionFor(resource);
      return conn.call(ApiKey.DescribeConfigs, () => ({
        resources: [
          {
            resourceType: resourceTypeCode(resource.type),
            resourceName: resource.name,
            configurationKeys: options.keys ? [...options.keys] : null,
          },
        ],
        includeSynonyms: options.includeSynonyms ?? false,
        includeDocumentation: options.includeDocumentation ?? false,
      }), { minVersion: options.includeDocumentation ? 3 : options.includeSynonyms ? 1 : 0 });
    });
    const result = body.results[0];
    if (!result) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'DescribeConfigs returned no result');
    check(result.errorCode, `describe configs of ${resource.type} ${resource.name}`, result.errorMessage);
    return result.configs.map((c) => {
      const source = c.configSource !== undefined && c.configSource >= 0 ? sourceName(c.configSource) : c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN';
      return {
        name: c.name,
        value: c.value,
        source,
        readOnly: c.readOnly,
        isDefault: source === 'DEFAULT_CONFIG' || (c.isDefault ?? false),
        isSensitive: c.isSensitive,
        synonyms: (c.synonyms ?? []).map((s) => ({ name: s.name, value: s.value, source: sourceName(s.source) })),
        type: CONFIG_TYPES[c.configType ?? 0] ?? 'UNKNOWN',
        documentation: c.documentation ?? null,
      };
    });
  }

  async alterConfigs(resource: ConfigResource, configs: Readonly<Record<string, string>>, options: { validateOnly?: boolean } = {}): Promise<void> {
    await this.alter(resource, ApiKey.AlterConfigs, () => ({
      resources: [
        {
          resourceType: resourceTypeCode(resource.type),
          resourceName: resource.name,
          configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
      validateOnly: options.validateOnly ?? false,
    }));
  }

  async incrementalAlterConfigs(
    resource: ConfigResource,
    alterations: readonly ConfigAlteration[],
    options: { validateOnly?: boolean } = {},
  ): Promise<void> {
    for (const a of alterations) {
      if (a.op !== 'delete' && a.value === undefined) throw new UsageError(`Config ${a.name}: ${a.op} needs a value`);
    }
    if (!(await this.cluster.retry(() => this.connectionFor(resource))).brokerRange(ApiKey.IncrementalAlterConfigs)) {
      return this.alterConfigsWhole(resource, alterations, options);
    }
    await this.alter(resource, ApiKey.IncrementalAlterConfigs, () => ({
      resources: [
        {
          resourceType: resourceTypeCode(resource.type),
          resourceName: resource.name,
          configs: alterations.map((a) => ({ name: a.name, configOperation: ALTER_OPS[a.op], value: a.value ?? null })),
        },
      ],
      validateOnly: options.validateOnly ?? false,
    }));
  }

  /**
   * IncrementalAlterConfigs for brokers before Kafka 2.3, as Kafka's tool did there: read
   * the resource's dynamic config, apply the changes, write it back whole (AlterConfigs).
   * Not atomic against a concurrent writer, like Kafka's own fallback.
   */
  private async alterConfigsWhole(resource: ConfigResource, alterations: readonly ConfigAlteration[], options: { validateOnly?: boolean }): Promise<void> {
    if (resource.type === 'broker-logger') {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `altering broker loggers needs IncrementalAlterConfigs: ${firstKafkaRelease(ApiKey.IncrementalAlterConfigs)} or newer`);
    }
    const dynamicSource = resource.type === 'topic' ? 'DYNAMIC_TOPIC_CONFIG' : resource.name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
    const all = await this.describeConfigs(resource);
    // DescribeConfigs v0 (Kafka 1.0) has no config source: a topic's non-default value is its override.
    const current = all.filter((e) => e.source === dynamicSource || (resource.type === 'topic' && e.source === 'UNKNOWN' && !e.isDefault));
    const hidden = current.filter((e) => e.isSensitive && e.value === null).map((e) => e.name);
    if (hidden.length > 0) {
      throw new UsageError(
        `Cannot rewrite the configs of ${resource.type} ${resource.name}: the broker hides the values of ${hidden.join(', ')} and predates IncrementalAlterConfigs (${firstKafkaRelease(ApiKey.IncrementalAlterConfigs)})`,
        'Pass every sensitive config again with --add-config, or upgrade the broker',
      );
    }
    const configs = new Map(current.map((e) => [e.name, e.value ?? '']));
    // append/subtract start from the effective value (the default when not set), as the broker's own would.
    const effective = new Map(all.map((e) => [e.name, e.value ?? '']));
    for (const a of alterations) applyAlteration(configs, a, effective.get(a.name) ?? '');
    await this.alterConfigs(resource, Object.fromEntries(configs), options);
  }

  listOffsets(
    queries: readonly (TopicPartition & { spec: OffsetSpec })[],
    options: { isolationLevel?: IsolationLevel } = {},
  ): Promise<ListOffsetsResult[]> {
    return listOffsets(this.cluster, queries, options.isolationLevel);
  }

  async deleteRecords(
    requests: readonly (TopicPartition & { offset: number })[],
    options: { timeoutMs?: number } = {},
  ): Promise<DeleteRecordsResult[]> {
    const results = new Map<string, DeleteRecordsResult>();
    await this.cluster.retry(async () => {
      const byLeader = new Map<number, (TopicPartition & { offset: number })[]>();
      for (const r of requests) {
        if (results.has(`${r.topic}:${r.partition}`)) continue;
        const leader = await this.cluster.leaderOf(r.topic, r.partition);
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), r]);
      }
      await Promise.all([...byLeader].map(([leader, rs]) => this.deleteRecordsOn(leader, rs, options.timeoutMs, results)));
    });
    return requests.map((r) => results.get(`${r.topic}:${r.partition}`)!);
  }

  async describeLogDirs(options: { brokerIds?: readonly number[]; topics?: readonly string[] } = {}): Promise<LogDirDescription[]> {
    let topicsFilter: { topic: string; partitions: number[] }[] | null = null;
    if (options.topics) {
      const described = await this.describeTopics(options.topics);
      topicsFilter = described.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partition) }));
    }
    const brokerIds = options.brokerIds ?? (await this.describeCluster()).brokers.map((b) => b.nodeId);
    const out: LogDirDescription[] = [];
    for (const brokerId of brokerIds) {
      const { body } = await this.cluster.retry(async () => {
        const conn = await this.cluster.node(brokerId);
        return conn.call(ApiKey.DescribeLogDirs, () => ({ topics: topicsFilter }));
      });
      check(body.errorCode ?? ErrorCode.NONE, `describe log dirs of broker ${brokerId}`);
      for (const r of body.results) {
        out.push({
          brokerId,
          logDir: r.logDir,
          error: r.errorCode === ErrorCode.NONE ? null : new KafkaError(r.errorCode).message,
          totalBytes: r.totalBytes ?? -1,
          usableBytes: r.usableBytes ?? -1,
          topics: r.topics.map((t) => ({
            topic: t.name,
            partitions: t.partitions.map((p) => ({
              partition: p.partitionIndex,
              sizeBytes: p.partitionSize,
              offsetLag: p.offsetLag,
              isFutureKey: p.isFutureKey,
            })),
          })),
        });
      }
    }
    return out;
  }

  async describeCluster(): Promise<ClusterDescription> {
    const viaMetadata = async (): Promise<ClusterDescription> => {
      const snapshot = await this.cluster.refreshMetadata([]);
      return { clusterId: snapshot.clusterId, controllerId: snapshot.controllerId, brokers: snapshot.brokers };
    };
    return this.cluster.retry(async () => {
      const conn = await this.cluster.any();
      if (!conn.brokerRange(ApiKey.DescribeCluster)) return viaMetadata();
      try {
        conn.version(ApiKey.DescribeCluster);
      } catch {
        return viaMetadata();
      }
      const { body } = await conn.call(ApiKey.DescribeCluster, () => ({
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      }));
      check(body.errorCode, 'describe cluster', body.errorMessage);
      return {
        clusterId: body.clusterId,
        controllerId: body.controllerId,
        brokers: body.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })),
      };
    });
  }

  // ---- replicas: log dirs, reassignments, elections ----

  async alterReplicaLogDirs(moves: readonly ReplicaLogDir[]): Promise<(PartitionOutcome & { brokerId: number })[]> {
    const byBroker = new Map<number, Map<string, Map<string, number[]>>>();
    for (const m of moves) {
      const dirs = byBroker.get(m.brokerId) ?? new Map<string, Map<string, number[]>>();
      byBroker.set(m.brokerId, dirs);
      const topics = dirs.get(m.logDir) ?? new Map<string, number[]>();
      dirs.set(m.logDir, topics);
      topics.set(m.topic, [...(topics.get(m.topic) ?? []), m.partition]);
    }
    const out: (PartitionOutcome & { brokerId: number })[] = [];
    for (const [brokerId, dirs] of byBroker) {
      const { body } = await this.cluster.retry(async () => {
        const conn = await this.cluster.node(brokerId);
        return conn.call(ApiKey.AlterReplicaLogDirs, () => ({
          dirs: [...dirs].map(([path, topics]) => ({ path, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) })),
        }));
      });
      for (const t of body.results) for (const p of t.partitions) out.push({ brokerId, ...outcome(t.topicName, p.partitionIndex, p.errorCode, null) });
    }
    return out;
  }

  async alterPartitionReassignments(
    reassignments: readonly (TopicPartition & { replicas: readonly number[] | null })[],
    options: { timeoutMs?: number } = {},
  ): Promise<PartitionOutcome[]> {
    const topics = new Map<string, { partitionIndex: number; replicas: number[] | null }[]>();
    for (const r of reassignments) topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partitionIndex: r.partition, replicas: r.replicas ? [...r.replicas] : null }]);
    const body = await this.onController(ApiKey.AlterPartitionReassignments, () => ({
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    }));
    check(body.errorCode, 'alter partition reassignments', body.errorMessage);
    return body.responses.flatMap((t) => t.partitions.map((p) => outcome(t.name, p.partitionIndex, p.errorCode, p.errorMessage)));
  }

  async listPartitionReassignments(partitions?: readonly TopicPartition[], options: { timeoutMs?: number } = {}): Promise<OngoingReassignment[]> {
    let topics: { name: string; partitionIndexes: number[] }[] | null = null;
    if (partitions) {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    }
    const body = await this.onController(ApiKey.ListPartitionReassignments, () => ({
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      topics,
    }));
    check(body.errorCode, 'list partition reassignments', body.errorMessage);
    return body.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas })),
    );
  }

  async electLeaders(electionType: ElectionType, partitions: readonly TopicPartition[] | null, options: { timeoutMs?: number } = {}): Promise<PartitionOutcome[]> {
    let topicPartitions: { topic: string; partitions: number[] }[] | null = null;
    if (partitions) {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      topicPartitions = [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }));
    }
    // Unclean elections need v1; a broker with only v0 refuses instead of electing preferred leaders.
    const body = await this.onController(ApiKey.ElectLeaders, () => ({
      electionType: electionType === 'preferred' ? 0 : 1,
      topicPartitions,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }), electionType === 'unclean' ? 1 : 0);
    check(body.errorCode ?? ErrorCode.NONE, 'elect leaders');
    return body.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => outcome(t.topic, p.partitionId, p.errorCode, p.errorMessage)));
  }

  async fetchFromReplica(
    brokerId: number,
    partitions: readonly (TopicPartition & { fetchOffset: number })[],
    options: { partitionMaxBytes: number; maxWaitMs: number },
  ): Promise<ReplicaFetchResult[]> {
    const topics = new Map<string, (TopicPartition & { fetchOffset: number })[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
    const conn = await this.cluster.node(brokerId);
    const { body } = await conn.call(
      ApiKey.Fetch,
      (version) => ({
        clusterId: null,
        // Before v11 only Kafka's debugging consumer id (-2) may read from a follower, as
        // Kafka's own ReplicaVerificationTool does on those brokers.
        replicaId: version >= 11 ? -1 : -2,
        maxWaitMs: options.maxWaitMs,
        minBytes: 1,
        maxBytes: 0x7fffffff,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics].map(([topic, ps]) => ({
          topic,
          partitions: ps.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: options.partitionMaxBytes })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      }),
      // v11 (KIP-392) lets a consumer read from a follower; topic names end at v12; v4 brings record batches.
      { minVersion: 4, maxVersion: 12, timeoutMs: this.cluster.options.requestTimeoutMs + options.maxWaitMs },
    );
    check(body.errorCode ?? ErrorCode.NONE, `fetch from broker ${brokerId}`);
    return body.responses.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic ?? '', partition: p.partitionIndex, errorCode: p.errorCode, highWatermark: p.highWatermark, records: p.records ?? Buffer.alloc(0) })),
    );
  }

  async brokerApiVersions(): Promise<BrokerApiVersions[]> {
    const { brokers } = await this.describeCluster();
    const out: BrokerApiVersions[] = [];
    for (const node of [...brokers].sort((a, b) => a.nodeId - b.nodeId)) {
      try {
        const conn = await this.cluster.node(node.nodeId);
        out.push({ node, ranges: new Map(conn.brokerRanges()), error: null });
      } catch (err) {
        out.push({ node, ranges: null, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  // ---- ACLs ----

  async createAcls(bindings: readonly AclBinding[]): Promise<(KafkaError | null)[]> {
    const body = await this.onAnyBroker(ApiKey.CreateAcls, (version) => ({
      creations: bindings.map((b) => {
        if (version === 0 && b.patternType !== PatternType.LITERAL) throw new UsageError('This broker (CreateAcls v0) supports LITERAL resource patterns only.');
        return { resourceType: b.resourceType, resourceName: b.resourceName, resourcePatternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType };
      }),
    }));
    return body.results.map((r) => (r.errorCode === ErrorCode.NONE ? null : new KafkaError(r.errorCode, r.errorMessage ?? errorName(r.errorCode))));
  }

  async describeAcls(filter: AclBindingFilter): Promise<AclBinding[]> {
    const body = await this.onAnyBroker(
      ApiKey.DescribeAcls,
      () => ({ resourceTypeFilter: filter.resourceType, resourceNameFilter: filter.resourceName, patternTypeFilter: filter.patternType, principalFilter: filter.principal, hostFilter: filter.host, operation: filter.operation, permissionType: filter.permissionType }),
    );
    check(body.errorCode, 'describe ACLs', body.errorMessage);
    return body.resources.flatMap((r) => r.acls.map((a) => ({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType ?? PatternType.LITERAL, ...a })));
  }

  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    const body = await this.onAnyBroker(ApiKey.DeleteAcls, () => ({
      filters: filters.map((f) => ({ resourceTypeFilter: f.resourceType, resourceNameFilter: f.resourceName, patternTypeFilter: f.patternType, principalFilter: f.principal, hostFilter: f.host, operation: f.operation, permissionType: f.permissionType })),
    }));
    return body.filterResults.map((r) => {
      check(r.errorCode, 'delete ACLs', r.errorMessage);
      return r.matchingAcls.map((m) => ({ resourceType: m.resourceType, resourceName: m.resourceName, patternType: m.patternType ?? PatternType.LITERAL, principal: m.principal, host: m.host, operation: m.operation, permissionType: m.permissionType }));
    });
  }

  // ---- SCRAM credentials ----

  async describeUserScramCredentials(users?: readonly string[]): Promise<{ user: string; credentials: { mechanism: string; iterations: number }[] }[]> {
    const body = await this.onAnyBroker(
      ApiKey.DescribeUserScramCredentials,
      () => ({ users: users ? users.map((name) => ({ name })) : null }),
    );
    check(body.errorCode, 'describe SCRAM credentials', body.errorMessage);
    return body.results
      .filter((r) => r.errorCode !== ErrorCode.RESOURCE_NOT_FOUND)
      .map((r) => {
        check(r.errorCode, `describe SCRAM credentials of ${r.user}`, r.errorMessage);
        return { user: r.user, credentials: r.credentialInfos.map((c) => ({ mechanism: scramMechanismById(c.mechanism) ?? `UNKNOWN(${c.mechanism})`, iterations: c.iterations })) };
      });
  }

  async alterUserScramCredentials(alterations: readonly ScramAlteration[]): Promise<void> {
    const id = (mechanism: string): number => {
      if (!isScramMechanism(mechanism)) throw new UsageError(`Unknown SCRAM mechanism ${mechanism}.`, 'Use SCRAM-SHA-256 or SCRAM-SHA-512.');
      return SCRAM_MECHANISM_IDS[mechanism];
    };
    const upsertions = alterations.flatMap((a) => {
      if (a.op !== 'upsert') return [];
      const salt = randomBytes(32);
      const mechanism = id(a.mechanism);
      return [{ name: a.user, mechanism, iterations: a.iterations, salt, saltedPassword: saltedPassword(scramMechanismById(mechanism)!, a.password, salt, a.iterations) }];
    });
    const deletions = alterations.flatMap((a) => (a.op === 'delete' ? [{ name: a.user, mechanism: id(a.mechanism) }] : []));
    const body = await this.onAnyBroker(ApiKey.AlterUserScramCredentials, () => ({ deletions, upsertions }));
    for (const r of body.results) check(r.errorCode, `alter SCRAM credentials of ${r.user}`, r.errorMessage);
  }

  // ---- helpers ----

  private async onAnyBroker<K extends TypedApiKey>(apiKey: K, build: (version: number) => RequestOf<K>): Promise<ResponseOf<K>> {
    return this.cluster.retry(async () => {
      const conn = await this.cluster.any();
      const { body } = await conn.call(apiKey, build);
      return body;
    });
  }

  private async onController<K extends TypedApiKey>(apiKey: K, build: (version: number) => RequestOf<K>, minVersion = 0): Promise<ResponseOf<K>> {
    return this.cluster.retry(async () => {
      const conn = await this.cluster.controller();
      const { body } = await conn.call(apiKey, build, { minVersion });
      return body;
    });
  }

  private async connectionFor(resource: ConfigResource): Promise<BrokerConnection> {
    if (resource.type !== 'topic' && resource.name !== '') {
      const id = Number(resource.name);
      if (!Number.isInteger(id) || id < 0) throw new UsageError(`Invalid broker id '${resource.name}'`);
      return this.cluster.node(id);
    }
    return this.cluster.any();
  }

  private async alter<K extends typeof ApiKey.AlterConfigs | typeof ApiKey.IncrementalAlterConfigs>(resource: ConfigResource, apiKey: K, build: (version: number) => RequestOf<K>): Promise<void> {
    const { body } = await this.cluster.retry(async () => {
      const conn = await this.connectionFor(resource);
      return conn.call(apiKey, build);
    });
    for (const r of body.responses) check(r.errorCode, `alter configs of ${resource.type} ${resource.name}`, r.errorMessage);
  }

  private async deleteRecordsOn(
    leader: number,
    requests: (TopicPartition & { offset: number })[],
    timeoutMs: number | undefined,
    results: Map<string, DeleteRecordsResult>,
  ): Promise<void> {
    const topics = new Map<string, { partitionIndex: number; offset: number }[]>();
    for (const r of requests) topics.set(r.topic, [...(topics.get(r.topic) ?? []), { partitionIndex: r.partition, offset: r.offset }]);
    const conn = await this.cluster.node(leader);
    const { body } = await conn.call(ApiKey.DeleteRecords, () => ({
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }));
    for (const t of body.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) this.cluster.invalidate(t.name);
        check(p.errorCode, `delete records of ${t.name}-${p.partitionIndex}`);
        results.set(`${t.name}:${p.partitionIndex}`, { topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark });
      }
    }
  }
}

function resourceTypeCode(type: ConfigResourceType): number {
  const code = RESOURCE_TYPE[type];
  if (code === undefined) throw new UsageError(`Unknown config resource type '${String(type)}'`, 'Use topic, broker or broker-logger');
  return code;
}

/** A count the caller left unset (undefined or -1: the broker's default). */
function orDefault(value: number | undefined, fallback: number): number {
  return value === undefined || value < 0 ? fallback : value;
}

/** One incremental change applied to a whole config map (list values are comma-separated). */
function applyAlteration(configs: Map<string, string>, a: ConfigAlteration, effective: string): void {
  const list = (configs.get(a.name) ?? effective).split(',').filter((x) => x !== '');
  const items = (a.value ?? '').split(',').filter((x) => x !== '');
  if (a.op === 'set') configs.set(a.name, a.value ?? '');
  else if (a.op === 'delete') configs.delete(a.name);
  else if (a.op === 'append') configs.set(a.name, [...list, ...items.filter((x) => !list.includes(x))].join(','));
  else configs.set(a.name, list.filter((x) => !items.includes(x)).join(','));
}

function invalidateAll(cluster: Cluster, topics: readonly string[]): void {
  for (const t of topics) cluster.invalidate(t);
}
