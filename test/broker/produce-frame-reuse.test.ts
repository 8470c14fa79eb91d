// Produce requests that span socket reads are joined into pooled buffers (server-connection.ts
// produceFrames) that go back to the pool once the request is answered. A buffer given back
// while its request was still being appended would show up here as another producer's bytes
// in a topic: four kcat producers write four topics with different contents at once, in
// batches of up to 1 MB (so each request spans many reads and reuses the buffers of the
// others), with acks=1 and acks=all; each topic then holds exactly its own records, with
// valid CRCs.
import t from 'tap';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { produceFrames } from '../../src/net/server-connection.js';
import { runBroker } from './helpers.js';

// Loaded CI runs (files in parallel on 2 cores) can take minutes; nothing here is timed.
t.setTimeout(300_000);

const TOPICS = ['frames-a', 'frames-b', 'frames-c', 'frames-d'];
const LINES = 20_000;

const linesOf = (topic: string): string[] => Array.from({ length: LINES }, (_, i) => `${topic} ${i} ${topic.repeat(1 + (i % 40))}`);

t.test('concurrent producers each write their own bytes through reused request buffers', { skip: hasKcat ? false : 'kcat is not installed (apt-get install kcat)' }, async (t) => {
  const b = await runBroker(t, ['num.partitions=1']);
  const reusedBefore = produceFrames.reused;
  const takenBefore = produceFrames.reused + produceFrames.allocated;
  const produced = await Promise.all(
    TOPICS.map((topic, i) =>
      // No retries: a request whose bytes were overwritten fails its CRC check, and a retry would hide it.
      kcat(['-P', '-b', b.bootstrap, '-t', topic, '-X', 'linger.ms=20', '-X', 'batch.size=1000000', '-X', 'message.send.max.retries=0', '-X', 'request.timeout.ms=120000', '-X', 'enable.idempotence=false', '-X', `acks=${i % 2 === 0 ? 'all' : '1'}`], linesOf(topic).join('\n') + '\n', 90_000),
    ),
  );
  produced.forEach((r, i) => {
    t.equal(r.code, 0, `produced ${TOPICS[i]} ${r.stderr}`);
    t.notMatch(r.stderr, /fail|error/i, `${TOPICS[i]}: every request accepted the first time`);
  });
  const consumed = await Promise.all(TOPICS.map((topic) => kcat(['-C', '-b', b.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'check.crcs=true'], undefined, 90_000)));
  TOPICS.forEach((topic, i) => {
    t.equal(consumed[i]!.code, 0, `kcat -C ${topic} ${consumed[i]!.stderr}`);
    const got = consumed[i]!.stdout.trimEnd().split('\n');
    t.equal(got.length, LINES, `${topic}: every record`);
    t.same(got, linesOf(topic), `${topic}: exactly its own records, in order`);
  });
  // Requests of a megabyte span socket reads (64 KiB each), so they are joined in the pool.
  t.ok(produceFrames.reused + produceFrames.allocated > takenBefore, `produce requests were joined in pooled buffers (${produceFrames.reused - reusedBefore} of them reused)`);
});
