// Hot paths (issue 8): kts console-producer vs kcat -P, and kts console-consumer vs
// kcat -C, on the same lines file and the same fresh broker. Prints records/s and the
// ratio (run on a loaded machine, so only ratios from the same run mean anything).
// Usage: node bench/hotpaths-producer.mjs [records=1000000] [--no-consume] [--prof DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KTS, kts, linesFile, runOk, startBroker } from './lib/proc.mjs';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const consume = !process.argv.includes('--no-consume');
const profAt = process.argv.indexOf('--prof');
const profDir = profAt > 0 ? process.argv[profAt + 1] : null;
const work = mkdtempSync(join(tmpdir(), 'kts-hot-'));
const lines = linesFile(join(work, 'lines.txt'), count, 100);
const node = (args, opts) => runOk(process.execPath, [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), KTS, ...args], opts);
const rate = (ms) => Math.round(count / (ms / 1000));

const b = await startBroker(work);
try {
  console.log(`broker ready in ${Math.round(b.readyMs)} ms`);
  for (const t of ['hk', 'hc']) await kts(['topics', '--create', '--topic', t, '--partitions', '1', '--bootstrap-server', b.bootstrap]);
  const k = await runOk('kcat', ['-P', '-b', b.bootstrap, '-t', 'hk', '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=1'], { input: lines, capture: false });
  const c = await node(['console-producer', '--topic', 'hc', '--bootstrap-server', b.bootstrap, '--request-required-acks', '1', '--timeout', '5', '--batch-size', '1000000'], { input: lines, capture: false });
  console.log(`produce: kcat -P ${rate(k.ms)} rec/s (${Math.round(k.ms)} ms); kts console-producer ${rate(c.ms)} rec/s (${Math.round(c.ms)} ms); kts/kcat ${(k.ms / c.ms).toFixed(2)}x`);
  if (consume) {
    const kc = await runOk('kcat', ['-C', '-b', b.bootstrap, '-t', 'hk', '-e', '-q', '-o', 'beginning'], { capture: false });
    const cc = await node(['console-consumer', '--topic', 'hk', '--bootstrap-server', b.bootstrap, '--from-beginning', '--max-messages', String(count)], { capture: false });
    console.log(`consume: kcat -C ${rate(kc.ms)} rec/s (${Math.round(kc.ms)} ms); kts console-consumer ${rate(cc.ms)} rec/s (${Math.round(cc.ms)} ms); kts/kcat ${(kc.ms / cc.ms).toFixed(2)}x`);
  }
} finally {
  await b.stop();
  rmSync(work, { recursive: true, force: true });
}
