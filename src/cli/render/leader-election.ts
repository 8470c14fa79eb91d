/** Pure renderer for `kts leader-election`, in kafka-leader-election.sh's words. */

export type ElectionTypeName = 'PREFERRED' | 'UNCLEAN';

export interface ElectionOutcome {
  topic: string;
  partition: number;
  /** 'elected', 'not-needed' (ELECTION_NOT_NEEDED) or 'failed'. */
  result: 'elected' | 'not-needed' | 'failed';
  error: string | null;
}

const name = (o: { topic: string; partition: number }): string => `${o.topic}-${o.partition}`;
const byName = (a: ElectionOutcome, b: ElectionOutcome): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

export function renderElection(type: ElectionTypeName, outcomes: readonly ElectionOutcome[]): string {
  const sorted = [...outcomes].sort(byName);
  const elected = sorted.filter((o) => o.result === 'elected');
  const noop = sorted.filter((o) => o.result === 'not-needed');
  const failed = sorted.filter((o) => o.result === 'failed');
  let out = '';
  if (elected.length > 0) out += `Successfully completed leader election (${type}) for partitions ${elected.map(name).join(', ')}\n`;
  if (noop.length > 0) out += `Valid replica already elected for partitions ${noop.map(name).join(', ')}\n`;
  for (const f of failed) out += `Error completing leader election (${type}) for partition: ${name(f)}: ${f.error}\n`;
  return out;
}

/** Kafka 1.1's PreferredReplicaLeaderElectionCommand, writing /admin/preferred_replica_election. */
export function renderZkElectionStarted(partitions: readonly { topic: string; partition: number }[]): string {
  const json = JSON.stringify({ version: 1, partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })) });
  return `Created preferred replica election path with ${json}\nSuccessfully started preferred replica election for partitions Set(${partitions.map(name).join(', ')})\n`;
}
