/**
 * One batch of controller requests (Kafka's ControllerBrokerRequestBatch): state changes
 * add LeaderAndIsr, UpdateMetadata and StopReplica entries per broker, and `send` flushes
 * them in Kafka's order: LeaderAndIsr, then UpdateMetadata, then StopReplica. Every
 * LeaderAndIsr entry also puts the partition in the UpdateMetadata for all live brokers.
 * Bodies are built per negotiated version (flat partition lists up to LeaderAndIsr v1 /
 * UpdateMetadata v4 / StopReplica v0, as Kafka 1.1 brokers take them; grouped by topic after).
 */
import { ApiKey } from '../protocol/apis.js';
import { ErrorCode } from '../protocol/errors.js';
import type { LeaderAndIsrPartitionState, LeaderAndIsrRequest } from '../protocol/messages/04-leader-and-isr.js';
import type { StopReplicaRequest } from '../protocol/messages/05-stop-replica.js';
import type { UpdateMetadataBroker, UpdateMetadataPartitionState, UpdateMetadataRequest } from '../protocol/messages/06-update-metadata.js';
import type { Logger } from '../util/logger.js';
import type { ControllerChannelManager } from './channel-manager.js';
import type { ControllerContext } from './context.js';
import type { ControllerRequestVersions } from './versions.js';
import { tpKey, type TopicPartition, type ZkPartitionState } from './zk-port.js';

/** Leader of a partition whose topic is being deleted, in UpdateMetadata (Kafka's LeaderDuringDelete). */
export const LEADER_DURING_DELETE = -2;
/** Leader epoch in StopReplica v3+ for a partition being deleted (Kafka's EpochDuringDelete). */
const EPOCH_DURING_DELETE = -2;
const NO_EPOCH = -1;

const SECURITY_PROTOCOL_ID: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

interface LeaderAndIsrEntry {
  tp: TopicPartition;
  state: ZkPartitionState;
  replicas: number[];
  isNew: boolean;
}

interface StopReplicaEntry {
  tp: TopicPartition;
  deletePartition: boolean;
}

/** Per-partition outcome of a StopReplica, for topic deletion and reassignment. */
export type StopReplicaCallback = (brokerId: number, tp: TopicPartition, errorCode: number) => void;

export interface RequestBatchEnv {
  controllerId: number;
  context: ControllerContext;
  channels: ControllerChannelManager;
  versions: ControllerRequestVersions;
  log: Logger;
  /** Answers to StopReplica with delete (topic deletion waits for them). */
  onStopReplicaDeleted: StopReplicaCallback;
  /** Partitions a broker answered LeaderAndIsr for with KAFKA_STORAGE_ERROR (a failed log dir). */
  onStorageErrors?: (brokerId: number, partitions: TopicPartition[]) => void;
}

