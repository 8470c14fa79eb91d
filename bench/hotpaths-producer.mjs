// Hot paths (issue 8): kts console-producer vs kcat -P, and kts console-consumer vs
// kcat -C, on the same lines file and the same fresh broker. Prints records/s and the
// ratio (run on a loaded machine, so only ratios from the same run mean anything).
// Usage: node bench/hotpaths-producer.mjs [records=1000000] [--no-consume] [--prof DIR]
//   [--other DIR]: also time another built kts checkout's console tools on the same broker.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KTS, kts, linesFile, runOk, startBroker } from './lib/proc.mjs';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const consume = !process.argv.includes('--no-consume');
const profAt = process.argv.indexOf('--prof');
const profDir = profAt > 0 ? process.argv[profAt + 1] : null;
const otherAt = process.argv.indexOf('--other');
const otherKts = otherAt > 0 ? join(process.argv[otherAt + 1], 'bin/kts.js') : null;
const work = mkdtempSync(join(tmpdir(), 'kts-hot-'));
const lines = linesFile(join(work, 'lines.txt'), count, 100);
// Wall time on a shared, loaded machine swings a lot; CPU seconds (user+sys, from
// /usr/bin/time) are reported too as the steadier measure of the work each tool does.
const timed = async (cmd, args, opts) => {
  const r = await runOk('/usr/bin/time', ['-f', 'CPU %U %S', cmd, ...args], opts);
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ...r, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
};
const node = (args, opts) => timed(process.execPath, [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), KTS, ...args], opts);
const kcat = (args, opts) => timed('kcat', args, opts);
const cpu = (r) => `${r.cpu.toFixed(2)} s CPU`;
/** CPU seconds the broker process has used so far (utime + stime from /proc). */
const brokerCpu = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rate = (ms) => Math.round(count / (ms / 1000));

const b = await startBroker(work);
try {
  console.log(`broker ready in ${Math.round(b.readyMs)} ms`);
  for (const t of ['hk', 'hc']) await kts(['topics', '--create', '--topic', t, '--partitions', '1', '--bootstrap-server', b.bootstrap]);
  let b0 = brokerCpu(b.child.pid);
  const k = await kcat(['-P', '-b', b.bootstrap, '-t', 'hk', '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=1'], { input: lines, capture: false });
  const kb = brokerCpu(b.child.pid) - b0;
  b0 = brokerCpu(b.child.pid);
  const c = await node(['console-producer', '--topic', 'hc', '--bootstrap-server', b.bootstrap, '--request-required-acks', '1', '--timeout', '5', '--batch-size', '1000000'], { input: lines, capture: false });
  console.log(`produce: kcat -P ${rate(k.ms)} rec/s (${Math.round(k.ms)} ms, ${cpu(k)}); kts console-producer ${rate(c.ms)} rec/s (${Math.round(c.ms)} ms, ${cpu(c)}); kts/kcat ${(k.ms / c.ms).toFixed(2)}x wall, ${(k.cpu / c.cpu).toFixed(2)}x CPU; broker CPU ${kb.toFixed(2)} s for kcat, ${(brokerCpu(b.child.pid) - b0).toFixed(2)} s for kts`);
  if (otherKts) {
    await kts(['topics', '--create', '--topic', 'ho', '--partitions', '1', '--bootstrap-server', b.bootstrap]);
    const o = await timed(process.execPath, [otherKts, 'console-producer', '--topic', 'ho', '--bootstrap-server', b.bootstrap, '--request-required-acks', '1', '--timeout', '5', '--batch-size', '1000000'], { input: lines, capture: false });
    console.log(`produce: other console-producer ${rate(o.ms)} rec/s (${Math.round(o.ms)} ms, ${cpu(o)}); other/kcat ${(k.ms / o.ms).toFixed(2)}x wall, ${(k.cpu / o.cpu).toFixed(2)}x CPU`);
  }
  if (consume) {
    const kc = await kcat(['-C', '-b', b.bootstrap, '-t', 'hk', '-e', '-q', '-o', 'beginning'], { capture: false });
    const cc = await node(['console-consumer', '--topic', 'hk', '--bootstrap-server', b.bootstrap, '--from-beginning', '--max-messages', String(count)], { capture: false });
    if (otherKts) {
      const oc = await timed(process.execPath, [otherKts, 'console-consumer', '--topic', 'hk', '--bootstrap-server', b.bootstrap, '--from-beginning', '--max-messages', String(count)], { capture: false });
      console.log(`consume: other console-consumer ${rate(oc.ms)} rec/s (${Math.round(oc.ms)} ms, ${cpu(oc)}); other/kcat ${(kc.ms / oc.ms).toFixed(2)}x wall, ${(kc.cpu / oc.cpu).toFixed(2)}x CPU`);
    }
    console.log(`consume: kcat -C ${rate(kc.ms)} rec/s (${Math.round(kc.ms)} ms, ${cpu(kc)}); kts console-consumer ${rate(cc.ms)} rec/s (${Math.round(cc.ms)} ms, ${cpu(cc)}); kts/kcat ${(kc.ms / cc.ms).toFixed(2)}x wall, ${(kc.cpu / cc.cpu).toFixed(2)}x CPU`);
  }
} finally {
  await b.stop();
  rmSync(work, { recursive: true, force: true });
}
