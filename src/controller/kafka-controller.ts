/**
 * Kafka's ZooKeeper-mode controller. Every broker runs one; the one that creates the
 * ephemeral /controller is active: it bumps /controller_epoch, loads the cluster from
 * ZooKeeper, tells every broker the metadata (UpdateMetadata) and every replica its role
 * (LeaderAndIsr), then reacts to brokers coming and going, topics created and deleted,
 * ISR changes, reassignments, preferred elections and controlled shutdowns. Watches only
 * enqueue events; one event runs at a time (event-manager.ts). Every ZooKeeper write
 * carries the controller-epoch fence, so a controller that lost its session cannot
 * overwrite a newer one's state.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { FrameChannel } from '../net/tcp-channel.js';
import type { ConnectionSecurity } from '../net/broker-connect.js';
import type { Logger } from '../util/logger.js';
import { ControllerChannelManager } from './channel-manager.js';
import { ControllerContext } from './context.js';
import { partitionsToRebalance } from './election.js';
import { ControllerMovedError, DEFAULT_CONTROLLER_CONFIG, type ControllerConfig, type ControllerEnv } from './env.js';
import { ControllerEventManager } from './event-manager.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { ReassignmentManager } from './reassignment.js';
import { ControllerBrokerRequestBatch } from './request-batch.js';
import { TopicDeletionManager } from './topic-deletion.js';
import { controllerRequestVersions, type ControllerRequestVersions } from './versions.js';
import { tpKey, type BrokerRegistration, type ControllerFence, type ControllerZk, type TopicPartition } from './zk-port.js';

/** How often a standby controller checks that /controller is still held (see startup). */
const CONTROLLER_CHECK_MS = 3000;

export interface KafkaControllerOptions {
  config?: Partial<ControllerConfig>;
  brokerId: number;
  /** This broker's epoch (czxid of its /brokers/ids znode), when known. */
  brokerEpoch?: number;
  zk: ControllerZk;
  log: Logger;
  nowMs?: () => number;
  /** How the channel manager opens connections (TCP by default). */
  openChannel?: (host: string, port: number, connectTimeoutMs: number) => Promise<FrameChannel>;
  /** TLS/SASL of the inter-broker listener (controller requests go to brokers over it). */
  security?: ConnectionSecurity;
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  message: string | null;
}

export interface ControlledShutdownResult {
  errorCode: number;
  message?: string;
  partitionsRemaining: TopicPartition[];
}

export interface ReassignmentRequest {
  topic: string;
  partition: number;
  /** Target replicas; null cancels the reassignment in flight. */
  replicas: number[] | null;
}

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** ElectLeaders election types. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

const AUTO_REBALANCE_FIRST_DELAY_MS = 5000;
const ELECTION_RETRY_MS = 1000;

export class KafkaController {
  readonly brokerId: number;
  private readonly config: ControllerConfig;
  private readonly zk: ControllerZk;
  private readonly log: Logger;
  private readonly versions: ControllerRequestVersions;
  private readonly events: ControllerEventManager;
  private readonly context = new ControllerContext();
  private readonly env: ControllerEnv;
  private readonly psm: PartitionStateMachine;
  private readonly deletion: TopicDeletionManager;
  private readonly reassignment: ReassignmentManager;
  private channels: ControllerChannelManager | null = null;
  private active = false;
  private activeId: number | null = null;
  private watchesRegistered = false;
  private stopped = false;
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private controllerCheck: NodeJS.Timeout | null = null;
  private readonly openChannel: KafkaControllerOptions['openChannel'];
  private readonly security: KafkaControllerOptions['security'];

  constructor(options: KafkaControllerOptions) {
    this.brokerId = options.brokerId;
    this.config = { ...DEFAULT_CONTROLLER_CONFIG, ...options.config };
    this.zk = options.zk;
    this.log = options.log;
    this.openChannel = options.openChannel;
    this.security = options.security;
    this.versions = controllerRequestVersions(this.config.interBrokerProtocolVersion);
    this.events = new ControllerEventManager(this.log);
    const placeholderChannels = this.newChannelManager();
    this.env = {
      brokerId: this.brokerId,
      config: this.config,
      context: this.context,
      zk: this.zk,
      log: this.log,
      batch: this.newBatch(placeholderChannels),
      fence: () => this.fence(),
    };
    this.psm = new PartitionStateMachine(this.env);
    this.deletion = new TopicDeletionManager(this.env, (topic) => this.log.debug(`topic ${topic} deleted`));
    this.reassignment = new ReassignmentManager(this.env, this.psm, (tp) => this.deletion.markEligible([tp.topic]));
    this.reassignment.onStateZnodeChange = (tp) => this.enqueue(`PartitionReassignmentIsrChange ${tpKey(tp.topic, tp.partition)}`, () => this.reassignment.onIsrChange(tp));
  }

