// Broker produce benchmark: a kts broker (the built binary, as users run it) loaded by
// kcat (librdkafka) with 100 B and 1 KiB records at acks=1 and acks=-1; references measured
// in the same run: `dd` write speed to the same disk and raw loopback TCP throughput (a
// socket sink fed the same file). Also produce→consume latency p50/p99 at a moderate rate
// (kafkajs producer, kcat long-poll consumer), kcat consume throughput, start-to-ready time, broker RSS idle and
// under load. Needs `npm run build` and kcat. Usage: node bench/broker-produce.mjs [--quick]
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';

const quick = process.argv.includes('--quick');
const SMALL_RECORDS = quick ? 200_000 : 1_000_000;
const LARGE_RECORDS = quick ? 50_000 : 200_000;
const LATENCY_MESSAGES = quick ? 500 : 2000;
const LATENCY_INTERVAL_MS = 2;
const KTS = fileURLToPath(new URL('../bin/kts.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kts-bench-broker-'));

function fmt(n, digits = 1) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function linesFile(name, count, size) {
  const path = join(work, name);
  const line = (i) => {
    const head = `${i} `;
    return head + 'x'.repeat(Math.max(0, size - head.length - 1)) + '\n';
  };
  const chunks = [];
  for (let i = 0; i < count; i++) chunks.push(line(i));
  writeFileSync(path, chunks.join(''));
  return path;
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function startKts(dataDir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [KTS, 'server-start', '--data-dir', dataDir, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'num.partitions=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`kts exited ${code}: ${out}`)));
  });
  child.stdout.resume();
  return { child, port, readyMs: performance.now() - t0 };
}

function run(cmd, args, inputPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [inputPath ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.resume();
    if (inputPath) createReadStream(inputPath).pipe(child.stdin);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

async function kcatProduce(port, topic, file, acks, brokerPid) {
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssKiB(brokerPid))), 100);
  const t0 = performance.now();
  await run('kcat', ['-P', '-b', `127.0.0.1:${port}`, '-t', topic, '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', `acks=${acks}`], file);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  return { seconds, maxRss };
}

function ddMBps(bytes) {
  const path = join(work, 'dd.out');
  const count = Math.max(1, Math.round(bytes / 1048576));
  const t0 = performance.now();
  execFileSync('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', `count=${count}`, 'conv=fdatasync'], { stdio: 'ignore' });
  const s = (performance.now() - t0) / 1000;
  rmSync(path);
  return (count * 1048576) / s / 1e6;
}

async function loopbackMBps(file) {
  const size = statSync(file).size;
  const server = createServer((s) => s.resume());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const sock = connect(server.address().port, '127.0.0.1', () => createReadStream(file, { highWaterMark: 1 << 20 }).pipe(sock));
    sock.on('close', resolve);
    sock.on('error', reject);
  });
  const s = (performance.now() - t0) / 1000;
  server.close();
  return size / s / 1e6;
}

async function latency(port) {
  const topic = 'latency';
  const kafka = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic, acks: 1, messages: [{ value: 'warmup' }] });
  const consumer = spawn('kcat', ['-C', '-b', `127.0.0.1:${port}`, '-t', topic, '-o', 'end', '-q', '-u', '-f', '%s\n', '-X', 'fetch.wait.max.ms=500', '-X', 'fetch.error.backoff.ms=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const samples = [];
  let buf = '';
  consumer.stdout.on('data', (d) => {
    const now = performance.timeOrigin + performance.now();
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const sent = Number(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (Number.isFinite(sent) && sent > 0) samples.push(now - sent);
    }
  });
  await new Promise((r) => setTimeout(r, 1500)); // consumer connected and positioned at the end
  for (let i = 0; i < LATENCY_MESSAGES; i++) {
    await producer.send({ topic, acks: 1, messages: [{ value: String(performance.timeOrigin + performance.now()) }] });
    await new Promise((r) => setTimeout(r, LATENCY_INTERVAL_MS));
  }
  const deadline = Date.now() + 10_000;
  while (samples.length < LATENCY_MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  consumer.kill();
  await producer.disconnect();
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { count: samples.length, p50: pct(50), p99: pct(99) };
}

async function main() {
  const small = linesFile('small.txt', SMALL_RECORDS, 100);
  const large = linesFile('large.txt', LARGE_RECORDS, 1024);
  const dataDir = join(work, 'data');
  const { child, port, readyMs } = await startKts(dataDir);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = rssKiB(child.pid);
    const results = [];
    for (const [label, file, count, size] of [['100 B', small, SMALL_RECORDS, 100], ['1 KiB', large, LARGE_RECORDS, 1024]]) {
      for (const acks of [1, -1]) {
        const topic = `bench-${size}-${acks === -1 ? 'all' : acks}`;
        const r = await kcatProduce(port, topic, file, acks, child.pid);
        results.push({ label, acks, records: count, seconds: r.seconds, recordsPerSec: count / r.seconds, mbPerSec: statSync(file).size / r.seconds / 1e6, maxRssMiB: r.maxRss / 1024 });
      }
    }
    const consumed = [];
    for (const [label, topic, count, file] of [['100 B', 'bench-100-1', SMALL_RECORDS, small], ['1 KiB', 'bench-1024-1', LARGE_RECORDS, large]]) {
      const t0 = performance.now();
      await run('kcat', ['-C', '-b', `127.0.0.1:${port}`, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
      const seconds = (performance.now() - t0) / 1000;
      consumed.push({ label, count, seconds, recordsPerSec: count / seconds, mbPerSec: statSync(file).size / seconds / 1e6 });
    }
    const lat = await latency(port);
    const ddRef = ddMBps(statSync(small).size);
    const loopRef = await loopbackMBps(small);
    console.log(`kts broker produce benchmark (kcat -P, linger.ms=5, batch.size=1000000)${quick ? ' [quick]' : ''}`);
    console.log(`start-to-ready: ${fmt(readyMs, 0)} ms (process spawn to readiness line)`);
    console.log(`broker RSS idle: ${fmt(idleRss / 1024)} MiB`);
    console.log('| records | acks | count | seconds | records/s | MB/s | vs dd | vs loopback | max RSS MiB |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.label} | ${r.acks} | ${r.records} | ${fmt(r.seconds, 2)} | ${fmt(r.recordsPerSec, 0)} | ${fmt(r.mbPerSec)} | ${fmt(r.mbPerSec / ddRef, 2)}x | ${fmt(r.mbPerSec / loopRef, 2)}x | ${fmt(r.maxRssMiB)} |`);
    }
    for (const c of consumed) {
      console.log(`consume ${c.label} (kcat -C from the beginning to the end): ${c.count} records in ${fmt(c.seconds, 2)} s = ${fmt(c.recordsPerSec, 0)} records/s, ${fmt(c.mbPerSec)} MB/s`);
    }
    console.log(`references (same run): dd write ${fmt(ddRef)} MB/s (bs=1M, fdatasync); loopback TCP sink ${fmt(loopRef)} MB/s`);
    console.log(`produce→consume latency (kafkajs acks=1 → kcat consumer, 1 msg / ${LATENCY_INTERVAL_MS} ms, n=${lat.count}): p50 ${fmt(lat.p50, 2)} ms, p99 ${fmt(lat.p99, 2)} ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
