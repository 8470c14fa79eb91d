// replica.high.watermark.checkpoint.interval.ms: the high watermark reaches
// replication-offset-checkpoint on that schedule even when log.flush.offset.checkpoint.interval.ms
// is long (Kafka checkpoints high watermarks every 5 s by default).
import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runBroker } from './helpers.js';
import { hasKcat, kcat } from '../helpers/kcat.js';

t.test('high watermark checkpointed on replica.high.watermark.checkpoint.interval.ms', { skip: hasKcat ? false : 'kcat is not installed' }, async (t) => {
  const b = await runBroker(t, ['log.flush.offset.checkpoint.interval.ms=3600000', 'replica.high.watermark.checkpoint.interval.ms=1000']);
  const produced = await kcat(['-b', b.bootstrap, '-P', '-t', 'hw', '-p', '0', '-X', 'topic.request.required.acks=-1'], 'a\nb\nc\n');
  t.equal(produced.code, 0, produced.stderr);
  const file = join(b.dataDir, 'replication-offset-checkpoint');
  let text = '';
  for (let i = 0; i < 200 && !/^hw 0 3$/m.test(text); i++) {
    await new Promise((r) => setTimeout(r, 50));
    text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
  t.match(text, /^hw 0 3$/m, 'high watermark 3 written without waiting for the hour-long offset checkpoint');
});