  // ---- public surface (the broker wires these) ----

  /** Starts taking part in controller election. */
  async startup(): Promise<void> {
    this.zk.watchController(() => this.events.put({ name: 'ControllerChange', process: () => this.onControllerChange() }));
    this.zk.onSessionExpired(() => this.events.put({ name: 'Expire', process: () => this.resign('ZooKeeper session expired') }));
    this.zk.onNewSession(() => this.events.put({ name: 'Reelect', process: () => this.elect() }));
    this.events.put({ name: 'Startup', process: () => this.elect() });
    // A safety net under the /controller watch: a standby that missed the deletion (a watch lost
    // in the ZooKeeper client was seen under load) still finds the seat empty within seconds.
    this.controllerCheck = setInterval(() => {
      if (!this.active && !this.stopped) this.events.put({ name: 'ControllerCheck', process: () => this.checkControllerSeat() });
    }, CONTROLLER_CHECK_MS);
    this.controllerCheck.unref();
    await this.events.idle();
  }

  private async checkControllerSeat(): Promise<void> {
    if (this.active || this.stopped) return;
    if ((await this.zk.getControllerId()) !== null) return;
    this.log.info(`Broker ${this.brokerId}: /controller is empty and no watch said so; electing`);
    await this.elect();
  }

  /** Resigns (deleting /controller when ours) and stops. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.controllerCheck) clearInterval(this.controllerCheck);
    await this.events.close();
    const wasActive = this.active;
    await this.resign('shutting down');
    if (wasActive) {
      try {
        await this.zk.deleteControllerZnode(this.brokerId);
      } catch (err) {
        this.log.warn(`Controller ${this.brokerId}: could not delete /controller on shutdown: ${(err as Error).message}`);
      }
    }
  }

  isActive(): boolean {
    return this.active;
  }

  /** The active controller's id as last seen in /controller (null when none). */
  activeControllerId(): number | null {
    return this.activeId;
  }

  /** The controller epoch while active (0 otherwise). */
  get epoch(): number {
    return this.active ? this.context.epoch : 0;
  }

  /**
   * Partitions without a live leader (leader -1 or a broker that is gone), topics being
   * deleted left out: Kafka's OfflinePartitionsCount. 0 when not the active controller.
   */
  offlinePartitionCount(): number {
    if (!this.active) return 0;
    return this.context.allPartitions().filter((tp) => {
      if (this.context.isTopicQueuedForDeletion(tp.topic)) return false;
      const s = this.context.leaderIsr(tp);
      return !s || !this.context.isReplicaOnlineFor(tp, s.leader, true);
    }).length;
  }

  /** Topics the active controller knows (Kafka's GlobalTopicCount); 0 when not active. */
  topicCount(): number {
    return this.active ? this.context.assignments.size : 0;
  }

  /** Partitions the active controller knows (Kafka's GlobalPartitionCount); 0 when not active. */
  partitionCount(): number {
    return this.active ? this.context.allPartitions().length : 0;
  }

  /** Resolves when no event is queued or running (tests). */
  idle(): Promise<void> {
    return this.events.idle();
  }

  /**
   * ControlledShutdown (API 7) from broker `brokerId`: moves its leaderships away and takes
   * it out of the ISRs; answers the partitions it still leads (retry later when non-empty).
   */
  controlledShutdown(brokerId: number, brokerEpoch = -1): Promise<ControlledShutdownResult> {
    return this.events.call('ControlledShutdown', async () => {
      if (!this.active) return { errorCode: ErrorCode.NOT_CONTROLLER, message: `Broker ${this.brokerId} is not the controller`, partitionsRemaining: [] };
      const registration = this.context.liveBrokers.get(brokerId);
      if (!registration) {
        return { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, message: `Broker id ${brokerId} does not exist (it is not registered in /brokers/ids)`, partitionsRemaining: [] };
      }
      if (brokerEpoch >= 0 && registration.epoch >= 0 && brokerEpoch < registration.epoch) {
        return { errorCode: ErrorCode.STALE_BROKER_EPOCH, message: `Broker epoch ${brokerEpoch} is older than the registered ${registration.epoch}`, partitionsRemaining: [] };
      }
      return this.orNotController(() => this.withBatch(() => this.doControlledShutdown(brokerId)), (message) => ({ errorCode: ErrorCode.NOT_CONTROLLER, message, partitionsRemaining: [] }));
    });
  }

