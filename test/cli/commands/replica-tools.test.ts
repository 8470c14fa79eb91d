// kts broker-api-versions and kts leader-election against a real kts broker; leader-election
// and reassign --zookeeper against a real ZooKeeper (znodes written as Kafka 1.1's tools do).
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker, tempDir } from '../helpers.js';
import { needsZookeeper, startZooKeeper } from '../../helpers/zookeeper.js';
import { KafkaZkClient } from '../../../src/zk/index.js';
import { silentLogger } from '../../../src/util/logger.js';

t.test('broker-api-versions: Kafka\'s NodeApiVersions text and --json', async (t) => {
  const b = await startCliBroker(t, ['node.id=3']);
  const r = await runKts(`broker-api-versions --bootstrap-server ${b.bootstrap}`);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.equal(lines[0], `${b.bootstrap} (id: 3 rack: null) -> (`);
  t.match(lines[1], /^\tProduce\(0\): \d+ to (\d+) \[usable: \1\],$/, 'Produce: the broker\'s range, usable = the highest both speak');
  t.ok(lines.some((l) => /^\tApiVersions\(18\): 0 to \d+ \[usable: \d+\],?$/.test(l)));
  t.equal(lines.at(-2), ')');
  const keys = lines.slice(1, -2).map((l) => Number(/\((\d+)\)/.exec(l)?.[1]));
  t.same(keys, [...keys].sort((x, y) => x - y), 'ascending by key');
  const json = JSON.parse((await runKts(`broker-api-versions --bootstrap-server ${b.bootstrap} --json`)).stdout) as { nodeId: number; apis: { apiKey: number; name: string; maxVersion: number | null; usableVersion: number | null }[] }[];
  t.equal(json[0]!.nodeId, 3);
  const produce = json[0]!.apis.find((a) => a.apiKey === 0)!;
  t.equal(produce.usableVersion, produce.maxVersion);
});

