// Scenario 5: broker start to ready (spawn of `kts server-start` until a TCP connection is
// accepted) and stop (SIGTERM until the process exited), median of 5 fresh brokers.
// Reference: `node -e 0` wall time, median of 5, in the same run.
import { median, run, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'start/stop';

export async function nodeStartMs(n = 5) {
  const times = [];
  for (let i = 0; i < n; i++) times.push((await run(process.execPath, ['-e', '0'], { capture: false })).ms);
  return median(times);
}

export async function run_(ctx) {
  const nodeMs = await nodeStartMs();
  ctx.shared.nodeStartMs = nodeMs;
  const ready = [];
  const stop = [];
  for (let i = 0; i < 5; i++) {
    const b = await startBroker(ctx.work);
    ready.push(b.readyMs);
    await new Promise((r) => setTimeout(r, 200));
    stop.push(await b.stop());
  }
  const r = median(ready);
  const s = median(stop);
  ctx.log(`start ${fmt(r)} ms, stop ${fmt(s)} ms, node -e 0 ${fmt(nodeMs)} ms`);
  const reference = `node -e 0: ${fmt(nodeMs)} ms`;
  return [
    { scenario: '5 start to ready (median of 5)', figure: `${fmt(r)} ms`, reference, ratio: ratio(nodeMs, r), target: '≤ 300 ms', met: met(r <= 300) },
    { scenario: '5 stop, SIGTERM to exit (median of 5)', figure: `${fmt(s)} ms`, reference, ratio: ratio(nodeMs, s), target: '≤ 500 ms', met: met(s <= 500) },
  ];
}

export { run_ as run };
