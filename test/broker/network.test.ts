// Network layer: framing, pipelining order, in-flight bound, oversize and garbage frames.
import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import { startNetworkServer } from '../../src/net/server.js';
import { defaultConnectionLimits, type FrameHandler } from '../../src/net/server-connection.js';
import { memoryLogger } from '../../src/util/logger.js';
import { RequestMemoryBudget } from '../../src/net/memory-budget.js';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Reads size-prefixed frames from a socket. */
function frameReader(socket: Socket): { next(): Promise<Buffer>; closed: Promise<void> } {
  let buf = Buffer.alloc(0);
  const waiters: ((b: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      const f = buf.subarray(4, 4 + size);
      buf = buf.subarray(4 + size);
      const w = waiters.shift();
      if (w) w(f);
      else ready.push(f);
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((resolve) => waiters.push(resolve))),
    closed,
  };
}

async function serve(t: Test, handler: FrameHandler, limits = {}, memoryBudget?: RequestMemoryBudget) {
  const log = memoryLogger();
  const server = await startNetworkServer({
    listeners: [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    handleFrame: handler,
    limits: { ...defaultConnectionLimits, ...limits },
    log,
    memoryBudget,
  });
  t.teardown(() => server.stop(1000));
  return { server, log, port: server.bound[0]!.port };
}

function open(t: Test, port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    t.teardown(() => s.destroy());
  });
}

t.test('responses come back in request order even when handlers finish out of order', async (t) => {
  const handler: FrameHandler = async (f) => {
    const delay = f.readUInt8(0);
    await new Promise((r) => setTimeout(r, delay));
    return [frame(f)];
  };
  const { port } = await serve(t, handler);
  const s = await open(t, port);
  const reader = frameReader(s);
  const delays = [30, 1, 20, 0, 10];
  s.write(Buffer.concat(delays.map((d, i) => frame(Buffer.from([d, i])))));
  for (let i = 0; i < delays.length; i++) {
    const f = await reader.next();
    t.equal(f[1], i);
  }
});

t.test('frames split across many TCP writes are reassembled', async (t) => {
  const { port } = await serve(t, async (f) => [frame(f)]);
  const s = await open(t, port);
  const reader = frameReader(s);
  const payload = frame(Buffer.from('hello kafka'));
  for (const byte of payload) {
    s.write(Buffer.from([byte]));
    await new Promise((r) => setImmediate(r));
  }
  t.equal((await reader.next()).toString(), 'hello kafka');
});

t.test('a null response writes nothing but keeps order for the next one', async (t) => {
  const { port } = await serve(t, async (f) => (f[0] === 0 ? null : [frame(f)]));
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(Buffer.concat([frame(Buffer.from([0])), frame(Buffer.from([1])), frame(Buffer.from([0])), frame(Buffer.from([2]))]));
  t.same([...(await reader.next())], [1]);
  t.same([...(await reader.next())], [2]);
});

t.test('in-flight requests per connection are bounded', async (t) => {
  let active = 0;
  let maxActive = 0;
  const handler: FrameHandler = async (f) => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, 2));
    active--;
    return [frame(f)];
  };
  const { port } = await serve(t, handler, { maxInFlight: 4 });
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(Buffer.concat(Array.from({ length: 40 }, (_, i) => frame(Buffer.from([i])))));
  for (let i = 0; i < 40; i++) t.equal((await reader.next())[0], i);
  t.ok(maxActive <= 4, `at most 4 handled at once (saw ${maxActive})`);
});

t.test('a client that does not read its responses stops being served (bounded queue)', async (t) => {
  let handled = 0;
  const big = Buffer.alloc(256 * 1024, 7);
  const { port } = await serve(t, async (f) => {
    handled++;
    return [frame(Buffer.concat([f.subarray(0, 1), big]))];
  }, { maxQueuedResponseBytes: 1024 * 1024 });
  const s = await open(t, port);
  s.pause();
  const total = 200;
  s.write(Buffer.concat(Array.from({ length: total }, (_, i) => frame(Buffer.from([i])))));
  await new Promise((r) => setTimeout(r, 300));
  t.ok(handled < total / 2, `stopped handling while the client is not reading (${handled} of ${total})`);
  const reader = frameReader(s);
  s.resume();
  for (let i = 0; i < total; i++) t.equal((await reader.next())[0], i);
  t.equal(handled, total, 'every request answered once the client reads');
});

t.test('an oversized frame closes that connection with one log line; others keep working', async (t) => {
  const { port, log } = await serve(t, async (f) => [frame(f)], { maxRequestBytes: 1024 });
  const bad = await open(t, port);
  const badReader = frameReader(bad);
  const good = await open(t, port);
  const goodReader = frameReader(good);
  const size = Buffer.alloc(4);
  size.writeInt32BE(1025);
  bad.write(size);
  await badReader.closed;
  t.equal(log.lines.filter((l) => l.includes('socket.request.max.bytes')).length, 1);
  good.write(frame(Buffer.from('still here')));
  t.equal((await goodReader.next()).toString(), 'still here');
});

t.test('a negative size closes the connection', async (t) => {
  const { port } = await serve(t, async (f) => [frame(f)]);
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
  await reader.closed;
  t.pass('closed');
});