t.test('leader-election: Kafka\'s checks and lines on a single broker', async (t) => {
  const b = await startCliBroker(t);
  const dir = await tempDir(t);
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${b.bootstrap}`, { cwd: dir });
  await kts('topics --create --topic e --partitions 2');
  const one = await kts('leader-election --election-type preferred --topic e --partition 1');
  t.equal(one.code, 0, one.stderr);
  t.equal(one.stdout, 'Valid replica already elected for partitions e-1\n', 'the only broker already leads');
  const all = await kts('leader-election --election-type PREFERRED --all-topic-partitions');
  t.match(all.stdout, /^Valid replica already elected for partitions .*e-0, e-1/);
  writeFileSync(join(dir, 'p.json'), JSON.stringify({ partitions: [{ topic: 'e', partition: 0 }, { topic: 'nope', partition: 0 }] }));
  const file = await kts('leader-election --election-type unclean --path-to-json-file p.json');
  t.equal(file.code, 1, 'a partition that could not be elected fails the command');
  t.equal(file.stdout, 'Valid replica already elected for partitions e-0\nError completing leader election (UNCLEAN) for partition: nope-0: UNKNOWN_TOPIC_OR_PARTITION' + file.stdout.split('UNKNOWN_TOPIC_OR_PARTITION')[1]);
  t.match(file.stderr, /1 replica\(s\) could not be elected/);
  t.same(JSON.parse((await kts('leader-election --election-type preferred --topic e --partition 0 --json')).stdout), [{ topic: 'e', partition: 0, result: 'not-needed', error: null }]);
  t.match((await kts('leader-election --topic e --partition 0')).stderr, /Missing required option\(s\): election-type/);
  t.match((await kts('leader-election --election-type preferred --topic e')).stderr, /Missing required option\(s\): partition/);
  t.match((await kts('leader-election --election-type preferred --partition 0 --all-topic-partitions')).stderr, /Option partition is only allowed if topic is used/);
  t.match((await kts('leader-election --election-type preferred --topic e --partition 0 --all-topic-partitions')).stderr, /One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file/);
  writeFileSync(join(dir, 'dup.json'), JSON.stringify({ partitions: [{ topic: 'e', partition: 0 }, { topic: 'e', partition: 0 }] }));
  t.match((await kts('leader-election --election-type preferred --path-to-json-file dup.json')).stderr, /Replica election data contains duplicate partitions: \[e-0\]/);
  writeFileSync(join(dir, 'none.json'), JSON.stringify({ version: 1 }));
  t.match((await kts('leader-election --election-type preferred --path-to-json-file none.json')).stderr, /Replica election data is missing "partitions" field/);
});

t.test('--zookeeper: leader-election and reassign write Kafka 1.1\'s admin znodes', { skip: needsZookeeper }, async (t) => {
  const server = await startZooKeeper(t);
  const zk = await KafkaZkClient.connect({ connect: server.connect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: silentLogger });
  t.teardown(() => zk.close());
  await zk.createTopLevelPaths();
  for (const id of [1, 2, 3]) await zk.registerBroker({ id, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + id }], rack: undefined });
  await zk.createTopic('z', new Map([[0, [1, 2]], [1, [2, 1]], [2, [1, 2]]]), {});
  const dir = await tempDir(t);
  const kts = (cmd: string) => runKts(`${cmd} --zookeeper ${server.connect}`, { cwd: dir });

  const elect = await kts('leader-election --election-type preferred --topic z --partition 1');
  t.equal(elect.code, 0, elect.stderr);
  t.equal(elect.stdout, 'Created preferred replica election path with {"version":1,"partitions":[{"topic":"z","partition":1}]}\nSuccessfully started preferred replica election for partitions Set(z-1)\n');
  t.same(await zk.getPreferredReplicaElection(), [{ topic: 'z', partition: 1 }], 'the znode the controller acts on');
  const again = await kts('leader-election --election-type preferred --all-topic-partitions');
  t.equal(again.code, 1);
  t.match(again.stderr, /Preferred replica leader election currently in progress for z-0, z-1, z-2\. Aborting operation/);
  t.match((await kts('leader-election --election-type unclean --topic z --partition 0')).stderr, /--zookeeper supports only preferred elections/);

  writeFileSync(join(dir, 'topics.json'), JSON.stringify({ topics: [{ topic: 'z' }], version: 1 }));
  const gen = await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 2,3');
  t.equal(gen.code, 0, gen.stderr);
  t.equal(gen.stdout, 'Current partition replica assignment\n{"version":1,"partitions":[{"topic":"z","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"z","partition":1,"replicas":[2,1],"log_dirs":["any","any"]},{"topic":"z","partition":2,"replicas":[1,2],"log_dirs":["any","any"]}]}\n\n' +
    'Proposed partition reassignment configuration\n' + gen.stdout.split('Proposed partition reassignment configuration\n')[1]);
  const proposed = JSON.parse(gen.stdout.split('Proposed partition reassignment configuration\n')[1]!) as { partitions: { replicas: number[] }[] };
  t.ok(proposed.partitions.every((p) => p.replicas.length === 2 && p.replicas.every((b) => b === 2 || b === 3)), 'proposed on brokers 2 and 3');
  const genFail = await kts('reassign --generate --topics-to-move-json-file topics.json --broker-list 3,4');
  t.match(genFail.stderr, /Replication factor: 2 larger than available brokers: 1\./, 'Kafka\'s message (unknown broker 4 ignored)');

  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ version: 1, partitions: [{ topic: 'z', partition: 0, replicas: [2, 3] }, { topic: 'z', partition: 1, replicas: [2, 1] }] }));
  const exec = await kts('reassign --execute --reassignment-json-file plan.json --throttle 1000000');
  t.equal(exec.code, 0, exec.stderr);
  t.equal(exec.stdout, [
    'Current partition replica assignment',
    '',
    '{"version":1,"partitions":[{"topic":"z","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"z","partition":1,"replicas":[2,1],"log_dirs":["any","any"]}]}',
    '',
    'Save this to use as the --reassignment-json-file option during rollback',
    'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
    'The inter-broker throttle limit was set to 1000000 B/s',
    'Successfully started partition reassignments for z-0,z-1',
    '',
  ].join('\n'));
  t.same([...(await zk.getPartitionReassignment()).values()], [{ topic: 'z', partition: 0, replicas: [2, 3] }, { topic: 'z', partition: 1, replicas: [2, 1] }], '/admin/reassign_partitions');
  t.same(await zk.getEntityConfig('topics', 'z'), { 'leader.replication.throttled.replicas': '0:1,0:2,1:1,1:2', 'follower.replication.throttled.replicas': '0:3' }, 'throttled replicas, as Kafka computes them');
  t.same(await zk.getEntityConfig('brokers', '3'), { 'leader.replication.throttled.rate': '1000000', 'follower.replication.throttled.rate': '1000000' });
  t.match((await kts('reassign --execute --reassignment-json-file plan.json')).stderr, /Cannot execute because there is an existing partition assignment/);
  t.equal((await kts('reassign --list')).stdout, 'Current partition reassignments:\nz-0: replicas: 1,2,3. adding: 3. removing: 1.\nz-1: replicas: 2,1.\n');
  t.equal((await kts('reassign --verify --reassignment-json-file plan.json')).stdout, 'Status of partition reassignment:\nReassignment of partition z-0 is still in progress.\nReassignment of partition z-1 is still in progress.\n');

  // What the controller does when it has finished: the new assignment, the znode removed.
  await zk.setReplicaAssignment('z', new Map([[0, [2, 3]], [1, [2, 1]], [2, [1, 2]]]), -1);
  await zk.zk.delete('/admin/reassign_partitions', -1);
  const verify = await kts('reassign --verify --reassignment-json-file plan.json');
  t.equal(verify.stdout, 'Status of partition reassignment:\nReassignment of partition z-0 is completed.\nReassignment of partition z-1 is completed.\nClearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic z\n');
  t.same(await zk.getEntityConfig('topics', 'z'), {}, 'topic throttles removed');
  t.same(await zk.getEntityConfig('brokers', '3'), {}, 'broker throttles removed');
  t.match((await kts('reassign --cancel --reassignment-json-file plan.json')).stderr, /--cancel needs --bootstrap-server/);
  writeFileSync(join(dir, 'dirs.json'), JSON.stringify({ version: 1, partitions: [{ topic: 'z', partition: 2, replicas: [1, 2], log_dirs: ['/d', 'any'] }] }));
  t.match((await kts('reassign --execute --reassignment-json-file dirs.json')).stderr, /log_dirs other than "any"\) needs --bootstrap-server/);
});

t.test('replica-verification: one pass over a broker\'s topics', async (t) => {
  const b = await startCliBroker(t);
  const kts = (cmd: string) => runKts(`${cmd} --bootstrap-server ${b.bootstrap}`);
  await kts('topics --create --topic rv --partitions 2');
  await runKts(`console-producer --topic rv --bootstrap-server ${b.bootstrap}`, { stdin: Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n') + '\n' });
  const r = await runKts(`replica-verification --broker-list ${b.bootstrap} --topics-include rv --time -2 --once --fetch-size 1000`);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: verification process is started$/);
  t.match(lines.at(-1), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: max lag is 0 for partition rv-\d at offset \d+ among 2 partitions$/, 'verified up to the high watermark in small fetches');
  const none = await runKts(`replica-verification --broker-list ${b.bootstrap} --topics-include 'nothing.*'`);
  t.equal(none.code, 1);
  t.match(none.stderr, /No topics found\. --topics-include if specified, is either filtering out all topics or there is no topic\./);
});