export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, LeaderAndIsrEntry>>();
  private readonly updateMetadataBrokers = new Set<number>();
  private readonly updateMetadataPartitions = new Map<string, TopicPartition>();
  private updateMetadataAll = false;
  private readonly stopReplica = new Map<number, StopReplicaEntry[]>();

  constructor(private readonly env: RequestBatchEnv) {}

  get isEmpty(): boolean {
    return this.leaderAndIsr.size === 0 && this.updateMetadataBrokers.size === 0 && this.stopReplica.size === 0;
  }

  addLeaderAndIsr(brokerIds: Iterable<number>, tp: TopicPartition, state: ZkPartitionState, replicas: number[], isNew = false): void {
    for (const brokerId of brokerIds) {
      if (brokerId < 0) continue;
      let forBroker = this.leaderAndIsr.get(brokerId);
      if (!forBroker) this.leaderAndIsr.set(brokerId, (forBroker = new Map()));
      const previous = forBroker.get(tpKey(tp.topic, tp.partition));
      forBroker.set(tpKey(tp.topic, tp.partition), { tp, state, replicas, isNew: isNew || (previous?.isNew ?? false) });
    }
    this.addUpdateMetadata(this.env.context.liveOrShuttingDownBrokerIds(), [tp]);
  }

  /** UpdateMetadata to `brokerIds` for `partitions`, or for every partition when omitted. */
  addUpdateMetadata(brokerIds: Iterable<number>, partitions?: readonly TopicPartition[]): void {
    for (const id of brokerIds) if (id >= 0) this.updateMetadataBrokers.add(id);
    if (partitions === undefined) this.updateMetadataAll = true;
    else for (const tp of partitions) this.updateMetadataPartitions.set(tpKey(tp.topic, tp.partition), tp);
  }

  addStopReplica(brokerIds: Iterable<number>, tp: TopicPartition, deletePartition: boolean): void {
    for (const brokerId of brokerIds) {
      if (brokerId < 0) continue;
      const list = this.stopReplica.get(brokerId) ?? [];
      if (!list.some((e) => e.tp.topic === tp.topic && e.tp.partition === tp.partition && e.deletePartition === deletePartition)) {
        list.push({ tp, deletePartition });
      }
      this.stopReplica.set(brokerId, list);
    }
  }

  /** Queues everything on the channels (LeaderAndIsr, UpdateMetadata, StopReplica) and empties the batch. */
  send(): void {
    const { context } = this.env;
    const epoch = context.epoch;
    for (const [brokerId, entries] of this.leaderAndIsr) this.sendLeaderAndIsr(brokerId, [...entries.values()], epoch);
    if (this.updateMetadataBrokers.size > 0) {
      const partitions = this.updateMetadataAll ? context.allPartitions() : [...this.updateMetadataPartitions.values()];
      const states = partitions.flatMap((tp) => this.updateMetadataState(tp, epoch));
      for (const brokerId of this.updateMetadataBrokers) this.sendUpdateMetadata(brokerId, states, epoch);
    }
    for (const [brokerId, entries] of this.stopReplica) {
      const keep = entries.filter((e) => !e.deletePartition);
      const del = entries.filter((e) => e.deletePartition);
      if (keep.length > 0) this.sendStopReplica(brokerId, keep, false, epoch);
      if (del.length > 0) this.sendStopReplica(brokerId, del, true, epoch);
    }
    this.leaderAndIsr.clear();
    this.updateMetadataBrokers.clear();
    this.updateMetadataPartitions.clear();
    this.updateMetadataAll = false;
    this.stopReplica.clear();
  }

  private brokerEpoch(brokerId: number): number {
    return this.env.context.liveBrokers.get(brokerId)?.epoch ?? -1;
  }

  private sendLeaderAndIsr(brokerId: number, entries: LeaderAndIsrEntry[], controllerEpoch: number): void {
    const { context, channels, controllerId, log } = this.env;
    const leaderIds = new Set(entries.map((e) => e.state.leader));
    const liveLeaders = context.liveOrShuttingDownBrokerIds()
      .filter((id) => leaderIds.has(id))
      .flatMap((id) => {
        const endpoint = channels.endpointOf(context.liveBrokers.get(id)!);
        return endpoint ? [{ brokerId: id, hostName: endpoint.host, port: endpoint.port }] : [];
      });
    const states = entries.map((e): LeaderAndIsrPartitionState => {
      const reassignment = context.reassignments.get(tpKey(e.tp.topic, e.tp.partition));
      return {
        topicName: e.tp.topic,
        partitionIndex: e.tp.partition,
        controllerEpoch: e.state.controllerEpoch,
        leader: e.state.leader,
        leaderEpoch: e.state.leaderEpoch,
        isr: e.state.isr,
        partitionEpoch: e.state.zkVersion,
        replicas: e.replicas,
        addingReplicas: reassignment ? reassignment.target.filter((b) => !reassignment.original.includes(b)) : [],
        removingReplicas: reassignment ? reassignment.original.filter((b) => !reassignment.target.includes(b)) : [],
        isNew: e.isNew,
      };
    });
    const describe = entries.map((e) => `${e.tp.topic}-${e.tp.partition}(leader=${e.state.leader},epoch=${e.state.leaderEpoch},isr=${e.state.isr.join(',')},zkVersion=${e.state.zkVersion},replicas=${e.replicas.join(',')}${e.isNew ? ',new' : ''})`);
    log.info(`Controller ${controllerId} epoch ${controllerEpoch} sending LeaderAndIsr to broker ${brokerId}: ${describe.join(' ')}`);
    channels.send(brokerId, {
      apiKey: ApiKey.LeaderAndIsr,
      name: 'LeaderAndIsr',
      maxVersion: this.env.versions.leaderAndIsr,
      build: (version): LeaderAndIsrRequest => {
        const base = { controllerId, controllerEpoch, brokerEpoch: this.brokerEpoch(brokerId), liveLeaders };
        if (version <= 1) return { ...base, ungroupedPartitionStates: states };
        return { ...base, type: 0, topicStates: groupByTopic(states, (s) => s.topicName!).map(([topicName, partitionStates]) => ({ topicName, partitionStates })) };
      },
      onResponse: (r) => {
        if (r.errorCode !== ErrorCode.NONE) log.warn(`Broker ${brokerId} answered LeaderAndIsr with error ${r.errorCode}`);
        // Per-partition error 11 (leader epoch not newer) is normal; a storage error takes
        // that replica offline (Kafka acts on nothing else in the answer).
        const failed = (r.partitionErrors ?? [])
          .filter((p) => p.errorCode === ErrorCode.KAFKA_STORAGE_ERROR && p.topicName !== undefined)
          .map((p) => ({ topic: p.topicName!, partition: p.partitionIndex }));
        if (failed.length > 0) {
          log.error(`Broker ${brokerId} answered LeaderAndIsr with KAFKA_STORAGE_ERROR for ${failed.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`);
          this.env.onStorageErrors?.(brokerId, failed);
        }
      },
    });
  }

  private updateMetadataState(tp: TopicPartition, controllerEpoch: number): UpdateMetadataPartitionState[] {
    const { context } = this.env;
    const state = context.leaderIsr(tp);
    if (!state) return [];
    const replicas = context.replicas(tp);
    const beingDeleted = context.isTopicQueuedForDeletion(tp.topic);
    return [{
      topicName: tp.topic,
      partitionIndex: tp.partition,
      controllerEpoch: state.controllerEpoch ?? controllerEpoch,
      leader: beingDeleted ? LEADER_DURING_DELETE : state.leader,
      leaderEpoch: state.leaderEpoch,
      isr: state.isr,
      zkVersion: state.zkVersion,
      replicas,
      offlineReplicas: replicas.filter((b) => !context.isReplicaOnlineFor(tp, b)),
    }];
  }

  private liveBrokersForUpdateMetadata(): UpdateMetadataBroker[] {
    const { context } = this.env;
    return context.liveOrShuttingDownBrokerIds().map((id) => {
      const reg = context.liveBrokers.get(id)!;
      const plaintext = reg.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
      return {
        id,
        v0Host: plaintext?.host ?? '',
        v0Port: plaintext?.port ?? -1,
        endpoints: reg.endpoints.map((e) => ({
          port: e.port,
          host: e.host,
          listener: e.listenerName,
          securityProtocol: SECURITY_PROTOCOL_ID[e.securityProtocol] ?? 0,
        })),
        rack: reg.rack,
      };
    });
  }

  private sendUpdateMetadata(brokerId: number, states: UpdateMetadataPartitionState[], controllerEpoch: number): void {
    const { channels, controllerId, log } = this.env;
    const liveBrokers = this.liveBrokersForUpdateMetadata();
    log.debug(`Controller ${controllerId} epoch ${controllerEpoch} sending UpdateMetadata for ${states.length} partitions to broker ${brokerId}`);
    channels.send(brokerId, {
      apiKey: ApiKey.UpdateMetadata,
      name: 'UpdateMetadata',
      maxVersion: this.env.versions.updateMetadata,
      build: (version): UpdateMetadataRequest => {
        const base = { controllerId, controllerEpoch, brokerEpoch: this.brokerEpoch(brokerId), liveBrokers };
        if (version <= 4) return { ...base, ungroupedPartitionStates: states };
        return { ...base, topicStates: groupByTopic(states, (s) => s.topicName!).map(([topicName, partitionStates]) => ({ topicName, partitionStates })) };
      },
      onResponse: ({ errorCode }) => {
        if (errorCode !== ErrorCode.NONE) log.warn(`Broker ${brokerId} answered UpdateMetadata with error ${errorCode}`);
      },
    });
  }

  private sendStopReplica(brokerId: number, entries: StopReplicaEntry[], deletePartitions: boolean, controllerEpoch: number): void {
    const { channels, controllerId, context, log } = this.env;
    log.info(`Controller ${controllerId} epoch ${controllerEpoch} sending StopReplica (delete=${deletePartitions}) to broker ${brokerId} for ${entries.map((e) => `${e.tp.topic}-${e.tp.partition}`).join(',')}`);
    channels.send(brokerId, {
      apiKey: ApiKey.StopReplica,
      name: 'StopReplica',
      maxVersion: this.env.versions.stopReplica,
      build: (version): StopReplicaRequest => {
        const base = { controllerId, controllerEpoch, brokerEpoch: this.brokerEpoch(brokerId) };
        if (version === 0) {
          return { ...base, deletePartitions, ungroupedPartitions: entries.map((e) => ({ topicName: e.tp.topic, partitionIndex: e.tp.partition })) };
        }
        const grouped = groupByTopic(entries, (e) => e.tp.topic);
        if (version <= 2) {
          return { ...base, deletePartitions, topics: grouped.map(([name, es]) => ({ name, partitionIndexes: es.map((e) => e.tp.partition) })) };
        }
        return {
          ...base,
          topicStates: grouped.map(([topicName, es]) => ({
            topicName,
            partitionStates: es.map((e) => ({
              partitionIndex: e.tp.partition,
              leaderEpoch: deletePartitions && context.isTopicQueuedForDeletion(topicName) ? EPOCH_DURING_DELETE : (context.leaderIsr(e.tp)?.leaderEpoch ?? NO_EPOCH),
              deletePartition: deletePartitions,
            })),
          })),
        };
      },
      onResponse: (r) => {
        const errors = new Map(r.partitionErrors.map((p) => [tpKey(p.topicName, p.partitionIndex), p.errorCode]));
        for (const e of entries) {
          const errorCode = r.errorCode !== ErrorCode.NONE ? r.errorCode : (errors.get(tpKey(e.tp.topic, e.tp.partition)) ?? ErrorCode.NONE);
          if (deletePartitions) this.env.onStopReplicaDeleted(brokerId, e.tp, errorCode);
          else if (errorCode !== ErrorCode.NONE) log.warn(`Broker ${brokerId} answered StopReplica for ${e.tp.topic}-${e.tp.partition} with error ${errorCode}`);
        }
      },
    });
  }
}

function groupByTopic<T>(items: readonly T[], topicOf: (item: T) => string): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(topicOf(item)) ?? [];
    list.push(item);
    out.set(topicOf(item), list);
  }
  return [...out];
}