  /** ElectLeaders (API 43): type 0 preferred, 1 unclean; null partitions = all. */
  electLeaders(electionType: number, partitions: readonly TopicPartition[] | null): Promise<PartitionResult[]> {
    return this.events.call('ElectLeaders', async () => {
      const wanted = partitions ?? this.context.allPartitions();
      if (!this.active) {
        return wanted.map((tp) => ({ ...tp, errorCode: ErrorCode.NOT_CONTROLLER, message: `Broker ${this.brokerId} is not the controller` }));
      }
      return this.orNotController(() => this.withBatch(() => this.doElectLeaders(electionType, wanted)), (message) =>
        wanted.map((tp) => ({ ...tp, errorCode: ErrorCode.NOT_CONTROLLER, message })));
    });
  }

  /** AlterPartitionReassignments (API 45). */
  alterPartitionReassignments(requests: readonly ReassignmentRequest[]): Promise<PartitionResult[]> {
    return this.events.call('AlterPartitionReassignments', async () => {
      if (!this.active) {
        return requests.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: ErrorCode.NOT_CONTROLLER, message: `Broker ${this.brokerId} is not the controller` }));
      }
      const run = () => this.withBatch(async () => {
        const out: PartitionResult[] = [];
        for (const r of requests) {
          const outcome = await this.reassignment.alter({ topic: r.topic, partition: r.partition }, r.replicas);
          out.push({ topic: r.topic, partition: r.partition, ...outcome });
        }
        return out;
      });
      return this.orNotController(run, (message) => requests.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: ErrorCode.NOT_CONTROLLER, message })));
    });
  }

  /** ListPartitionReassignments (API 46): the reassignments in flight, optionally for some partitions. */
  listPartitionReassignments(partitions: readonly TopicPartition[] | null): Promise<OngoingReassignment[] | null> {
    return this.events.call('ListPartitionReassignments', async () => {
      if (!this.active) return null;
      const out: OngoingReassignment[] = [];
      const wanted = partitions ? new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition))) : null;
      for (const [key, r] of this.context.reassignments) {
        if (wanted && !wanted.has(key)) continue;
        const i = key.lastIndexOf('-');
        const tp = { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
        out.push({
          ...tp,
          replicas: this.context.replicas(tp),
          addingReplicas: r.target.filter((b) => !r.original.includes(b)),
          removingReplicas: r.original.filter((b) => !r.target.includes(b)),
        });
      }
      return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    });
  }

  // ---- election and failover ----

  /** Runs an API's state change; when another controller took over meanwhile, answers NOT_CONTROLLER. */
  private async orNotController<T>(run: () => Promise<T>, notController: (message: string) => T): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ControllerMovedError) return notController(`Broker ${this.brokerId} is no longer the controller: ${err.message}`);
      throw err;
    }
  }

  private fence(): ControllerFence {
    return { epoch: this.context.epoch, epochZkVersion: this.context.epochZkVersion };
  }

  private newChannelManager(): ControllerChannelManager {
    return new ControllerChannelManager({
      controllerId: this.brokerId,
      listenerName: this.config.interBrokerListenerName,
      connectTimeoutMs: this.config.controllerSocketTimeoutMs,
      requestTimeoutMs: this.config.controllerSocketTimeoutMs,
      log: this.log,
      openChannel: this.openChannel,
      ...(this.security ? { security: this.security } : {}),
    });
  }

  private newBatch(channels: ControllerChannelManager): ControllerBrokerRequestBatch {
    return new ControllerBrokerRequestBatch({
      controllerId: this.brokerId,
      context: this.context,
      channels,
      versions: this.versions,
      log: this.log,
      onStopReplicaDeleted: (brokerId, tp, errorCode) =>
        this.enqueue(`TopicDeletionStopReplicaResponse ${tpKey(tp.topic, tp.partition)}@${brokerId}`, () => this.deletion.onReplicaDeleted(brokerId, tp, errorCode)),
      onStorageErrors: (brokerId, partitions) =>
        this.enqueue(`LeaderAndIsrResponseReceived ${brokerId}`, () => this.onReplicasOnOfflineDirs(brokerId, partitions)),
    });
  }

  /** Queues work that only the active controller does; its requests go out when it ends. */
  private enqueue(name: string, fn: () => Promise<void>): void {
    this.events.put({
      name,
      process: async () => {
        if (!this.active) return;
        await this.withBatch(fn);
      },
    });
  }

  /** Runs a state change and sends the requests it queued; resigns when another controller took over. */
  private async withBatch<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      this.env.batch.send();
      return result;
    } catch (err) {
      if (err instanceof ControllerMovedError) {
        this.log.warn(`Controller ${this.brokerId}: another controller took over (${err.message}); resigning`);
        await this.resign('controller moved');
        await this.elect();
      } else {
        this.env.batch.send();
      }
      throw err;
    }
  }

  /**
   * Runs the election; when ZooKeeper fails meanwhile (connection loss, a session being
   * replaced) it is tried again a second later, so no watch is needed to get out of it.
   */
  private async elect(): Promise<void> {
    try {
      await this.tryElect();
    } catch (err) {
      if (this.stopped) return;
      this.log.warn(`Broker ${this.brokerId}: controller election failed (${(err as Error).message}); trying again in ${ELECTION_RETRY_MS} ms`);
      setTimeout(() => this.events.put({ name: 'Reelect', process: () => this.elect() }), ELECTION_RETRY_MS).unref();
    }
  }

  private async tryElect(): Promise<void> {
    if (this.stopped || this.active) return;
    const current = await this.zk.getControllerId();
    if (current !== null) {
      this.activeId = current;
      // Our own znode from an earlier session: it goes when that session expires, and the
      // /controller watch brings us back here then.
      if (current === this.brokerId) await this.zk.deleteControllerZnode(this.brokerId);
      return;
    }
    if (!(await this.zk.tryCreateControllerZnode(this.brokerId))) {
      this.activeId = await this.zk.getControllerId();
      this.log.info(`Broker ${this.brokerId}: broker ${this.activeId ?? '?'} won the controller election`);
      return;
    }
    this.activeId = this.brokerId;
    try {
      await this.onControllerFailover();
    } catch (err) {
      this.log.error(`Controller ${this.brokerId}: failover failed: ${(err as Error).stack ?? String(err)}; resigning`);
      await this.resign('failover failed');
      try {
        await this.zk.deleteControllerZnode(this.brokerId);
      } catch {
        // The session is gone: the znode goes with it.
      }
    }
  }

  private async onControllerChange(): Promise<void> {
    let current: number | null;
    try {
      current = await this.zk.getControllerId();
    } catch (err) {
      this.log.warn(`Broker ${this.brokerId}: could not read /controller (${(err as Error).message})`);
      if (!this.active) await this.elect();
      return;
    }
    this.activeId = current;
    if (this.active && current !== this.brokerId) await this.resign(`/controller now names broker ${current ?? 'none'}`);
    if (current === null) await this.elect();
  }

  private async onControllerFailover(): Promise<void> {
    const { context, zk, log } = this;
    const fence = await zk.incrementControllerEpoch();
    context.reset();
    context.epoch = fence.epoch;
    context.epochZkVersion = fence.epochZkVersion;
    this.channels = this.newChannelManager();
    this.env.batch = this.newBatch(this.channels);
    this.deletion.reset();
    this.active = true;
    log.info(`Broker ${this.brokerId} is the controller now, epoch ${context.epoch} (/controller_epoch version ${context.epochZkVersion})`);
    this.registerWatches();
    const notifications = await zk.getIsrChangeNotifications();
    if (notifications.length > 0) await zk.deleteIsrChangeNotifications(notifications.map((n) => n.name), this.fence());
    // Log dir events from before this controller: the LeaderAndIsr to every replica below asks again.
    const logDirEvents = await zk.getLogDirEventNotifications();
    if (logDirEvents.length > 0) await zk.deleteLogDirEventNotifications(logDirEvents.map((n) => n.name), this.fence());

    for (const b of await zk.getAllBrokers()) this.addLiveBroker(b);
    const topics = await zk.getAllTopics();
    const assignments = await zk.getReplicaAssignment(topics);
    for (const [topic, parts] of assignments) {
      context.assignments.set(topic, new Map([...parts].map(([p, r]) => [p, [...r]])));
      zk.watchTopicAssignment(topic, () => this.enqueue(`PartitionModifications ${topic}`, () => this.onPartitionModifications(topic)));
    }
    const states = await zk.getPartitionStates(context.allPartitions());
    for (const tp of context.allPartitions()) {
      const s = states.get(tpKey(tp.topic, tp.partition));
      if (s) context.setLeaderIsr(tp, s);
    }
    const pendingReassignments = await zk.getPartitionReassignment();
    const deletions = await zk.getTopicDeletions();
    log.info(`Controller ${this.brokerId}: loaded ${context.liveBrokers.size} live brokers (${context.liveBrokerIds().join(',')}), ${context.assignments.size} topics, ${context.allPartitions().length} partitions`);

    await this.withBatch(async () => {
      // Brokers need the live-broker list before any LeaderAndIsr that names a leader.
      this.env.batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds());
      this.env.batch.send();
      this.sendLeaderAndIsrToLiveReplicas(context.allPartitions());
      await this.psm.triggerOnlinePartitionStateChange();
      await this.reassignment.fromZnode(pendingReassignments);
      // A topic created while this failover ran (after the topics were read, before the
      // deletion requests were) is not unknown: catch up first, as the TopicDeletion event does.
      if (deletions.some((topic) => !context.assignments.has(topic))) await this.onTopicChange();
      await this.deletion.enqueueTopicsForDeletion(deletions);
      await this.onPreferredReplicaElectionZnode();
    });
    this.scheduleAutoRebalance(AUTO_REBALANCE_FIRST_DELAY_MS);
  }

  private registerWatches(): void {
    if (this.watchesRegistered) return;
    this.watchesRegistered = true;
    const zk = this.zk;
    zk.watchBrokerIds(() => this.enqueue('BrokerChange', () => this.onBrokerChange()));
    zk.watchTopics(() => this.enqueue('TopicChange', () => this.onTopicChange()));
    zk.watchTopicDeletions(() => this.enqueue('TopicDeletion', async () => {
      // The topic's creation may not have reached us yet (watches fire independently):
      // catch up first, so a new topic is not taken for an unknown one.
      await this.onTopicChange();
      await this.deletion.enqueueTopicsForDeletion(await zk.getTopicDeletions());
    }));
    zk.watchIsrChangeNotifications(() => this.enqueue('IsrChangeNotification', () => this.onIsrChangeNotification()));
    zk.watchLogDirEventNotifications(() => this.enqueue('LogDirEventNotification', () => this.onLogDirEventNotification()));
    zk.watchPreferredReplicaElection(() => this.enqueue('PreferredReplicaLeaderElection', () => this.onPreferredReplicaElectionZnode()));
    zk.watchPartitionReassignment(() => this.enqueue('PartitionReassignment', async () => this.reassignment.fromZnode(await zk.getPartitionReassignment())));
  }

  private async resign(reason: string): Promise<void> {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
    if (!this.active) return;
    this.active = false;
    this.log.info(`Controller ${this.brokerId} resigning (${reason})`);
    const channels = this.channels;
    this.channels = null;
    this.context.reset();
    this.deletion.reset();
    await channels?.shutdown();
  }

  // ---- brokers ----

  private addLiveBroker(b: BrokerRegistration): void {
    this.context.liveBrokers.set(b.id, b);
    this.channels?.addBroker(b);
    this.zk.watchBroker(b.id, () => this.enqueue(`BrokerModifications ${b.id}`, () => this.onBrokerModification(b.id)));
  }

  private async onBrokerChange(): Promise<void> {
    const { context } = this;
    const current = new Map((await this.zk.getAllBrokers()).map((b) => [b.id, b]));
    const dead: number[] = [];
    const started: BrokerRegistration[] = [];
    for (const [id, old] of context.liveBrokers) {
      const now = current.get(id);
      if (!now) dead.push(id);
      else if (now.epoch !== old.epoch) {
        // Re-registered before we saw it go (a bounce): treat as failure then startup.
        dead.push(id);
        started.push(now);
      }
    }
    for (const [id, b] of current) if (!context.liveBrokers.has(id)) started.push(b);
    if (dead.length === 0 && started.length === 0) return;
    this.log.info(`Controller ${this.brokerId}: brokers changed: started ${started.map((b) => b.id).join(',') || 'none'}, failed ${dead.join(',') || 'none'}`);
    for (const id of [...dead, ...started.map((b) => b.id)]) context.replicasOnOfflineDirs.delete(id);
    if (dead.length > 0) {
      for (const id of dead) {
        context.liveBrokers.delete(id);
        context.shuttingDownBrokerIds.delete(id);
        await this.channels?.removeBroker(id);
      }
      await this.onBrokerFailure(dead);
    }
    if (started.length > 0) {
      for (const b of started) this.addLiveBroker(b);
      await this.onBrokerStartup(started.map((b) => b.id));
    }
  }

  private async onBrokerModification(brokerId: number): Promise<void> {
    const now = (await this.zk.getAllBrokers()).find((b) => b.id === brokerId);
    const old = this.context.liveBrokers.get(brokerId);
    if (!now || !old || now.epoch !== old.epoch) return;
    this.context.liveBrokers.set(brokerId, now);
    this.env.batch.addUpdateMetadata(this.context.liveOrShuttingDownBrokerIds());
  }

  private async onBrokerStartup(newIds: number[]): Promise<void> {
    const { context, env } = this;
    const ids = new Set(newIds);
    env.batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds());
    env.batch.send();
    const onNew = context.allPartitions().filter((tp) => context.replicas(tp).some((b) => ids.has(b)) && !context.isTopicQueuedForDeletion(tp.topic));
    for (const tp of onNew) {
      const state = context.leaderIsr(tp);
      if (state) env.batch.addLeaderAndIsr(context.replicas(tp).filter((b) => ids.has(b)), tp, state, context.replicas(tp));
    }
    await this.psm.triggerOnlinePartitionStateChange();
    await this.reassignment.resume(ids);
    const waiting = [...context.topicsIneligibleForDeletion].filter((t) =>
      context.partitionsOfTopic(t).some((tp) => context.replicas(tp).some((b) => ids.has(b))));
    this.deletion.markEligible(waiting);
    await this.deletion.resumeDeletions();
  }

  private async onBrokerFailure(deadIds: number[]): Promise<void> {
    const { context, env } = this;
    const dead = new Set(deadIds);
    const leaderless = context.allPartitions().filter((tp) => {
      const s = context.leaderIsr(tp);
      return s !== undefined && dead.has(s.leader) && !context.isTopicQueuedForDeletion(tp.topic);
    });
    if (leaderless.length > 0) await this.psm.electLeaders(leaderless, { kind: 'offline' });
    for (const id of deadIds) {
      const replicas = context.partitionsOnBroker(id).filter((tp) => !context.isTopicQueuedForDeletion(tp.topic));
      if (replicas.length > 0) await this.psm.removeReplicaFromIsr(replicas, id);
      for (const t of context.topicsToDelete) {
        if (context.partitionsOfTopic(t).some((tp) => context.replicas(tp).includes(id))) context.topicsIneligibleForDeletion.add(t);
      }
    }
    if (env.batch.isEmpty) env.batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds());
  }

  /** LeaderAndIsr with the current state to every live replica (failover; no epoch bump). */
  private sendLeaderAndIsrToLiveReplicas(partitions: readonly TopicPartition[]): void {
    const { context } = this;
    for (const tp of partitions) {
      const state = context.leaderIsr(tp);
      if (!state || context.isTopicQueuedForDeletion(tp.topic)) continue;
      this.env.batch.addLeaderAndIsr(context.replicas(tp).filter((b) => context.isReplicaOnline(b, true)), tp, state, context.replicas(tp));
    }
  }

  // ---- topics ----

  private async onTopicChange(): Promise<void> {
    const { context, zk } = this;
    const topics = new Set(await zk.getAllTopics());
    const created = [...topics].filter((t) => !context.assignments.has(t));
    for (const t of [...context.assignments.keys()]) {
      if (!topics.has(t)) {
        zk.unwatchTopicAssignment(t);
        context.removeTopic(t);
      }
    }
    if (created.length === 0) return;
    const assignments = await zk.getReplicaAssignment(created);
    const newPartitions: TopicPartition[] = [];
    for (const [topic, parts] of assignments) {
      context.assignments.set(topic, new Map([...parts].map(([p, r]) => [p, [...r]])));
      zk.watchTopicAssignment(topic, () => this.enqueue(`PartitionModifications ${topic}`, () => this.onPartitionModifications(topic)));
      newPartitions.push(...context.partitionsOfTopic(topic));
    }
    this.log.info(`Controller ${this.brokerId}: new topics ${created.join(', ')} with ${newPartitions.length} partitions`);
    await this.psm.initializeNewPartitions(newPartitions);
  }

  /** Partitions added to an existing topic (edits of existing partitions' replicas are ignored, as Kafka does). */
  private async onPartitionModifications(topic: string): Promise<void> {
    const { context } = this;
    if (context.isTopicQueuedForDeletion(topic) || !context.assignments.has(topic)) return;
    const parts = (await this.zk.getReplicaAssignment([topic])).get(topic);
    if (!parts) return;
    const known = context.assignments.get(topic)!;
    const added: TopicPartition[] = [];
    for (const [partition, replicas] of parts) {
      if (known.has(partition)) continue;
      known.set(partition, [...replicas]);
      added.push({ topic, partition });
    }
    if (added.length === 0) return;
    this.log.info(`Controller ${this.brokerId}: new partitions ${added.map((tp) => tp.partition).join(',')} of topic ${topic}`);
    await this.psm.initializeNewPartitions(added);
  }

  private async onIsrChangeNotification(): Promise<void> {
    const { context, zk } = this;
    const notifications = await zk.getIsrChangeNotifications();
    if (notifications.length === 0) return;
    const seen = new Map<string, TopicPartition>();
    for (const n of notifications) for (const tp of n.partitions) if (context.replicas(tp).length > 0) seen.set(tpKey(tp.topic, tp.partition), tp);
    const partitions = [...seen.values()];
    const states = await zk.getPartitionStates(partitions);
    for (const tp of partitions) {
      const s = states.get(tpKey(tp.topic, tp.partition));
      if (s) context.setLeaderIsr(tp, s);
    }
    this.env.batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds(), partitions);
    await zk.deleteIsrChangeNotifications(notifications.map((n) => n.name), this.fence());
    for (const tp of partitions) await this.reassignment.onIsrChange(tp);
  }

  /**
   * A broker's log dir failed (it wrote /log_dir_event_notification): LeaderAndIsr with the
   * current state for all its replicas; the partitions it answers KAFKA_STORAGE_ERROR for go
   * offline there (onReplicasOnOfflineDirs).
   */
  private async onLogDirEventNotification(): Promise<void> {
    const { context, zk } = this;
    const events = await zk.getLogDirEventNotifications();
    if (events.length === 0) return;
    for (const brokerId of new Set(events.map((e) => e.brokerId))) {
      if (!context.isReplicaOnline(brokerId, true)) continue;
      this.log.warn(`Controller ${this.brokerId}: broker ${brokerId} reported a failed log dir; asking it about all its replicas`);
      for (const tp of context.partitionsOnBroker(brokerId)) {
        const state = context.leaderIsr(tp);
        if (state && !context.isTopicQueuedForDeletion(tp.topic)) this.env.batch.addLeaderAndIsr([brokerId], tp, state, context.replicas(tp));
      }
    }
    await zk.deleteLogDirEventNotifications(events.map((e) => e.name), this.fence());
  }

  /** Replicas on a failed log dir: elect elsewhere where they lead, then take them out of the ISRs. */
  private async onReplicasOnOfflineDirs(brokerId: number, partitions: readonly TopicPartition[]): Promise<void> {
    const { context } = this;
    let offline = context.replicasOnOfflineDirs.get(brokerId);
    if (!offline) context.replicasOnOfflineDirs.set(brokerId, (offline = new Set()));
    const fresh = partitions.filter((tp) => !offline.has(tpKey(tp.topic, tp.partition)) && context.replicas(tp).includes(brokerId));
    for (const tp of fresh) offline.add(tpKey(tp.topic, tp.partition));
    const affected = fresh.filter((tp) => !context.isTopicQueuedForDeletion(tp.topic));
    if (affected.length === 0) return;
    this.log.warn(`Controller ${this.brokerId}: replicas on broker ${brokerId} are on a failed log dir: ${affected.map((tp) => tpKey(tp.topic, tp.partition)).join(',')}`);
    const led = affected.filter((tp) => context.leaderIsr(tp)?.leader === brokerId);
    if (led.length > 0) await this.psm.electLeaders(led, { kind: 'offline' });
    await this.psm.removeReplicaFromIsr(affected, brokerId);
  }

  // ---- elections ----

  private async onPreferredReplicaElectionZnode(): Promise<void> {
    const requested = await this.zk.getPreferredReplicaElection();
    if (requested.length === 0) return;
    const results = await this.doElectLeaders(ElectionType.PREFERRED, requested);
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) {
        this.log.warn(`Controller ${this.brokerId}: preferred replica election for ${r.topic}-${r.partition} failed: ${r.message}`);
      }
    }
    await this.zk.deletePreferredReplicaElection(this.fence());
  }

  private async doElectLeaders(electionType: number, partitions: readonly TopicPartition[]): Promise<PartitionResult[]> {
    const { context } = this;
    const results = new Map<string, PartitionResult>();
    const toElect: TopicPartition[] = [];
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      const replicas = context.replicas(tp);
      const state = context.leaderIsr(tp);
      if (replicas.length === 0 || context.isTopicQueuedForDeletion(tp.topic)) {
        results.set(key, { ...tp, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `The partition ${key} does not exist.` });
      } else if (context.reassignments.has(key)) {
        results.set(key, { ...tp, errorCode: ErrorCode.INVALID_REQUEST, message: `Partition ${key} is being reassigned; elect its leader once the reassignment completes.` });
      } else if (electionType === ElectionType.PREFERRED && state?.leader === replicas[0]) {
        results.set(key, { ...tp, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'Leader election not needed for topic partition.' });
      } else if (electionType === ElectionType.UNCLEAN && state && context.isReplicaOnlineFor(tp, state.leader)) {
        results.set(key, { ...tp, errorCode: ErrorCode.ELECTION_NOT_NEEDED, message: 'Leader election not needed for topic partition.' });
      } else {
        toElect.push(tp);
      }
    }
    if (toElect.length > 0) {
      const strategy = electionType === ElectionType.UNCLEAN ? { kind: 'offline' as const, allowUnclean: true } : { kind: 'preferred' as const };
      const outcomes = await this.psm.electLeaders(toElect, strategy);
      for (const tp of toElect) {
        const key = tpKey(tp.topic, tp.partition);
        const o = outcomes.get(key) ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: 'no outcome' };
        results.set(key, { ...tp, errorCode: o.errorCode, message: o.message });
      }
    }
    return partitions.map((tp) => results.get(tpKey(tp.topic, tp.partition))!);
  }

  private async doControlledShutdown(brokerId: number): Promise<ControlledShutdownResult> {
    const { context } = this;
    context.shuttingDownBrokerIds.add(brokerId);
    this.log.info(`Controller ${this.brokerId}: controlled shutdown of broker ${brokerId}; shutting down: ${[...context.shuttingDownBrokerIds].join(',')}`);
    const actOn = context.partitionsOnBroker(brokerId).filter((tp) => context.replicas(tp).length > 1 && context.leaderIsr(tp) && !context.isTopicQueuedForDeletion(tp.topic));
    const led = actOn.filter((tp) => context.leaderIsr(tp)!.leader === brokerId);
    const followed = actOn.filter((tp) => context.leaderIsr(tp)!.leader !== brokerId);
    if (led.length > 0) await this.psm.electLeaders(led, { kind: 'controlled-shutdown' });
    for (const tp of followed) this.env.batch.addStopReplica([brokerId], tp, false);
    if (followed.length > 0) await this.psm.removeReplicaFromIsr(followed, brokerId);
    this.env.batch.addUpdateMetadata(context.liveOrShuttingDownBrokerIds());
    const partitionsRemaining = context.partitionsLedBy(brokerId).filter((tp) => context.replicas(tp).length > 1);
    return { errorCode: ErrorCode.NONE, partitionsRemaining };
  }

  private scheduleAutoRebalance(delayMs: number): void {
    if (!this.config.autoLeaderRebalanceEnable || this.stopped) return;
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = null;
      this.enqueue('AutoPreferredReplicaLeaderElection', async () => {
        try {
          await this.checkAndTriggerAutoLeaderRebalance();
        } finally {
          this.scheduleAutoRebalance(this.config.leaderImbalanceCheckIntervalSeconds * 1000);
        }
      });
    }, delayMs);
    this.rebalanceTimer.unref();
  }

  private async checkAndTriggerAutoLeaderRebalance(): Promise<void> {
    const { context } = this;
    if (context.reassignments.size > 0 || context.topicsToDelete.size > 0) return;
    const candidates = context.allPartitions().flatMap((tp) => {
      const s = context.leaderIsr(tp);
      return s ? [{ tp, assignment: context.replicas(tp), leader: s.leader }] : [];
    });
    const online = (b: number): boolean => context.isReplicaOnline(b);
    const toElect = partitionsToRebalance(candidates, online, this.config.leaderImbalancePerBrokerPercentage)
      .filter((tp) => context.leaderIsr(tp)!.isr.includes(context.replicas(tp)[0]!));
    if (toElect.length === 0) return;
    this.log.info(`Controller ${this.brokerId}: auto leader rebalance moves ${toElect.length} partitions to their preferred leaders`);
    await this.psm.electLeaders(toElect, { kind: 'preferred' });
  }
}
