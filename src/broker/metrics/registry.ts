/**
 * The broker's Prometheus registry (prom-client), under the names Kafka dashboards and alert
 * rules already query: the JMX exporter / Strimzi conventions for broker metrics
 * (`kafka_server_brokertopicmetrics_*`, `kafka_server_replicamanager_*`,
 * `kafka_controller_kafkacontroller_*`, `kafka_log_log_*`, `kafka_network_requestmetrics_*`)
 * and kafka_exporter's for cluster state and consumer lag (`kafka_topic_partition_*`,
 * `kafka_consumergroup_*`), plus prom-client's process and Node.js metrics.
 *
 * Every series is computed when scraped, from RequestStats (hot-path numbers) and the
 * providers; nothing here runs on the request path. Per-topic series carry `topic`, the
 * broker-wide one has none (dashboards select per-topic series with `topic!=""`).
 */
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LogState, MetricsProviders, PartitionReplicaState } from './providers.js';
import { REQUEST_TIME_BUCKETS_MS, type RequestStats, type TopicCounters } from './request-stats.js';
import { LagClock } from './lag-clock.js';

type Labels = Record<string, string | number>;

type Emit = (labels: Labels, value: number) => void;

/** A series family computed at scrape time: `source` emits each labelled value. */
type ComputedFamily =
  | { name: string; help: string; kind: 'gauge' | 'counter'; source: (emit: Emit) => void | Promise<void> }
  /** Several families written in one pass over partitions (one label string per partition). */
  | { kind: 'block'; render: () => string };

/** One family of a block: its name, help, type and value per row (undefined: no series for that row). */
interface BlockFamily<Row> {
  name: string;
  help: string;
  kind?: 'gauge' | 'counter';
  value(row: Row): number | undefined;
}

