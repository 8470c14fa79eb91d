// Framing edge cases against a tiny fake server (the real scenarios use the real broker):
// responses split into 1-byte chunks, pipelining, the ApiVersions v0 fallback of brokers
// that do not know the version asked, request timeouts, refused connections.
import t from 'tap';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeRequestHeader, encodeResponse } from '../../src/protocol/codec.js';
import { BrokerConnection } from '../../src/net/broker-connection.js';
import { openTcpChannel, ConnectionError } from '../../src/net/tcp-channel.js';
import { BufferPool } from '../../src/util/buffer-pool.js';

type Responder = (header: ReturnType<typeof decodeRequestHeader>, frame: Buffer, socket: Socket) => void;

async function fakeServer(t: { teardown(fn: () => void): void }, respond: Responder): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const frame = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        respond(decodeRequestHeader(frame), frame, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

const API_KEYS = [
  { apiKey: 3, minVersion: 0, maxVersion: 12 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
];

/** Writes `frame` one byte per write: the client must reassemble. */
function dribble(socket: Socket, frame: Buffer): void {
  for (let i = 0; i < frame.length; i++) socket.write(frame.subarray(i, i + 1));
}

t.test('negotiates ApiVersions and reassembles responses split into single bytes', async (t) => {
  const port = await fakeServer(t, (h, _frame, socket) => {
    if (h.apiKey === 18) dribble(socket, encodeResponse(18, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys: API_KEYS }));
  });
  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 2000), 'test', 2000);
  t.teardown(() => conn.channel.close());
  t.equal(conn.version(3, 9), 9, 'capped by the client');
  t.equal(conn.version(18), 4, 'highest both support');
  t.throws(() => conn.version(0), /UNSUPPORTED_VERSION/, 'API the broker lacks');
});

t.test('falls back when the broker answers ApiVersions with UNSUPPORTED_VERSION in v0', async (t) => {
  const asked: number[] = [];
  const port = await fakeServer(t, (h, _frame, socket) => {
    if (h.apiKey !== 18) return;
    asked.push(h.apiVersion);
    if (h.apiVersion > 1) {
      // What Kafka 1.x-2.3 brokers do: error 35 and their own ApiVersions range, in v0 format.
      socket.write(encodeResponse(18, 0, h.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 1 }] }));
      return;
    }
    socket.write(encodeResponse(18, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys: API_KEYS.map((k) => ({ ...k, maxVersion: Math.min(k.maxVersion, 5) })) }));
  });
  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 2000), 'test', 2000);
  t.teardown(() => conn.channel.close());
  t.same(asked, [3, 1]);
  t.equal(conn.version(3), 5);
});

t.test('pipelined requests are matched to their responses in order', async (t) => {
  const port = await fakeServer(t, (h, _frame, socket) => {
    if (h.apiKey === 18) {
      socket.write(encodeResponse(18, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys: API_KEYS }));
      return;
    }
    const body = { brokers: [], clusterId: `c${h.correlationId}`, controllerId: h.correlationId, topics: [] };
    socket.write(encodeResponse(3, h.apiVersion, h.correlationId, body));
  });
  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 2000), 'test', 2000);
  t.teardown(() => conn.channel.close());
  const results = await Promise.all(
    Array.from({ length: 20 }, () => conn.call(3, () => ({ topics: [], allowAutoTopicCreation: false }))),
  );
  const ids = results.map((r) => r.body.controllerId ?? -1);
  t.same(ids, [...ids].sort((a, b) => a - b), 'in order');
  t.equal(new Set(ids).size, 20, 'each its own response');
  for (const r of results) t.equal(r.body.clusterId, `c${r.body.controllerId}`);
});

/** A response body of `size` bytes whose content depends on its index (no two alike). */
function patterned(size: number, index: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + index * 7) & 0xff;
  return b;
}

t.test('large and small responses arrive whole and in order, however the stream is cut', async (t) => {
  // Sizes around the point where a response is read straight into its own buffer (32 KiB).
  const sizes = [5, 100, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 5, 40_000, 65_536, 1_000_000, 8, 3_000_000, 70_000, 4];
  for (const cut of ['whole', 'one write', 'primes', 'prefix split', 'pooled'] as const) {
    // 'pooled': large responses are read into a pool's buffers, given back after each check (a replica fetcher's use).
    const pool = cut === 'pooled' ? new BufferPool(64 * 1024, 8 * 1024 * 1024, 8 * 1024 * 1024) : undefined;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      let requests = 0;
      socket.on('data', (chunk) => {
        // Each request is a 4-byte frame holding nothing: answer them all once all arrived.
        requests += chunk.length / 4;
        if (requests < sizes.length) return;
        const frames = sizes.map((size, i) => Buffer.concat([Buffer.from([size >>> 24, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff]), patterned(size, i)]));
        if (cut === 'whole') for (const f of frames) socket.write(f);
        else if (cut === 'one write' || cut === 'pooled') socket.write(Buffer.concat(frames));
        else if (cut === 'prefix split') for (const f of frames) { socket.write(f.subarray(0, 2)); socket.write(f.subarray(2, 3)); socket.write(f.subarray(3)); }
        else {
          const all = Buffer.concat(frames);
          const step = [7, 7919, 104_729, 3];
          for (let at = 0, k = 0; at < all.length; k++) {
            const n = step[k % step.length]!;
            socket.write(all.subarray(at, at + n));
            at += n;
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const channel = await openTcpChannel('127.0.0.1', (server.address() as AddressInfo).port, 2000, undefined, pool);
    try {
      const empty = Buffer.alloc(4);
      const rounds = pool ? 3 : 1;
      for (let round = 0; round < rounds; round++) {
        const answers = await Promise.all(sizes.map(() => channel.request([empty], true, 20_000)));
        answers.forEach((a, i) => t.ok(a !== null && a.equals(patterned(sizes[i]!, i)), `${cut}: response ${i} (${sizes[i]} B) whole and in order${pool ? `, round ${round}` : ''}`));
        if (pool) for (const a of answers) pool.give(a!);
      }
      if (pool) t.ok(pool.reused > 0, `later rounds reuse the given-back buffers (${pool.reused} reused, ${pool.allocated} allocated)`);
    } finally {
      channel.close();
      for (const s of sockets) s.destroy();
      server.close();
    }
  }
});

t.test('a request without answer times out with a connection error', async (t) => {
  const port = await fakeServer(t, (h, _frame, socket) => {
    if (h.apiKey === 18) socket.write(encodeResponse(18, h.apiVersion, h.correlationId, { errorCode: 0, apiKeys: API_KEYS }));
  });
  const conn = await BrokerConnection.open(await openTcpChannel('127.0.0.1', port, 2000), 'test', 2000);
  t.teardown(() => conn.channel.close());
  await t.rejects(conn.call(3, () => ({ topics: [] }), { timeoutMs: 200 }), /timed out after 200 ms/);
});

t.test('a refused connection says what to do', async (t) => {
  const port = await fakeServer(t, () => undefined);
  // Find a port nobody listens on: open and close a server.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const free = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  t.not(free, port);
  const err = await openTcpChannel('127.0.0.1', free, 2000).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof ConnectionError);
  t.match((err as ConnectionError).message, /Connection to 127\.0\.0\.1:\d+ refused: is a broker running\?/);
  t.match((err as ConnectionError).hint, /kts server-start/);
});
