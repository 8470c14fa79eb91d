/**
 * The storage engine's public API (the contract between storage/ and broker/):
 * LogManager (log dirs, lock, meta.properties, checkpoints, topics), PartitionLog (one
 * partition's log), topic configs, and the file formats other layers read (inspect/).
 */
export * from './types.js';
export * from './log-config.js';
export {
  LogManager, RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, CLEANER_OFFSET_CHECKPOINT, CLEAN_SHUTDOWN_FILE, TOPICS_FILE,
} from './log-manager.js';
export {
  PartitionLog, type AppendOrigin, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, EARLIEST_LOCAL_TIMESTAMP, LATEST_TIERED_TIMESTAMP,
  PARTITION_METADATA_FILE, parseControlMarker,
} from './partition-log.js';
export { LogSegment, type BatchInfo, filenamePrefixFromOffset, checkEntry, parseBatchInfo } from './segment.js';
export { OffsetIndex, TimeIndex, OFFSET_INDEX_ENTRY_SIZE, TIME_INDEX_ENTRY_SIZE } from './index-file.js';
export { TxnIndex, type AbortedTxn, encodeAbortedTxn, decodeAbortedTxns, ABORTED_TXN_SIZE } from './txn-index.js';
export { type ProducerStateEntry, type BatchMetadata, encodeProducerSnapshot, decodeProducerSnapshot } from './producer-state.js';
export { LeaderEpochCache } from './leader-epoch-cache.js';
export {
  readOffsetCheckpoint, offsetCheckpointText, readLeaderEpochCheckpoint, leaderEpochCheckpointText, partitionMetadataText, readPartitionMetadata,
  writeFileAtomic, type EpochEntry,
} from './checkpoint.js';
export { randomKafkaUuid, readMetaProperties, META_PROPERTIES, type MetaProperties } from './meta-properties.js';
export { LogDirLock, LOCK_FILE } from './log-dir-lock.js';
