// `kts consumer-groups` against a real kts broker: list (with state filter), describe
// (offsets with lag, members, state, unknown groups), reset-offsets dry run / export /
// execute with its undo file checked against what a group consumer then reads, delete
// offsets and groups, --json, and usage errors.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { runKts } from '../helpers/run-kts.js';
import { connect, startTestBroker, tempDir } from '../client/helpers.js';
import type { KafkaClient } from '../../src/client/index.js';

const BROKER = ['group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'offsets.topic.num.partitions=3'];
const GROUP = { 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '200', 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '50' };

async function produce(client: KafkaClient, topic: string, prefix: string, count: number): Promise<void> {
  const p = client.producer({ 'linger.ms': '0' });
  for (let i = 0; i < count; i++) await p.send({ topic, partition: i % 3, value: `${prefix}${i}` });
  await p.close();
}

/** A group consumer that reads until `count` records (or 10 s), commits and closes. */
async function consume(client: KafkaClient, group: string, count: number): Promise<string[]> {
  const c = client.groupConsumer({ 'group.id': group, ...GROUP });
  c.subscribe(['orders']);
  const got: string[] = [];
  const end = Date.now() + 10_000;
  while (got.length < count && Date.now() < end) for (const r of await c.poll(200)) got.push(r.value!.toString());
  if (count === 0) await c.poll(500);
  await c.commitSync();
  await c.close();
  return got;
}

t.test('consumer-groups', async (t) => {
  const broker = await startTestBroker(t, BROKER);
  const client = await connect(t, broker);
  const cwd = await tempDir(t, 'kts-cg-');
  const kts = (cmd: string) => runKts(`consumer-groups --bootstrap-server ${broker.bootstrap} ${cmd}`, { cwd });
  await client.admin.createTopics([{ topic: 'orders', numPartitions: 3 }]);
  await produce(client, 'orders', 'a', 30);
  t.equal((await consume(client, 'app', 30)).length, 30);

  await t.test('list', async (t) => {
    const r = await kts('--list');
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'app\n');
    const s = await kts('--list --state empty');
    t.match(s.stdout, /^GROUP\s+TYPE\s+STATE\napp\s+Classic\s+Empty\n$/);
    t.equal((await kts('--list --state stable')).stdout, 'GROUP                     TYPE                 STATE\n');
    t.same(JSON.parse((await kts('--list --json')).stdout), [{ group: 'app', type: 'Classic', state: 'Empty' }]);
    t.equal((await kts('--list --state sleepy')).code, 2);
  });

  await t.test('describe offsets with lag', async (t) => {
    await produce(client, 'orders', 'b', 6);
    const r = await kts('--describe --group app');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, "Consumer group 'app' has no active members.");
    t.match(r.stderr, "Total lag of group 'app': 6 (orders: 6)");
    const lines = r.stdout.split('\n');
    t.equal(lines[0], '');
    t.match(lines[1], /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID$/);
    t.match(lines[2], /^app\s+orders\s+0\s+10\s+12\s+2\s+-\s+-\s+-$/);
    t.equal(lines.length, 6);
    const json = JSON.parse((await kts('--describe --group app --json')).stdout);
    t.equal(json[0].totalLag, 6);
    t.equal(json[0].offsets.length, 3);
    const missing = await kts('--describe --group nope');
    t.equal(missing.code, 1);
    t.equal(missing.stdout, "Error: Consumer group 'nope' does not exist.\n");
  });

  await t.test('describe members and state of an active group', async (t) => {
    const c = client.groupConsumer({ 'group.id': 'live', ...GROUP });
    c.subscribe(['orders']);
    await c.poll(500);
    t.teardown(() => c.close());
    const r = await kts('--describe --group live --members --verbose');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /GROUP\s+CONSUMER-ID\s+GROUP-INSTANCE-ID\s+HOST\s+CLIENT-ID\s+#PARTITIONS\s+ASSIGNMENT/);
    t.match(r.stdout, /live\s+kts-test-\S+\s+-\s+\/127\.0\.0\.1\s+kts-test\s+3\s+orders\(0,1,2\)/);
    const s = await kts('--describe --group live --state');
    t.match(s.stdout, /GROUP\s+COORDINATOR \(ID\)\s+ASSIGNMENT-STRATEGY\s+STATE\s+#MEMBERS/);
    t.match(s.stdout, /live\s+127\.0\.0\.1:\d+\s+\(1\)\s+range\s+Stable\s+1/);
    const reset = await kts('--reset-offsets --group live --all-topics --to-earliest');
    t.equal(reset.code, 1);
    t.match(reset.stderr, "Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.");
  });

  await t.test('reset offsets: dry run, export, execute, undo', async (t) => {
    const dry = await kts('--reset-offsets --group app --topic orders --to-earliest');
    t.equal(dry.code, 0, dry.stderr);
    t.match(dry.stdout, /GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET\napp\s+orders\s+0\s+0\napp\s+orders\s+1\s+0\napp\s+orders\s+2\s+0\n/);
    t.same((await client.groups.fetchOffsets('app')).map((o) => o.offset), [10, 10, 10], 'a dry run changes nothing');
    const exp = await kts('--reset-offsets --group app --topic orders:1 --shift-by -3 --export');
    t.equal(exp.stdout, 'orders,1,7\n');
    t.equal((await kts('--reset-offsets --group app --topic orders:0 --by-duration PT1H --export')).stdout, 'orders,0,0\n', 'every record is younger than an hour');
    t.equal((await kts('--reset-offsets --group app --topic orders:0 --to-datetime 2999-01-01T00:00:00.000 --export')).stdout, 'orders,0,12\n', 'no record that late: the log end');
    t.equal((await kts('--reset-offsets --group app --topic orders:0 --to-datetime 2000-01-01T00:00:00.000Z --export')).stdout, 'orders,0,0\n');
    t.equal((await kts('--reset-offsets --group app --topic orders:0 --to-current --export')).stdout, 'orders,0,10\n');
    t.equal((await kts('--reset-offsets --group app --topic orders:0 --to-latest --json')).stdout, '[{"group":"app","topic":"orders","partition":0,"newOffset":12}]\n');
    const clamped = await kts('--reset-offsets --group app --topic orders:2 --to-offset 999 --export');
    t.equal(clamped.stdout, 'orders,2,12\n', 'clamped to the log end offset');

    const exec = await kts('--reset-offsets --group app --topic orders:0,1 --to-earliest --execute');
    t.equal(exec.code, 0, exec.stderr);
    const undoPath = /Undo file with the previous offsets: (\S+)/.exec(exec.stderr)![1]!;
    t.equal(readFileSync(undoPath, 'utf8'), 'orders,0,10\norders,1,10\n');
    t.same((await client.groups.fetchOffsets('app')).map((o) => o.offset), [0, 0, 10]);
    const replay = await consume(client, 'app', 26);
    t.equal(replay.length, 26, 'partitions 0 and 1 from the start (12 + 12), partition 2 from 10 (2)');

    const undo = await kts(`--reset-offsets --group app --from-file ${undoPath} --execute`);
    t.equal(undo.code, 0, undo.stderr);
    t.same((await client.groups.fetchOffsets('app')).map((o) => o.offset), [10, 10, 12], 'undo restores the previous offsets');
    t.equal((await consume(client, 'app', 4)).length, 4, 'the consumer reads what the undone offsets leave');
  });

  await t.test('delete offsets and groups', async (t) => {
    const d = await kts('--delete-offsets --group app --topic orders:0');
    t.equal(d.code, 0, d.stderr);
    t.match(d.stdout, /^Request succeed for deleting offsets with topic orders group app\n\nTOPIC\s+PARTITION\s+STATUS\norders\s+0\s+Successful\n$/);
    t.same((await client.groups.fetchOffsets('app')).map((o) => o.partition), [1, 2]);
    const del = await kts('--delete --group app --group ghost');
    t.equal(del.code, 1);
    t.match(del.stdout, "Deletion of requested consumer groups ('app') was successful.");
    t.match(del.stdout, "* Group 'ghost' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException");
    t.equal((await kts('--list --state empty')).stdout.includes('app'), false);
  });

  await t.test('usage errors', async (t) => {
    t.equal((await kts('')).code, 2);
    t.equal((await kts('--describe')).code, 2);
    t.equal((await kts('--reset-offsets --group g --to-earliest')).code, 2, 'no scope');
    t.equal((await kts('--reset-offsets --group g --all-topics')).code, 2, 'no spec');
    t.equal((await kts('--reset-offsets --group g --all-topics --to-earliest --execute --dry-run')).code, 2);
    t.equal((await kts('--list --to-earliest')).code, 2);
    t.equal((await kts('--describe --group g --members --state')).code, 2);
    t.equal((await kts('--reset-offsets --group g --all-topics --by-duration soon')).code, 2);
  });
});
