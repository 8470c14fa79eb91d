// Bounded memory across connections: 200 connections pipeline Fetches against a preloaded
// topic and never read their responses, while kcat (librdkafka) lists metadata, produces
// and consumes. The broker runs as a child process so its resident memory (VmRSS) is
// what is measured. Documented bound: 400 MiB under this load; within 50 MiB of the idle
// figure once the slow clients have gone.
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeRequest } from '../../src/protocol/codec.js';
import { startChildBroker, residentBytes } from '../helpers/child-broker.js';
import { hasKcat, kcat } from '../helpers/kcat.js';
import { tempDir } from './helpers.js';

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = !built ? 'run `npm run build` first' : !hasKcat ? 'kcat is not installed (apt-get install kcat)' : !existsSync('/proc/self/status') ? 'needs /proc' : false;
const MiB = 1024 * 1024;
const CONNECTIONS = 200;
const PIPELINED = 5;
const RSS_BOUND = 400 * MiB;
const RETURN_SLACK = 50 * MiB;

/** A Fetch as a Java or librdkafka consumer sends it: 50 MiB per response, 1 MiB per partition. */
function fetchRequest(correlationId: number, fetchOffset: number): Buffer {
  return encodeRequest(1, 12, correlationId, 'slow-reader', {
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 50 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'preloaded', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: MiB }] }],
    forgottenTopicsData: [], rackId: '',
  });
}

const until = async (what: string, check: () => boolean, attempts = 200): Promise<void> => {
  for (let i = 0; i < attempts && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!check()) throw new Error(`gave up waiting for ${what}`);
};

t.test('200 slow readers pipelining Fetches: RSS bounded, kcat still served, memory returned after', { skip }, async (t) => {
  const dataDir = await tempDir(t);
  // glibc's dynamic mmap threshold keeps freed response buffers in the heap; the fixed
  // threshold the README recommends for a broker gives them back (see README, Memory).
  const b = await startChildBroker(t, { dataDir, env: { MALLOC_MMAP_THRESHOLD_: '131072' } });
  t.teardown(() => b.stop());
  const line = 'x'.repeat(1000) + '\n';
  const preload = spawnSync('kcat', ['-P', '-b', b.bootstrap, '-t', 'preloaded', '-p', '0'], { input: line.repeat(16_384), maxBuffer: 1 << 30 });
  t.equal(preload.status, 0, 'kcat preloaded 16 MiB');
  const idle = residentBytes(b.pid);

  let peak = idle;
  const alive = (): boolean => b.child.exitCode === null && b.child.signalCode === null;
  const sampler = setInterval(() => {
    if (alive()) peak = Math.max(peak, residentBytes(b.pid));
  }, 50);
  let stopping = false;
  t.teardown(() => {
    if (!alive() && !stopping) t.comment(`broker exited (${b.child.exitCode ?? b.child.signalCode}):\n${b.output().slice(-4000)}`);
  });
  t.teardown(() => clearInterval(sampler));
  const slow: Socket[] = [];
  t.teardown(() => slow.forEach((s) => s.destroy()));
  for (let c = 0; c < CONNECTIONS; c++) {
    const s = connect(b.port, '127.0.0.1');
    s.on('error', () => {});
    s.pause(); // never reads a response
    for (let k = 0; k < PIPELINED; k++) s.write(fetchRequest(k, ((c * PIPELINED + k) * 16) % 15_000));
    slow.push(s);
  }

  // Until every slow socket's kernel buffers are full (a few MiB each) the broker is busy
  // pushing responses into them: on a loaded 2-core machine that takes several seconds, so
  // the first request of a new client may wait that long; none is refused.
  const patient = ['-m', '90', '-X', 'api.version.request.timeout.ms=90000', '-X', 'socket.timeout.ms=90000'];
  const firstStartMs = performance.now();
  const first = await kcat(['-L', '-b', b.bootstrap, '-t', 'preloaded', ...patient], undefined, 120_000);
  const firstMs = performance.now() - firstStartMs;
  t.equal(first.code, 0, `kcat -L answered meanwhile ${first.stderr}`);
  t.match(first.stdout, /topic "preloaded" with 1 partitions/, 'with the topic, while the slow readers are connected');
  t.comment(`first kcat -L among ${CONNECTIONS} slow readers answered in ${firstMs.toFixed(0)} ms`);
  // Then the slow readers hold what the budget allows and are muted; kcat is served at once
  // (the figure is reported, not asserted: the first kcat may have come before the burst,
  // and this one in it, on a loaded machine).
  const secondStartMs = performance.now();
  const listed = await kcat(['-L', '-b', b.bootstrap, '-t', 'preloaded', ...patient], undefined, 120_000);
  t.comment(`second kcat -L answered in ${(performance.now() - secondStartMs).toFixed(0)} ms`);
  t.equal(listed.code, 0, `kcat -L answered again ${listed.stderr}`);
  t.match(listed.stdout, /topic "preloaded" with 1 partitions/);
  const produced = await kcat(['-P', '-b', b.bootstrap, '-t', 'side', '-X', 'message.timeout.ms=60000'], 'a\nb\nc\n', 90_000);
  t.equal(produced.code, 0, `kcat -P delivered meanwhile ${produced.stderr}`);
  const consumed = await kcat(['-C', '-b', b.bootstrap, '-t', 'side', '-e', '-q'], undefined, 60_000);
  t.equal(consumed.stdout, 'a\nb\nc\n', 'and kcat -C read them back');
  peak = Math.max(peak, residentBytes(b.pid));
  t.comment(`RSS idle ${(idle / MiB).toFixed(0)} MiB, peak under ${CONNECTIONS} slow readers ${(peak / MiB).toFixed(0)} MiB`);
  t.ok(peak <= RSS_BOUND, `peak RSS ${(peak / MiB).toFixed(0)} MiB is within ${RSS_BOUND / MiB} MiB`);

  for (const s of slow) s.destroy();
  clearInterval(sampler);
  await until('RSS to come back', () => residentBytes(b.pid) <= idle + RETURN_SLACK).catch(() => undefined);
  const after = residentBytes(b.pid);
  t.comment(`RSS after the slow readers left ${(after / MiB).toFixed(0)} MiB`);
  t.ok(after <= idle + RETURN_SLACK, `RSS ${(after / MiB).toFixed(0)} MiB is within 50 MiB of idle (${(idle / MiB).toFixed(0)} MiB)`);
  stopping = true;
  t.equal(await b.stop(), 0, 'the broker stops cleanly');
});
