// broker.id=-1 in cluster mode (broker.id.generation.enable, Kafka's default): a kts broker
// takes an id above reserved.broker.max.id from ZooKeeper's /brokers/seqid, keeps it across
// restarts through meta.properties, and the next new broker gets the next id.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { startBrokerProcess } from '../helpers/kts-cluster.js';
import { KafkaZkClient } from '../../src/zk/index.js';
import { silentLogger } from '../../src/util/logger.js';

const idOf = (output: string): number => Number(/\[KtsServer id=(\d+)\] started/.exec(output)?.[1] ?? NaN);

t.test('generated broker ids', { skip: needsZookeeper }, async (t) => {
  const zkServer = await startZooKeeper(t);
  const connect = `${zkServer.connect}/gen`;
  const root = mkdtempSync(join(tmpdir(), 'kts-brokerid-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const overrides = { 'reserved.broker.max.id': '500' };

  const a = await startBrokerProcess(t, -1, join(root, 'a'), connect, overrides);
  t.equal(idOf(a.output()), 501, 'the first generated id is reserved.broker.max.id + 1');
  const b = await startBrokerProcess(t, -1, join(root, 'b'), connect, overrides);
  t.equal(idOf(b.output()), 502);

  const zk = await KafkaZkClient.connect({ connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000, log: silentLogger });
  t.teardown(() => zk.close());
  t.same((await zk.getAllBrokers()).map((x) => x.id), [501, 502], 'both registered under their generated ids');

  await a.stop();
  const again = await startBrokerProcess(t, -1, join(root, 'a'), connect, overrides);
  t.equal(idOf(again.output()), 501, 'a restart keeps the id stored in meta.properties');
  await again.stop();
  await b.stop();
});
