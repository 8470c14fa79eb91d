/**
 * The storage engine's public API (the contract between storage/ and broker/):
 * LogManager (log dirs, lock, meta.properties, checkpoints, topics), PartitionLog (one
 * partition's log), topic configs, and the file formats other layers read (inspect/).
 */
export * from './types.js';
export * from './log-config.js';
