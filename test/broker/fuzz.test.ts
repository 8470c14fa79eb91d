// Throws random and mutated request frames at a running broker (seeded, so the run is
// reproducible), then checks the broker still serves a real client (kafkajs).
import t from 'tap';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { encodeRequest } from '../../src/protocol/codec.js';
import { encodeRecordBatch } from '../../src/records/record-batch.js';
import { runBroker } from './helpers.js';

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function validFrames(): Buffer[] {
  const batch = encodeRecordBatch({
    records: [
      { timestampMs: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('v') },
      { timestampMs: 1_700_000_000_001, key: null, value: Buffer.from('w') },
    ],
  });
  return [
    encodeRequest(18, 3, 1, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
    encodeRequest(3, 12, 2, 'fuzz', { topics: [{ name: 'fuzzed', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false }),
    encodeRequest(0, 9, 3, 'fuzz', { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzzed', partitionData: [{ index: 0, records: batch }] }] }),
    encodeRequest(1, 12, 4, 'fuzz', { replicaId: -1, maxWaitMs: 50, minBytes: 1, maxBytes: 100_000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: 'fuzzed', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 10_000 }] }], forgottenTopicsData: [], rackId: '' }),
    encodeRequest(2, 7, 5, 'fuzz', { replicaId: -1, isolationLevel: 0, topics: [{ name: 'fuzzed', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] }),
    encodeRequest(22, 4, 6, 'fuzz', { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 }),
  ];
}

function mutate(frame: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(frame);
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) {
    // flip a few bytes after the size prefix (keep the size honest so the body is parsed)
    const flips = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < flips; i++) out[4 + Math.floor(rnd() * (out.length - 4))] = Math.floor(rnd() * 256);
    return out;
  }
  if (kind === 1) {
    // truncate the body but fix the size prefix: a frame that ends early
    const len = 4 + Math.floor(rnd() * (out.length - 4));
    const cut = out.subarray(0, len);
    cut.writeInt32BE(len - 4, 0);
    return cut;
  }
  if (kind === 2) {
    // a lying size prefix (more or less than sent, or negative/huge)
    const choices = [-1, 0, 1, out.length * 2, 0x7fffffff, out.length - 5];
    out.writeInt32BE(choices[Math.floor(rnd() * choices.length)]!, 0);
    return out;
  }
  // pure random bytes with a correct size prefix
  const len = Math.floor(rnd() * 200);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = Math.floor(rnd() * 256);
  const size = Buffer.alloc(4);
  size.writeInt32BE(len);
  return Buffer.concat([size, body]);
}

function throwFrame(port: number, frame: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(frame));
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, 150);
    s.on('data', () => undefined);
    s.on('close', done);
    s.on('error', done);
  });
}

t.test('random and mutated frames never take the broker down', async (t) => {
  const b = await runBroker(t, ['socket.request.max.bytes=1048576']);
  const rnd = prng(20261122);
  const valid = validFrames();
  const cases: Buffer[] = [];
  for (let i = 0; i < 600; i++) cases.push(mutate(valid[Math.floor(rnd() * valid.length)]!, rnd));
  for (let i = 0; i < cases.length; i += 30) {
    await Promise.all(cases.slice(i, i + 30).map((f) => throwFrame(b.port, f)));
  }

  const kafka = new Kafka({ clientId: 'after-fuzz', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const res = await producer.send({ topic: 'after-fuzz', messages: [{ key: 'a', value: 'still alive' }] });
  t.equal(res[0]!.errorCode, 0, 'a real client still produces');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const offsets = await admin.fetchTopicOffsets('after-fuzz');
  t.equal(offsets[0]!.high, '1');
  t.notOk(b.log.lines.some((l) => l.startsWith('ERROR') && /TypeError|RangeError/.test(l)), 'no handler crashed on a JS error');
});
