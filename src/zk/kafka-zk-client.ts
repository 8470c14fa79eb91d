/**
 * Kafka's ZooKeeper layout as typed operations (Kafka's `KafkaZkClient`): what brokers, the
 * controller and the admin paths read and write, with Kafka's JSON (codecs in znodes/).
 *
 * Fencing: every write taking a {@link ControllerFence} runs as a ZooKeeper `multi` that first
 * checks `/controller_epoch` is still at the version this controller wrote, so a controller
 * that lost its place cannot overwrite its successor's state (Kafka 2.2+, KAFKA-6082; Kafka 1.1
 * readers see the same znodes). Partition-state compare-and-set uses the znode version
 * (`zkVersion`), with Kafka's read-back check when a retried write may already have landed.
 */
import { KtsError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  ZkCode,
  ZkError,
  ZkMultiError,
  ZooKeeperClient,
  validateConnectString,
  type ZkOp,
  type ZkOpResult,
  type ZkStat,
} from './zookeeper-client.js';
import {
  BrokerIdsPath,
  BrokerSequenceIdPath,
  ClusterIdPath,
  ConfigChangePrefix,
  ConfigChangesPath,
  ControllerEpochPath,
  ControllerPath,
  DeleteTopicsPath,
  IsrChangeNotificationPath,
  IsrChangeNotificationPrefix,
  LogDirEventNotificationPath,
  LogDirEventNotificationPrefix,
  PersistentZkPaths,
  PreferredReplicaElectionPath,
  ProducerIdBlockPath,
  ReassignPartitionsPath,
  TopicsPath,
  brokerIdPath,
  deleteTopicPath,
  entityConfigPath,
  partitionStatePath,
  topicPartitionPath,
  topicPartitionsPath,
  topicPath,
  type ConfigEntityType,
} from './znodes/paths.js';
import { decodeClusterId, encodeClusterId } from './znodes/cluster-id.js';
import { decodeBroker, encodeBroker, endpointString, type BrokerRegistration } from './znodes/brokers.js';
import { decodeController, decodeControllerEpoch, encodeController, encodeControllerEpoch } from './znodes/controller.js';
import { decodeTopic, encodeTopic, type TopicZnode } from './znodes/topics.js';
import { decodePartitionState, encodePartitionState, sameLeaderIsr, type LeaderIsrState } from './znodes/partition-state.js';
import {
  decodePartitionList,
  decodePreferredReplicaElection,
  decodeReassignment,
  encodePartitionList,
  encodeReassignment,
  type PartitionReassignment,
} from './znodes/admin.js';
import { decodeConfigChange, decodeEntityConfig, encodeConfigChange, encodeEntityConfig } from './znodes/config.js';
import { decodeLogDirEvent, encodeLogDirEvent } from './znodes/log-dir-event.js';
import {
  AclChangePrefix,
  aclChangesPath,
  aclResourcePath,
  aclStorePath,
  decodeAclChange,
  decodeResourceAcls,
  encodeAclChange,
  encodeResourceAcls,
  parseAclResourceType,
  sameAclEntry,
  type AclEntryJson,
  type AclResourceRef,
} from './znodes/acls.js';
import { ProducerIdBlockSize, decodeProducerIdBlock, encodeProducerIdBlock } from './znodes/producer-id-block.js';
import { topicPartitionKey, type TopicPartition } from './znodes/topic-partition.js';

/** Proof of controllership: the `/controller_epoch` znode version this controller wrote. */
export interface ControllerFence {
  epochZkVersion: number;
}

/** Another controller bumped the epoch (or won the race to create it). */
export class ControllerMovedError extends KtsError {
  constructor(message: string) {
    super('KTS_CONTROLLER_MOVED', message);
    this.name = 'ControllerMovedError';
  }
}

export class TopicExistsError extends KtsError {
  constructor(topic: string) {
    super('KTS_TOPIC_EXISTS', `Topic '${topic}' already exists.`);
    this.name = 'TopicExistsError';
  }
}

/** `/brokers/ids/N` is held by another live broker (or another process with this id). */
export class BrokerIdInUseError extends KtsError {
  readonly brokerId: number;
  constructor(brokerId: number, holder: string) {
    super(
      'KTS_BROKER_ID_IN_USE',
      `broker.id ${brokerId} is already registered in ZooKeeper by another broker (${holder})`,
      'give this broker another broker.id, or stop the broker holding it',
    );
    this.name = 'BrokerIdInUseError';
    this.brokerId = brokerId;
  }
}

export class ReassignmentInProgressError extends KtsError {
  constructor() {
    super('KTS_REASSIGNMENT_IN_PROGRESS', `There is an existing assignment running (${ReassignPartitionsPath} exists).`, 'wait for it to finish (kts reassign --verify) before starting another');
    this.name = 'ReassignmentInProgressError';
  }
}

export class PreferredElectionInProgressError extends KtsError {
  constructor() {
    super('KTS_ELECTION_IN_PROGRESS', `A preferred replica leader election is already in progress (${PreferredReplicaElectionPath} exists).`, 'wait until the controller has finished it');
    this.name = 'PreferredElectionInProgressError';
  }
}

