// The transaction index check the migration test runs on every stopped broker's log dir
// (test/helpers/txn-check.ts) finds what it must: a kts broker written by a kafkajs
// transactional producer (commits, an abort, a transaction left open at shutdown) leaves a
// `.txnindex` and a producer snapshot that agree with its log; an aborted transaction's
// first offset moved earlier (which would hide the committed transaction before it from
// read_committed consumers) and a snapshot's open transaction moved are both reported.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startChildBroker } from '../helpers/child-broker.js';
import { transactionIndexProblems } from '../helpers/txn-check.js';
import { encodeProducerSnapshot, decodeProducerSnapshot } from '../../src/storage/producer-state.js';
import { decodeAbortedTxns, encodeAbortedTxn } from '../../src/storage/txn-index.js';

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));

t.test('the transaction index check agrees with a sound log and reports moved first offsets', { skip: built ? false : 'dist/kts.cjs is missing: run `npm run build` first' }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kts-txn-check-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const broker = await startChildBroker(t, { dataDir, overrides: ['transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1'] });
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ledger', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: 'checker', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect().catch(() => undefined));
  // committed, committed, aborted, committed, then one left open when the broker stops.
  for (const outcome of ['commit', 'commit', 'abort', 'commit', 'open'] as const) {
    const tx = await producer.transaction();
    await tx.send({ topic: 'ledger', messages: [{ value: `${outcome}-a` }, { value: `${outcome}-b` }] });
    if (outcome === 'commit') await tx.commit();
    else if (outcome === 'abort') await tx.abort();
  }
  // SIGTERM: the broker closes its logs (a producer snapshot at the log end) with the transaction open.
  t.equal(await broker.stop(), 0, 'the broker stops cleanly');
  const partitionDir = join(dataDir, 'ledger-0');
  t.same(transactionIndexProblems(partitionDir), [], 'the .txnindex and the producer snapshot agree with the log');

  const indexFile = readdirSync(partitionDir).find((f) => f.endsWith('.txnindex'))!;
  const [aborted] = decodeAbortedTxns(readFileSync(join(partitionDir, indexFile)));
  t.ok(aborted && aborted.firstOffset > 0, `one aborted transaction indexed: ${JSON.stringify(aborted)}`);
  const snapshotFile = readdirSync(partitionDir).filter((f) => f.endsWith('.snapshot')).sort().at(-1)!;
  const entries = decodeProducerSnapshot(readFileSync(join(partitionDir, snapshotFile)));
  t.ok(entries.some((e) => e.currentTxnFirstOffset > 0), 'the snapshot holds the open transaction');

  writeFileSync(join(partitionDir, indexFile), encodeAbortedTxn({ ...aborted!, firstOffset: 0 }));
  writeFileSync(join(partitionDir, snapshotFile), encodeProducerSnapshot(entries.map((e) => ({ ...e, currentTxnFirstOffset: e.currentTxnFirstOffset > 0 ? 1 : e.currentTxnFirstOffset }))));
  const problems = transactionIndexProblems(partitionDir);
  t.match(problems, [new RegExp(`entries the log does not support: \\[${aborted!.producerId}:0-${aborted!.lastOffset}\\]; aborted transactions of the log missing: \\[${aborted!.producerId}:${aborted!.firstOffset}-${aborted!.lastOffset}\\]`), /open transaction starts at 1, the log says \d+/], `both moved first offsets are reported:\n${problems.join('\n')}`);
});
