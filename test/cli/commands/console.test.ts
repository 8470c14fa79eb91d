// console-producer and console-consumer in-process against a real kts broker over TCP.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { runKts } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

t.test('produce lines with keys and headers, consume them in Kafka format', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic t --partitions 1 ${bs}`)).code, 0);
  const input = 'h1:a,h2:b\tk1\tv1\nh3:c\tk2\tvalue with\ttab\n';
  const p = await runKts(`console-producer --topic t --property parse.key=true --property parse.headers=true ${bs}`, { stdin: input });
  t.equal(p.code, 0, p.stderr);
  t.equal(p.stdout, '');

  const c = await runKts(
    `console-consumer --topic t --from-beginning --max-messages 2 --property print.key=true --property print.headers=true --property print.offset=true --property print.partition=true ${bs}`,
  );
  t.equal(c.code, 0, c.stderr);
  t.equal(c.stdout, 'Partition:0\tOffset:0\th1:a,h2:b\tk1\tv1\nPartition:0\tOffset:1\th3:c\tk2\tvalue with\ttab\n');
  t.equal(c.stderr, 'Processed a total of 2 messages\n');

  const f = await runKts(`console-consumer --topic t --from-beginning --until-end -f '%p/%o %k=%v\\n' ${bs}`);
  t.equal(f.code, 0, f.stderr);
  t.equal(f.stdout, '0/0 k1=v1\n0/1 k2=value with\ttab\n');

  const one = await runKts(`console-consumer --topic t --partition 0 --offset 1 --max-messages 1 ${bs}`);
  t.equal(one.stdout, 'value with\ttab\n');
});

t.test('a bad line is reported with its line number and makes the exit code 1', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic t ${bs}`);
  const p = await runKts(`console-producer --topic t --property parse.key=true ${bs}`, { stdin: 'a\tb\nno-separator\nc\td\n' });
  t.equal(p.code, 1);
  t.match(p.stderr, "No key separator found on line number 2: 'no-separator'");
  const c = await runKts(`console-consumer --topic t --from-beginning --until-end --property print.key=true ${bs}`);
  t.equal(c.stdout, 'a\tb\nc\td\n', 'the good lines were sent');
  const ignored = await runKts(`console-producer --topic t --property parse.key=true --property ignore.error=true ${bs}`, { stdin: 'x\n' });
  t.equal(ignored.code, 0, ignored.stderr);
});

t.test('consume --json | produce --input-format json copies records exactly, binary included', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic src ${bs}`);
  await runKts(`topics --create --topic dst ${bs}`);
  const records = [
    { key: 'k', value: 'plain', headers: [{ key: 'h', value: 'x' }], timestamp: 1700000000000 },
    { key: null, value: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), valueEncoding: 'base64', headers: [{ key: 'n', value: null }], timestamp: 1700000000001 },
    { key: 'tomb', value: null, headers: [], timestamp: 1700000000002 },
  ];
  const p = await runKts(`console-producer --topic src --input-format json ${bs}`, { stdin: records.map((r) => JSON.stringify(r)).join('\n') + '\n' });
  t.equal(p.code, 0, p.stderr);
  const out = await runKts(`console-consumer --topic src --from-beginning --until-end --json ${bs}`);
  t.equal(out.code, 0, out.stderr);
  const copy = await runKts(`console-producer --topic dst --input-format json ${bs}`, { stdin: out.stdout });
  t.equal(copy.code, 0, copy.stderr);
  const back = await runKts(`console-consumer --topic dst --from-beginning --until-end --json ${bs}`);
  const strip = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => {
        const { topic: _t, offset: _o, leaderEpoch: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });
  t.same(strip(back.stdout), strip(out.stdout));
  const second = strip(back.stdout)[1] as { value: string; valueEncoding: string; key: null; timestamp: number };
  t.equal(second.valueEncoding, 'base64');
  t.same(Buffer.from(second.value, 'base64'), Buffer.from([0xff, 0xfe, 0x00]));
  t.equal(second.key, null);
  t.equal(second.timestamp, 1700000000001);
});

t.test('--until-end on an empty topic exits at once; --timeout-ms ends a wait; Ctrl-C ends a wait', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic empty ${bs}`);
  const u = await runKts(`console-consumer --topic empty --from-beginning --until-end ${bs}`);
  t.equal(u.code, 0, u.stderr);
  t.equal(u.stderr, 'Processed a total of 0 messages\n');
  const w = await runKts(`console-consumer --topic empty --timeout-ms 200 ${bs}`);
  t.equal(w.code, 0, w.stderr);
  const i = await runKts(`console-consumer --topic empty ${bs}`, { interruptAfterMs: 300 });
  t.equal(i.code, 0, i.stderr);
  t.equal(i.stderr, 'Processed a total of 0 messages\n');
});

t.test('prompt on a TTY, Ctrl-C ends the producer after sending, --include and --from-time select records', async (t) => {
  const b = await startCliBroker(t);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  await runKts(`topics --create --topic logs.a ${bs}`);
  await runKts(`topics --create --topic logs.b ${bs}`);
  const tty = await runKts(`console-producer --topic logs.a ${bs}`, { stdin: 'a1\na2\n', stdinIsTty: true });
  t.equal(tty.code, 0, tty.stderr);
  t.equal(tty.stdout, '>>>');
  const open = new PassThrough();
  open.write('b1\n');
  // Ctrl-C once the producer has read the line (a fixed 500 ms could come before it even read
  // stdin on a loaded machine); bounded so a producer that never reads fails the test instead
  const lineRead = (async () => {
    for (let i = 0; i < 3000 && open.readableLength > 0; i++) await new Promise((r) => setTimeout(r, 10));
  })();
  const stopped = await runKts(`console-producer --topic logs.b ${bs}`, { stdin: open, interruptWhen: lineRead });
  t.equal(stopped.code, 0, stopped.stderr);
  const both = await runKts(`console-consumer --include 'logs\\..*' --from-beginning --until-end -f '%t:%v\\n' ${bs}`);
  t.equal(both.code, 0, both.stderr);
  t.same(both.stdout.trim().split('\n').sort(), ['logs.a:a1', 'logs.a:a2', 'logs.b:b1']);
  const future = await runKts(`console-consumer --topic logs.a --from-time 2999-01-01T00:00:00Z --until-end ${bs}`);
  t.equal(future.stdout, '');
  const past = await runKts(`console-consumer --topic logs.a --from-time 1h --until-end ${bs}`);
  t.equal(past.stdout, 'a1\na2\n');
  const list = JSON.parse((await runKts(`topics --list --json ${bs}`)).stdout) as string[];
  t.ok(list.includes('logs.a') && list.includes('logs.b'));
});