/** ZooKeeper's cluster id differs from the log dir's meta.properties: Kafka's "wrong cluster" check. */
export class ClusterIdMismatchError extends KtsError {
  constructor(zkClusterId: string, metaClusterId: string, metaPath: string, connect: string) {
    super(
      'KTS_CLUSTER_ID_MISMATCH',
      `The cluster id ${zkClusterId} in ZooKeeper (${connect}) does not match the cluster id ${metaClusterId} stored in ${metaPath}: the broker is trying to join the wrong cluster`,
      'check zookeeper.connect (including its chroot) and log.dirs; move the log dir away if it belongs to an old cluster',
    );
    this.name = 'ClusterIdMismatchError';
  }
}

/** Throws {@link ClusterIdMismatchError} unless the ids are equal (meta.properties absent: nothing to check). */
export function checkClusterId(zkClusterId: string, metaClusterId: string | undefined, metaPath: string, connect: string): void {
  if (metaClusterId !== undefined && metaClusterId !== zkClusterId) throw new ClusterIdMismatchError(zkClusterId, metaClusterId, metaPath, connect);
}

/** An ephemeral znode held by a session that is neither ours nor one of our earlier ones. */
class NodeHeldError extends Error {
  constructor(readonly data: Buffer | null) {
    super('held by another session');
  }
}

export type PartitionStateWrite = { zkVersion: number } | { error: 'badVersion' | 'noNode' | 'fenced' };
export type PartitionStateCreate = { zkVersion: number } | { error: 'exists' | 'fenced' };

export interface KafkaZkClientOptions {
  /** host:port[,host:port][/chroot] */
  connect: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
  /** zookeeper.max.in.flight.requests (default 10). */
  maxInFlightRequests?: number;
  log: Logger;
}

/** Kafka purges change notifications (configs, ACLs) older than this (ZkNodeChangeNotificationListener). */
const ChangeNotificationExpirationMs = 15 * 60 * 1000;

export class KafkaZkClient {
  readonly zk: ZooKeeperClient;
  private readonly log: Logger;

  private constructor(zk: ZooKeeperClient, log: Logger) {
    this.zk = zk;
    this.log = log;
  }

  /**
   * Opens a session (creating the chroot first, as Kafka does); retries until
   * connectionTimeoutMs, then throws ZkConnectionError naming the address.
   */
  static async connect(opts: KafkaZkClientOptions): Promise<KafkaZkClient> {
    const { hosts, chroot } = validateConnectString(opts.connect);
    if (chroot !== undefined) {
      const root = await ZooKeeperClient.open({ ...opts, connect: hosts });
      try {
        await root.createRecursive(chroot);
      } finally {
        await root.close();
      }
    }
    return new KafkaZkClient(await ZooKeeperClient.open(opts), opts.log);
  }

  get connectString(): string {
    return this.zk.connect;
  }

  /** Fired when the session is lost (expired, or not confirmed within the session timeout). */
  onSessionExpired(cb: () => void): void {
    this.zk.onSessionExpired(cb);
  }

  /** Fired once a new session is up: re-register ephemerals and re-read state. */
  onNewSession(cb: () => void): void {
    this.zk.onNewSession(cb);
  }

  close(): Promise<void> {
    return this.zk.close();
  }

  // ---- fencing -------------------------------------------------------------------------------

  /** Runs `ops` behind the controller fence (one multi), or as they are without one; one result per op. */
  private async write(ops: ZkOp[], fence?: ControllerFence): Promise<ZkOpResult[]> {
    if (!fence) return ops.length === 1 ? [await this.runOne(ops[0]!)] : this.zk.multi(ops);
    try {
      return (await this.zk.multi([{ type: 'check', path: ControllerEpochPath, version: fence.epochZkVersion }, ...ops])).slice(1);
    } catch (err) {
      if (err instanceof ZkMultiError && err.failedIndex === 0) throw this.movedError(fence);
      if (err instanceof ZkMultiError) throw new ZkError(err.zkCode, err.path);
      throw err;
    }
  }

  private async runOne(op: ZkOp): Promise<ZkOpResult> {
    if (op.type === 'create') return { type: 'create', path: await this.zk.create(op.path, op.data, op.mode) };
    if (op.type === 'setData') return { type: 'setData', stat: await this.zk.setData(op.path, op.data, op.version) };
    if (op.type === 'delete') {
      if (!(await this.zk.delete(op.path, op.version))) throw new ZkError(ZkCode.NO_NODE, op.path);
      return { type: 'delete' };
    }
    const stat = await this.zk.exists(op.path);
    if (!stat) throw new ZkError(ZkCode.NO_NODE, op.path);
    if (op.version !== -1 && stat.version !== op.version) throw new ZkError(ZkCode.BAD_VERSION, op.path);
    return { type: 'check' };
  }

  private movedError(fence: ControllerFence): ControllerMovedError {
    return new ControllerMovedError(`Controller moved to another broker: ${ControllerEpochPath} is no longer at version ${fence.epochZkVersion}`);
  }

  // ---- top level, cluster id, broker ids -----------------------------------------------------

  /** The persistent paths every broker creates at startup (ZkData.PersistentZkPaths). */
  async createTopLevelPaths(): Promise<void> {
    for (const p of PersistentZkPaths) await this.zk.createRecursive(p);
  }

