/**
 * The API table: Kafka's API key numbers by name, and for every API kts has schemas for,
 * its version range, first flexible version and request/response schemas.
 * The broker advertises from its own handler list; this table is what the codec can speak.
 */
import type { MessageSchema } from './schema.js';
import { produceRequest, produceResponse } from './messages/00-produce.js';
import { fetchRequest, fetchResponse } from './messages/01-fetch.js';
import { listOffsetsRequest, listOffsetsResponse } from './messages/02-list-offsets.js';
import { metadataRequest, metadataResponse } from './messages/03-metadata.js';
import { leaderAndIsrRequest, leaderAndIsrResponse } from './messages/04-leader-and-isr.js';
import { stopReplicaRequest, stopReplicaResponse } from './messages/05-stop-replica.js';
import { updateMetadataRequest, updateMetadataResponse } from './messages/06-update-metadata.js';
import { controlledShutdownRequest, controlledShutdownResponse } from './messages/07-controlled-shutdown.js';
import { apiVersionsRequest, apiVersionsResponse } from './messages/18-api-versions.js';
import { createTopicsRequest, createTopicsResponse } from './messages/19-create-topics.js';
import { deleteTopicsRequest, deleteTopicsResponse } from './messages/20-delete-topics.js';
import { createPartitionsRequest, createPartitionsResponse } from './messages/37-create-partitions.js';
import { describeConfigsRequest, describeConfigsResponse } from './messages/32-describe-configs.js';
import { alterConfigsRequest, alterConfigsResponse } from './messages/33-alter-configs.js';
import { incrementalAlterConfigsRequest, incrementalAlterConfigsResponse } from './messages/44-incremental-alter-configs.js';
import { deleteRecordsRequest, deleteRecordsResponse } from './messages/21-delete-records.js';
import { describeClusterRequest, describeClusterResponse } from './messages/60-describe-cluster.js';
import { alterReplicaLogDirsRequest, alterReplicaLogDirsResponse } from './messages/34-alter-replica-log-dirs.js';
import { describeLogDirsRequest, describeLogDirsResponse } from './messages/35-describe-log-dirs.js';
import { initProducerIdRequest, initProducerIdResponse } from './messages/22-init-producer-id.js';
import { offsetForLeaderEpochRequest, offsetForLeaderEpochResponse } from './messages/23-offset-for-leader-epoch.js';
import { saslHandshakeRequest, saslHandshakeResponse } from './messages/17-sasl-handshake.js';
import { saslAuthenticateRequest, saslAuthenticateResponse } from './messages/36-sasl-authenticate.js';
import { offsetCommitRequest, offsetCommitResponse } from './messages/08-offset-commit.js';
import { offsetFetchRequest, offsetFetchResponse } from './messages/09-offset-fetch.js';
import { findCoordinatorRequest, findCoordinatorResponse } from './messages/10-find-coordinator.js';
import { joinGroupRequest, joinGroupResponse } from './messages/11-join-group.js';
import { heartbeatRequest, heartbeatResponse } from './messages/12-heartbeat.js';
import { leaveGroupRequest, leaveGroupResponse } from './messages/13-leave-group.js';
import { syncGroupRequest, syncGroupResponse } from './messages/14-sync-group.js';
import { describeGroupsRequest, describeGroupsResponse } from './messages/15-describe-groups.js';
import { listGroupsRequest, listGroupsResponse } from './messages/16-list-groups.js';
import { deleteGroupsRequest, deleteGroupsResponse } from './messages/42-delete-groups.js';
import { offsetDeleteRequest, offsetDeleteResponse } from './messages/47-offset-delete.js';
import { consumerGroupHeartbeatRequest, consumerGroupHeartbeatResponse } from './messages/68-consumer-group-heartbeat.js';
import { consumerGroupDescribeRequest, consumerGroupDescribeResponse } from './messages/69-consumer-group-describe.js';
import { addPartitionsToTxnRequest, addPartitionsToTxnResponse } from './messages/24-add-partitions-to-txn.js';
import { addOffsetsToTxnRequest, addOffsetsToTxnResponse } from './messages/25-add-offsets-to-txn.js';
import { endTxnRequest, endTxnResponse } from './messages/26-end-txn.js';
import { writeTxnMarkersRequest, writeTxnMarkersResponse } from './messages/27-write-txn-markers.js';
import { txnOffsetCommitRequest, txnOffsetCommitResponse } from './messages/28-txn-offset-commit.js';
import { describeProducersRequest, describeProducersResponse } from './messages/61-describe-producers.js';
import { describeTransactionsRequest, describeTransactionsResponse } from './messages/65-describe-transactions.js';
import { listTransactionsRequest, listTransactionsResponse } from './messages/66-list-transactions.js';
import { electLeadersRequest, electLeadersResponse } from './messages/43-elect-leaders.js';
import { alterPartitionReassignmentsRequest, alterPartitionReassignmentsResponse } from './messages/45-alter-partition-reassignments.js';
import { listPartitionReassignmentsRequest, listPartitionReassignmentsResponse } from './messages/46-list-partition-reassignments.js';
import { describeTopicPartitionsRequest, describeTopicPartitionsResponse } from './messages/75-describe-topic-partitions.js';
import { describeAclsRequest, describeAclsResponse } from './messages/29-describe-acls.js';
import { createAclsRequest, createAclsResponse } from './messages/30-create-acls.js';
import { deleteAclsRequest, deleteAclsResponse } from './messages/31-delete-acls.js';
import { describeClientQuotasRequest, describeClientQuotasResponse } from './messages/48-describe-client-quotas.js';
import { describeUserScramCredentialsRequest, describeUserScramCredentialsResponse } from './messages/50-describe-user-scram-credentials.js';
import { alterClientQuotasRequest, alterClientQuotasResponse } from './messages/49-alter-client-quotas.js';
import { alterUserScramCredentialsRequest, alterUserScramCredentialsResponse } from './messages/51-alter-user-scram-credentials.js';
import { describeQuorumRequest, describeQuorumResponse } from './messages/55-describe-quorum.js';
import { updateFeaturesRequest, updateFeaturesResponse } from './messages/57-update-features.js';

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  AlterReplicaLogDirs: 34,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  CreateDelegationToken: 38,
  RenewDelegationToken: 39,
  ExpireDelegationToken: 40,
  DescribeDelegationToken: 41,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  Vote: 52,
  BeginQuorumEpoch: 53,
  EndQuorumEpoch: 54,
  DescribeQuorum: 55,
  AlterPartition: 56,
  UpdateFeatures: 57,
  Envelope: 58,
  FetchSnapshot: 59,
  DescribeCluster: 60,
  DescribeProducers: 61,
  BrokerRegistration: 62,
  BrokerHeartbeat: 63,
  UnregisterBroker: 64,
  DescribeTransactions: 65,
  ListTransactions: 66,
  AllocateProducerIds: 67,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
  ControllerRegistration: 70,
  GetTelemetrySubscriptions: 71,
  PushTelemetry: 72,
  AssignReplicasToDirs: 73,
  ListClientMetricsResources: 74,
  DescribeTopicPartitions: 75,
  ShareGroupHeartbeat: 76,
  ShareGroupDescribe: 77,
  ShareFetch: 78,
  ShareAcknowledge: 79,
  AddRaftVoter: 80,
  RemoveRaftVoter: 81,
  UpdateRaftVoter: 82,
  InitializeShareGroupState: 83,
  ReadShareGroupState: 84,
  WriteShareGroupState: 85,
  DeleteShareGroupState: 86,
  ReadShareGroupStateSummary: 87,
} as const;

