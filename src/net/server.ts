/**
 * The TCP side of the broker: one net.Server per listener, a Connection per client socket.
 * Graceful stop: stop accepting, stop reading new requests, let in-flight requests finish
 * (bounded by a timeout), then close every socket.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { TlsServerSettings } from './tls.js';
import { tlsPrincipal } from './tls.js';
import { KtsError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { Connection, type ConnectionLimits, type FrameHandler } from './server-connection.js';
import type { RequestMemoryBudget } from './memory-budget.js';
import { closeServer, listenLocalSocket } from './local-socket.js';

/** A listener as configured or advertised: `PLAINTEXT://host:port`. */
export interface ListenerEndpoint {
  name: string;
  securityProtocol: string;
  host: string;
  port: number;
}


export interface BoundListener {
  name: string;
  host: string;
  port: number;
}

export interface NetworkServer {
  readonly bound: readonly BoundListener[];
  readonly connectionCount: number;
  /** Stops accepting, finishes in-flight requests (up to `timeoutMs`), closes sockets. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface NetworkServerOptions {
  listeners: readonly ListenerEndpoint[];
  handleFrame: FrameHandler;
  limits: ConnectionLimits;
  log: Logger;
  /** Most concurrent connections accepted; more are closed at once. */
  maxConnections?: number;
  /** TLS settings of the SSL and SASL_SSL listeners, by listener name. */
  tls?: ReadonlyMap<string, TlsServerSettings>;
  /** Bytes in flight across every connection (queued.max.request.bytes); unbounded without. */
  memoryBudget?: RequestMemoryBudget;
  /**
   * A Unix socket for the other kts processes of this user (local-socket.ts), served as the
   * listener `name` with the data dir owner's trust (no session: like the in-process transport).
   */
  localSocket?: { path: string; listenerName: string };
}

export async function startNetworkServer(options: NetworkServerOptions): Promise<NetworkServer> {
  const connections = new Set<Connection>();
  const servers: Server[] = [];
  const bound: BoundListener[] = [];
  let nextId = 0;

  const accept = (listener: ListenerEndpoint, socket: Socket, localPort: number): void => {
    if (socket.destroyed) return; // refused during the TLS handshake checks
    if (options.maxConnections !== undefined && connections.size >= options.maxConnections) {
      options.log.warn(`Refusing connection from ${socket.remoteAddress}: max connections (${options.maxConnections}) reached`);
      socket.destroy();
      return;
    }
    const clientHost = socket.remoteAddress ?? 'unknown';
    const connectionId = `${socket.localAddress}:${localPort}-${clientHost}:${socket.remotePort}-${nextId++}`;
    const tls = options.tls?.get(listener.name);
    const principal = tls ? tlsPrincipal(socket as TLSSocket, tls.principalRules) : 'User:ANONYMOUS';
    const session = { securityProtocol: listener.securityProtocol, principal, authenticated: !listener.securityProtocol.startsWith('SASL_') };
    const conn = new Connection(
      socket,
      { connectionId, clientHost, listenerName: listener.name, session },
      options.handleFrame,
      options.limits,
      options.log,
      options.memoryBudget,
    );
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
  };

  const acceptLocal = (socket: Socket, listenerName: string): void => {
    const conn = new Connection(socket, { connectionId: `local-socket-${nextId++}`, clientHost: 'localhost', listenerName }, options.handleFrame, options.limits, options.log, options.memoryBudget);
    connections.add(conn);
    void conn.closed.then(() => connections.delete(conn));
  };

  try {
    if (options.localSocket) {
      const { path, listenerName } = options.localSocket;
      const server = await listenLocalSocket(path);
      servers.push(server);
      server.on('connection', (socket: Socket) => acceptLocal(socket, listenerName));
      server.on('error', (err) => options.log.error(`Local socket ${path} error: ${err.message}`));
    }
    for (const listener of options.listeners) {
      const tls = options.tls?.get(listener.name);
      const server = tls ? tlsServer(tls, options.log, listener.name) : createServer({ pauseOnConnect: false });
      servers.push(server);
      const port = await listen(server, listener);
      bound.push({ name: listener.name, host: listener.host, port });
      server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => accept(listener, socket, port));
      server.on('error', (err) => options.log.error(`Listener ${listener.name} error: ${err.message}`));
    }
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }

  return {
    bound,
    get connectionCount() {
      return connections.size;
    },
    async stop(timeoutMs = 10_000) {
      const closedServers = servers.map(closeServer);
      for (const conn of connections) conn.stopReading();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all([...connections].map((c) => c.settle())), deadline]);
      clearTimeout(timer);
      for (const conn of connections) conn.end();
      const forceTimer = setTimeout(() => {
        for (const conn of connections) conn.close();
      }, 1_000);
      await Promise.all([...connections].map((c) => c.closed));
      clearTimeout(forceTimer);
      await Promise.all(closedServers);
    },
  };
}

/**
 * A TLS listener. A client that fails the handshake (plaintext bytes on a TLS port, an
 * untrusted or missing certificate under ssl.client.auth=required) is dropped with one
 * debug line; with `requested`, a client without a certificate is let in as ANONYMOUS but
 * one with an untrusted certificate is refused, as a Java broker's SSLEngine does.
 */
function tlsServer(tls: TlsServerSettings, log: Logger, listenerName: string): Server {
  const server = createTlsServer({
    ...tls.context,
    requestCert: tls.clientAuth !== 'none',
    rejectUnauthorized: tls.clientAuth === 'required',
  });
  server.on('tlsClientError', (err, socket) => {
    log.debug(`TLS handshake with ${socket.remoteAddress} on listener ${listenerName} failed: ${err.message}`);
    socket.destroy();
  });
  if (tls.clientAuth === 'requested') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const cert = socket.getPeerCertificate();
      if (!socket.authorized && cert && Object.keys(cert).length > 0) {
        log.info(`Refusing TLS client ${socket.remoteAddress} on listener ${listenerName}: ${socket.authorizationError?.message ?? 'untrusted certificate'}`);
        socket.destroy();
      }
    });
  }
  return server;
}

function listen(server: Server, listener: ListenerEndpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(listenError(err, listener));
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : listener.port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // An empty host means every interface, as in Kafka's `PLAINTEXT://:9092`.
    server.listen({ port: listener.port, host: listener.host === '' ? undefined : listener.host });
  });
}

function listenError(err: NodeJS.ErrnoException, listener: ListenerEndpoint): KtsError {
  const where = `${listener.host || '0.0.0.0'}:${listener.port}`;
  if (err.code === 'EADDRINUSE') {
    return new KtsError(
      'KTS_PORT_IN_USE',
      `Cannot listen on ${where} (listener ${listener.name}): the port is already in use.`,
      `Stop the other process on port ${listener.port} (is another kts or Kafka broker running? try 'kts server-stop'), or pick another port with --override listeners=${listener.name}://${listener.host}:<port>.`,
    );
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new KtsError(
      'KTS_LISTEN_ADDRESS',
      `Cannot listen on ${where} (listener ${listener.name}): the address ${listener.host} is not on this machine.`,
      `Use an address of a local interface, 127.0.0.1, or an empty host (${listener.name}://:${listener.port}) for every interface.`,
    );
  }
  if (err.code === 'EACCES') {
    return new KtsError(
      'KTS_LISTEN_DENIED',
      `Cannot listen on ${where} (listener ${listener.name}): permission denied.`,
      'Ports below 1024 need privileges; use a port such as 9092.',
    );
  }
  return new KtsError('KTS_LISTEN', `Cannot listen on ${where} (listener ${listener.name}): ${err.message}`);
}