function header(name: string, help: string, kind: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${kind}\n`;
}

/** Registers families over per-partition rows, written in one pass: `labels(row)` is built once per row. */
function partitionBlock<Row>(registry: Registry, rows: () => Iterable<Row>, labels: (row: Row) => string, list: readonly BlockFamily<Row>[]): void {
  familiesOf(registry).push({
    kind: 'block',
    render() {
      const bodies: string[][] = list.map(() => []);
      for (const row of rows()) {
        const l = '{' + labels(row) + '} ';
        for (let i = 0; i < list.length; i++) {
          const v = list[i]!.value(row);
          if (v !== undefined) bodies[i]!.push(list[i]!.name + l + sampleValue(v));
        }
      }
      let out = '';
      for (let i = 0; i < list.length; i++) {
        const f = list[i]!;
        out += header(f.name, f.help, f.kind ?? 'gauge') + bodies[i]!.join('\n') + (bodies[i]!.length > 0 ? '\n\n' : '\n');
      }
      return out;
    },
  });
}

/**
 * The broker's series are written as text here rather than through prom-client's set()/inc()
 * and formatter, which cost ~50 µs per series (label hashing, object spreads): a broker with
 * 10,000 partitions has ~100,000 per-partition series. prom-client keeps the process metrics.
 */
const families = new WeakMap<Registry, ComputedFamily[]>();

function familiesOf(registry: Registry): ComputedFamily[] {
  let list = families.get(registry);
  if (!list) families.set(registry, (list = []));
  return list;
}

function counterFrom(registry: Registry, name: string, help: string, _labelNames: string[], source: (emit: Emit) => void): void {
  familiesOf(registry).push({ name, help, kind: 'counter', source });
}

function gaugeFrom(registry: Registry, name: string, help: string, _labelNames: string[], source: (emit: Emit) => void | Promise<void>): void {
  familiesOf(registry).push({ name, help, kind: 'gauge', source });
}

const NEEDS_ESCAPE = /[\\"\n]/;

function labelValue(v: string | number): string {
  const s = String(v);
  return NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : s;
}

function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

async function renderFamilies(list: readonly ComputedFamily[]): Promise<string> {
  let out = '';
  for (const f of list) {
    if (f.kind === 'block') {
      out += f.render();
      continue;
    }
    out += header(f.name, f.help, f.kind);
    await f.source((labels, value) => {
      let l = '';
      for (const k in labels) l += (l === '' ? '' : ',') + k + '="' + labelValue(labels[k]!) + '"';
      out += f.name + (l === '' ? ' ' : '{' + l + '} ') + sampleValue(value) + '\n';
    });
    out += '\n';
  }
  return out;
}

/** The exposition text: prom-client's registry (process metrics, request times), then the computed families. */
export async function exposition(registry: Registry): Promise<string> {
  const head = await registry.metrics();
  return head + '\n' + (await renderFamilies(familiesOf(registry)));
}

const TOPIC_COUNTERS: readonly [suffix: string, field: keyof TopicCounters, help: string][] = [
  ['messagesin_total', 'messagesIn', 'Records appended by Produce requests.'],
  ['bytesin_total', 'bytesIn', 'Record batch bytes appended by Produce requests.'],
  ['bytesout_total', 'bytesOut', 'Record bytes sent in Fetch responses (consumers and followers).'],
  ['bytesrejected_total', 'bytesRejected', 'Bytes of produced batches refused (too large, corrupt or invalid).'],
  ['totalproducerequests_total', 'totalProduceRequests', 'Produce requests, counted per partition.'],
  ['failedproducerequests_total', 'failedProduceRequests', 'Produce requests that failed, counted per partition.'],
  ['totalfetchrequests_total', 'totalFetchRequests', 'Fetch requests, counted per partition.'],
  ['failedfetchrequests_total', 'failedFetchRequests', 'Fetch requests that failed, counted per partition.'],
];

/**
 * The request-time histogram: bucket counts come from RequestStats (kept as plain numbers on
 * the request path), so exposition builds the values itself instead of prom-client's observe().
 */
class RequestTimeHistogram extends Histogram<'request' | 'le'> {
  constructor(
    registry: Registry,
    private readonly stats: RequestStats,
  ) {
    super({ name: 'kafka_network_requestmetrics_totaltimems', help: 'Time to handle a request, in ms, per request type (Fetch split into FetchConsumer and FetchFollower).', labelNames: ['request'], buckets: [...REQUEST_TIME_BUCKETS_MS], registers: [registry] });
  }

  override async get(): ReturnType<Histogram<'request' | 'le'>['get']> {
    const name = 'kafka_network_requestmetrics_totaltimems';
    const values: { metricName: string; labels: Labels; value: number }[] = [];
    for (const t of this.stats.requestTimes()) {
      let cumulative = 0;
      for (let i = 0; i < t.buckets.length; i++) {
        cumulative += t.buckets[i]!;
        const le = i < REQUEST_TIME_BUCKETS_MS.length ? REQUEST_TIME_BUCKETS_MS[i]! : '+Inf';
        values.push({ metricName: `${name}_bucket`, labels: { le, request: t.request }, value: cumulative });
      }
      values.push({ metricName: `${name}_sum`, labels: { request: t.request }, value: t.sumMs });
      values.push({ metricName: `${name}_count`, labels: { request: t.request }, value: t.count });
    }
    return { name, help: (this as unknown as { help: string }).help, type: 'histogram' as never, aggregator: 'sum', values } as unknown as Awaited<ReturnType<Histogram<'request' | 'le'>['get']>>;
  }

  /** prom-client's text exposition calls this when present. */
  async getForPromString(): ReturnType<Histogram<'request' | 'le'>['get']> {
    return this.get();
  }
}

export function createBrokerRegistry(stats: RequestStats, providers: MetricsProviders, nodeId: number, nowMs: () => number): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const lagClock = new LagClock();

  for (const [suffix, field, help] of TOPIC_COUNTERS) {
    counterFrom(registry, `kafka_server_brokertopicmetrics_${suffix}`, help, ['topic'], (emit) => {
      emit({}, stats.all[field]);
      for (const [topic, c] of stats.topics) emit({ topic }, c[field]);
    });
  }
  new RequestTimeHistogram(registry, stats);
  counterFrom(registry, 'kafka_network_requestmetrics_requests_total', 'Requests handled, per request type.', ['request'], (emit) => {
    for (const t of stats.requestTimes()) emit({ request: t.request }, t.count);
  });
  // Kafka's queue holds requests waiting for a handler thread; a long poll or an acks=all wait
  // parked in purgatory is not in it, so parked requests are not counted here either.
  gaugeFrom(registry, 'kafka_network_requestchannel_requestqueuesize', 'Requests received and being handled, not counting those parked in purgatory (long polls, acks=all waits).', [], (emit) =>
    emit({}, Math.max(0, stats.inFlight - providers.purgatory.fetchPurgatorySize() - providers.purgatory.producePurgatorySize())),
  );
  gaugeFrom(registry, 'kafka_server_socket_server_metrics_connection_count', 'Open client connections.', [], (emit) => emit({}, providers.connectionCount()));
  gaugeFrom(registry, 'kafka_server_delayedoperationpurgatory_purgatorysize', 'Requests waiting in purgatory, per delayed operation.', ['delayedOperation'], (emit) => {
    emit({ delayedOperation: 'Fetch' }, providers.purgatory.fetchPurgatorySize());
    emit({ delayedOperation: 'Produce' }, providers.purgatory.producePurgatorySize());
  });

  registerReplicaMetrics(registry, providers, nodeId);
  registerLogMetrics(registry, stats, providers);
  registerLagMetrics(registry, providers, lagClock, nowMs);
  return registry;
}

/** Leader-side figures count only partitions this broker (`nodeId`) leads, as Kafka's ReplicaManager does. */
function registerReplicaMetrics(registry: Registry, providers: MetricsProviders, nodeId: number): void {
  const { partitions, controller } = providers;
  // The broker-wide counts and the per-partition flags come from one pass over the partitions.
  const totals = { count: 0, leaders: 0, underReplicated: 0, underMinIsr: 0, atMinIsr: 0 };
  const rows = function* (): Iterable<PartitionReplicaState> {
    Object.assign(totals, { count: 0, leaders: 0, underReplicated: 0, underMinIsr: 0, atMinIsr: 0 });
    for (const p of partitions.partitions()) {
      totals.count++;
      if (p.leaderId !== nodeId) continue;
      totals.leaders++;
      if (p.isr.length < p.replicas.length) totals.underReplicated++;
      if (p.isr.length < p.minInsyncReplicas) totals.underMinIsr++;
      if (p.isr.length === p.minInsyncReplicas) totals.atMinIsr++;
      yield p;
    }
  };
  partitionBlock(registry, rows, (p) => `topic="${labelValue(p.topic)}",partition="${p.partition}"`, [
    { name: 'kafka_cluster_partition_underreplicated', help: 'Per partition led here: 1 when its ISR is smaller than its replicas.', value: (p) => (p.isr.length < p.replicas.length ? 1 : 0) },
    { name: 'kafka_cluster_partition_underminisr', help: 'Per partition led here: 1 when fewer replicas are in sync than min.insync.replicas.', value: (p) => (p.isr.length < p.minInsyncReplicas ? 1 : 0) },
  ]);
  // Registered after the block, so they read the totals of this scrape's pass.
  gaugeFrom(registry, 'kafka_server_replicamanager_partitioncount', 'Partitions with a replica on this broker.', [], (emit) => emit({}, totals.count));
  gaugeFrom(registry, 'kafka_server_replicamanager_leadercount', 'Partitions led by this broker.', [], (emit) => emit({}, totals.leaders));
  gaugeFrom(registry, 'kafka_server_replicamanager_underreplicatedpartitions', 'Partitions led here whose ISR is smaller than the replica set.', [], (emit) => emit({}, totals.underReplicated));
  gaugeFrom(registry, 'kafka_server_replicamanager_underminisrpartitioncount', 'Partitions led here with fewer in-sync replicas than min.insync.replicas.', [], (emit) => emit({}, totals.underMinIsr));
  gaugeFrom(registry, 'kafka_server_replicamanager_atminisrpartitioncount', 'Partitions led here with exactly min.insync.replicas in-sync replicas.', [], (emit) => emit({}, totals.atMinIsr));
  counterFrom(registry, 'kafka_server_replicamanager_isrshrinks_total', 'ISR shrinks of partitions led here.', [], (emit) => emit({}, partitions.isrShrinks()));
  counterFrom(registry, 'kafka_server_replicamanager_isrexpands_total', 'ISR expansions of partitions led here.', [], (emit) => emit({}, partitions.isrExpands()));
  gaugeFrom(registry, 'kafka_server_replicafetchermanager_maxlag', 'Largest lag in offsets of a partition this broker follows (leader high watermark minus local log end).', ['clientId'], (emit) => emit({ clientId: 'Replica' }, partitions.fetcherMaxLag()));
  gaugeFrom(registry, 'kafka_controller_kafkacontroller_activecontrollercount', '1 on the active controller, else 0.', [], (emit) => emit({}, controller.activeControllerCount()));
  gaugeFrom(registry, 'kafka_controller_kafkacontroller_offlinepartitionscount', 'Partitions without a live leader.', [], (emit) => emit({}, controller.offlinePartitionCount()));
  gaugeFrom(registry, 'kafka_controller_kafkacontroller_globaltopiccount', 'Topics in the cluster.', [], (emit) => emit({}, controller.globalTopicCount()));
  gaugeFrom(registry, 'kafka_controller_kafkacontroller_globalpartitioncount', 'Partitions in the cluster.', [], (emit) => emit({}, controller.globalPartitionCount()));
}

function registerLogMetrics(registry: Registry, stats: RequestStats, providers: MetricsProviders): void {
  partitionBlock(registry, () => providers.logs.logs(), (l) => `topic="${labelValue(l.topic)}",partition="${l.partition}"`, [
    { name: 'kafka_log_log_size', help: 'Bytes of the partition log on disk.', value: (l: LogState) => l.sizeBytes },
    { name: 'kafka_log_log_numlogsegments', help: 'Segments of the partition log.', value: (l: LogState) => l.segmentCount },
    { name: 'kafka_log_log_logstartoffset', help: 'Log start offset of the partition.', value: (l: LogState) => l.logStartOffset },
    { name: 'kafka_log_log_logendoffset', help: 'Log end offset of the partition.', value: (l: LogState) => l.logEndOffset },
    { name: 'kafka_topic_partition_current_offset', help: 'High watermark of the partition (kafka_exporter name).', value: (l: LogState) => l.highWatermark },
    { name: 'kafka_topic_partition_oldest_offset', help: 'Log start offset of the partition (kafka_exporter name).', value: (l: LogState) => l.logStartOffset },
  ]);
  gaugeFrom(registry, 'kafka_topic_partitions', 'Partitions of the topic on this broker (kafka_exporter name).', ['topic'], (emit) => {
    const counts = new Map<string, number>();
    for (const l of providers.logs.logs()) counts.set(l.topic, (counts.get(l.topic) ?? 0) + 1);
    for (const [topic, n] of counts) emit({ topic }, n);
    // Per-topic request figures of deleted topics go with them, as Kafka removes their MBeans.
    stats.dropTopics((topic) => counts.has(topic));
  });
}

function registerLagMetrics(registry: Registry, providers: MetricsProviders, lagClock: LagClock, nowMs: () => number): void {
  // One read of groups and offsets per scrape, shared by the lag series below.
  let cached: { atMs: number; rows: Promise<LagRow[]> } | undefined;
  const rows = (): Promise<LagRow[]> => {
    const now = nowMs();
    if (!cached || now - cached.atMs > 500) cached = { atMs: now, rows: lagRows(providers, lagClock, now) };
    return cached.rows;
  };
  const labels = (r: LagRow): Labels => ({ consumergroup: r.groupId, topic: r.topic, partition: r.partition });
  gaugeFrom(registry, 'kafka_consumergroup_current_offset', 'Committed offset of the group on the partition (kafka_exporter name).', ['consumergroup', 'topic', 'partition'], async (emit) => {
    for (const r of await rows()) emit(labels(r), r.offset);
  });
  gaugeFrom(registry, 'kafka_consumergroup_lag', 'High watermark minus committed offset (kafka_exporter name).', ['consumergroup', 'topic', 'partition'], async (emit) => {
    for (const r of await rows()) emit(labels(r), r.lag);
  });
  gaugeFrom(registry, 'kafka_consumergroup_lag_seconds', 'How long ago the log end passed the committed offset, from high watermarks sampled at each scrape (a lower bound before the first sample).', ['consumergroup', 'topic', 'partition'], async (emit) => {
    for (const r of await rows()) emit(labels(r), r.lagSeconds);
  });
  gaugeFrom(registry, 'kafka_consumergroup_lag_sum', 'Lag of the group summed over the partitions of the topic (kafka_exporter name).', ['consumergroup', 'topic'], async (emit) => {
    for (const [key, sum] of sumBy(await rows(), (r) => r.lag)) emit({ consumergroup: key[0], topic: key[1] }, sum);
  });
  gaugeFrom(registry, 'kafka_consumergroup_current_offset_sum', 'Committed offsets of the group summed over the partitions of the topic (kafka_exporter name).', ['consumergroup', 'topic'], async (emit) => {
    for (const [key, sum] of sumBy(await rows(), (r) => r.offset)) emit({ consumergroup: key[0], topic: key[1] }, sum);
  });
  gaugeFrom(registry, 'kafka_consumergroup_members', 'Members of the group (kafka_exporter name).', ['consumergroup'], async (emit) => {
    for (const g of await providers.groups.groups()) emit({ consumergroup: g.groupId }, g.memberCount);
  });
}

interface LagRow {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  lag: number;
  lagSeconds: number;
}

async function lagRows(providers: MetricsProviders, lagClock: LagClock, nowMs: number): Promise<LagRow[]> {
  const hw = new Map<string, number>();
  for (const l of providers.logs.logs()) hw.set(`${l.topic}\u0000${l.partition}`, l.highWatermark);
  const rows: LagRow[] = [];
  const tracked = new Set<string>();
  for (const g of await providers.groups.groups()) {
    for (const o of g.offsets) {
      const key = `${o.topic}\u0000${o.partition}`;
      const end = hw.get(key);
      if (end === undefined) continue;
      tracked.add(key);
      lagClock.sample(key, end, nowMs);
      const lag = Math.max(0, end - o.offset);
      rows.push({ groupId: g.groupId, topic: o.topic, partition: o.partition, offset: o.offset, lag, lagSeconds: lag === 0 ? 0 : lagClock.secondsBehind(key, o.offset, nowMs) });
    }
  }
  lagClock.retain(tracked);
  return rows;
}

function sumBy(rows: readonly LagRow[], value: (r: LagRow) => number): Map<[string, string], number> {
  const byKey = new Map<string, { key: [string, string]; sum: number }>();
  for (const r of rows) {
    const k = `${r.groupId}\u0000${r.topic}`;
    const entry = byKey.get(k) ?? { key: [r.groupId, r.topic] as [string, string], sum: 0 };
    entry.sum += value(r);
    byKey.set(k, entry);
  }
  return new Map([...byKey.values()].map((e) => [e.key, e.sum]));
}
