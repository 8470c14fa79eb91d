// Scenario 8: broker RSS idle (a fresh broker, 2 s after it is ready) and the peak under
// scenario 1's load (sampled every 100 ms while scenario 1 ran). Reference: RSS of an idle
// `node -e` process holding a TCP server, measured in the same run.
import { spawn } from 'node:child_process';
import { rssKiB, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'broker RSS';

async function idleNodeRssMiB() {
  const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(0,'127.0.0.1'); setTimeout(()=>{}, 60000)"], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssKiB(child.pid) / 1024;
  child.kill();
  return rss;
}

export async function run(ctx) {
  const nodeRss = await idleNodeRssMiB();
  const b = await startBroker(ctx.work);
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssKiB(b.child.pid) / 1024;
  await b.stop();
  ctx.log(`RSS idle ${fmt(idle, 1)} MiB, under load ${fmt(ctx.shared.loadRssMiB ?? NaN, 1)} MiB`);
  const reference = `idle node TCP server: ${fmt(nodeRss, 1)} MiB`;
  return [
    { scenario: '8 broker RSS idle', figure: `${fmt(idle, 1)} MiB`, reference, ratio: ratio(nodeRss, idle), target: '≤ 80 MB', met: met(idle * 1.048576 <= 80) },
    {
      scenario: '8 broker peak RSS under scenario 1',
      figure: ctx.shared.loadRssMiB ? `${fmt(ctx.shared.loadRssMiB, 1)} MiB` : 'scenario 1 not run',
      reference,
      ratio: ctx.shared.loadRssMiB ? ratio(nodeRss, ctx.shared.loadRssMiB) : '—',
      target: '—',
      met: '—',
    },
  ];
}
