// Fetch reads into pooled buffers (util/buffer-pool.ts) that go back to the pool once the
// connection has handed the response to the kernel. A buffer given back too early would show
// up here as another topic's bytes in a consumer's output: four kcat consumers read four
// topics with different contents at once, in fetches of 256 KiB, and each gets exactly its own;
// a client that pipelines megabyte Fetches and reads nothing for a while (its responses wait
// in the broker's write queue, holding their buffers) then finds only its topic's bytes in
// them, although other consumers' fetches went through the pool meanwhile.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { encodeRequest } from '../../src/protocol/codec.js';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { readBuffers } from '../../src/util/buffer-pool.js';
import { runBroker } from './helpers.js';

// Generous: kcat moves tens of MiB here, and CI runs files side by side on 2 cores.
t.setTimeout(300_000);

const TOPICS = ['reuse-a', 'reuse-b', 'reuse-c', 'reuse-d'];
const LINES = 6000;

const MiB = 1024 * 1024;

const linesOf = (topic: string): string[] => Array.from({ length: LINES }, (_, i) => `${topic} ${i} ${topic.repeat(1 + (i % 60))}`);

t.test('concurrent consumers each read their own bytes through reused buffers', { skip: hasKcat ? false : 'kcat is not installed (apt-get install kcat)' }, async (t) => {
  const b = await runBroker(t, ['num.partitions=1']);
  for (const topic of TOPICS) {
    const produced = await kcat(['-P', '-b', b.bootstrap, '-t', topic, '-X', 'linger.ms=20'], linesOf(topic).join('\n') + '\n', 60_000);
    t.equal(produced.code, 0, `produced ${topic} ${produced.stderr}`);
  }
  const reusedBefore = readBuffers.reused;
  const consumed = await Promise.all(
    TOPICS.map((topic) => kcat(['-C', '-b', b.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'fetch.message.max.bytes=262144', '-X', 'check.crcs=true'], undefined, 90_000)),
  );
  TOPICS.forEach((topic, i) => {
    t.equal(consumed[i]!.code, 0, `kcat -C ${topic} ${consumed[i]!.stderr}`);
    const got = consumed[i]!.stdout.trimEnd().split('\n');
    t.equal(got.length, LINES, `${topic}: every record`);
    t.same(got, linesOf(topic), `${topic}: exactly its own records, in order`);
  });
  t.ok(readBuffers.reused > reusedBefore, `fetches reused pooled buffers (${readBuffers.reused - reusedBefore} times)`);
});

function fetchRequest(correlationId: number, topic: string, fetchOffset: number): Buffer {
  return encodeRequest(1, 12, correlationId, 'paused-reader', {
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 50 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: MiB }] }],
    forgottenTopicsData: [], rackId: '',
  });
}

/** Reads `count` size-prefixed response frames from a paused socket, resuming it. */
function readFrames(socket: Socket, count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const frames: Buffer[] = [];
    let pending = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${frames.length} of ${count} responses`)));
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        frames.push(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
      }
      if (frames.length >= count) resolve(frames);
    });
    socket.resume();
  });
}

t.test('responses waiting in a paused connection keep their buffers while others fetch', { skip: hasKcat ? false : 'kcat is not installed (apt-get install kcat)' }, async (t) => {
  const b = await runBroker(t, ['num.partitions=1']);
  // Big records: few per megabyte, so that a fetch of 1 MiB spans many file pages.
  const big = (topic: string): string[] => Array.from({ length: 800 }, (_, i) => `${topic} ${i} ${topic.repeat(1500)}`);
  for (const topic of ['paused', 'busy']) {
    const produced = await kcat(['-P', '-b', b.bootstrap, '-t', topic, '-X', 'linger.ms=20'], big(topic).join('\n') + '\n', 60_000);
    t.equal(produced.code, 0, `produced ${topic} ${produced.stderr}`);
  }
  const socket = connect(b.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.pause();
  const FETCHES = 12;
  for (let k = 0; k < FETCHES; k++) socket.write(fetchRequest(k, 'paused', (k * 60) % 700));
  const busy = await Promise.all([0, 1, 2].map(() => kcat(['-C', '-b', b.bootstrap, '-t', 'busy', '-o', 'beginning', '-e', '-q', '-X', 'fetch.message.max.bytes=262144'], undefined, 90_000)));
  for (const r of busy) {
    t.equal(r.code, 0, r.stderr);
    t.same(r.stdout.trimEnd().split('\n'), big('busy'), 'a busy consumer reads its topic exactly');
  }
  const frames = await readFrames(socket, FETCHES);
  t.equal(frames.length, FETCHES, 'every pipelined Fetch answered');
  frames.forEach((frame, k) => {
    t.ok(frame.includes('pausedpaused'), `response ${k} holds the paused topic's records`);
    t.notOk(frame.includes('busybusy'), `response ${k} holds none of the other topic's bytes`);
  });
});
