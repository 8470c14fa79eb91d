// Regenerates the README's screenshots of kts ui (docs/images/ui-*.png): a fresh kts broker,
// topics fed by kcat for ~30 s while kts ui samples every second, a group with lag (kafkajs),
// then headless Chromium captures the overview, a topic and the group.
// Usage: npm run build && node scripts/ui-screenshots.mjs   (needs kcat and chromium)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { chromium } from 'playwright-core';
import { KTS, kts, run, startBroker } from '../bench/lib/proc.mjs';

const out = fileURLToPath(new URL('../docs/images/', import.meta.url));
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'kts-shots-'));
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const b = await startBroker(work, ['num.partitions=3']);
let ui;
try {
  for (const [topic, partitions] of [['orders', 6], ['payments', 3], ['clicks', 12], ['audit-log', 1]]) {
    await kts(['topics', '--create', '--topic', topic, '--partitions', String(partitions), '--bootstrap-server', b.bootstrap]);
  }
  const child = spawn(process.execPath, [KTS, 'ui', '--bootstrap-server', b.bootstrap, '--listen', '127.0.0.1:0', '--history-dir', join(work, 'history'), '--sample-interval', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = /kts ui serving (http:\/\/\S+\/) /.exec(text);
      if (m) resolve(m[1]);
    });
  });
  ui = child;
  const kafka = new Kafka({ clientId: 'shots', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  for (let round = 0; round < 30; round++) {
    const n = 2000 + Math.round(1500 * Math.sin(round / 4));
    const json = (i) => `{"order":${round * 10000 + i},"amount":${(i * 7) % 100}}`;
    const keyed = join(work, 'keyed.txt');
    const plain = join(work, 'plain.txt');
    writeFileSync(keyed, Array.from({ length: n }, (_, i) => `customer-${i % 97}\t${json(i)}`).join('\n') + '\n');
    writeFileSync(plain, Array.from({ length: n }, (_, i) => json(i)).join('\n') + '\n');
    await run('kcat', ['-P', '-b', b.bootstrap, '-t', 'orders', '-K', '\t'], { input: keyed });
    await run('kcat', ['-P', '-b', b.bootstrap, '-t', round % 2 ? 'clicks' : 'payments'], { input: plain });
    if (round === 5) await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, offset: '0' })) });
    if (round === 12) await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, offset: String(2000 * (round / 12)) })) });
    if (round === 8) await admin.setOffsets({ groupId: 'fraud-check', topic: 'payments', partitions: [0, 1, 2].map((partition) => ({ partition, offset: '0' })) });
    await pause(1000);
  }
  await admin.disconnect();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const [hash, file] of [['#/', 'ui-overview.png'], ['#/topics/orders', 'ui-topic.png'], ['#/groups/billing', 'ui-group.png']]) {
    await page.goto(url + hash);
    await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === ${JSON.stringify(hash)}`);
    await pause(500);
    await page.screenshot({ path: join(out, file) });
    console.log(`wrote ${join(out, file)}`);
  }
  await browser.close();
} finally {
  ui?.kill('SIGINT');
  await b.stop();
  rmSync(work, { recursive: true, force: true });
}
