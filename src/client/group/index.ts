/**
 * Consumer groups on the client side: the group consumer (subscribe/poll/commit/close
 * with rebalance listeners), Java-compatible assignors, and the group admin calls the
 * `consumer-groups` tool uses. Reached through `client.groupConsumer(config)` and
 * `client.groups`.
 */
export { GroupConsumer, parseGroupConfig, GROUP_CONFIG_KEYS, type GroupConsumerSettings, type RebalanceListener } from './group-consumer.js';
export { GroupAdmin, assignmentOf, subscriptionTopicsOf, type CommittedOffset, type GroupDescription, type GroupListing, type GroupMemberDescription } from './group-admin.js';
export { ASSIGNOR_NAMES, assignorByName, rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor, type Assignor, type AssignorMember, type Assignment } from './assignors.js';
