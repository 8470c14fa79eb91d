/** The ZooKeeper layer: a session with Kafka's semantics and Kafka's znode layout. */
export {
  KafkaZkClient,
  ControllerMovedError,
  TopicExistsError,
  BrokerIdInUseError,
  ReassignmentInProgressError,
  PreferredElectionInProgressError,
  ClusterIdMismatchError,
  checkClusterId,
  type ControllerFence,
  type KafkaZkClientOptions,
  type PartitionStateWrite,
  type PartitionStateCreate,
} from './kafka-zk-client.js';
export { ZooKeeperClient, ZkError, ZkCode, ZkSessionExpiredError, ZkConnectionError, ZkMultiError, validateConnectString, type ZkStat, type ZkOp } from './zookeeper-client.js';
export type { BrokerRegistration, BrokerEndpoint } from './znodes/brokers.js';
export type { LeaderIsrState } from './znodes/partition-state.js';
export type { TopicZnode } from './znodes/topics.js';
export type { PartitionReassignment } from './znodes/admin.js';
export type { ProducerIdBlock } from './znodes/producer-id-block.js';
export { topicPartitionKey, type TopicPartition } from './znodes/topic-partition.js';
export type { ConfigEntityType } from './znodes/paths.js';
export { ZnodeDataError } from './znodes/json.js';
export { AclResourceTypeNames, type AclResourceRef, type AclEntryJson, type AclResourceTypeName, type AclPatternTypeName } from './znodes/acls.js';
export { aclBindingOf, aclEntryOf, aclResourceOf, aclResourceKey, groupByAclResource, withAclEntries, withoutAclEntries } from './acl-bindings.js';
