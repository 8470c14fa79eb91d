/**
 * `kts ui`'s HTTP server: the page (static assets shipped with kts: no CDN), a JSON API over
 * the cluster read through the kts client, and a sampler that writes cluster figures to the
 * history store every `sampleIntervalMs` so charts survive restarts.
 *
 * Safety: binds 127.0.0.1 unless told otherwise; actions (POST/DELETE) need a JSON body and,
 * when the browser sends an Origin, the page's own origin (no cross-site requests); with
 * `readOnly` every action is refused here, whatever the page shows.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KafkaClient } from '../client/index.js';
import { KafkaError, errorName } from '../protocol/errors.js';
import { KtsError, errorMessage } from '../util/errors.js';
import { KTS_VERSION } from '../util/version.js';
import { MinIsrCache, brokerPartitions, readGroupView, readGroups, readSnapshot, unhealthyPartitions, type ClusterSnapshot, type GroupView } from './cluster-view.js';
import { BROKER_SERIES, BrokerMetricsScraper } from './broker-metrics.js';
import { NoSuchZnodeError, ZooKeeperView } from './zookeeper-view.js';
import { LAG_WINDOW_MS, evaluateAlerts } from './alerts.js';
import type { Logger } from '../util/logger.js';
import { HistoryStore } from './history.js';
import { UiInputError, produceRecord, resetOffsets, searchMessages, type ResetSpec } from './actions.js';

export interface UiServerOptions {
  client: KafkaClient;
  host: string;
  port: number;
  readOnly: boolean;
  historyDir: string;
  historyMaxBytes?: number;
  sampleIntervalMs: number;
  /** ZooKeeper connection string for the ZooKeeper page (default: what the brokers report). */
  zookeeper?: string;
  /** Where the ZooKeeper session logs its warnings. */
  log?: Logger;
  /** Topics whose per-topic history is kept (the busiest). */
  historyTopicsMax?: number;
  onError?: (message: string) => void;
  nowMs?: () => number;
}

export interface UiServer {
  readonly url: string;
  /** Takes one history sample now (tests; the sampler also runs on its own). */
  sample(): Promise<void>;
  stop(): Promise<void>;
}

const SNAPSHOT_TTL_MS = 1_000;
const BODY_MAX_BYTES = 1024 * 1024;
const HISTORY_GROUPS_MAX = 500;

/**
 * A value read from the cluster. Within SNAPSHOT_TTL_MS it is reused; up to `staleMs` old
 * (the sampling interval) it is served at once while a new read runs in the background, so
 * list pages stay fast with thousands of topics; older, or after invalidate() (an action
 * changed the cluster), callers wait for a new read. fresh() always reads (the sampler).
 */