export type ApiName = keyof typeof ApiKey;
export type ApiKeyValue = (typeof ApiKey)[ApiName];

const NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));

/** Kafka's name for an API key (`Produce`), or `Unknown(<key>)`. */
export function apiName(apiKey: number): string {
  return NAMES.get(apiKey) ?? `Unknown(${apiKey})`;
}

export interface ApiDefinition {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Lowest flexible version (Infinity if none). */
  readonly flexibleMinVersion: number;
  readonly request: MessageSchema<unknown>;
  readonly response: MessageSchema<unknown>;
}

function api(request: MessageSchema<unknown>, response: MessageSchema<unknown>): ApiDefinition {
  const apiKey = request.spec.apiKey ?? -1;
  return {
    apiKey,
    name: apiName(apiKey),
    minVersion: request.minVersion,
    maxVersion: request.maxVersion,
    flexibleMinVersion: request.flexibleMinVersion,
    request,
    response,
  };
}

/** Every API kts has schemas for, in key order. */
export const allApis: readonly ApiDefinition[] = [
  api(produceRequest, produceResponse),
  api(fetchRequest, fetchResponse),
  api(listOffsetsRequest, listOffsetsResponse),
  api(metadataRequest, metadataResponse),
  api(leaderAndIsrRequest, leaderAndIsrResponse),
  api(stopReplicaRequest, stopReplicaResponse),
  api(updateMetadataRequest, updateMetadataResponse),
  api(controlledShutdownRequest, controlledShutdownResponse),
  api(apiVersionsRequest, apiVersionsResponse),
  api(createTopicsRequest, createTopicsResponse),
  api(deleteTopicsRequest, deleteTopicsResponse),
  api(createPartitionsRequest, createPartitionsResponse),
  api(describeConfigsRequest, describeConfigsResponse),
  api(alterConfigsRequest, alterConfigsResponse),
  api(incrementalAlterConfigsRequest, incrementalAlterConfigsResponse),
  api(deleteRecordsRequest, deleteRecordsResponse),
  api(describeClusterRequest, describeClusterResponse),
  api(alterReplicaLogDirsRequest, alterReplicaLogDirsResponse),
  api(describeLogDirsRequest, describeLogDirsResponse),
  api(initProducerIdRequest, initProducerIdResponse),
  api(offsetForLeaderEpochRequest, offsetForLeaderEpochResponse),
  api(saslHandshakeRequest, saslHandshakeResponse),
  api(saslAuthenticateRequest, saslAuthenticateResponse),
  api(offsetCommitRequest, offsetCommitResponse),
  api(offsetFetchRequest, offsetFetchResponse),
  api(findCoordinatorRequest, findCoordinatorResponse),
  api(joinGroupRequest, joinGroupResponse),
  api(heartbeatRequest, heartbeatResponse),
  api(leaveGroupRequest, leaveGroupResponse),
  api(syncGroupRequest, syncGroupResponse),
  api(describeGroupsRequest, describeGroupsResponse),
  api(listGroupsRequest, listGroupsResponse),
  api(deleteGroupsRequest, deleteGroupsResponse),
  api(offsetDeleteRequest, offsetDeleteResponse),
  api(consumerGroupHeartbeatRequest, consumerGroupHeartbeatResponse),
  api(consumerGroupDescribeRequest, consumerGroupDescribeResponse),
  api(addPartitionsToTxnRequest, addPartitionsToTxnResponse),
  api(addOffsetsToTxnRequest, addOffsetsToTxnResponse),
  api(endTxnRequest, endTxnResponse),
  api(writeTxnMarkersRequest, writeTxnMarkersResponse),
  api(txnOffsetCommitRequest, txnOffsetCommitResponse),
  api(describeProducersRequest, describeProducersResponse),
  api(describeTransactionsRequest, describeTransactionsResponse),
  api(listTransactionsRequest, listTransactionsResponse),
  api(electLeadersRequest, electLeadersResponse),
  api(alterPartitionReassignmentsRequest, alterPartitionReassignmentsResponse),
  api(listPartitionReassignmentsRequest, listPartitionReassignmentsResponse),
  api(describeTopicPartitionsRequest, describeTopicPartitionsResponse),
  api(describeAclsRequest, describeAclsResponse),
  api(createAclsRequest, createAclsResponse),
  api(deleteAclsRequest, deleteAclsResponse),
  api(describeClientQuotasRequest, describeClientQuotasResponse),
  api(describeUserScramCredentialsRequest, describeUserScramCredentialsResponse),
  api(alterClientQuotasRequest, alterClientQuotasResponse),
  api(alterUserScramCredentialsRequest, alterUserScramCredentialsResponse),
  api(describeQuorumRequest, describeQuorumResponse),
  api(updateFeaturesRequest, updateFeaturesResponse),
].sort((a, b) => a.apiKey - b.apiKey);

const BY_KEY = new Map<number, ApiDefinition>(allApis.map((a) => [a.apiKey, a]));

/** The definition of an API kts has schemas for, or undefined. */
export function apiByKey(apiKey: number): ApiDefinition | undefined {
  return BY_KEY.get(apiKey);
}
