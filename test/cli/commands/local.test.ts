// The same commands on the local engine: no --bootstrap-server, a temp --data-dir (or
// KTS_DATA_DIR), in-process and as the built binary; data persists between invocations.
import t from 'tap';
import { runKts, runKtsProcess } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';

t.test('topics and console tools on a local data dir, in-process', async (t) => {
  const dir = await tempDir(t);
  const kts = (cmd: string, stdin?: string) => runKts(`${cmd} --data-dir ${dir}`, { stdin });
  const c = await kts('topics --create --topic local --partitions 2');
  t.equal(c.code, 0, c.stderr);
  t.equal(c.stdout, 'Created topic local.\n');
  t.equal((await kts('topics --list --exclude-internal')).stdout, 'local\n');
  const p = await kts('console-producer --topic local --partition 1 --property parse.key=true', 'k\tv\nk2\tv2\n');
  t.equal(p.code, 0, p.stderr);
  t.equal((await kts('get-offsets --topic local')).stdout, 'local:0:0\nlocal:1:2\n');
  const r = await kts('console-consumer --topic local --from-beginning --until-end --property print.key=true');
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'k\tv\nk2\tv2\n');
  const cfg = await kts('configs --alter --topic local --add-config retention.ms=5000');
  t.equal(cfg.code, 0, cfg.stderr);
  t.match((await kts('configs --describe --topic local')).stdout, /retention\.ms=5000/);
});

t.test('KTS_DATA_DIR selects the data dir; the built binary shares it', async (t) => {
  const dir = await tempDir(t);
  const env = { KTS_DATA_DIR: dir };
  const c = await runKts('topics --create --topic envdir', { env });
  t.equal(c.code, 0, c.stderr);
  const p = await runKtsProcess('console-producer --topic envdir', { env, stdin: 'one\ntwo\n' });
  t.equal(p.code, 0, p.stderr);
  const r = await runKtsProcess('console-consumer --topic envdir --from-beginning --until-end --json', { env });
  t.equal(r.code, 0, r.stderr);
  t.same(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { value: string; offset: number }).value),
    ['one', 'two'],
  );
  t.equal(r.stderr, 'Processed a total of 2 messages\n');
});
