// A request whose handling fails with a broker bug (not a decision to close: a plain Error
// from the router or a handler without an error response) closes the connection, as before,
// but is logged at ERROR with the API's name, so a client's "Closed connection" can be traced.
// Seen in issue 13: a stall with "Closed connection" left no line above INFO to explain it.
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { startNetworkServer } from '../../src/net/server.js';
import { CloseConnection, defaultConnectionLimits, type FrameHandler } from '../../src/net/server-connection.js';
import { memoryLogger } from '../../src/util/logger.js';

/** A request frame: size, api key, api version, correlation id (enough for the network layer). */
function request(apiKey: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeInt16BE(apiKey, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(7, 4);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function closedAfter(t: Test, handler: FrameHandler, apiKey: number): Promise<string[]> {
  const log = memoryLogger();
  const server = await startNetworkServer({
    listeners: [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    handleFrame: handler,
    limits: defaultConnectionLimits,
    log,
  });
  t.teardown(() => server.stop(1000));
  const socket = connect(server.bound[0]!.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  socket.on('data', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(request(apiKey));
  await closed;
  return log.lines;
}

t.test('a broker bug closing the connection is an ERROR naming the API', async (t) => {
  const lines = await closedAfter(t, async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'producerId')");
  }, 26);
  const errors = lines.filter((l) => l.includes('ERROR'));
  t.equal(errors.length, 1, 'one ERROR line');
  t.match(errors[0], /EndTxn request \(key 26\) on connection \S+ from 127\.0\.0\.1 failed, closing the connection: TypeError: Cannot read properties of undefined/);
});

t.test('a deliberate close (the client broke the protocol) stays one INFO line with its reason', async (t) => {
  const lines = await closedAfter(t, async () => {
    throw new CloseConnection('malformed Produce v9: bytes left over');
  }, 0);
  t.same(lines.filter((l) => l.includes('ERROR') || l.includes('WARN')), [], 'no ERROR or WARN');
  t.ok(lines.some((l) => l.includes('INFO') && l.includes('malformed Produce v9: bytes left over')), `the reason at INFO: ${lines.join(' | ')}`);
});
