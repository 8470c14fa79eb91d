/** The topic-partition pair the znodes list, and its map key (`t-0`, the key storage/ uses too). */
export { topicPartitionKey } from '../../storage/checkpoint.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}
