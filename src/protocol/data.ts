/**
 * Data schemas that are not API messages but are versioned the same way (the classic
 * consumer protocol's subscription and assignment, carried as opaque bytes in JoinGroup
 * and SyncGroup). Listed here so tests can check them against Kafka's definitions.
 */
import type { MessageSchema } from './schema.js';

export const dataSchemas: readonly MessageSchema<unknown>[] = [];
