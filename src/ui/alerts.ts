/**
 * The console's alerts: the conditions of examples/prometheus/alerts.yml (under-replicated,
 * offline and under-min-ISR partitions, no active controller, consumer lag growing) plus
 * brokers that host replicas but are not live and broker endpoints kts ui cannot scrape,
 * evaluated on each page load from the cluster snapshot and kts ui's own history, so a team
 * without Prometheus still sees them. "Since" comes from the history: the start of the
 * current run of samples in which the condition held.
 */
import type { ClusterSnapshot, GroupView } from './cluster-view.js';
import type { SeriesPoints } from './history.js';

/** As the example rule: lag above this and higher than LAG_WINDOW_MS ago. */
export const LAG_ALERT_MIN = 1000;
export const LAG_WINDOW_MS = 10 * 60_000;

export interface Alert {
  name: string;
  severity: 'critical' | 'warning';
  firing: boolean;
  summary: string;
  /** Epoch ms since when it has held (from the history), or null when unknown. */
  sinceMs: number | null;
}

export interface AlertInputs {
  snapshot: ClusterSnapshot;
  /** null when the groups could not be listed. */
  groups: readonly GroupView[] | null;
  minInsyncReplicas(topic: string): number | undefined;
  /** History of `series` over the last LAG_WINDOW_MS (and more). */
  history(series: readonly string[]): SeriesPoints;
  /** Broker id → why its /metrics could not be scraped at the last sample. */
  scrapeErrors: ReadonlyMap<number, string>;
}

export function evaluateAlerts(input: AlertInputs): Alert[] {
  const { snapshot: s } = input;
  const partitions = s.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, p, minIsr: input.minInsyncReplicas(t.name) })));
  const underReplicated = partitions.filter(({ p }) => p.leader >= 0 && p.isr.length < p.replicas.length);
  const offline = partitions.filter(({ p }) => p.leader < 0);
  const underMinIsr = partitions.filter(({ p, minIsr }) => p.leader >= 0 && minIsr !== undefined && p.isr.length < minIsr);
  const live = new Set(s.brokers.map((b) => b.nodeId));
  const absent = [...new Set(partitions.flatMap(({ p }) => p.replicas.filter((r) => !live.has(r))))].sort((a, b) => a - b);
  const names = (list: typeof partitions): string => list.slice(0, 5).map(({ topic, p }) => `${topic}-${p.partition}`).join(', ') + (list.length > 5 ? `, … (${list.length})` : '');
  const h = input.history(['cluster:underReplicated', 'cluster:offline']);
  const alerts: Alert[] = [
    {
      name: 'OfflinePartitions',
      severity: 'critical',
      firing: offline.length > 0,
      summary: offline.length > 0 ? `${offline.length} partition(s) have no live leader: ${names(offline)}.` : 'Every partition has a live leader.',
      sinceMs: offline.length > 0 ? heldSince(h, 'cluster:offline') : null,
    },
    {
      name: 'UnderMinIsrPartitions',
      severity: 'critical',
      firing: underMinIsr.length > 0,
      summary: underMinIsr.length > 0 ? `${underMinIsr.length} partition(s) have fewer in-sync replicas than min.insync.replicas (acks=all producers fail): ${names(underMinIsr)}.` : 'No partition is under min.insync.replicas.',
      sinceMs: null,
    },
    {
      name: 'AbnormalControllerState',
      severity: 'critical',
      firing: s.controllerId < 0,
      summary: s.controllerId < 0 ? 'The cluster reports no active controller.' : `Broker ${s.controllerId} is the active controller.`,
      sinceMs: null,
    },
    {
      name: 'BrokersNotLive',
      severity: 'critical',
      firing: absent.length > 0,
      summary: absent.length > 0 ? `Broker(s) ${absent.join(', ')} host replicas but are not live.` : 'Every broker that hosts a replica is live.',
      sinceMs: null,
    },
    {
      name: 'UnderReplicatedPartitions',
      severity: 'warning',
      firing: underReplicated.length > 0,
      summary: underReplicated.length > 0 ? `${underReplicated.length} partition(s) have replicas out of the ISR: ${names(underReplicated)}.` : 'Every ISR is complete.',
      sinceMs: underReplicated.length > 0 ? heldSince(h, 'cluster:underReplicated') : null,
    },
    lagAlert(input),
    {
      name: 'BrokerMetricsUnreachable',
      severity: 'warning',
      firing: input.scrapeErrors.size > 0,
      summary: input.scrapeErrors.size > 0 ? [...input.scrapeErrors].map(([id, e]) => `broker ${id}: ${e}`).join('; ') : 'Every broker /metrics endpoint kts ui knows answered at the last sample.',
      sinceMs: null,
    },
  ];
  return alerts.sort((a, b) => Number(b.firing) - Number(a.firing) || (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
}

/** Groups whose lag is above LAG_ALERT_MIN and higher than LAG_WINDOW_MS ago (per the history). */
function lagAlert(input: AlertInputs): Alert {
  if (input.groups === null) return { name: 'ConsumerGroupLagGrowing', severity: 'warning', firing: false, summary: 'Consumer groups could not be listed.', sinceMs: null };
  const candidates = input.groups.filter((g) => g.totalLag > LAG_ALERT_MIN);
  const h = input.history(candidates.map((g) => `group:${g.groupId}:lag`));
  const growing = candidates.filter((g) => {
    const first = (h.values[`group:${g.groupId}:lag`] ?? []).find((v) => v !== null);
    return first !== undefined && first !== null && g.totalLag > first;
  });
  return {
    name: 'ConsumerGroupLagGrowing',
    severity: 'warning',
    firing: growing.length > 0,
    summary:
      growing.length > 0
        ? `Falling behind (lag > ${LAG_ALERT_MIN} and higher than ${LAG_WINDOW_MS / 60_000} min ago): ${growing.map((g) => `${g.groupId} (lag ${g.totalLag})`).join(', ')}.`
        : `No group has a lag above ${LAG_ALERT_MIN} that grew over the last ${LAG_WINDOW_MS / 60_000} min.`,
    sinceMs: null,
  };
}

/** Start of the current run of samples where `series` > 0 (the newest sample included). */
function heldSince(h: SeriesPoints, series: string): number | null {
  const v = h.values[series] ?? [];
  let since: number | null = null;
  for (let i = v.length - 1; i >= 0; i--) {
    if (v[i] === null || v[i]! <= 0) break;
    since = h.t[i]!;
  }
  return since;
}
