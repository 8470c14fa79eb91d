// kcat (librdkafka) sees what the admin APIs did: topics created with CreateTopics and
// CreatePartitions appear in `kcat -L` with this node as leader; deleted topics vanish.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { CreateTopicsResponse } from '../../src/protocol/messages/19-create-topics.js';
import type { CreatePartitionsResponse } from '../../src/protocol/messages/37-create-partitions.js';
import type { DeleteTopicsResponse } from '../../src/protocol/messages/20-delete-topics.js';
import { startAdminBroker } from './admin-helpers.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
}

function kcatMetadata(port: number): Promise<KcatMetadata> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-J', '-m', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`kcat exited ${code}: ${stderr}`));
      resolve(JSON.parse(stdout) as KcatMetadata);
    });
  });
}

t.test('kcat -L after admin requests', { skip: hasKcat ? false : 'kcat is not installed (apt-get install -y kcat)' }, async (t) => {
  const b = await startAdminBroker(t);
  const raw = await b.raw();
  const created = await raw.request<CreateTopicsResponse>(19, 5, {
    topics: [
      { name: 'listed', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'doomed', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.same(created.topics.map((x) => x.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
  const grown = await raw.request<CreatePartitionsResponse>(37, 1, {
    topics: [{ name: 'listed', count: 3, assignments: null }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.equal(grown.results[0]!.errorCode, ErrorCode.NONE);
  const deleted = await raw.request<DeleteTopicsResponse>(20, 4, { topicNames: ['doomed'], timeoutMs: 5000 });
  t.equal(deleted.responses[0]!.errorCode, ErrorCode.NONE);

  const meta = await kcatMetadata(b.port);
  t.same(meta.brokers.map((x) => x.id), [b.nodeId]);
  const topics = meta.topics.filter((x) => !x.topic.startsWith('__'));
  t.same(topics.map((x) => x.topic), ['listed']);
  t.same(
    topics[0]!.partitions.map((p) => [p.partition, p.leader, p.replicas.map((r) => r.id), p.isrs.map((r) => r.id)]).sort(),
    [0, 1, 2].map((p) => [p, b.nodeId, [b.nodeId], [b.nodeId]]),
  );
});
