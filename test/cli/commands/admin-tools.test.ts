// get-offsets, configs, delete-records and log-dirs against a real kts broker.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker, tempDir } from '../helpers.js';

t.test('admin tools on one topic', async (t) => {
  const b = await startCliBroker(t);
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${b.bootstrap}`);
  await kts('topics --create --topic t --partitions 2');
  t.equal((await runKts(`console-producer --topic t --partition 0 --bootstrap-server ${b.bootstrap}`, { stdin: 'a\nb\nc\n' })).code, 0);

  const latest = await kts('get-offsets --topic t');
  t.equal(latest.code, 0, latest.stderr);
  t.equal(latest.stdout, 't:0:3\nt:1:0\n');
  t.equal((await kts('get-offsets --topic-partitions t:1 --time earliest')).stdout, 't:1:0\n');
  t.same(JSON.parse((await kts('get-offsets --topic t --partitions 0 --json')).stdout), [{ topic: 't', partition: 0, offset: 3 }]);

  const dir = await tempDir(t);
  const file = join(dir, 'del.json');
  writeFileSync(file, JSON.stringify({ partitions: [{ topic: 't', partition: 0, offset: 2 }], version: 1 }));
  const del = await kts(`delete-records --offset-json-file ${file}`);
  t.equal(del.code, 0, del.stderr);
  t.equal(del.stdout, 'Executing records delete operation\nRecords delete operation completed:\npartition: t-0\tlow_watermark: 2\n');
  t.equal((await kts('get-offsets --topic t --partitions 0 --time -2')).stdout, 't:0:2\n');
  writeFileSync(file, JSON.stringify({ partitions: [{ topic: 't', partition: 0, offset: 2 }, { topic: 't', partition: 0, offset: 3 }] }));
  const dup = await kts(`delete-records --offset-json-file ${file}`);
  t.equal(dup.code, 2);
  t.match(dup.stderr, /duplicate topic partitions: t-0/);

  const alter = await kts("configs --alter --topic t --add-config 'retention.ms=1000,cleanup.policy=[compact,delete]'");
  t.equal(alter.code, 0, alter.stderr);
  t.equal(alter.stdout, 'Completed updating config for topic t.\n');
  const d = await kts('configs --describe --topic t');
  t.equal(d.code, 0, d.stderr);
  const lines = d.stdout.trimEnd().split('\n');
  t.equal(lines[0], 'Dynamic configs for topic t are:');
  t.match(lines[1], /^  cleanup\.policy=compact,delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup\.policy=compact,delete/);
  t.match(lines[2], /^  retention\.ms=1000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=1000/);
  await kts('configs --alter --topic t --delete-config retention.ms');
  t.notMatch((await kts('configs --describe --topic t')).stdout, /retention\.ms/);
  const all = await kts('configs --describe --all --topic t');
  t.match(all.stdout, /^All configs for topic t are:\n/);
  t.match(all.stdout, /\n  segment\.bytes=/);

  const logDirs = await kts('log-dirs --describe --topic-list t');
  t.equal(logDirs.code, 0, logDirs.stderr);
  const [q, r, json] = logDirs.stdout.trimEnd().split('\n');
  t.equal(q, 'Querying brokers for log directories information');
  t.match(r, /^Received log directory information from brokers \d+$/);
  const data = JSON.parse(json!) as { version: number; brokers: { logDirs: { partitions: { partition: string; size: number }[] }[] }[] };
  t.equal(data.version, 1);
  const parts = data.brokers[0]!.logDirs.flatMap((l) => l.partitions).map((p) => p.partition).sort();
  t.same(parts, ['t-0', 't-1']);
  const bad = await kts('log-dirs --describe --broker-list 77');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /do not exist from --broker-list: 77/);
});