function clusterCache<T>(read: () => Promise<T>, nowMs: () => number, staleMs: number) {
  let current: { atMs: number; value: Promise<T> } | undefined;
  let pending: Promise<T> | undefined;
  let generation = 0;
  const refresh = (): Promise<T> => {
    const atMs = nowMs();
    const gen = generation;
    const value = read();
    pending = value;
    value.then(
      () => {
        if (gen === generation) current = { atMs, value };
      },
      () => undefined,
    ).finally(() => {
      if (pending === value) pending = undefined;
    });
    return value;
  };
  return {
    get(): Promise<T> {
      const age = current ? nowMs() - current.atMs : Infinity;
      if (current && age <= SNAPSHOT_TTL_MS) return current.value;
      if (current && age <= staleMs) {
        if (!pending) refresh().catch(() => undefined);
        return current.value;
      }
      return pending ?? refresh();
    },
    fresh: (): Promise<T> => pending ?? refresh(),
    invalidate(): void {
      generation++;
      current = undefined;
      pending = undefined;
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Assets {
  files: Map<string, { type: string; body: Buffer }>;
}

/** The page's files: dist/ui/ in the bundle, src/ui/assets/ from source; uPlot from its package. */
function loadAssets(): Assets {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dir = [join(here, 'ui'), join(here, 'assets')].find((d) => existsSync(join(d, 'index.html')));
  if (!dir) throw new KtsError('KTS_UI_ASSETS', `The console's files are missing (looked in ${join(here, 'ui')} and ${join(here, 'assets')}).`, 'Rebuild kts with npm run build.');
  const require = createRequire(import.meta.url);
  const files = new Map<string, { type: string; body: Buffer }>();
  files.set('/', { type: 'text/html; charset=utf-8', body: readFileSync(join(dir, 'index.html')) });
  files.set('/app.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(join(dir, 'app.js')) });
  files.set('/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(join(dir, 'app.css')) });
  files.set('/uPlot.iife.min.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) });
  files.set('/uPlot.min.css', { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) });
  return { files };
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const { client } = options;
  const nowMs = options.nowMs ?? Date.now;
  const assets = loadAssets();
  const minIsr = new MinIsrCache();
  const snapshots = clusterCache(() => readSnapshot(client, nowMs(), (t) => minIsr.get(t)), nowMs, options.sampleIntervalMs);
  const groupViews = clusterCache(async () => readGroups(client, await snapshots.get()), nowMs, options.sampleIntervalMs);
  const snapshot = (): Promise<ClusterSnapshot> => snapshots.get();
  const groups = (): Promise<GroupView[]> => groupViews.get();
  const invalidate = (): void => {
    snapshots.invalidate();
    groupViews.invalidate();
  };

  const history = new HistoryStore({ dir: options.historyDir, maxBytes: options.historyMaxBytes }, nowMs());
  const brokerMetrics = new BrokerMetricsScraper(client);
  const zookeeper = new ZooKeeperView(client, options.zookeeper, options.log ?? { debug() {}, info() {}, warn: (m) => options.onError?.(m), error: (m) => options.onError?.(m) });
  let lastEnds = new Map<string, number>();
  const sample = async (): Promise<void> => {
    const s = await snapshots.fresh();
    const g = await groupViews.fresh();
    void minIsr.refresh(client, s.topics.map((t) => t.name));
    const v: Record<string, number> = {};
    const user = s.topics.filter((t) => !t.internal);
    v['cluster:endOffsets'] = user.reduce((n, t) => n + t.endOffsetSum, 0);
    v['cluster:sizeBytes'] = s.topics.reduce((n, t) => n + t.sizeBytes, 0);
    v['cluster:lag'] = g.reduce((n, x) => n + x.totalLag, 0);
    v['cluster:underReplicated'] = s.topics.reduce((n, t) => n + t.underReplicated, 0);
    v['cluster:offline'] = s.topics.reduce((n, t) => n + t.offline, 0);
    // Per-topic end offsets for the busiest topics (most records since the last sample).
    const busiest = [...user]
      .sort((a, b) => b.endOffsetSum - (lastEnds.get(b.name) ?? b.endOffsetSum) - (a.endOffsetSum - (lastEnds.get(a.name) ?? a.endOffsetSum)) || b.endOffsetSum - a.endOffsetSum)
      .slice(0, options.historyTopicsMax ?? 100);
    for (const t of busiest) v[`topic:${t.name}:endOffsets`] = t.endOffsetSum;
    lastEnds = new Map(user.map((t) => [t.name, t.endOffsetSum]));
    for (const x of g.slice(0, HISTORY_GROUPS_MAX)) v[`group:${x.groupId}:lag`] = x.totalLag;
    Object.assign(v, await brokerMetrics.sample(s.brokers));
    history.add({ t: s.atMs, v });
  };
  let sampling: Promise<void> | undefined;
  const sampleSafely = (): Promise<void> => {
    sampling ??= sample()
      .catch((err: unknown) => options.onError?.(`kts ui: sampling the cluster failed: ${errorMessage(err)}`))
      .finally(() => (sampling = undefined));
    return sampling;
  };
  const timer = setInterval(() => void sampleSafely(), options.sampleIntervalMs);
  timer.unref();

  const api = async (req: IncomingMessage, path: string, query: URLSearchParams): Promise<unknown> => {
    const method = req.method ?? 'GET';
    const parts = path.split('/').slice(2).map(decodeURIComponent); // ['', 'api', ...]
    const action = method !== 'GET' && method !== 'HEAD';
    if (action) {
      if (options.readOnly) throw new HttpError(403, 'kts ui runs with --read-only: actions are refused.');
      checkOrigin(req);
    }
    const body = action ? await readJson(req) : {};
    const [what, name, sub] = parts;
    if (method === 'GET' && what === 'meta') return { version: KTS_VERSION, target: client.target, readOnly: options.readOnly, sampleIntervalMs: options.sampleIntervalMs };
    if (method === 'GET' && what === 'overview') {
      // Groups are listed on every broker: one that just died (still in the metadata) fails the
      // listing for a few seconds; the rest of the overview stays up meanwhile.
      const s = await snapshot();
      const g = await groups().then(
        (list) => ({ list, error: null }),
        (err: unknown) => ({ list: null, error: errorMessage(err) }),
      );
      return overview(s, g.list, g.error);
    }
    if (method === 'GET' && what === 'brokers' && name === undefined) return (await snapshot()).brokers;
    if (method === 'GET' && what === 'brokers') return brokerDetail(name);
    if (method === 'GET' && what === 'unhealthy') return unhealthyPartitions(await snapshot(), (t) => minIsr.get(t));
    if (method === 'GET' && what === 'reassignments') return client.admin.listPartitionReassignments();
    if (what === 'topics' && name === undefined) {
      if (method === 'GET') return (await snapshot()).topics.map(({ partitions: _p, ...rest }) => ({ ...rest, partitionCount: _p.length }));
      if (method === 'POST') return createTopic(body);
    }
    if (what === 'topics' && name !== undefined) {
      if (method === 'GET' && sub === undefined) return topicDetail(name);
      if (method === 'DELETE' && sub === undefined) {
        await client.admin.deleteTopics([name]);
        invalidate();
        return { deleted: name };
      }
      if (method === 'GET' && sub === 'messages') return searchMessages(client, messageQuery(name, query));
      if (method === 'POST' && sub === 'messages') {
        const r = await produceRecord(client, produceInput(name, body));
        invalidate();
        return r;
      }
      if (method === 'POST' && sub === 'configs') return alterConfigs(name, body);
    }
    if (method === 'GET' && what === 'groups' && name === undefined) return (await groups()).map(({ partitions: _p, members, ...rest }) => ({ ...rest, memberCount: members.length }));
    if (method === 'GET' && what === 'groups' && name !== undefined && sub === undefined) {
      snapshots.invalidate();
      const g = await readGroupView(client, name, await snapshot());
      if (!g) throw new HttpError(404, `No consumer group '${name}'.`);
      return g;
    }
    if (method === 'POST' && what === 'groups' && name !== undefined && sub === 'reset-offsets') {
      const r = await resetOffsets(client, name, stringField(body, 'topic'), resetSpec(body), body.execute === true);
      if (body.execute === true) invalidate();
      return { executed: body.execute === true, partitions: r };
    }
    if (method === 'GET' && what === 'history') return historyQuery(query);
    if (method === 'GET' && what === 'alerts') {
      const [s, g] = await Promise.all([snapshot(), groups().catch(() => null)]);
      return evaluateAlerts({
        snapshot: s,
        groups: g,
        minInsyncReplicas: (t) => minIsr.get(t),
        history: (series) => history.query(series, nowMs() - LAG_WINDOW_MS),
        scrapeErrors: brokerMetrics.scrapeErrors(),
      });
    }
    // Read-only: the only ZooKeeper API is this GET.
    if (method === 'GET' && what === 'zookeeper') {
      return zookeeper.node(query.get('path') || '/').catch((err: unknown) => {
        throw err instanceof NoSuchZnodeError ? new HttpError(404, err.message) : err;
      });
    }
    throw new HttpError(404, `No API ${method} ${path}.`);
  };

  const brokerDetail = async (id: string): Promise<unknown> => {
    const s = await snapshot();
    const broker = /^\d+$/.test(id) ? s.brokers.find((b) => b.nodeId === Number(id)) : undefined;
    if (!broker) throw new HttpError(404, `No live broker with id '${id}'.`);
    const endpoint = brokerMetrics.endpoint(broker.nodeId);
    return {
      ...broker,
      partitions: brokerPartitions(s, broker.nodeId, (t) => minIsr.get(t)),
      metrics: { url: endpoint?.url ?? null, problem: endpoint ? endpoint.problem : 'not looked up yet (at the next sample)', lastError: endpoint?.lastError ?? null },
      series: BROKER_SERIES.map((x) => ({ series: `broker:${broker.nodeId}:${x.name}`, name: x.name, counter: x.counter })),
    };
  };

  const topicDetail = async (name: string): Promise<unknown> => {
    invalidate();
    const t = (await snapshot()).topics.find((x) => x.name === name);
    if (!t) throw new HttpError(404, `Topic '${name}' does not exist.`);
    const configs = await client.admin.describeConfigs({ type: 'topic', name });
    return { ...t, configs: configs.map((c) => ({ name: c.name, value: c.isSensitive ? null : c.value, source: c.source, readOnly: c.readOnly, isDefault: c.isDefault })) };
  };

  const createTopic = async (body: Record<string, unknown>): Promise<unknown> => {
    const topic = stringField(body, 'name');
    const numPartitions = intField(body, 'partitions', -1);
    const replicationFactor = intField(body, 'replicationFactor', -1);
    const configs = body.configs && typeof body.configs === 'object' ? Object.fromEntries(Object.entries(body.configs as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : {};
    const [created] = await client.admin.createTopics([{ topic, numPartitions, replicationFactor, configs }]);
    invalidate();
    return created;
  };

  const alterConfigs = async (name: string, body: Record<string, unknown>): Promise<unknown> => {
    const set = body.set && typeof body.set === 'object' ? (body.set as Record<string, unknown>) : {};
    const remove = Array.isArray(body.delete) ? body.delete.map(String) : [];
    const alterations = [...Object.entries(set).map(([k, v]) => ({ name: k, op: 'set' as const, value: String(v) })), ...remove.map((k) => ({ name: k, op: 'delete' as const }))];
    if (alterations.length === 0) throw new UiInputError('Nothing to change: give "set": {key: value} and/or "delete": [key].');
    await client.admin.incrementalAlterConfigs({ type: 'topic', name }, alterations);
    minIsr.forget(name);
    return { altered: alterations.map((a) => a.name) };
  };

  const historyQuery = (query: URLSearchParams): unknown => {
    const series = (query.get('series') ?? '').split(',').filter((s) => s !== '');
    if (series.length === 0) throw new UiInputError('Give series=name[,name...] (see /api/history/series).');
    const rangeMs = Number(query.get('rangeMs') ?? 3_600_000);
    if (!Number.isFinite(rangeMs) || rangeMs <= 0) throw new UiInputError('rangeMs must be a positive number of milliseconds.');
    return history.query(series, nowMs() - rangeMs);
  };

  const loopbackOnly = LOOPBACK_HOSTS.has(options.host);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Bound to loopback: only loopback names may be asked for (no DNS rebinding from a web page).
    if (loopbackOnly && !LOOPBACK_HOSTS.has(hostnameOf(req.headers.host))) {
      sendJson(res, 403, { error: `Host ${req.headers.host ?? '(none)'} refused: this console serves ${options.host} only.` });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      api(req, url.pathname, url.searchParams).then(
        (data) => sendJson(res, 200, data),
        (err: unknown) => sendError(res, err, options.onError),
      );
      return;
    }
    const file = assets.files.get(url.pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${url.pathname}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).end(req.method === 'HEAD' ? undefined : file.body);
  });
  const port = await listen(server, options.host, options.port);
  // A first sample now, so a fresh console has a point to draw.
  await sampleSafely();
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    sample: sampleSafely,
    async stop() {
      clearInterval(timer);
      await sampling;
      await zookeeper.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** The host name of a Host header (`127.0.0.1:8048`, `[::1]:8048`, `localhost`). */
function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return m ? m[1]!.toLowerCase() : host;
}

function overview(s: ClusterSnapshot, groups: readonly GroupView[] | null, groupsError: string | null): unknown {
  const user = s.topics.filter((t) => !t.internal);
  const underMinIsrKnown = s.topics.every((t) => t.underMinIsr !== null);
  return {
    clusterId: s.clusterId,
    controllerId: s.controllerId,
    brokerCount: s.brokers.length,
    topicCount: user.length,
    internalTopicCount: s.topics.length - user.length,
    partitionCount: s.topics.reduce((n, t) => n + t.partitions.length, 0),
    underReplicated: s.topics.reduce((n, t) => n + t.underReplicated, 0),
    offline: s.topics.reduce((n, t) => n + t.offline, 0),
    underMinIsr: underMinIsrKnown ? s.topics.reduce((n, t) => n + (t.underMinIsr ?? 0), 0) : null,
    sizeBytes: s.topics.reduce((n, t) => n + t.sizeBytes, 0),
    messages: user.reduce((n, t) => n + t.messages, 0),
    groupCount: groups ? groups.length : null,
    totalLag: groups ? groups.reduce((n, g) => n + g.totalLag, 0) : null,
    groupsError,
    atMs: s.atMs,
  };
}

function messageQuery(topic: string, q: URLSearchParams): Parameters<typeof searchMessages>[1] {
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new UiInputError(`${name} must be an integer, not '${v}'.`);
    return Number(v);
  };
  const ts = q.get('timestamp');
  let timestampMs: number | undefined;
  if (ts !== null && ts !== '') {
    timestampMs = /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
    if (!Number.isFinite(timestampMs)) throw new UiInputError(`timestamp must be epoch ms or an ISO date-time, not '${ts}'.`);
  }
  return { topic, partition: int('partition'), offset: int('offset'), timestampMs, limit: int('limit') ?? 50, key: q.get('key') ?? undefined, value: q.get('value') ?? undefined, header: q.get('header') ?? undefined, format: q.get('format') ?? undefined };
}

function produceInput(topic: string, body: Record<string, unknown>): Parameters<typeof produceRecord>[1] {
  const partition = body.partition === undefined || body.partition === null || body.partition === '' ? undefined : Number(body.partition);
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) throw new UiInputError('partition must be a partition number.');
  const headers = Array.isArray(body.headers) ? body.headers.map((h: unknown) => ({ key: String((h as { key?: unknown }).key ?? ''), value: String((h as { value?: unknown }).value ?? '') })) : [];
  return { topic, partition, key: typeof body.key === 'string' && body.key !== '' ? body.key : null, value: typeof body.value === 'string' ? body.value : null, headers };
}

function resetSpec(body: Record<string, unknown>): ResetSpec {
  const to = body.to;
  if (to === 'earliest' || to === 'latest') return { kind: to };
  if (to === 'offset') return { kind: 'offset', offset: intField(body, 'offset', NaN) };
  if (to === 'timestamp') {
    const raw = body.timestamp;
    const ms = typeof raw === 'number' ? raw : Date.parse(String(raw));
    if (!Number.isFinite(ms)) throw new UiInputError(`timestamp must be epoch ms or an ISO date-time, not '${String(raw)}'.`);
    return { kind: 'timestamp', timestampMs: ms };
  }
  throw new UiInputError(`"to" must be earliest, latest, offset or timestamp, not '${String(to)}'.`);
}

function stringField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw new UiInputError(`"${name}" is required.`);
  return v;
}

function intField(body: Record<string, unknown>, name: string, fallback: number): number {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (Number.isNaN(fallback)) throw new UiInputError(`"${name}" is required.`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UiInputError(`"${name}" must be an integer, not '${String(v)}'.`);
  return n;
}

function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) {
    throw new HttpError(403, `Cross-origin request from ${origin} refused.`);
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'Actions take a JSON body (content-type: application/json).');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_MAX_BYTES) throw new HttpError(413, `Request body over ${BODY_MAX_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'The body is not a JSON object.');
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(data));
}

function sendError(res: ServerResponse, err: unknown, onError?: (message: string) => void): void {
  if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
  if (err instanceof UiInputError) return sendJson(res, 400, { error: err.message });
  if (err instanceof KafkaError) return sendJson(res, 400, { error: err.message, kafkaError: errorName(err.errorCode) });
  if (err instanceof KtsError) return sendJson(res, 400, { error: err.message, hint: err.hint, code: err.code });
  onError?.(`kts ui: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  sendJson(res, 500, { error: errorMessage(err) });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new KtsError('KTS_PORT_IN_USE', `Cannot serve the console on ${host}:${port}: the port is already in use.`, `Pick another with --listen ${host}:<port> (port 0 picks a free one).`));
      } else reject(new KtsError('KTS_LISTEN', `Cannot serve the console on ${host}:${port}: ${err.message}`));
    });
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
