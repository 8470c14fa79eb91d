// Flag validation that happens before any connection: exit code 2 and a clear message.
import t from 'tap';
import { runKts } from '../../helpers/run-kts.js';

const cases: [string, RegExp][] = [
  ['topics --create --partitions 3', /--create needs --topic <name>/],
  ['topics --list --describe', /exactly one action/],
  ['topics --partitions 3', /exactly one action/],
  ['topics --create --topic t --replication-factor 0', /between 1 and 32767/],
  ['topics --create --topic t --replica-assignment 1:2 --partitions 2', /cannot be used with --partitions/],
  ['topics --list --config a=b', /--config can only be used with --create/],
  ['topics --create --topic "bad name"', /illegal/],
  ['topics --alter --topic t', /--alter needs --partitions/],
  ['topics --alter --topic t --delete-config retention.ms', /--delete-config is not supported by topics/],
  ['console-producer', /needs --topic/],
  ['console-producer --topic t -f "%k %v"', /must end with a record delimiter/],
  ['console-producer --topic t --property parse.headers=true --property headers.delimiter=,', /may not be equal/],
  ['console-consumer --topic t --group g --partition 0', /--group and --partition cannot be specified together/],
  ['console-consumer --topic t --consumer-property enable.auto.commit=false', /need\(s\) --group/],
  ['console-consumer', /Exactly one of --topic or --include/],
  ['console-consumer --topic t --offset 5', /partition is required/],
  ['console-consumer --topic t --partition 0 --offset soon', /--offset must be/],
  ['console-consumer --topic t --from-beginning --from-time 1h', /cannot be combined/],
  ['console-consumer --topic t --property print.nothing=true', /unknown formatter property/],
  ['get-offsets --topic-partitions a:1 --topic a', /cannot be used with --topic/],
  ['get-offsets --time -9', /not one of -1..-5/],
  ['configs --describe', /exactly one entity/i],
  ['configs --alter --topic t', /--alter needs --add-config/],
  ['configs --describe --topic t --add-config a=b', /only be used with --alter/],
  ['configs --alter --topic t --add-config a=b --delete-config a', /both added and deleted/],
  ['configs --describe --entity-type brokers --entity-name x', /must be a broker id/],
  ['delete-records', /needs --offset-json-file/],
  ['log-dirs', /needs --describe/],
];

for (const [cmd, message] of cases) {
  t.test(cmd, async (t) => {
    const r = await runKts(cmd, { env: { KTS_DATA_DIR: '/nonexistent-kts-test-dir' } });
    t.equal(r.code, 2, r.stderr);
    t.match(r.stderr, message);
    t.equal(r.stdout, '');
  });
}

t.test('every command answers --help with its flags', async (t) => {
  for (const c of ['topics', 'console-producer', 'console-consumer', 'get-offsets', 'configs', 'delete-records', 'log-dirs']) {
    const r = await runKts(`${c} --help`);
    t.equal(r.code, 0);
    t.match(r.stdout, '--bootstrap-server');
  }
});
