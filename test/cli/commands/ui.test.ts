// `kts ui` flags: bad values are refused with a message naming the flag, before anything starts.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';

t.test('kts ui refuses bad flags clearly', async (t) => {
  const listen = await runKts('ui --listen nope');
  t.equal(listen.code, 2);
  t.match(listen.stderr, /--listen nope: expected host:port, e\.g\. 127\.0\.0\.1:8048/);
  const port = await runKts('ui --listen 127.0.0.1:70000');
  t.equal(port.code, 2);
  t.match(port.stderr, /port 70000 is out of range/);
  const interval = await runKts('ui --sample-interval 0');
  t.equal(interval.code, 2);
  t.match(interval.stderr, /--sample-interval must be a positive number/);
  const cap = await runKts('ui --history-max-bytes 100');
  t.equal(cap.code, 2);
  t.match(cap.stderr, /--history-max-bytes must be at least 65536/);
});

t.test('kts ui --help shows examples', async (t) => {
  const r = await runKts('ui --help');
  t.equal(r.code, 0);
  t.match(r.stdout, /kts ui --bootstrap-server kafka1:9092 --read-only/);
  t.match(r.stdout, /--read-only/);
});