t.test('a zero-length frame at the end of a chunk reaches the handler (fuzz regression)', async (t) => {
  const { port } = await serve(t, async (f) => [frame(Buffer.from([f.length]))]);
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(Buffer.from([0, 0, 0, 0]));
  t.same([...(await reader.next())], [0]);
});

t.test('a handler that rejects closes only that connection', async (t) => {
  const { port, log } = await serve(t, async (f) => {
    if (f[0] === 9) throw new Error('boom');
    return [frame(f)];
  });
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(frame(Buffer.from([9])));
  await reader.closed;
  t.ok(log.lines.some((l) => l.includes('boom')));
  const s2 = await open(t, port);
  const r2 = frameReader(s2);
  s2.write(frame(Buffer.from([1])));
  t.same([...(await r2.next())], [1]);
});

t.test('idle connections are closed after connections.max.idle.ms', async (t) => {
  const { port, log } = await serve(t, async (f) => [frame(f)], { idleTimeoutMs: 50 });
  const s = await open(t, port);
  const reader = frameReader(s);
  await reader.closed;
  t.ok(log.lines.some((l) => l.includes('connections.max.idle.ms')));
});

t.test('graceful stop answers requests already in flight', async (t) => {
  let started!: () => void;
  const inFlight = new Promise<void>((r) => (started = r));
  const { server, port } = await serve(t, async (f) => {
    started();
    await new Promise((r) => setTimeout(r, 50));
    return [frame(f)];
  });
  const s = await open(t, port);
  const reader = frameReader(s);
  s.write(frame(Buffer.from('last words')));
  // stop only once the request is in the handler: a fixed sleep raced with a loaded machine
  await inFlight;
  const stopped = server.stop(2000);
  t.equal((await reader.next()).toString(), 'last words');
  await stopped;
  await reader.closed;
});

t.test('a full memory budget stops slow readers, still serves a well-behaved client, and empties when they leave', async (t) => {
  const budget = new RequestMemoryBudget(2 * 1024 * 1024);
  const big = Buffer.alloc(256 * 1024, 7);
  let peak = 0;
  const { port } = await serve(t, async (f) => {
    peak = Math.max(peak, budget.usedBytes);
    return [frame(Buffer.concat([f.subarray(0, 1), big]))];
  }, { maxQueuedResponseBytes: 64 * 1024 * 1024 }, budget);
  // Twenty clients pipeline 50 requests each and never read: 250 MiB of responses unbounded.
  const slow: Socket[] = [];
  for (let c = 0; c < 20; c++) {
    const s = await open(t, port);
    s.pause();
    s.write(Buffer.concat(Array.from({ length: 50 }, (_, i) => frame(Buffer.from([i])))));
    slow.push(s);
  }
  // A client that reads is answered, one request after another, while the budget is full.
  const good = await open(t, port);
  const reader = frameReader(good);
  for (let i = 0; i < 20; i++) {
    good.write(frame(Buffer.from([i])));
    t.equal((await reader.next())[0], i);
  }
  t.ok(budget.exhausted || budget.usedBytes > 0, `the slow readers hold ${budget.usedBytes} bytes`);
  // Bounded: the budget plus at most one response per connection admitted while it had room.
  const bound = budget.maxBytes + 21 * (big.length + 64);
  t.ok(peak <= bound && budget.usedBytes <= bound, `held at most ${Math.max(peak, budget.usedBytes)} bytes (bound ${bound})`);
  for (const s of slow) s.destroy();
  good.destroy();
  await reader.closed;
  while (budget.usedBytes > 0) await new Promise((r) => setTimeout(r, 10));
  t.equal(budget.usedBytes, 0, 'every byte is returned once the clients are gone');
});

t.test('pipelined Produce requests are handled together up to 4 MiB in flight, then each waits for an answer', async (t) => {
  const PRODUCE_FRAME_BYTES = 1200 * 1024;
  const started: number[] = [];
  const answers: Array<() => void> = [];
  const handler: FrameHandler = async (f) => {
    started.push(f.readInt32BE(2));
    await new Promise<void>((resolve) => answers.push(resolve));
    return [frame(f.subarray(2, 6))];
  };
  const { port } = await serve(t, handler);
  const s = await open(t, port);
  const reader = frameReader(s);
  const produce = (i: number): Buffer => {
    const body = Buffer.alloc(PRODUCE_FRAME_BYTES);
    body.writeInt16BE(0, 0); // api key 0: Produce
    body.writeInt32BE(i, 2);
    return frame(body);
  };
  s.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => produce(i))));
  const until = async (n: number): Promise<void> => {
    while (started.length < n) await new Promise((r) => setImmediate(r));
  };
  // 3 x 1,200 KiB are under 4 MiB: a 4th is handled in the same go, the 5th waits.
  await until(4);
  t.same(started, [0, 1, 2, 3], 'four in flight, not one per turn nor all ten');
  answers[0]!();
  t.equal((await reader.next()).readInt32BE(0), 0);
  await until(5);
  t.same(started, [0, 1, 2, 3, 4], 'one answer lets exactly one more in');
  for (let i = 1; i < 10; i++) {
    await until(i + 1);
    answers[i]!();
    t.equal((await reader.next()).readInt32BE(0), i, `answer ${i} in request order`);
  }
});
