/** Kafka's znode paths (ZkData.scala), one place. Topic and entity names are used as path segments. */

export const ClusterIdPath = '/cluster/id';
export const ControllerPath = '/controller';
export const ControllerEpochPath = '/controller_epoch';
export const BrokerIdsPath = '/brokers/ids';
export const BrokerSequenceIdPath = '/brokers/seqid';
export const TopicsPath = '/brokers/topics';
export const DeleteTopicsPath = '/admin/delete_topics';
export const ReassignPartitionsPath = '/admin/reassign_partitions';
export const PreferredReplicaElectionPath = '/admin/preferred_replica_election';
export const IsrChangeNotificationPath = '/isr_change_notification';
export const IsrChangeNotificationPrefix = 'isr_change_';
export const LogDirEventNotificationPath = '/log_dir_event_notification';
export const LogDirEventNotificationPrefix = 'log_dir_event_';
export const ConfigPath = '/config';
export const ConfigChangesPath = '/config/changes';
export const ConfigChangePrefix = 'config_change_';
export const ProducerIdBlockPath = '/latest_producer_id_block';

/** What every broker creates at startup (ZkData.PersistentZkPaths), in Kafka's order. */
export const PersistentZkPaths = [
  '/consumers',
  BrokerIdsPath,
  TopicsPath,
  ConfigChangesPath,
  DeleteTopicsPath,
  BrokerSequenceIdPath,
  IsrChangeNotificationPath,
  ProducerIdBlockPath,
  LogDirEventNotificationPath,
  '/config/topics',
  '/config/clients',
  '/config/users',
  '/config/brokers',
];

export type ConfigEntityType = 'topics' | 'brokers' | 'users' | 'clients';
export const ConfigEntityTypes: readonly ConfigEntityType[] = ['topics', 'brokers', 'users', 'clients'];

export const brokerIdPath = (id: number): string => `${BrokerIdsPath}/${id}`;
export const topicPath = (topic: string): string => `${TopicsPath}/${topic}`;
export const topicPartitionsPath = (topic: string): string => `${topicPath(topic)}/partitions`;
export const topicPartitionPath = (topic: string, partition: number): string => `${topicPartitionsPath(topic)}/${partition}`;
export const partitionStatePath = (topic: string, partition: number): string => `${topicPartitionPath(topic, partition)}/state`;
export const deleteTopicPath = (topic: string): string => `${DeleteTopicsPath}/${topic}`;
export const entityConfigPath = (type: ConfigEntityType, name: string): string => `${ConfigPath}/${type}/${name}`;
