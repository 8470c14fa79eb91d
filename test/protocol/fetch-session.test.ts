// The fetching side of KIP-227 fetch sessions (src/protocol/fetch-session.ts) against a real
// kts broker's session cache: a full fetch opens a session, incremental fetches name only
// changed partitions and get answers only for partitions with news, forgotten partitions leave
// the session, and a lost session (broker restart) turns into a full fetch again.
import t from 'tap';
import { ApiKey } from '../../src/protocol/apis.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { FetchSessionHandler, type WantedPartition } from '../../src/protocol/fetch-session.js';
import { connectToBroker } from '../../src/net/broker-connect.js';
import type { BrokerConnection } from '../../src/net/broker-connection.js';
import { runBroker, tempDir } from '../broker/helpers.js';
import { runKts } from '../helpers/run-kts.js';

const want = (offsets: Record<number, number>): WantedPartition[] =>
  Object.entries(offsets).map(([p, fetchOffset]) => ({ topic: 'sessions', request: { partition: Number(p), fetchOffset, logStartOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 } }));

async function fetch(conn: BrokerConnection, handler: FetchSessionHandler, wanted: WantedPartition[]) {
  const req = handler.build(wanted);
  const { body } = await conn.call(ApiKey.Fetch, () => ({
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
    sessionId: req.sessionId, sessionEpoch: req.sessionEpoch, topics: req.topics, forgottenTopicsData: req.forgottenTopicsData, rackId: '',
  }), { maxVersion: 12, minVersion: 7 });
  const ok = handler.handleResponse(body.errorCode ?? 0, body.sessionId);
  const answered = body.responses.flatMap((r) => r.partitions.map((p) => p.partitionIndex)).sort();
  const named = req.topics.flatMap((x) => x.partitions.map((p) => p.partition)).sort();
  const forgotten = req.forgottenTopicsData.flatMap((x) => x.partitions).sort();
  return { ok, body, req, answered, named, forgotten };
}

t.test('fetch sessions against a kts broker', async (t) => {
  const dataDir = await tempDir(t);
  let b = await runBroker(t, [], dataDir);
  t.equal((await runKts(['topics', '--create', '--topic', 'sessions', '--partitions', '3', '--bootstrap-server', b.bootstrap])).code, 0);
  let conn = await connectToBroker('127.0.0.1', b.port, 'fetch-session-test', 10_000);
  const handler = new FetchSessionHandler();

  const first = await fetch(conn, handler, want({ 0: 0, 1: 0, 2: 0 }));
  t.ok(first.req.full && first.req.sessionEpoch === 0, 'the first fetch is full, epoch 0');
  t.not(first.body.sessionId, 0, 'and the broker opens a session');
  t.same(first.answered, [0, 1, 2]);

  const quiet = await fetch(conn, handler, want({ 0: 0, 1: 0, 2: 0 }));
  t.same([quiet.req.full, quiet.req.sessionEpoch, quiet.named, quiet.answered], [false, 1, [], []], 'nothing changed: an empty incremental fetch, an empty answer');

  t.equal((await runKts(['console-producer', '--topic', 'sessions', '--bootstrap-server', b.bootstrap, '--property', 'parse.key=true'], { stdin: 'k\tv\n' })).code, 0);
  const news = await fetch(conn, handler, want({ 0: 0, 1: 0, 2: 0 }));
  t.equal(news.answered.length, 1, 'only the partition that got a record is answered');
  const p = news.answered[0]!;
  t.ok((news.body.responses[0]!.partitions[0]!.records?.length ?? 0) > 0, 'with its records');

  const moved = await fetch(conn, handler, want({ ...{ 0: 0, 1: 0, 2: 0 }, [p]: 1 }));
  t.same(moved.named, [p], 'the next fetch names only the partition whose offset moved');
  const others = [0, 1, 2].filter((x) => x !== p);
  const fewer = await fetch(conn, handler, want({ [p]: 1, [others[0]!]: 0 }));
  t.same([fewer.named, fewer.forgotten], [[], [others[1]]], 'a partition no longer wanted is forgotten');

  // The broker restarts: its sessions are gone.
  conn.channel.close();
  await b.broker.stop();
  b = await runBroker(t, [`listeners=PLAINTEXT://127.0.0.1:${b.port}`], dataDir);
  conn = await connectToBroker('127.0.0.1', b.port, 'fetch-session-test', 10_000);
  t.teardown(() => conn.channel.close());
  const lost = await fetch(conn, handler, want({ [p]: 1, [others[0]!]: 0 }));
  t.same([lost.ok, lost.body.errorCode], [false, ErrorCode.FETCH_SESSION_ID_NOT_FOUND], 'an unknown session is refused');
  const again = await fetch(conn, handler, want({ [p]: 1, [others[0]!]: 0 }));
  t.ok(again.ok && again.req.full && again.body.sessionId !== 0, 'the next fetch is full and opens a new session');
  t.same(again.answered, [p, others[0]!].sort());
});
