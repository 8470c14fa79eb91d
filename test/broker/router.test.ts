// The router over real TCP: ApiVersions ranges and KIP-511, Kafka 4's Produce v0-v2 rule,
// unsupported versions, unknown keys, pipelining order, fetch sessions refused correctly.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { encodeRequest, decodeResponse } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/18-api-versions.js';
import type { FetchResponse } from '../../src/protocol/messages/01-fetch.js';
import type { MetadataResponse } from '../../src/protocol/messages/03-metadata.js';
import { runBroker } from './helpers.js';

interface Wire {
  send(frame: Buffer): void;
  next(): Promise<Buffer>;
  closed: Promise<void>;
  isClosed(): boolean;
}

async function wire(t: { teardown(fn: () => unknown): void }, port: number): Promise<Wire> {
  const socket: Socket = await new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
  });
  t.teardown(() => socket.destroy());
  let buf = Buffer.alloc(0);
  const ready: Buffer[] = [];
  const waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  let closed = false;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const f = buf.subarray(4, 4 + buf.readInt32BE(0));
      buf = buf.subarray(4 + f.length);
      const w = waiters.shift();
      if (w) w.resolve(f);
      else ready.push(f);
    }
  });
  const closedP = new Promise<void>((resolve) => socket.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w.reject(new Error('connection closed'));
    resolve();
  }));
  return {
    send: (f) => socket.write(f),
    next: () =>
      ready.length
        ? Promise.resolve(ready.shift()!)
        : closed
          ? Promise.reject(new Error('connection closed'))
          : new Promise((resolve, reject) => waiters.push({ resolve, reject })),
    closed: closedP,
    isClosed: () => closed,
  };
}

