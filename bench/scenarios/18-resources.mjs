// Scenario 18: bounded resources (issue 18), each figure against a reference measured in the
// same run:
// - peak RSS while 200 connections pipeline 5 Fetches each against a preloaded 64 MiB
//   topic and never read, vs the same broker's idle RSS (and RSS after they left);
// - a CreateTopics of 30,000 partitions refused (max.broker.partitions), vs creating a
//   1-partition topic on the same broker;
// - start to ready of a broker holding 10,000 partitions (100 topics, each partition
//   written once), run under `prlimit --nofile=1024`, vs a broker holding one topic: wall time,
//   and the broker's CPU until ready (which a loaded machine stretches much less);
// - the first kcat -L and the first kcat -P of a new client while the slow readers are
//   connected, vs the same requests after they left;
// - kcat -P ingest into one topic of the broker holding the 10,000 idle partitions (right
//   after creating and writing them, in the same process), vs the same into a broker holding
//   only that topic: records per second, and broker CPU (user + system, /proc) per record,
//   which the load of a shared machine disturbs less than wall time;
// - kcat -P ingest with log.flush.interval.messages=1 (an fsync per append), vs the default.
import { connect } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';
import { kts, median, rssKiB, rssSampler, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'bounded resources';

const { Kafka, logLevel } = kafkajs;
const MiB = 1024 * 1024;
const KCAT = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** CPU ms (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Fetch v4 by hand (bench scripts import no TypeScript): one partition, 50 MiB / 1 MiB limits. */
function fetchV4(correlationId, topic, fetchOffset) {
  const clientId = Buffer.from('bench-slow');
  const name = Buffer.from(topic);
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 4 + 4 + 4 + 1 + 4 + 2 + name.length + 4 + 4 + 8 + 4);
  let at = 0;
  at = body.writeInt16BE(1, at);
  at = body.writeInt16BE(4, at);
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  at = body.writeInt32BE(-1, at); // replica id
  at = body.writeInt32BE(500, at); // max wait
  at = body.writeInt32BE(1, at); // min bytes
  at = body.writeInt32BE(50 * MiB, at); // max bytes
  at = body.writeInt8(0, at); // read_uncommitted
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(name.length, at);
  at += name.copy(body, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt32BE(0, at); // partition
  body.writeBigInt64BE(BigInt(fetchOffset), at);
  at += 8;
  at = body.writeInt32BE(MiB, at); // partition max bytes
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function slowReaders(ctx) {
  const b = await startBroker(ctx.work, [], { env: { MALLOC_MMAP_THRESHOLD_: '131072' } });
  try {
    const lines = `${ctx.work}/lines-1000.txt`;
    await runOk('sh', ['-c', `yes "$(head -c 999 /dev/zero | tr '\\0' x)" | head -n 65536 > ${lines}`]);
    await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', 'preloaded', '-p', '0', ...KCAT], { input: lines, capture: false });
    await sleep(1000);
    const idle = rssKiB(b.child.pid) / 1024;
    const peak = rssSampler(b.child.pid);
    const sockets = [];
    for (let c = 0; c < 200; c++) {
      const s = connect(b.port, '127.0.0.1');
      s.on('error', () => {});
      s.pause();
      for (let k = 0; k < 5; k++) s.write(fetchV4(k, 'preloaded', ((c * 5 + k) * 64) % 60_000));
      sockets.push(s);
    }
    // The first request of a new client waits while the broker fills the slow sockets' kernel buffers.
    const patient = ['-m', '120', '-X', 'api.version.request.timeout.ms=120000', '-X', 'socket.timeout.ms=120000'];
    const probe = `${ctx.work}/probe.txt`;
    writeFileSync(probe, 'a\nb\nc\n');
    const produce = () => runOk('kcat', ['-P', '-b', b.bootstrap, '-t', 'preloaded', '-p', '0', '-X', 'acks=1', ...patient], { input: probe });
    const load = loadavg();
    const first = await runOk('kcat', ['-L', '-b', b.bootstrap, ...patient]);
    const firstProduce = await produce();
    const meta = (await runOk('kcat', ['-L', '-b', b.bootstrap])).ms;
    await sleep(2000);
    const loaded = peak();
    for (const s of sockets) s.destroy();
    await sleep(3000);
    const after = rssKiB(b.child.pid) / 1024;
    const metaAfter = (await runOk('kcat', ['-L', '-b', b.bootstrap])).ms;
    const produceAfter = (await produce()).ms;
    ctx.log(`RSS idle ${fmt(idle)} MiB, peak with 200 slow readers ${fmt(loaded)} MiB, after ${fmt(after)} MiB; kcat -L ${fmt(first.ms)} ms during the burst (then ${fmt(meta)} ms), ${fmt(metaAfter)} ms after; kcat -P ${fmt(firstProduce.ms)} ms during, ${fmt(produceAfter)} ms after (load ${load})`);
    const reference = `same broker idle: ${fmt(idle)} MiB`;
    return [
      { scenario: `18 peak RSS, 200 slow readers × 5 pipelined Fetches (load average ${load})`, figure: `${fmt(loaded)} MiB (kcat -L ${fmt(first.ms)} ms in the burst, then ${fmt(meta)} ms)`, reference, ratio: ratio(loaded, idle), target: '≤ 400 MiB', met: met(loaded <= 400) },
      { scenario: '18 RSS after the slow readers left', figure: `${fmt(after)} MiB`, reference, ratio: ratio(after, idle), target: '≤ idle + 50 MiB', met: met(after <= idle + 50) },
      { scenario: `18 first kcat -L of a new client among 200 slow readers (load average ${load})`, figure: `${fmt(first.ms)} ms`, reference: `after they left: ${fmt(metaAfter)} ms`, ratio: ratio(first.ms, metaAfter), target: '—', met: '—' },
      { scenario: `18 first kcat -P (3 records, acks=1) among 200 slow readers (load average ${load})`, figure: `${fmt(firstProduce.ms)} ms`, reference: `after they left: ${fmt(produceAfter)} ms`, ratio: ratio(firstProduce.ms, produceAfter), target: '—', met: '—' },
    ];
  } finally {
    await b.stop();
  }
}

/** 100 topics × 100 partitions, one record each, through kafkajs; returns the data dir. */
async function fillPartitions(b) {
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, requestTimeout: 300_000 });
  const admin = kafka.admin();
  await admin.connect();
  const topics = Array.from({ length: 100 }, (_, i) => `idle-${i}`);
  for (let i = 0; i < topics.length; i += 20) {
    await admin.createTopics({ topics: topics.slice(i, i + 20).map((topic) => ({ topic, numPartitions: 100 })), timeout: 300_000 });
  }
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.sendBatch({ topicMessages: topics.map((topic) => ({ topic, messages: Array.from({ length: 100 }, (_, p) => ({ partition: p, value: 'x' })) })) });
  await producer.disconnect();
}

/** kcat -P of ctx.lines100 into a new one-partition topic: records per second and broker CPU µs per record. */
async function ingest(ctx, b, topic) {
  const { lines, count } = ctx.lines100;
  await kts(['topics', '--create', '--topic', topic, '--partitions', '1', '--bootstrap-server', b.bootstrap]);
  const cpu0 = cpuMs(b.child.pid);
  const r = await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', topic, ...KCAT, '-X', 'acks=1'], { input: lines, capture: false });
  return { recsPerSec: count / (r.ms / 1000), cpuUsPerRecord: ((cpuMs(b.child.pid) - cpu0) * 1000) / count };
}

async function ingestRecsPerSec(ctx, b, topic) {
  return (await ingest(ctx, b, topic)).recsPerSec;
}

async function manyPartitions(ctx) {
  const nofile = existsSync('/usr/bin/prlimit') ? 1024 : undefined;
  const load = loadavg();
  const one = await startBroker(ctx.work, [], { maxOpenFiles: nofile });
  const oneTopic = await ingest(ctx, one, 'ingest');
  await one.stop();
  const oneStarts = [];
  const oneStartCpu = [];
  const oneStops = [];
  for (let i = 0; i < 3; i++) {
    const again = await startBroker(ctx.work, [], { dataDir: one.dataDir, maxOpenFiles: nofile });
    oneStarts.push(again.readyMs);
    oneStartCpu.push(cpuMs(again.child.pid));
    oneStops.push(await again.stop());
  }
  const many = await startBroker(ctx.work, [], { maxOpenFiles: nofile });
  await fillPartitions(many);
  const manyIngest = await ingest(ctx, many, 'ingest');
  await many.stop();
  const manyStarts = [];
  const manyStartCpu = [];
  const manyStops = [];
  for (let i = 0; i < 3; i++) {
    const again = await startBroker(ctx.work, [], { dataDir: many.dataDir, maxOpenFiles: nofile, readyTimeoutMs: 300_000 });
    manyStarts.push(again.readyMs);
    manyStartCpu.push(cpuMs(again.child.pid));
    manyStops.push(await again.stop());
  }
  const oneStart = median(oneStarts);
  const manyStart = median(manyStarts);
  const load2 = loadavg();
  ctx.log(`start: 10,000 partitions ${fmt(manyStart)} ms (broker CPU ${fmt(median(manyStartCpu))} ms), one topic ${fmt(oneStart)} ms (broker CPU ${fmt(median(oneStartCpu))} ms); ingest ${fmt(manyIngest.recsPerSec)} vs ${fmt(oneTopic.recsPerSec)} rec/s, CPU ${manyIngest.cpuUsPerRecord.toFixed(2)} vs ${oneTopic.cpuUsPerRecord.toFixed(2)} µs per record (load ${load} → ${load2})`);
  const limit = nofile ? `, ulimit -n ${nofile}` : '';
  const loads = `load average ${load} → ${load2}`;
  return [
    { scenario: `18 start to ready with 10,000 partitions (median of 3${limit}; ${loads})`, figure: `${fmt(manyStart)} ms (broker CPU ${fmt(median(manyStartCpu))} ms)`, reference: `one topic: ${fmt(oneStart)} ms`, ratio: ratio(manyStart, oneStart), target: '—', met: '—' },
    // CPU from spawn to ready: a shared machine's load stretches wall time several-fold, CPU much less.
    { scenario: `18 broker CPU from spawn to ready with 10,000 partitions (median of 3${limit}; ${loads})`, figure: `${fmt(median(manyStartCpu))} ms`, reference: `one topic: ${fmt(median(oneStartCpu))} ms`, ratio: ratio(median(manyStartCpu), median(oneStartCpu)), target: '—', met: '—' },
    { scenario: `18 stop (SIGTERM to exit) of a broker that started on 10,000 partitions and served nothing (median of 3${limit}; ${loads})`, figure: `${fmt(median(manyStops))} ms`, reference: `one topic: ${fmt(median(oneStops))} ms`, ratio: ratio(median(manyStops), median(oneStops)), target: '—', met: '—' },
    { scenario: `18 kcat -P 100 B acks=1 with 10,000 idle partitions present, right after creating them (${loads})`, figure: `${fmt(manyIngest.recsPerSec)} rec/s`, reference: `one topic only: ${fmt(oneTopic.recsPerSec)} rec/s`, ratio: ratio(manyIngest.recsPerSec, oneTopic.recsPerSec), target: '—', met: '—' },
    { scenario: `18 broker CPU per record, kcat -P with 10,000 idle partitions present, right after creating them (${loads})`, figure: `${manyIngest.cpuUsPerRecord.toFixed(2)} µs`, reference: `one topic only: ${oneTopic.cpuUsPerRecord.toFixed(2)} µs`, ratio: ratio(manyIngest.cpuUsPerRecord, oneTopic.cpuUsPerRecord), target: '—', met: '—' },
  ];
}

/** A CreateTopics over max.broker.partitions (30,000 partitions) is refused: its time vs creating a 1-partition topic. */
async function refusedCreation(ctx) {
  const b = await startBroker(ctx.work);
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, requestTimeout: 60_000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const refusals = [];
    const creations = [];
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      const refused = await admin.createTopics({ topics: [{ topic: `huge-${i}`, numPartitions: 30_000 }] }).then(() => null, (err) => err);
      refusals.push(performance.now() - t0);
      if (!refused) throw new Error('a CreateTopics of 30,000 partitions was not refused');
      t0 = performance.now();
      await admin.createTopics({ topics: [{ topic: `small-${i}`, numPartitions: 1 }] });
      creations.push(performance.now() - t0);
    }
    const load = loadavg();
    const refusal = median(refusals);
    const creation = median(creations);
    ctx.log(`CreateTopics of 30,000 partitions refused in ${fmt(refusal)} ms; a 1-partition topic created in ${fmt(creation)} ms (load ${load})`);
    return [
      { scenario: `18 CreateTopics of 30,000 partitions refused (max.broker.partitions), kafkajs, median of 3 (load average ${load})`, figure: `${fmt(refusal)} ms`, reference: `creating a 1-partition topic: ${fmt(creation)} ms`, ratio: ratio(refusal, creation), target: '< 1 s', met: met(refusal < 1000) },
    ];
  } finally {
    await admin.disconnect();
    await b.stop();
  }
}

async function flushEveryMessage(ctx) {
  const plain = await startBroker(ctx.work);
  const plainRecs = await ingestRecsPerSec(ctx, plain, 'flush');
  await plain.stop();
  const synced = await startBroker(ctx.work, ['log.flush.interval.messages=1']);
  const syncedRecs = await ingestRecsPerSec(ctx, synced, 'flush');
  await synced.stop();
  ctx.log(`kcat -P with log.flush.interval.messages=1: ${fmt(syncedRecs)} rec/s, default ${fmt(plainRecs)} rec/s`);
  return [
    { scenario: '18 kcat -P 100 B acks=1, log.flush.interval.messages=1', figure: `${fmt(syncedRecs)} rec/s`, reference: `default flush: ${fmt(plainRecs)} rec/s`, ratio: ratio(syncedRecs, plainRecs), target: '—', met: '—' },
  ];
}

export async function run(ctx) {
  return [...(await slowReaders(ctx)), ...(await refusedCreation(ctx)), ...(await manyPartitions(ctx)), ...(await flushEveryMessage(ctx))];
}
