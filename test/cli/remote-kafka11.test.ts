// Remote mode against a real Apache Kafka 1.1 broker (../shared/kafka-1.1; skipped when
// absent): every command works on 1.1's API versions or refuses naming the Kafka release
// it needs. One JVM broker and one ZooKeeper for the whole file.
import t from 'tap';
import { kafka11Skip, startKafka11, startZooKeeperFor11 } from '../helpers/kafka11.js';
import { runMatrix } from './remote-matrix.js';

// Real broker processes (and JVMs) start slowly on a busy machine: more than tap's default 120 s.
t.setTimeout(600_000);

t.test('every kts command against Kafka 1.1', { skip: kafka11Skip }, async (t) => {
  const zk = await startZooKeeperFor11(t);
  const broker = await startKafka11(t, { brokerId: 1, zookeeperConnect: zk.connect });
  await runMatrix(t, { kind: 'kafka-1.1', bootstrap: broker.bootstrap, brokerId: 1 });
});
