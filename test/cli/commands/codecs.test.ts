// Every compression codec through console-producer and back, on the local engine.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';
import { tempDir } from '../helpers.js';

t.test('every --compression-codec round-trips (bare flag = gzip)', async (t) => {
  const dir = await tempDir(t);
  const kts = (cmd: string, stdin?: string) => runKts(`${cmd} --data-dir ${dir}`, { stdin });
  await kts('topics --create --topic z');
  for (const codec of ['', 'none', 'snappy', 'lz4', 'zstd']) {
    const p = await kts(`console-producer --topic z --compression-codec ${codec}`, `${codec || 'gzip'}\n`);
    t.equal(p.code, 0, p.stderr);
  }
  const r = await kts('console-consumer --topic z --from-beginning --until-end');
  t.equal(r.stdout, 'gzip\nnone\nsnappy\nlz4\nzstd\n');
  const summary = await kts('console-producer --topic z --json --property parse.key=true', 'k\tv\nbad\n');
  t.equal(summary.code, 1);
  t.same(JSON.parse(summary.stdout), { topic: 'z', records: 1, failed: 0, badRecords: 1 });
});
