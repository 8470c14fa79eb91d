/**
 * Kafka's partition leader election algorithms (PartitionLeaderElectionAlgorithms): each
 * picks a leader from the assignment in preference order and the ISR to go with it, or
 * null when no replica qualifies. Pure; the controller supplies liveness.
 */

export interface ElectionResult {
  leader: number;
  isr: number[];
  /** True when the leader came from outside the ISR (unclean election). */
  unclean: boolean;
}

/**
 * A partition whose leader went offline (or a new one): the first live replica in the ISR,
 * in assignment order; else, with unclean election enabled, the first live replica and an
 * ISR of just it; else none (the partition stays offline, leader -1).
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
  uncleanLeaderElectionEnable: boolean,
): ElectionResult | null {
  const liveIsr = isr.filter(isLive);
  const clean = assignment.find((id) => isLive(id) && isr.includes(id));
  if (clean !== undefined) return { leader: clean, isr: liveIsr, unclean: false };
  if (!uncleanLeaderElectionEnable) return null;
  const unclean = assignment.find(isLive);
  return unclean === undefined ? null : { leader: unclean, isr: [unclean], unclean: true };
}

/** Reassignment: the first target replica that is live and in the ISR; ISR unchanged. */
export function reassignPartitionLeaderElection(
  target: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
): ElectionResult | null {
  const leader = target.find((id) => isLive(id) && isr.includes(id));
  return leader === undefined ? null : { leader, isr: [...isr], unclean: false };
}

/** Preferred: the assignment's head, only when it is live and in the ISR; ISR unchanged. */
export function preferredReplicaPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
): ElectionResult | null {
  const head = assignment[0];
  if (head === undefined || !isLive(head) || !isr.includes(head)) return null;
  return { leader: head, isr: [...isr], unclean: false };
}

/**
 * Controlled shutdown: the first replica that is live, in the ISR and not shutting down;
 * the shutting-down brokers leave the ISR.
 */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
  shuttingDown: ReadonlySet<number>,
): ElectionResult | null {
  const leader = assignment.find((id) => isLive(id) && isr.includes(id) && !shuttingDown.has(id));
  if (leader === undefined) return null;
  return { leader, isr: isr.filter((id) => !shuttingDown.has(id)), unclean: false };
}

/**
 * Partitions whose preferred leader (assignment head) is live but not leading, grouped by
 * preferred broker, for brokers whose imbalance ratio exceeds `imbalancePercentage`
 * (Kafka's checkAndTriggerAutoLeaderRebalance).
 */
export function partitionsToRebalance<TP>(
  partitions: readonly { tp: TP; assignment: readonly number[]; leader: number }[],
  isLive: (brokerId: number) => boolean,
  imbalancePercentage: number,
): TP[] {
  const byPreferred = new Map<number, { tp: TP; leader: number }[]>();
  for (const p of partitions) {
    const preferred = p.assignment[0];
    if (preferred === undefined) continue;
    const list = byPreferred.get(preferred) ?? [];
    list.push({ tp: p.tp, leader: p.leader });
    byPreferred.set(preferred, list);
  }
  const out: TP[] = [];
  for (const [preferred, list] of byPreferred) {
    if (!isLive(preferred)) continue;
    const notLed = list.filter((p) => p.leader !== preferred);
    const ratio = notLed.length / list.length;
    if (ratio * 100 > imbalancePercentage) out.push(...notLed.map((p) => p.tp));
  }
  return out;
}
