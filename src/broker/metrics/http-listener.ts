/**
 * The metrics listener: `kts.metrics.listener=http://HOST:PORT` serves `GET /metrics` in
 * Prometheus text format. Off unless the key is set. Scrapes run one at a time (a second
 * scrape arriving meanwhile shares the first one's text), so a slow scrape of many
 * partitions cannot pile up work on the broker.
 */
import { createServer, type Server } from 'node:http';
import { KtsError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

export const METRICS_LISTENER_KEY = 'kts.metrics.listener';

export interface MetricsEndpoint {
  host: string;
  port: number;
}

/** Parses `http://host:port`; a clear KtsError for anything else. */
export function parseMetricsListener(value: string): MetricsEndpoint {
  const hint = `Example: ${METRICS_LISTENER_KEY}=http://127.0.0.1:9404 (port 0 picks a free port).`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new KtsError('KTS_CONFIG', `${METRICS_LISTENER_KEY}=${value} is not a URL.`, hint);
  }
  if (url.protocol !== 'http:') throw new KtsError('KTS_CONFIG', `${METRICS_LISTENER_KEY}=${value}: only http:// is supported.`, hint);
  if (url.port === '' && !/:\d+\/?$/.test(value.trim())) throw new KtsError('KTS_CONFIG', `${METRICS_LISTENER_KEY}=${value} has no port.`, hint);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new KtsError('KTS_CONFIG', `${METRICS_LISTENER_KEY}=${value}: give only host and port; metrics are served at /metrics.`, hint);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(url.port || 0) };
}

export interface MetricsHttpServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startMetricsHttpServer(
  endpoint: MetricsEndpoint,
  render: () => Promise<{ contentType: string; body: string }>,
  log: Logger,
): Promise<MetricsHttpServer> {
  let inFlight: Promise<{ contentType: string; body: string }> | undefined;
  const scrape = (): Promise<{ contentType: string; body: string }> => {
    inFlight ??= render().finally(() => (inFlight = undefined));
    return inFlight;
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Only GET /metrics is served.\n');
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>kts broker metrics: <a href="/metrics">/metrics</a></p>\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${path}. Metrics are at /metrics.\n`);
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body),
      (err: unknown) => {
        log.error(`Metrics scrape failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics scrape failed; see the broker log.\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, endpoint);
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return {
    url: `http://${host}:${port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, endpoint: MetricsEndpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${endpoint.host}:${endpoint.port}`;
      if (err.code === 'EADDRINUSE') {
        reject(
          new KtsError(
            'KTS_PORT_IN_USE',
            `Cannot serve metrics on ${where} (${METRICS_LISTENER_KEY}): the port is already in use.`,
            `Stop the other process on port ${endpoint.port}, or pick another port, e.g. --override ${METRICS_LISTENER_KEY}=http://${endpoint.host}:9405.`,
          ),
        );
      } else {
        reject(new KtsError('KTS_LISTEN', `Cannot serve metrics on ${where} (${METRICS_LISTENER_KEY}): ${err.message}`));
      }
    });
    server.listen({ port: endpoint.port, host: endpoint.host }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : endpoint.port);
    });
  });
}
