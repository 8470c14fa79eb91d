// The same remote-mode matrix as remote-kafka11.test.ts against a kts broker, and Kafka
// 1.1's own GetOffsetShell (ListOffsets v0) against kts when ../shared/kafka-1.1 is there.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestBroker } from '../client/helpers.js';
import { kafka11Env, kafka11Home, kafka11Skip } from '../helpers/kafka11.js';
import { runKts } from '../helpers/run-kts.js';
import { runMatrix } from './remote-matrix.js';

t.test('every kts command against a kts broker', async (t) => {
  const broker = await startTestBroker(t, ['group.initial.rebalance.delay.ms=0']);
  await runMatrix(t, { kind: 'kts', bootstrap: broker.bootstrap, brokerId: 1 });
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test("Kafka 1.1's GetOffsetShell (ListOffsets v0) reads offsets from a kts broker", { skip: kafka11Skip }, async (t) => {
  const broker = await startTestBroker(t);
  await runKts(`topics --create --topic old --partitions 2 --bootstrap-server ${broker.bootstrap}`);
  const sent = await runKts(`console-producer --topic old --partition 1 --bootstrap-server ${broker.bootstrap}`, { stdin: 'a\nb\nc\n' });
  t.equal(sent.code, 0, sent.stderr);
  const home = kafka11Home();
  const env = kafka11Env(join(broker.dataDir, 'kafka-tool-logs'), 64);
  const shell = join(home, 'bin', 'kafka-run-class.sh');
  const latest = await run(shell, ['kafka.tools.GetOffsetShell', '--broker-list', broker.bootstrap, '--topic', 'old', '--time', '-1'], env);
  t.equal(latest.code, 0, latest.stderr);
  t.same(latest.stdout.trim().split('\n').sort(), ['old:0:0', 'old:1:3']);
  const earliest = await run(shell, ['kafka.tools.GetOffsetShell', '--broker-list', broker.bootstrap, '--topic', 'old', '--time', '-2'], env);
  t.same(earliest.stdout.trim().split('\n').sort(), ['old:0:0', 'old:1:0']);
});
