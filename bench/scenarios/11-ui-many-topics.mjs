// Scenario 11: kts ui with many topics and groups (2,000 topics and 200 groups; 500 and 50
// with --quick). Times the topics and groups pages in headless Chromium (from the hash change
// until the page is drawn, median of 3) and the JSON API behind them, twice: a console
// sampling every second (each load waits out the 1 s cache, so every page reads the cluster:
// the worst case) and one with the default 10 s interval (pages show the last read, at most
// 10 s old, while a new one runs). Reference, same run and broker:
// `kts topics --list` and `kts consumer-groups --list` (the CLI listing the same names).
// Target: each page under 1 s. Skips the page timing when chromium is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { KTS, kts, median, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'kts ui with many topics';

const CHROMIUM = '/usr/bin/chromium';

async function populate(b, topics, groups) {
  const { Kafka, logLevel } = await import('kafkajs');
  // Generous retries: on a loaded machine the coordinator lookups of many groups are slow.
  const kafka = new Kafka({ clientId: 'bench-ui', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, requestTimeout: 600_000, retry: { retries: 12, maxRetryTime: 120_000 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < topics; i += 250) {
      const batch = Array.from({ length: Math.min(250, topics - i) }, (_, j) => ({ topic: `topic-${String(i + j).padStart(5, '0')}`, numPartitions: 1 }));
      await admin.createTopics({ topics: batch, timeout: 600_000 });
    }
    const producer = kafka.producer();
    await producer.connect();
    await producer.sendBatch({ topicMessages: Array.from({ length: groups }, (_, i) => ({ topic: `topic-${String(i).padStart(5, '0')}`, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })) });
    await producer.disconnect();
    // Each group commits offset 1 on its topic (lag 2): the first alone (it creates
    // __consumer_offsets), then 5 at a time.
    await admin.setOffsets({ groupId: 'group-0000', topic: 'topic-00000', partitions: [{ partition: 0, offset: '1' }] });
    for (let i = 1; i < groups; i += 5) {
      await Promise.all(
        Array.from({ length: Math.min(5, groups - i) }, (_, j) =>
          admin.setOffsets({ groupId: `group-${String(i + j).padStart(4, '0')}`, topic: `topic-${String(i + j).padStart(5, '0')}`, partitions: [{ partition: 0, offset: '1' }] }),
        ),
      );
    }
  } finally {
    await admin.disconnect();
  }
}

function startUi(work, b, sampleSeconds) {
  const child = spawn(process.execPath, [KTS, 'ui', '--bootstrap-server', b.bootstrap, '--listen', '127.0.0.1:0', '--history-dir', mkdtempSync(join(work, 'ui-history-')), '--sample-interval', String(sampleSeconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /kts ui serving (http:\/\/\S+\/) /.exec(out);
      if (m) resolve({ url: m[1], stop: async () => (child.kill('SIGINT'), await exited) });
    });
    child.stderr.on('data', (d) => (out += d));
    exited.then(() => reject(new Error(`kts ui exited: ${out}`)));
  });
}

async function apiMs(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.json();
  return performance.now() - t0;
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function pageTimes(url, hashes) {
  if (!existsSync(CHROMIUM)) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === '#/'`);
    const out = {};
    for (const hash of hashes) {
      const times = [];
      for (let i = 0; i < 3; i++) {
        await page.evaluate(`location.hash = '#/brokers'`);
        await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === '#/brokers'`);
        await pause(1_100); // past the console's snapshot cache: every load reads the cluster
        const t0 = performance.now();
        await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
        await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === ${JSON.stringify(hash)}`, undefined, { timeout: 60_000 });
        times.push(performance.now() - t0);
      }
      out[hash] = times;
    }
    return out;
  } finally {
    await browser.close();
  }
}

export async function run(ctx) {
  const topics = ctx.quick ? 500 : 2_000;
  const groups = ctx.quick ? 50 : 200;
  const b = await startBroker(ctx.work);
  const rows = [];
  try {
    await populate(b, topics, groups);
    const topicsListMs = [];
    for (let i = 0; i < 3; i++) topicsListMs.push((await kts(['topics', '--list', '--bootstrap-server', b.bootstrap])).ms);
    const groupsListMs = [];
    for (let i = 0; i < 3; i++) groupsListMs.push((await kts(['consumer-groups', '--list', '--bootstrap-server', b.bootstrap])).ms);
    const list = (xs) => xs.map((x) => fmt(x)).join(', ');
    const measured = {};
    for (const sampleSeconds of [1, 10]) {
      const ui = await startUi(ctx.work, b, sampleSeconds);
      try {
        const api = { topics: [], groups: [] };
        for (let i = 0; i < 3; i++) {
          await pause(1_100);
          api.topics.push(await apiMs(`${ui.url}api/topics`));
          await pause(1_100);
          api.groups.push(await apiMs(`${ui.url}api/groups`));
        }
        const pages = await pageTimes(ui.url, ['#/topics', '#/groups']);
        ctx.log(`sampling every ${sampleSeconds} s: API /api/topics ${list(api.topics)} ms, /api/groups ${list(api.groups)} ms; pages ${pages ? `${list(pages['#/topics'])} / ${list(pages['#/groups'])} ms` : 'skipped (no chromium)'}`);
        measured[sampleSeconds] = { api, pages };
      } finally {
        await ui.stop();
      }
    }
    for (const [what, hash, refMs, refName] of [
      ['topics', '#/topics', median(topicsListMs), 'kts topics --list'],
      ['groups', '#/groups', median(groupsListMs), 'kts consumer-groups --list'],
    ]) {
      const cold = measured[1];
      const warm = measured[10];
      const page = (m) => (m.pages ? median(m.pages[hash]) : NaN);
      rows.push({
        scenario: `11 kts ui ${what} page, ${fmt(topics)} topics and ${fmt(groups)} groups (Chromium, median of 3): every load reads the cluster / default 10 s sampling`,
        figure: cold.pages ? `${fmt(page(cold))} ms (runs ${list(cold.pages[hash])}) / ${fmt(page(warm))} ms (runs ${list(warm.pages[hash])}); API ${fmt(median(cold.api[what]))} / ${fmt(median(warm.api[what]))} ms` : `pages not timed (no chromium); API ${fmt(median(cold.api[what]))} / ${fmt(median(warm.api[what]))} ms`,
        reference: `${refName} in the same run: ${fmt(refMs)} ms`,
        ratio: ratio(cold.pages ? page(cold) : median(cold.api[what]), refMs),
        target: '< 1 s',
        met: cold.pages && !ctx.quick ? met(page(cold) < 1000) : '—',
      });
    }
  } finally {
    await b.stop();
  }
  return rows;
}
