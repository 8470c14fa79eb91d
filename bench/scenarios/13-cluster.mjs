// Scenario 13: replication cost. 1,000,000 100-byte records by kcat -P with acks=all into a
// one-partition topic of a 3-broker kts cluster (replication factor 3, min.insync.replicas=2,
// a real ZooKeeper), against the same load into a single kts broker in the same run. While
// the cluster is loaded, the followers' segment sizes are sampled every 50 ms against the
// leader's; the largest gap, in bytes and in seconds of the load's byte rate, is the
// follower lag. The CPU seconds each broker process spends per 1M records (utime + stime
// from /proc/<pid>/stat) are reported too: on a loaded machine they are the steadier measure
// (the leader is the critical path). KTS_BENCH_CPU_PROF=<dir> runs the brokers with
// `node --cpu-prof` and leaves their profiles there.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kts, runOk, startBroker } from '../lib/proc.mjs';
import { startZooKeeper } from '../lib/zookeeper.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'cluster replication';

const KCAT = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=all'];

function partitionBytes(dataDir, topic) {
  const dir = join(dataDir, `${topic}-0`);
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

/** CPU seconds a process has used so far (utime + stime, in clock ticks of 10 ms). */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const profile = () => ({ nodeArgs: process.env.KTS_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KTS_BENCH_CPU_PROF}`] : [] });

async function waitFor(what, probe, timeoutMs = 30_000) {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function describePartition(bootstrap, topic) {
  const r = await kts(['topics', '--describe', '--topic', topic, '--bootstrap-server', bootstrap, '--json']).catch(() => undefined);
  if (!r) return undefined;
  const parsed = JSON.parse(r.stdout);
  const topics = Array.isArray(parsed) ? parsed : parsed.topics ?? [];
  return topics[0]?.partitions?.[0];
}

async function isrSize(bootstrap, topic) {
  return (await describePartition(bootstrap, topic))?.isr?.length ?? 0;
}

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const bytes = statSync(lines).size;
  // Reference: one broker, same producer and settings.
  const perMillion = 1e6 / count;
  const single = await startBroker(ctx.work, [], profile());
  let singleRecs;
  let singleCpu;
  try {
    await kts(['topics', '--create', '--topic', 'single', '--partitions', '1', '--bootstrap-server', single.bootstrap]);
    const cpu0 = cpuSeconds(single.child.pid);
    const r = await runOk('kcat', ['-P', '-b', single.bootstrap, '-t', 'single', ...KCAT], { input: lines, capture: false });
    singleCpu = (cpuSeconds(single.child.pid) - cpu0) * perMillion;
    singleRecs = count / (r.ms / 1000);
    ctx.log(`single broker, acks=all: ${fmt(singleRecs)} rec/s; broker CPU ${singleCpu.toFixed(2)} s per 1M records`);
  } finally {
    await single.stop();
  }

  const zk = await startZooKeeper(ctx.work);
  const brokers = [];
  try {
    for (const id of [1, 2, 3]) {
      brokers.push(await startBroker(ctx.work, [`broker.id=${id}`, `zookeeper.connect=${zk.connect}`, 'zookeeper.session.timeout.ms=6000', 'offsets.topic.replication.factor=1'], profile()));
    }
    const bootstrap = brokers.map((b) => b.bootstrap).join(',');
    await waitFor('three live brokers', async () => {
      const r = await kts(['topics', '--create', '--topic', 'replicated', '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', bootstrap]).catch(() => undefined);
      return r !== undefined;
    });
    await waitFor('an ISR of 3', async () => (await isrSize(bootstrap, 'replicated')) === 3);
    const leaderId = (await describePartition(bootstrap, 'replicated'))?.leader;
    const cpu0 = brokers.map((b) => cpuSeconds(b.child.pid));
    // The leader is the broker whose copy grows first; sample all three and take the gap between the largest and smallest.
    let maxLagBytes = 0;
    const sampler = setInterval(() => {
      const sizes = brokers.map((b) => partitionBytes(b.dataDir, 'replicated'));
      maxLagBytes = Math.max(maxLagBytes, Math.max(...sizes) - Math.min(...sizes));
    }, 50);
    let r;
    try {
      r = await runOk('kcat', ['-P', '-b', bootstrap, '-t', 'replicated', ...KCAT], { input: lines, capture: false });
    } finally {
      clearInterval(sampler);
    }
    // The followers may still be catching up: their CPU counts once every replica holds it all.
    const leaderBytes = Math.max(...brokers.map((b) => partitionBytes(b.dataDir, 'replicated')));
    await waitFor('replicas caught up', async () => brokers.every((b) => partitionBytes(b.dataDir, 'replicated') >= leaderBytes), 60_000);
    const cpu = brokers.map((b, i) => (cpuSeconds(b.child.pid) - cpu0[i]) * perMillion);
    const leaderCpu = cpu[leaderId - 1];
    const followerCpu = cpu.filter((_, i) => i !== leaderId - 1);
    ctx.log(`broker CPU per 1M records: leader (broker ${leaderId}) ${leaderCpu.toFixed(2)} s, followers ${followerCpu.map((c) => c.toFixed(2)).join(' s, ')} s; one broker ${singleCpu.toFixed(2)} s`);
    const clusterRecs = count / (r.ms / 1000);
    const byteRate = bytes / (r.ms / 1000);
    const lagSeconds = maxLagBytes / byteRate;
    ctx.log(`3 brokers, rf=3, acks=all: ${fmt(clusterRecs)} rec/s; max follower lag ${fmt(maxLagBytes)} B (${fmt(lagSeconds * 1000)} ms)`);
    return [
      {
        scenario: '13 cluster: 3 brokers, rf=3, acks=all, kcat -P 100 B',
        figure: `${fmt(clusterRecs)} rec/s`,
        reference: `one broker, acks=all: ${fmt(singleRecs)} rec/s`,
        ratio: ratio(clusterRecs, singleRecs),
        target: '≥ 0.60 of one broker',
        met: met(clusterRecs >= 0.6 * singleRecs),
      },
      {
        scenario: '13 cluster: max follower lag under that load',
        figure: `${fmt(lagSeconds * 1000)} ms (${fmt(maxLagBytes)} B)`,
        reference: `load byte rate ${fmt(byteRate / 1e6, 1)} MB/s`,
        ratio: '—',
        target: '< 1 s',
        met: met(lagSeconds < 1),
      },
      {
        scenario: '13 cluster: broker CPU per 1M records (leader; followers)',
        figure: `leader ${leaderCpu.toFixed(2)} s; followers ${followerCpu.map((c) => c.toFixed(2)).join(' s, ')} s`,
        reference: `one broker: ${singleCpu.toFixed(2)} s`,
        ratio: ratio(singleCpu, leaderCpu),
        target: '—',
        met: '—',
      },
    ];
  } finally {
    for (const b of brokers) await b.stop();
    await zk.stop();
  }
}
