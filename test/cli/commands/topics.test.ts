// kts topics against a real kts broker over TCP.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

t.test('create, list, describe, alter, delete', async (t) => {
  const b = await startCliBroker(t);
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${b.bootstrap}`);

  const created = await kts('topics --create --topic orders --partitions 3 --config retention.ms=60000');
  t.equal(created.code, 0, created.stderr);
  t.equal(created.stdout, 'Created topic orders.\n');

  const dotted = await kts('topics --create --topic my.events');
  t.equal(dotted.code, 0, dotted.stderr);
  t.match(dotted.stdout, /^WARNING: Due to limitations in metric names.*\nCreated topic my.events.\n$/);

  const again = await kts('topics --create --topic orders');
  t.equal(again.code, 1);
  t.match(again.stderr, /Topic 'orders' already exists/);
  const quiet = await kts('topics --create --topic orders --if-not-exists');
  t.equal(quiet.code, 0, quiet.stderr);
  t.equal(quiet.stdout, '');

  const list = await kts('topics --list --exclude-internal');
  t.equal(list.stdout, 'my.events\norders\n');

  const desc = await kts('topics --describe --topic orders');
  t.equal(desc.code, 0, desc.stderr);
  const lines = desc.stdout.trimEnd().split('\n');
  t.match(lines[0], /^Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: .*retention\.ms=60000/);
  t.equal(lines.length, 4);
  t.match(lines[1], /^\tTopic: orders\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+\tElr: N\/A\tLastKnownElr: N\/A$/);

  const json = JSON.parse((await kts('topics --describe --topic orders --json')).stdout) as { topic: string; partitionCount: number }[];
  t.equal(json[0]!.topic, 'orders');
  t.equal(json[0]!.partitionCount, 3);

  const regex = await kts("topics --describe --topic 'my\\..*'");
  t.match(regex.stdout, /^Topic: my\.events\t/);
  t.notMatch(regex.stdout, /orders/);

  const overrides = await kts('topics --describe --topics-with-overrides');
  t.match(overrides.stdout, /Topic: orders/);
  t.notMatch(overrides.stdout, /my\.events|\tPartition:/);

  const healthy = await kts('topics --describe --under-replicated-partitions');
  t.equal(healthy.stdout, '');

  const altered = await kts('topics --alter --topic orders --partitions 5');
  t.equal(altered.code, 0, altered.stderr);
  t.match(altered.stdout, /Adding partitions succeeded!/);
  t.match((await kts('topics --describe --topic orders')).stdout, /PartitionCount: 5/);
  const shrink = await kts('topics --alter --topic orders --partitions 2');
  t.equal(shrink.code, 1);
  t.match(shrink.stderr, /would not be an increase/);

  const del = await kts('topics --delete --topic orders');
  t.equal(del.code, 0, del.stderr);
  t.equal((await kts('topics --list --exclude-internal')).stdout, 'my.events\n');
  const missing = await kts('topics --delete --topic orders');
  t.equal(missing.code, 1);
  t.match(missing.stderr, /Topic 'orders' does not exist as expected/);
  t.equal((await kts('topics --delete --topic orders --if-exists')).code, 0);
});