  /** The cluster id in `/cluster/id`, creating it with `proposed` when absent (first broker wins). */
  async getOrCreateClusterId(proposed: string): Promise<string> {
    const existing = await this.zk.getData(ClusterIdPath);
    if (existing) return decodeClusterId(existing.data);
    try {
      await this.zk.createRecursive(ClusterIdPath, encodeClusterId(proposed), true);
      return proposed;
    } catch (err) {
      if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NODE_EXISTS) throw err;
      return decodeClusterId((await this.zk.getData(ClusterIdPath))?.data ?? null);
    }
  }

  async getClusterId(): Promise<string | undefined> {
    const r = await this.zk.getData(ClusterIdPath);
    return r ? decodeClusterId(r.data) : undefined;
  }

  /** Kafka's broker id generation: bump `/brokers/seqid`'s version; id = version + reserved.broker.max.id. */
  async generateBrokerId(reservedMax: number): Promise<number> {
    await this.zk.createRecursive(BrokerSequenceIdPath);
    const stat = await this.zk.setData(BrokerSequenceIdPath, null, -1);
    return stat.version + reservedMax;
  }

  /**
   * Registers this broker in `/brokers/ids/N` (ephemeral); returns the broker epoch (the
   * znode's czxid). Held by another session: {@link BrokerIdInUseError} naming its endpoints.
   */
  async registerBroker(b: BrokerRegistration): Promise<bigint> {
    try {
      const same = (held: Buffer | null): boolean => {
        try {
          return decodeBroker(b.id, held).endpoints.map(endpointString).join(',') === b.endpoints.map(endpointString).join(',');
        } catch {
          return false;
        }
      };
      const stat = await this.checkedEphemeralCreate(brokerIdPath(b.id), encodeBroker(b), same);
      this.log.info(`Registered broker ${b.id} at path ${brokerIdPath(b.id)} with addresses: ${b.endpoints.map(endpointString).join(',')}, czxid (broker epoch): ${stat.czxid}`);
      return stat.czxid;
    } catch (err) {
      if (!(err instanceof NodeHeldError)) throw err;
      let holder = 'unreadable registration';
      try {
        holder = decodeBroker(b.id, err.data).endpoints.map(endpointString).join(',');
      } catch {
        // keep the generic description
      }
      throw new BrokerIdInUseError(b.id, holder);
    }
  }

  /** Rewrites this broker's registration (listeners changed); the znode must be ours. */
  async updateBrokerInfo(b: BrokerRegistration): Promise<void> {
    await this.zk.setData(brokerIdPath(b.id), encodeBroker(b), -1);
  }

  /**
   * Kafka's checkedEphemeralCreate: create; on NodeExists, succeed if the znode is this
   * session's (a retried create that landed), wait for it to go if an earlier session of ours
   * holds it (that session expires shortly), else {@link NodeHeldError}.
   */
  private async checkedEphemeralCreate(path: string, data: Buffer, ourPreviousIncarnation: (held: Buffer | null) => boolean = () => false): Promise<ZkStat> {
    const deadline = Date.now() + 2 * this.zk.sessionTimeoutMs + 1000;
    for (;;) {
      try {
        await this.zk.create(path, data, 'ephemeral');
      } catch (err) {
        if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NODE_EXISTS) throw err;
      }
      const current = await this.zk.getData(path);
      if (!current) continue;
      const owner = current.stat.ephemeralOwner;
      if (owner === this.zk.sessionId) return current.stat;
      // Ours from an earlier session of this process, or (KAFKA-7165) the same broker restarted
      // after a crash, whose session ZooKeeper has not expired yet: wait for it to go.
      const previous = this.zk.previousSessionIds.has(owner) || ourPreviousIncarnation(current.data);
      if (!previous || Date.now() > deadline) throw new NodeHeldError(current.data);
      this.log.info(`${path} is still held by our previous ZooKeeper session 0x${owner.toString(16)}; waiting for it to expire`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async getAllBrokers(): Promise<BrokerRegistration[]> {
    const ids = ((await this.zk.getChildren(BrokerIdsPath)) ?? []).filter((c) => /^\d+$/.test(c)).map(Number);
    const brokers = await Promise.all(ids.map((id) => this.getBroker(id)));
    return brokers.filter((b): b is BrokerRegistration => b !== undefined).sort((a, b) => a.id - b.id);
  }

  async getBroker(id: number): Promise<BrokerRegistration | undefined> {
    const r = await this.zk.getData(brokerIdPath(id));
    if (!r) return undefined;
    return { ...decodeBroker(id, r.data), epoch: r.stat.czxid };
  }

  /** Fires on every change of the set of registered brokers. Returns a cancel function. */
  watchBrokerIds(cb: () => void): () => void {
    return this.zk.watchChildren(BrokerIdsPath, cb);
  }

  /** Fires when broker `id`'s registration changes (Kafka's BrokerModificationsHandler). */
  watchBroker(id: number, cb: () => void): () => void {
    return this.zk.watchData(brokerIdPath(id), cb);
  }

  // ---- controller ----------------------------------------------------------------------------

  async getControllerId(): Promise<number | undefined> {
    const r = await this.zk.getData(ControllerPath);
    return r ? decodeController(r.data) : undefined;
  }

  /** Fires when `/controller` is created, changed or deleted. */
  watchController(cb: () => void): () => void {
    return this.zk.watchData(ControllerPath, cb);
  }

  /** Tries to become controller: true when this session now holds `/controller`. */
  async tryCreateControllerZnode(brokerId: number): Promise<boolean> {
    try {
      await this.checkedEphemeralCreate(ControllerPath, encodeController(brokerId));
      return true;
    } catch (err) {
      if (err instanceof NodeHeldError) return false;
      throw err;
    }
  }

  /** Deletes `/controller` if this session holds it (resignation, controlled shutdown of the controller). */
  async deleteControllerZnode(): Promise<void> {
    const r = await this.zk.getData(ControllerPath);
    if (r && r.stat.ephemeralOwner === this.zk.sessionId) await this.zk.delete(ControllerPath, r.stat.version);
  }

  async getControllerEpoch(): Promise<{ epoch: number; epochZkVersion: number } | undefined> {
    const r = await this.zk.getData(ControllerEpochPath);
    return r ? { epoch: decodeControllerEpoch(r.data), epochZkVersion: r.stat.version } : undefined;
  }

  /**
   * Bumps `/controller_epoch` with compare-and-set (created as 1 when absent). The returned
   * version is this controller's fence. A concurrent controller: {@link ControllerMovedError}.
   */
  async incrementControllerEpoch(): Promise<{ epoch: number; epochZkVersion: number }> {
    const current = await this.getControllerEpoch();
    try {
      if (!current) {
        await this.zk.create(ControllerEpochPath, encodeControllerEpoch(1));
        const stat = await this.zk.exists(ControllerEpochPath);
        return { epoch: 1, epochZkVersion: stat?.version ?? 0 };
      }
      const epoch = current.epoch + 1;
      const stat = await this.zk.setData(ControllerEpochPath, encodeControllerEpoch(epoch), current.epochZkVersion);
      return { epoch, epochZkVersion: stat.version };
    } catch (err) {
      if (err instanceof ZkError && (err.zkCode === ZkCode.BAD_VERSION || err.zkCode === ZkCode.NODE_EXISTS)) {
        throw new ControllerMovedError(`Controller moved to another broker while incrementing ${ControllerEpochPath} (it was ${current?.epoch ?? 'absent'})`);
      }
      throw err;
    }
  }

  // ---- topics and assignments ----------------------------------------------------------------

  async getAllTopics(): Promise<string[]> {
    return (await this.zk.getChildren(TopicsPath)) ?? [];
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.zk.exists(topicPath(topic))) !== undefined;
  }

  /** Fires when topics are created or deleted (children of /brokers/topics). */
  watchTopics(cb: () => void): () => void {
    return this.zk.watchChildren(TopicsPath, cb);
  }

  /** Fires when a topic's assignment znode changes (partitions added, reassignment). */
  watchTopicAssignment(topic: string, cb: () => void): () => void {
    return this.zk.watchData(topicPath(topic), cb);
  }

  /** The assignment (and the version 2/3 fields Kafka 2.x+ writes) of each existing topic, with the znode version. */
  async getReplicaAssignment(topics: string[]): Promise<Map<string, TopicZnode & { zkVersion: number }>> {
    const out = new Map<string, TopicZnode & { zkVersion: number }>();
    const reads = await Promise.all(topics.map(async (t) => [t, await this.zk.getData(topicPath(t))] as const));
    for (const [t, r] of reads) if (r) out.set(t, { ...decodeTopic(t, r.data), zkVersion: r.stat.version });
    return out;
  }

  /**
   * Creates a topic as Kafka's AdminZkClient does: `/config/topics/T` first (brokers read it
   * when they create the log), then `/brokers/topics/T`. An existing topic: TopicExistsError.
   */
  async createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<void> {
    if (await this.topicExists(topic)) throw new TopicExistsError(topic);
    await this.setEntityConfigZnode('topics', topic, config);
    try {
      await this.zk.create(topicPath(topic), encodeTopic({ assignment }));
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS) throw new TopicExistsError(topic);
      throw err;
    }
  }

  /**
   * Rewrites a topic's assignment with compare-and-set (-1: any version). A plain map keeps the
   * znode's `topic_id`; a TopicZnode is written as given. Returns the new znode version.
   */
  async setReplicaAssignment(topic: string, assignment: Map<number, number[]> | TopicZnode, expectedVersion: number, fence?: ControllerFence): Promise<number> {
    let znode: TopicZnode;
    if (assignment instanceof Map) {
      const current = (await this.getReplicaAssignment([topic])).get(topic);
      znode = { assignment, ...(current?.topicId !== undefined ? { topicId: current.topicId } : {}), version: current?.version ?? 1 };
    } else {
      znode = assignment;
    }
    const [result] = await this.write([{ type: 'setData', path: topicPath(topic), data: encodeTopic(znode), version: expectedVersion }], fence);
    return result?.type === 'setData' ? result.stat.version : expectedVersion + 1;
  }

  // ---- partition state -----------------------------------------------------------------------

  /** Fires when a partition's state znode changes (the controller watches it during a reassignment). */
  watchPartitionState(topic: string, partition: number, cb: () => void): () => void {
    return this.zk.watchData(partitionStatePath(topic, partition), cb);
  }

  async getPartitionStates(tps: TopicPartition[]): Promise<Map<string, { state: LeaderIsrState; zkVersion: number }>> {
    const out = new Map<string, { state: LeaderIsrState; zkVersion: number }>();
    const reads = await Promise.all(tps.map(async (tp) => [tp, await this.zk.getData(partitionStatePath(tp.topic, tp.partition))] as const));
    for (const [tp, r] of reads) {
      if (r) out.set(topicPartitionKey(tp.topic, tp.partition), { state: decodePartitionState(tp.topic, tp.partition, r.data), zkVersion: r.stat.version });
    }
    return out;
  }

  /** The controller's New→Online step: create each partition's state znode (version 0), fenced. */
  async createPartitionStates(states: Array<{ tp: TopicPartition; state: LeaderIsrState }>, fence: ControllerFence): Promise<Map<string, PartitionStateCreate>> {
    const out = new Map<string, PartitionStateCreate>();
    await Promise.all(
      states.map(async ({ tp, state }) => {
        const key = topicPartitionKey(tp.topic, tp.partition);
        await this.zk.createRecursive(topicPartitionsPath(tp.topic));
        await this.zk.createRecursive(topicPartitionPath(tp.topic, tp.partition));
        try {
          await this.write([{ type: 'create', path: partitionStatePath(tp.topic, tp.partition), data: encodePartitionState(state) }], fence);
          out.set(key, { zkVersion: 0 });
        } catch (err) {
          if (err instanceof ControllerMovedError) out.set(key, { error: 'fenced' });
          else if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS) out.set(key, { error: 'exists' });
          else throw err;
        }
      }),
    );
    return out;
  }

  /**
   * Compare-and-set of partition states on their znode version. With a fence: a controller
   * write; without: the partition leader's ISR change. On BADVERSION the znode is read back:
   * if it already holds what we wrote (an earlier attempt landed before a connection loss),
   * that counts as success (Kafka's checkLeaderAndIsrZkData).
   */
  async updatePartitionStates(
    updates: Array<{ tp: TopicPartition; state: LeaderIsrState; expectedZkVersion: number }>,
    fence?: ControllerFence,
  ): Promise<Map<string, PartitionStateWrite>> {
    const out = new Map<string, PartitionStateWrite>();
    await Promise.all(updates.map(async (u) => out.set(topicPartitionKey(u.tp.topic, u.tp.partition), await this.updatePartitionState(u, fence))));
    return out;
  }

  private async updatePartitionState(
    u: { tp: TopicPartition; state: LeaderIsrState; expectedZkVersion: number },
    fence: ControllerFence | undefined,
  ): Promise<PartitionStateWrite> {
    const path = partitionStatePath(u.tp.topic, u.tp.partition);
    try {
      const [result] = await this.write([{ type: 'setData', path, data: encodePartitionState(u.state), version: u.expectedZkVersion }], fence);
      return { zkVersion: result?.type === 'setData' ? result.stat.version : u.expectedZkVersion + 1 };
    } catch (err) {
      if (err instanceof ControllerMovedError) return { error: 'fenced' };
      if (!(err instanceof ZkError)) throw err;
      if (err.zkCode === ZkCode.NO_NODE) return { error: 'noNode' };
      if (err.zkCode !== ZkCode.BAD_VERSION) throw err;
      const current = await this.zk.getData(path);
      if (current && current.stat.version === u.expectedZkVersion + 1 && sameLeaderIsr(decodePartitionState(u.tp.topic, u.tp.partition, current.data), u.state)) {
        return { zkVersion: current.stat.version };
      }
      return { error: 'badVersion' };
    }
  }

  // ---- topic deletion ------------------------------------------------------------------------

  async getTopicDeletions(): Promise<string[]> {
    return (await this.zk.getChildren(DeleteTopicsPath)) ?? [];
  }

  watchTopicDeletions(cb: () => void): () => void {
    return this.zk.watchChildren(DeleteTopicsPath, cb);
  }

  /** Marks a topic for deletion; false when it already was. */
  async createTopicDeletion(topic: string): Promise<boolean> {
    try {
      await this.zk.create(deleteTopicPath(topic), null);
      return true;
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS) return false;
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) {
        await this.zk.createRecursive(DeleteTopicsPath);
        return this.createTopicDeletion(topic);
      }
      throw err;
    }
  }

  async deleteTopicDeletions(topics: string[], fence: ControllerFence): Promise<void> {
    for (const t of topics) await this.deleteIfExists(deleteTopicPath(t), fence);
  }

  /** The last step of topic deletion: `/brokers/topics/T` with everything below it, then `/config/topics/T`, fenced. */
  async deleteTopicZnodes(topic: string, fence: ControllerFence): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const paths = await this.subtreeChildrenFirst(topicPath(topic));
      const ops: ZkOp[] = paths.map((path) => ({ type: 'delete', path, version: -1 }));
      const configPath = entityConfigPath('topics', topic);
      if (await this.zk.exists(configPath)) ops.push({ type: 'delete', path: configPath, version: -1 });
      if (ops.length === 0) return;
      try {
        await this.write(ops, fence);
        return;
      } catch (err) {
        // A znode appeared or went meanwhile: list again.
        const raced = err instanceof ZkError && (err.zkCode === ZkCode.NOT_EMPTY || err.zkCode === ZkCode.NO_NODE);
        if (!raced || attempt >= 5) throw err;
      }
    }
  }

  private async subtreeChildrenFirst(path: string): Promise<string[]> {
    const children = await this.zk.getChildren(path);
    if (children === undefined) return [];
    const below = await Promise.all(children.map((c) => this.subtreeChildrenFirst(`${path}/${c}`)));
    return [...below.flat(), path];
  }

  private async deleteIfExists(path: string, fence?: ControllerFence): Promise<void> {
    try {
      await this.write([{ type: 'delete', path, version: -1 }], fence);
    } catch (err) {
      if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NO_NODE) throw err;
    }
  }

  // ---- reassignment and preferred election ---------------------------------------------------

  async getPartitionReassignment(): Promise<PartitionReassignment> {
    const r = await this.zk.getData(ReassignPartitionsPath);
    return r ? decodeReassignment(r.data) : new Map();
  }

  /** Fires when `/admin/reassign_partitions` is created, changed or deleted. */
  watchPartitionReassignment(cb: () => void): () => void {
    return this.zk.watchData(ReassignPartitionsPath, cb);
  }

  /** Starts a reassignment (what `kafka-reassign-partitions --execute` does); one in progress: ReassignmentInProgressError. */
  async createPartitionReassignment(m: PartitionReassignment): Promise<void> {
    try {
      await this.zk.create(ReassignPartitionsPath, encodeReassignment(m));
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS) throw new ReassignmentInProgressError();
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) {
        await this.zk.createRecursive('/admin');
        return this.createPartitionReassignment(m);
      }
      throw err;
    }
  }

  /** The controller's bookkeeping: rewrite the remaining reassignments, or delete the znode when none remain. */
  async setOrDeletePartitionReassignment(m: PartitionReassignment, fence: ControllerFence): Promise<void> {
    if (m.size === 0) return this.deleteIfExists(ReassignPartitionsPath, fence);
    await this.setOrCreate(ReassignPartitionsPath, encodeReassignment(m), fence);
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    const r = await this.zk.getData(PreferredReplicaElectionPath);
    return r ? decodePreferredReplicaElection(r.data) : [];
  }

  watchPreferredReplicaElection(cb: () => void): () => void {
    return this.zk.watchData(PreferredReplicaElectionPath, cb);
  }

  async createPreferredReplicaElection(tps: TopicPartition[]): Promise<void> {
    try {
      await this.zk.create(PreferredReplicaElectionPath, encodePartitionList(tps));
    } catch (err) {
      if (err instanceof ZkError && err.zkCode === ZkCode.NODE_EXISTS) throw new PreferredElectionInProgressError();
      if (err instanceof ZkError && err.zkCode === ZkCode.NO_NODE) {
        await this.zk.createRecursive('/admin');
        return this.createPreferredReplicaElection(tps);
      }
      throw err;
    }
  }

  deletePreferredReplicaElection(fence: ControllerFence): Promise<void> {
    return this.deleteIfExists(PreferredReplicaElectionPath, fence);
  }

  private async setOrCreate(path: string, data: Buffer, fence?: ControllerFence): Promise<void> {
    try {
      await this.write([{ type: 'setData', path, data, version: -1 }], fence);
    } catch (err) {
      if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NO_NODE) throw err;
      await this.write([{ type: 'create', path, data }], fence);
    }
  }

  // ---- ISR change notifications --------------------------------------------------------------

  /** A partition leader tells the controller its ISR changed (sequential `isr_change_` znode). */
  async propagateIsrChanges(tps: TopicPartition[]): Promise<void> {
    if (tps.length === 0) return;
    await this.zk.create(`${IsrChangeNotificationPath}/${IsrChangeNotificationPrefix}`, encodePartitionList(tps), 'persistent_sequential');
  }

  /** The pending notifications in sequence order; `seq` is the child name. */
  async getIsrChangeNotifications(): Promise<Array<{ seq: string; partitions: TopicPartition[] }>> {
    const children = ((await this.zk.getChildren(IsrChangeNotificationPath)) ?? []).filter((c) => c.startsWith(IsrChangeNotificationPrefix));
    const reads = await Promise.all(children.map(async (seq) => [seq, await this.zk.getData(`${IsrChangeNotificationPath}/${seq}`)] as const));
    const out: Array<{ seq: string; partitions: TopicPartition[] }> = [];
    for (const [seq, r] of reads) if (r) out.push({ seq, partitions: decodePartitionList(`${IsrChangeNotificationPath}/${seq}`, r.data) });
    return out;
  }

  watchIsrChangeNotifications(cb: () => void): () => void {
    return this.zk.watchChildren(IsrChangeNotificationPath, cb);
  }

  async deleteIsrChangeNotifications(seqs: string[], fence?: ControllerFence): Promise<void> {
    await Promise.all(seqs.map((s) => this.deleteIfExists(`${IsrChangeNotificationPath}/${s}`, fence)));
  }

  // ---- log dir failure notifications ---------------------------------------------------------

  /** A broker whose log dir failed asks the controller to re-send it LeaderAndIsr (Kafka's LogDirFailureChannel path). */
  async propagateLogDirEvent(brokerId: number): Promise<void> {
    await this.zk.create(`${LogDirEventNotificationPath}/${LogDirEventNotificationPrefix}`, encodeLogDirEvent(brokerId), 'persistent_sequential');
  }

  async getLogDirEventNotifications(): Promise<Array<{ seq: string; brokerId: number; event: number }>> {
    const children = ((await this.zk.getChildren(LogDirEventNotificationPath)) ?? []).filter((c) => c.startsWith(LogDirEventNotificationPrefix));
    const reads = await Promise.all(children.map(async (seq) => [seq, await this.zk.getData(`${LogDirEventNotificationPath}/${seq}`)] as const));
    const out: Array<{ seq: string; brokerId: number; event: number }> = [];
    for (const [seq, r] of reads) if (r) out.push({ seq, ...decodeLogDirEvent(seq, r.data) });
    return out;
  }

  watchLogDirEventNotifications(cb: () => void): () => void {
    return this.zk.watchChildren(LogDirEventNotificationPath, cb);
  }

  async deleteLogDirEventNotifications(seqs: string[], fence?: ControllerFence): Promise<void> {
    await Promise.all(seqs.map((s) => this.deleteIfExists(`${LogDirEventNotificationPath}/${s}`, fence)));
  }

  // ---- entity configs ------------------------------------------------------------------------

  async getEntityConfig(type: ConfigEntityType, name: string): Promise<Record<string, string>> {
    const path = entityConfigPath(type, name);
    const r = await this.zk.getData(path);
    return r ? decodeEntityConfig(path, r.data) : {};
  }

  /** Every entity with a config znode of `type` (e.g. all topics with overrides). */
  async getEntityNames(type: ConfigEntityType): Promise<string[]> {
    return (await this.zk.getChildren(`/config/${type}`)) ?? [];
  }

  /** Replaces an entity's config and notifies every broker (`config_change_` version 2), as kafka-configs does. */
  async setEntityConfig(type: ConfigEntityType, name: string, config: Record<string, string>): Promise<void> {
    await this.setEntityConfigZnode(type, name, config);
    await this.zk.createRecursive(ConfigChangesPath);
    await this.zk.create(`${ConfigChangesPath}/${ConfigChangePrefix}`, encodeConfigChange(type, name), 'persistent_sequential');
  }

  private async setEntityConfigZnode(type: ConfigEntityType, name: string, config: Record<string, string>): Promise<void> {
    const path = entityConfigPath(type, name);
    const data = encodeEntityConfig(config);
    try {
      await this.zk.setData(path, data, -1);
    } catch (err) {
      if (!(err instanceof ZkError) || err.zkCode !== ZkCode.NO_NODE) throw err;
      await this.zk.createRecursive(path, data);
    }
  }

  /**
   * Calls `cb(type, name)` for each config change notified after this call (Kafka's
   * DynamicConfigManager; read the configs themselves at startup). Purges notifications
   * older than 15 minutes, as Kafka does.
   */
  watchConfigChanges(cb: (type: ConfigEntityType, name: string) => void): () => void {
    return this.watchChangeNotifications(ConfigChangesPath, ConfigChangePrefix, false, 'config change', (child, data) => {
      const { type, name } = decodeConfigChange(child, data);
      cb(type, name);
    });
  }

  /**
   * Kafka's ZkNodeChangeNotificationListener: calls `handle` for each sequential child
   * `<prefix>N` of `path` newer than the last one seen (and, with `handleExisting`, for those
   * already there), in sequence order, one at a time; a child that does not decode is logged
   * and skipped. Purges notifications older than 15 minutes, as Kafka does.
   */
  private watchChangeNotifications(path: string, prefix: string, handleExisting: boolean, what: string, handle: (child: string, data: Buffer | null) => void): () => void {
    let lastSeen: string | undefined;
    let running: Promise<void> = Promise.resolve();
    const seqOf = (c: string): string => c.slice(prefix.length);
    const process = async (initial: boolean): Promise<void> => {
      const children = ((await this.zk.getChildren(path)) ?? []).filter((c) => c.startsWith(prefix));
      const fresh = initial && !handleExisting ? [] : children.filter((c) => lastSeen === undefined || seqOf(c) > lastSeen);
      if (children.length > 0) lastSeen = seqOf(children[children.length - 1]!);
      for (const child of fresh) {
        const r = await this.zk.getData(`${path}/${child}`);
        if (!r) continue;
        try {
          handle(child, r.data);
        } catch (err) {
          this.log.warn(`Ignoring ${what} ${child}: ${(err as Error).message}`);
        }
      }
      await this.purgeChangeNotifications(path, children);
    };
    const schedule = (initial: boolean): void => {
      running = running.then(() => process(initial)).catch((err: unknown) => this.log.warn(`Reading ${what}s failed: ${(err as Error).message}`));
    };
    schedule(true);
    return this.zk.watchChildren(path, () => schedule(false));
  }

  private async purgeChangeNotifications(path: string, children: string[]): Promise<void> {
    const now = Date.now();
    for (const child of children.slice(0, -1)) {
      const stat = await this.zk.exists(`${path}/${child}`);
      if (stat && now - stat.ctimeMs > ChangeNotificationExpirationMs) await this.zk.delete(`${path}/${child}`);
    }
  }

  // ---- ACLs ----------------------------------------------------------------------------------

  /**
   * The ACL store and change paths (Kafka's createAclPaths). Unlike Kafka 2+, no empty child per
   * resource type: Kafka 1.1's authorizer (and kafka-acls.sh) refuses to load a `/kafka-acl/User`
   * it does not know; resource znodes are created with their parents when needed.
   */
  async createAclPaths(): Promise<void> {
    for (const patternType of ['LITERAL', 'PREFIXED'] as const) {
      await this.zk.createRecursive(aclChangesPath(patternType));
      await this.zk.createRecursive(aclStorePath(patternType));
    }
  }

  /** Every resource pattern that has an ACL znode, literal and prefixed. */
  async getAclResources(): Promise<AclResourceRef[]> {
    const out: AclResourceRef[] = [];
    for (const patternType of ['LITERAL', 'PREFIXED'] as const) {
      for (const typeName of (await this.zk.getChildren(aclStorePath(patternType))) ?? []) {
        const resourceType = parseAclResourceType(typeName);
        if (!resourceType) {
          this.log.warn(`Ignoring ACLs of unknown resource type ${aclStorePath(patternType)}/${typeName}`);
          continue;
        }
        for (const name of (await this.zk.getChildren(`${aclStorePath(patternType)}/${typeName}`)) ?? []) out.push({ patternType, resourceType, name });
      }
    }
    return out;
  }

  /** A resource's ACLs and the znode version (-1 when it has no znode). */
  async getResourceAcls(r: AclResourceRef): Promise<{ acls: AclEntryJson[]; zkVersion: number }> {
    const path = aclResourcePath(r);
    const got = await this.zk.getData(path);
    return got ? { acls: decodeResourceAcls(path, got.data), zkVersion: got.stat.version } : { acls: [], zkVersion: -1 };
  }

  /**
   * Compare-and-set of a resource's ACLs (Kafka's conditional update): creates the znode when
   * `expectedVersion` is -1, deletes it when `acls` is empty. False when another writer got
   * there first (re-read and try again).
   */
  async conditionalSetResourceAcls(r: AclResourceRef, acls: readonly AclEntryJson[], expectedVersion: number): Promise<boolean> {
    const path = aclResourcePath(r);
    try {
      if (acls.length === 0) return expectedVersion === -1 || (await this.zk.delete(path, expectedVersion));
      if (expectedVersion === -1) await this.zk.createRecursive(path, encodeResourceAcls(acls), true);
      else await this.zk.setData(path, encodeResourceAcls(acls), expectedVersion);
      return true;
    } catch (err) {
      const raced = err instanceof ZkError && (err.zkCode === ZkCode.BAD_VERSION || err.zkCode === ZkCode.NODE_EXISTS || err.zkCode === ZkCode.NO_NODE);
      if (raced) return false;
      throw err;
    }
  }

  /**
   * Kafka's updateResourceAcls: read the resource's ACLs, apply `change`, compare-and-set (again
   * from a fresh read when another writer got there first), then notify every broker. Nothing
   * is written when `change` leaves the list as it was. Resolves the ACLs now stored.
   */
  async updateResourceAcls(r: AclResourceRef, change: (current: AclEntryJson[]) => AclEntryJson[]): Promise<AclEntryJson[]> {
    for (;;) {
      const { acls, zkVersion } = await this.getResourceAcls(r);
      const next = change(acls);
      if (next.length === acls.length && next.every((a, i) => sameAclEntry(a, acls[i]!))) return acls;
      if (await this.conditionalSetResourceAcls(r, next, zkVersion)) {
        await this.createAclChangeNotification(r);
        return next;
      }
    }
  }

  /** Tells every broker to reload this resource's ACLs (`acl_changes_N` in the pattern type's change path). */
  async createAclChangeNotification(r: AclResourceRef): Promise<void> {
    await this.zk.createRecursive(aclChangesPath(r.patternType));
    await this.zk.create(`${aclChangesPath(r.patternType)}/${AclChangePrefix}`, encodeAclChange(r), 'persistent_sequential');
  }

  /**
   * Calls `cb(resource)` for each ACL change notification, literal and extended, including
   * those already there (reloading a resource twice is harmless; one missed is not).
   */
  watchAclChanges(cb: (r: AclResourceRef) => void): () => void {
    const cancels = (['LITERAL', 'PREFIXED'] as const).map((patternType) =>
      this.watchChangeNotifications(aclChangesPath(patternType), AclChangePrefix, true, 'ACL change', (child, data) => cb(decodeAclChange(patternType, child, data))),
    );
    return () => cancels.forEach((c) => c());
  }

  // ---- producer ids --------------------------------------------------------------------------

  /**
   * Claims the next block of producer ids (Kafka's ProducerIdManager): read
   * `/latest_producer_id_block`, write the next block with compare-and-set, retry on a race.
   */
  async allocateProducerIdBlock(brokerId: number, blockSize: number = ProducerIdBlockSize): Promise<{ start: bigint; end: bigint }> {
    for (;;) {
      const current = await this.zk.getData(ProducerIdBlockPath);
      const hasBlock = current?.data && current.data.length > 0;
      const start = hasBlock ? decodeProducerIdBlock(current!.data).end + 1n : 0n;
      const end = start + BigInt(blockSize) - 1n;
      if (end > 0x7fffffffffffffffn) {
        throw new KtsError('KTS_PRODUCER_IDS_EXHAUSTED', `Exhausted all producer ids: ${ProducerIdBlockPath} is at ${start - 1n}`);
      }
      const data = encodeProducerIdBlock({ brokerId, start, end });
      try {
        if (current) await this.zk.setData(ProducerIdBlockPath, data, current.stat.version);
        else await this.zk.create(ProducerIdBlockPath, data);
        return { start, end };
      } catch (err) {
        const raced = err instanceof ZkError && (err.zkCode === ZkCode.BAD_VERSION || err.zkCode === ZkCode.NODE_EXISTS);
        if (!raced) throw err;
      }
    }
  }
}
