// A consumer's Fetch parked at the partition's end while a log-dir move swaps the partition's
// log for its copy: a record appended after the swap (to the new log) must answer it, as any
// append does. The request used to keep the log it resolved on arrival, which the swap had
// closed, so it saw nothing until its max wait ran out. In-process broker with two log dirs,
// kcat as the producer, the Fetch sent by hand so that one request is watched.
import t from 'tap';
import { connect } from 'node:net';
import { join } from 'node:path';
import { encodeRequest, decodeResponse } from '../../src/protocol/codec.js';
import { openClient } from '../../src/client/index.js';
import { waitFor } from '../helpers/cluster-checks.js';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { tempDir } from './helpers.js';

t.setTimeout(300_000);

const MAX_WAIT_MS = 60_000;

function parkedFetch(topic: string, fetchOffset: number): Buffer {
  return encodeRequest(1, 12, 7, 'parked', {
    replicaId: -1, maxWaitMs: MAX_WAIT_MS, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
}

interface FetchBody {
  responses: { partitions: { errorCode: number; highWatermark: bigint | number; records: Buffer | null }[] }[];
}

t.test('a Fetch parked during a log-dir move is answered by the first record after the swap', { skip: hasKcat ? false : 'kcat is not installed (apt-get install kcat)' }, async (t) => {
  const root = await tempDir(t, 'kts-parked-move-');
  const [a, b] = [join(root, 'a'), join(root, 'b')];
  // Two log dirs: log.dirs, not a data dir (which would be the only one).
  const config = buildBrokerConfig({ env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', `log.dirs=${a},${b}`, 'num.partitions=1'] });
  const running = await startBroker(config, { listen: true, log: memoryLogger() });
  t.teardown(() => running.stop());
  const port = running.boundPorts[0]!.port;
  const broker = { port, bootstrap: `127.0.0.1:${port}` };
  const seeded = Array.from({ length: 500 }, (_, i) => `seed-${i}`);
  t.equal((await kcat(['-P', '-b', broker.bootstrap, '-t', 'pm'], `${seeded.join('\n')}\n`, 60_000)).code, 0);
  const client = await openClient({ bootstrapServer: broker.bootstrap });
  t.teardown(() => client.close());
  const describe = async () => (await client.admin.describeLogDirs({ topics: ['pm'] })).flatMap((d) => d.topics.flatMap((tp) => tp.partitions.map((p) => ({ dir: d.logDir, future: p.isFutureKey }))));
  const [where] = await describe();
  const target = where!.dir === a ? b : a;

  const socket = connect(broker.port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  socket.write(parkedFetch('pm', seeded.length));

  const brokerId = (await client.admin.describeCluster()).brokers[0]!.nodeId;
  const outcomes = await client.admin.alterReplicaLogDirs([{ topic: 'pm', partition: 0, brokerId, logDir: target }]);
  t.same(outcomes.map((o) => o.error), [null], 'the move started');
  await waitFor('the move to finish', async () => {
    const now = await describe();
    return now.length === 1 && now[0]!.dir === target && !now[0]!.future ? true : undefined;
  });
  t.equal(received.length, 0, 'the Fetch is still parked after the swap');

  t.equal((await kcat(['-P', '-b', broker.bootstrap, '-t', 'pm'], 'after-the-swap\n', 60_000)).code, 0);
  // The answer comes with the append; without it, only after MAX_WAIT_MS, with no records.
  const frame = await waitFor('the parked Fetch answered', () => (received.length >= 4 && received.length >= 4 + received.readInt32BE(0) ? received.subarray(4, 4 + received.readInt32BE(0)) : undefined), MAX_WAIT_MS * 2);
  const body = decodeResponse(1, 12, frame).body as FetchBody;
  const p = body.responses[0]!.partitions[0]!;
  t.equal(p.errorCode, 0);
  t.ok(p.records !== null && p.records.includes('after-the-swap'), 'it carries the record appended to the moved log');
});
