// console-consumer's byte path against a real kts broker: the default formatter prints from
// the fetched bytes (KTS_DEBUG reports it), and its output is byte for byte the record path's
// (forced with identity deserializers) on varied records: keys, nulls, headers, empty and
// binary values, compressed batches, committed and aborted transactions under both
// isolation levels, several partitions, --max-messages, --until-end, --partition --offset.
import t from 'tap';
import { openClient, type ProducerRecord } from '../../../src/client/index.js';
import { runKts, type KtsResult } from '../../helpers/run-kts.js';
import { startCliBroker } from '../helpers.js';

const OVERRIDES = ['transaction.state.log.num.partitions=1'];
const BYTE_ARRAY = 'org.apache.kafka.common.serialization.ByteArrayDeserializer';
/** Identity deserializers: the same output, printed record by record. */
const RECORD_PATH = `--property key.deserializer=${BYTE_ARRAY} --property value.deserializer=${BYTE_ARRAY} --property headers.deserializer=${BYTE_ARRAY}`;

function record(topic: string, partition: number, n: number): ProducerRecord {
  const kind = n % 6;
  return {
    topic,
    partition,
    timestampMs: 1_700_000_000_000 + n,
    key: kind === 0 ? null : `k${n}`,
    value: kind === 1 ? null : kind === 2 ? Buffer.alloc(0) : kind === 3 ? Buffer.from([0, 0xff, 0x0a, n & 0xff, 0xc3]) : `value-${n}`,
    headers: kind === 4 ? [{ key: 'h', value: Buffer.from(`x${n}`) }, { key: 'empty', value: null }] : [],
  };
}

async function load(bootstrap: string): Promise<void> {
  const client = await openClient({ bootstrapServer: bootstrap });
  try {
    for (const [codec, base] of [['none', 0], ['gzip', 100], ['lz4', 200], ['zstd', 300]] as const) {
      const producer = client.producer({ 'compression.type': codec, 'linger.ms': '5' });
      await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send(record('v', i % 3, base + i))));
      await producer.close();
    }
    const txn = client.producer({ 'transactional.id': 'bytes-txn' });
    await txn.initTransactions();
    txn.beginTransaction();
    await Promise.all([0, 1, 2].map((i) => txn.send(record('v', i, 900 + i))));
    await txn.abortTransaction();
    txn.beginTransaction();
    await Promise.all([0, 1, 2].map((i) => txn.send(record('v', i, 950 + i))));
    await txn.commitTransaction();
    await txn.close();
    const tail = client.producer();
    await Promise.all([0, 1, 2].map((i) => tail.send(record('v', i, 990 + i))));
    await tail.close();
  } finally {
    await client.close();
  }
}

async function both(flags: string): Promise<{ bytes: KtsResult; records: KtsResult }> {
  const env = { KTS_DEBUG: '1' };
  const [bytes, records] = await Promise.all([runKts(`console-consumer ${flags}`, { env }), runKts(`console-consumer ${flags} ${RECORD_PATH}`, { env })]);
  return { bytes, records };
}

t.test('byte path and record path print the same bytes', async (t) => {
  const b = await startCliBroker(t, OVERRIDES);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic v --partitions 3 ${bs}`)).code, 0);
  await load(b.bootstrap);
  const all = '--property print.key=true --property print.headers=true --property print.partition=true --property print.offset=true --property print.timestamp=true --property print.epoch=true';
  const cases = [
    '--until-end',
    `--until-end ${all}`,
    `--until-end ${all} --isolation-level read_committed`,
    "--until-end --property print.key=true --property key.separator=' | ' --property null.literal=<nil> --property line.separator=';\n'",
    '--until-end --property print.value=false --property print.offset=true',
    `--max-messages 57 ${all}`,
    '--partition 1 --offset 17 --until-end --property print.offset=true',
  ];
  for (const c of cases) {
    const { bytes, records } = await both(`--topic v --from-beginning ${c} ${bs}`.replace('--from-beginning --partition', '--partition'));
    t.equal(bytes.code, 0, bytes.stderr);
    t.equal(records.code, 0, records.stderr);
    t.equal(bytes.stdout, records.stdout, c);
    t.ok(bytes.stdout.length > 0, c);
    const processed = /Processed a total of (\d+) messages/.exec(bytes.stderr)?.[1];
    t.equal(processed, /Processed a total of (\d+) messages/.exec(records.stderr)?.[1], `${c}: same count`);
    t.match(bytes.stderr, new RegExp(`printed ${processed} records: ${processed} by the byte path \\(\\d+ v2 batches, 0 of them rechecked`), `${c}: byte path used`);
    t.match(records.stderr, /record path only/);
  }
});

t.test('read_committed hides the aborted transaction on the byte path', async (t) => {
  const b = await startCliBroker(t, OVERRIDES);
  const bs = `--bootstrap-server ${b.bootstrap}`;
  t.equal((await runKts(`topics --create --topic v --partitions 3 ${bs}`)).code, 0);
  await load(b.bootstrap);
  const committed = await runKts(`console-consumer --topic v --from-beginning --until-end --isolation-level read_committed ${bs}`);
  const uncommitted = await runKts(`console-consumer --topic v --from-beginning --until-end ${bs}`);
  t.notMatch(committed.stdout, /value-90\d/);
  t.match(committed.stdout, /value-95\d/);
  t.match(uncommitted.stdout, /value-90\d/);
  t.match(committed.stderr, 'Processed a total of 166 messages');
  t.match(uncommitted.stderr, 'Processed a total of 169 messages');
});