/** A request frame with an arbitrary api key/version, a null client id, empty tagged fields, no body. */
function rawRequest(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const body = Buffer.alloc(2 + 2 + 4 + 2 + 1);
  body.writeInt16BE(apiKey, 0);
  body.writeInt16BE(apiVersion, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

t.test('router', async (t) => {
  const b = await runBroker(t);

  await t.test('ApiVersions lists the served ranges, Produce from v0 as Kafka 4 does', async (t) => {
    for (const v of [0, 1, 2, 3, 4]) {
      const w = await wire(t, b.port);
      w.send(encodeRequest(18, v, 7, 'test', { clientSoftwareName: 'kts-test', clientSoftwareVersion: '1' }));
      const res = decodeResponse(18, v, await w.next()) as { correlationId: number; body: ApiVersionsResponse };
      t.equal(res.correlationId, 7);
      t.equal(res.body.errorCode, 0);
      const byKey = new Map(res.body.apiKeys.map((k) => [k.apiKey, k]));
      t.same(byKey.get(0), { apiKey: 0, minVersion: 0, maxVersion: 11 });
      t.same(byKey.get(1), { apiKey: 1, minVersion: 4, maxVersion: 17 });
      t.same(byKey.get(18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
      for (const h of b.broker.context.apis) t.ok(byKey.has(h.apiKey), `advertises key ${h.apiKey}`);
      t.equal(res.body.apiKeys.length, b.broker.context.apis.length, 'advertises nothing else');
    }
  });

  await t.test('ApiVersions at an unknown version answers v0 with UNSUPPORTED_VERSION (KIP-511)', async (t) => {
    const w = await wire(t, b.port);
    w.send(rawRequest(18, 99, 42));
    const res = decodeResponse(18, 0, await w.next()) as { correlationId: number; body: ApiVersionsResponse };
    t.equal(res.correlationId, 42);
    t.equal(res.body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    t.ok(res.body.apiKeys.some((k) => k.apiKey === 3));
  });

  await t.test('ApiVersions v3 with an invalid client software name is INVALID_REQUEST', async (t) => {
    const w = await wire(t, b.port);
    w.send(encodeRequest(18, 3, 8, 'test', { clientSoftwareName: '-bad name-', clientSoftwareVersion: '1.0' }));
    const res = decodeResponse(18, 3, await w.next()) as { body: ApiVersionsResponse };
    t.equal(res.body.errorCode, ErrorCode.INVALID_REQUEST);
  });

  await t.test('Produce v0-v2 is advertised but closes the connection, as Kafka 4 does', async (t) => {
    const w = await wire(t, b.port);
    w.send(encodeRequest(0, 2, 1, 'old', { acks: 1, timeoutMs: 1000, topicData: [] }));
    await w.closed;
    t.ok(b.log.lines.some((l) => l.includes('Produce v2') && l.includes('not supported')));
  });

  await t.test('a version the schema knows but the handler does not gets UNSUPPORTED_VERSION', async (t) => {
    const w = await wire(t, b.port);
    w.send(encodeRequest(1, 3, 5, 'old', { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, topics: [] }));
    const res = decodeResponse(1, 3, await w.next()) as { correlationId: number; body: FetchResponse };
    t.equal(res.correlationId, 5);
    t.equal(res.body.errorCode ?? ErrorCode.NONE, ErrorCode.NONE, 'Fetch v3 has no top-level error field');
  });

  await t.test('an unknown api key or version closes the connection', async (t) => {
    const w = await wire(t, b.port);
    w.send(rawRequest(999, 0, 1));
    await w.closed;
    const w2 = await wire(t, b.port);
    w2.send(rawRequest(3, 99, 1));
    await w2.closed;
    t.pass('closed both');
  });

  await t.test('pipelined requests are answered in order', async (t) => {
    const w = await wire(t, b.port);
    const frames: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      frames.push(i % 2 === 0
        ? encodeRequest(18, 3, i, 'p', { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
        : encodeRequest(3, 12, i, 'p', { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }));
    }
    w.send(Buffer.concat(frames));
    for (let i = 0; i < 50; i++) {
      const f = await w.next();
      t.equal(f.readInt32BE(0), i, `response ${i} in order`);
    }
  });

  await t.test('fetch sessions: an unknown session id gets FETCH_SESSION_ID_NOT_FOUND; an empty full fetch creates no session', async (t) => {
    const w = await wire(t, b.port);
    const base = { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1000, isolationLevel: 0, topics: [], forgottenTopicsData: [], rackId: '' };
    w.send(encodeRequest(1, 12, 1, 'f', { ...base, sessionId: 123, sessionEpoch: 5 }));
    const res = decodeResponse(1, 12, await w.next()) as { body: FetchResponse };
    t.equal(res.body.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    w.send(encodeRequest(1, 12, 2, 'f', { ...base, sessionId: 0, sessionEpoch: 0 }));
    const full = decodeResponse(1, 12, await w.next()) as { body: FetchResponse };
    t.equal(full.body.errorCode, 0);
    t.equal(full.body.sessionId, 0, 'no session created');
  });

  await t.test('metadata lists this broker and the controller', async (t) => {
    const w = await wire(t, b.port);
    w.send(encodeRequest(3, 12, 9, 'm', { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }));
    const res = decodeResponse(3, 12, await w.next()) as { body: MetadataResponse };
    t.same(res.body.brokers.map((x) => [x.nodeId, x.host, x.port]), [[1, '127.0.0.1', b.port]]);
    t.equal(res.body.controllerId, 1);
    t.equal(res.body.clusterId, b.broker.clusterId);
  });
});

t.test('a handler exception becomes UNKNOWN_SERVER_ERROR, or closes the connection when the API has no error shape', async (t) => {
  const { buildBrokerConfig } = await import('../../src/broker/config.js');
  const { startBroker } = await import('../../src/broker/broker.js');
  const { memoryLogger } = await import('../../src/util/logger.js');
  const { apiHandlers } = await import('../../src/broker/apis/index.js');
  const { defineHandler } = await import('../../src/broker/handler.js');
  const { tempDir } = await import('./helpers.js');
  const throwingWithError = defineHandler<{ topics: unknown[] }, unknown>({
    apiKey: 2,
    minVersion: 1,
    maxVersion: 10,
    handle() {
      throw new Error('kaboom');
    },
    errorResponse(_request, errorCode) {
      return { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 }] }] };
    },
  });
  const throwingBare = defineHandler<unknown, unknown>({
    apiKey: 23,
    minVersion: 2,
    maxVersion: 4,
    handle() {
      throw new Error('bare kaboom');
    },
  });
  const apis = [...apiHandlers.filter((h) => h.apiKey !== 2 && h.apiKey !== 23), throwingWithError, throwingBare];
  const dir = await tempDir(t);
  const log = memoryLogger();
  const broker = await startBroker(buildBrokerConfig({ dataDir: dir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0'] }), { listen: true, log, apis });
  t.teardown(() => broker.stop());
  const port = broker.boundPorts[0]!.port;

  const w = await wire(t, port);
  w.send(encodeRequest(2, 7, 11, 'x', { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] }));
  const res = decodeResponse(2, 7, await w.next()) as { correlationId: number; body: { topics: { partitions: { errorCode: number }[] }[] } };
  t.equal(res.correlationId, 11);
  t.equal(res.body.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  t.ok(log.lines.some((l) => l.startsWith('ERROR') && l.includes('kaboom')), 'logged with the stack');

  const w2 = await wire(t, port);
  w2.send(encodeRequest(23, 4, 12, 'x', { replicaId: -1, topics: [] }));
  await w2.closed;
  t.ok(log.lines.some((l) => l.includes('bare kaboom')));

  const w3 = await wire(t, port);
  w3.send(encodeRequest(18, 3, 13, 'x', { clientSoftwareName: 'ok', clientSoftwareVersion: '1' }));
  t.equal((decodeResponse(18, 3, await w3.next()) as { body: ApiVersionsResponse }).body.errorCode, 0, 'the broker still serves');
});

t.test('pipelined idempotent produce requests append in sequence order on every partition', async (t) => {
  const { encodeRecordBatch } = await import('../../src/records/record-batch.js');
  const b = await runBroker(t);
  await b.broker.context.metadata.createTopic({ name: 'seq', numPartitions: 2, replicationFactor: 1 });
  const w = await wire(t, b.port);
  w.send(encodeRequest(22, 4, 1, 'idem', { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }));
  const init = decodeResponse(22, 4, await w.next()) as { body: { producerId: number; producerEpoch: number } };
  const { producerId, producerEpoch } = init.body;
  const batch = (seq: number, value: string) =>
    encodeRecordBatch({ producerId, producerEpoch, baseSequence: seq, records: [{ timestampMs: Date.now(), key: null, value: Buffer.from(value) }] });
  const produce = (id: number, parts: [number, Buffer][]) =>
    encodeRequest(0, 9, id, 'idem', { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'seq', partitionData: parts.map(([index, records]) => ({ index, records })) }] });
  // A writes partition 1 first, then 0; B (pipelined right behind A) writes the next sequence on 0.
  w.send(Buffer.concat([produce(2, [[1, batch(0, 'a1')], [0, batch(0, 'a0')]]), produce(3, [[0, batch(1, 'b0')]])]));
  for (const id of [2, 3]) {
    const res = decodeResponse(0, 9, await w.next()) as { correlationId: number; body: ProduceBody };
    t.equal(res.correlationId, id);
    for (const p of res.body.responses[0]!.partitionResponses) t.equal(p.errorCode, 0, `request ${id} partition ${p.index}`);
  }
  t.equal(b.broker.context.logManager.getLog('seq', 0)!.logEndOffset, 2);
});

interface ProduceBody {
  responses: { partitionResponses: { index: number; errorCode: number }[] }[];
}
