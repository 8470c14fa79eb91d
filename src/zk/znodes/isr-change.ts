/** `/isr_change_notification/isr_change_NNNNNNNNNN` (sequential): `{"version":1,"partitions":[{"topic":"t1","partition":0}]}` */
export { encodePartitionList as encodeIsrChange, decodePartitionList as decodeIsrChange } from './admin.js';
