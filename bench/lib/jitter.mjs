// Scheduling-jitter probe, run as its own process next to a latency measurement: a 1 ms
// timer loop records how late each tick fires. Its p99 is what the machine alone (load,
// CPU steal, the event loop) adds to any latency measured in the same window.
// Usage: node bench/lib/jitter.mjs <seconds>; prints "p50 p99 p99.9" in ms.
import { performance } from 'node:perf_hooks';

const seconds = Number(process.argv[2] ?? 5);
const late = [];
const end = performance.now() + seconds * 1000;
let expected = performance.now() + 1;
function tick() {
  const now = performance.now();
  late.push(Math.max(0, now - expected));
  if (now >= end) {
    late.sort((a, b) => a - b);
    const p = (q) => late[Math.min(late.length - 1, Math.floor(q * late.length))].toFixed(1);
    process.stdout.write(`${p(0.5)} ${p(0.99)} ${p(0.999)}\n`);
    return;
  }
  expected = now + 1;
  setTimeout(tick, 1);
}
setTimeout(tick, 1);
