// `kts ui` (the built binary) against a real kts broker, driven in a real headless Chromium
// (Debian's chromium through playwright-core). Records come from kcat, the group's committed
// offsets from a kafkajs admin, and the numbers the pages show are compared with what
// kafkajs's admin API reports. Skips when chromium or kcat is missing.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runBroker, tempDir, type RunningBroker } from '../broker/helpers.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { KTS_BIN } from '../helpers/run-kts.js';

const CHROMIUM = '/usr/bin/chromium';
const needsChromium = existsSync(CHROMIUM) ? false : 'chromium is not installed (apt-get install chromium)';
const needsBuild = existsSync(new URL('../../dist/ui/app.js', import.meta.url)) ? false : 'kts is not built (npm run build)';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts `kts ui` as a subprocess; resolves with its URL once it serves. */
async function startUi(t: Teardown, b: RunningBroker, extra: string[] = []): Promise<string> {
  const historyDir = await tempDir(t, 'kts-ui-history-');
  const child: ChildProcess = spawn(process.execPath, [KTS_BIN, 'ui', '--bootstrap-server', b.bootstrap, '--listen', '127.0.0.1:0', '--history-dir', historyDir, '--sample-interval', '0.5', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /kts ui serving (http:\/\/\S+\/) /.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`kts ui exited: ${out}${err}`)));
  });
}

async function openPage(t: Teardown, browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => page.close());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${url}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${url}: ${String(e)}`));
  await page.goto(url);
  return page;
}

async function show(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  // A string runs in the page (the test's tsconfig has no DOM types).
  const h = JSON.stringify(hash);
  await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === ${h}`);
}

const cardValue = (page: Page, testid: string): Promise<string> => page.locator(`[data-testid="${testid}"] .value`).innerText();
const asNumber = (s: string): number => Number(s.replace(/,/g, ''));

async function committed(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return res!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

t.test('kts ui in Chromium: pages, numbers, charts, search, offset reset, read-only', { skip: needsKcat || needsChromium || needsBuild }, async (t) => {
  const b = await runBroker(t, ['num.partitions=3', 'group.initial.rebalance.delay.ms=0']);
  const kafka = new Kafka({ clientId: 'kts-ui-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
  const lines = Array.from({ length: 300 }, (_, i) => `k${i % 7}\tvalue-${i}`).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'orders', '-K', '\t'], lines)).code, 0);
  // The planted record: a key, a value and a header to find again in the message browser.
  t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'orders', '-p', '1', '-k', 'needle-key', '-H', 'trace=abc123'], 'planted-needle-value\n')).code, 0);
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [0, 1, 2].map((partition) => ({ partition, offset: '10' })) });

  const url = await startUi(t, b);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  t.teardown(() => browser.close());
  const errors: string[] = [];
  const page = await openPage(t, browser, url, errors);

  const truth = await admin.fetchTopicOffsets('orders');
  const ends = truth.sort((a, c) => a.partition - c.partition).map((p) => Number(p.high));
  const totalRecords = ends.reduce((n, x) => n + x, 0);
  t.equal(totalRecords, 301);
  const expectedLag = ends.reduce((n, end) => n + (end - 10), 0);

  await t.test('overview equals the admin API', async (t) => {
    await show(page, '#/');
    const cluster = await admin.describeCluster();
    t.equal(asNumber(await cardValue(page, 'brokers')), cluster.brokers.length);
    t.equal(asNumber(await cardValue(page, 'topics')), (await admin.listTopics()).filter((x) => !x.startsWith('__')).length);
    t.equal(asNumber(await cardValue(page, 'messages')), totalRecords);
    t.equal(asNumber(await cardValue(page, 'under-replicated')), 0);
    t.equal(asNumber(await cardValue(page, 'total-lag')), expectedLag);
  });

  await t.test('topic page: partitions with leader, ISR and offsets', async (t) => {
    await show(page, '#/topics');
    t.ok(await page.locator('[data-testid="topics-table"] a', { hasText: 'orders' }).count(), 'orders listed');
    await show(page, '#/topics/orders');
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const rows = await page.locator('[data-testid="partitions-table"] tbody tr').allInnerTexts();
    t.equal(rows.length, 3);
    for (const p of meta.topics[0]!.partitions) {
      const cells = rows[p.partitionId]!.split('\t').map((c) => c.trim());
      t.equal(Number(cells[0]), p.partitionId);
      t.equal(Number(cells[1]), p.leader, `partition ${p.partitionId} leader`);
      t.equal(cells[3], p.isr.join(', '), `partition ${p.partitionId} ISR`);
      t.equal(asNumber(cells[5]!), ends[p.partitionId], `partition ${p.partitionId} high watermark`);
    }
  });

  await t.test('message search finds the planted record', async (t) => {
    await page.fill('[data-testid="filter-value"]', 'needle');
    await page.click('[data-testid="message-search"] button[type="submit"]');
    await page.waitForSelector('[data-testid="messages-table"]');
    const rows = await page.locator('[data-testid="messages-table"] tbody tr').allInnerTexts();
    t.equal(rows.length, 1, 'exactly one record matches');
    t.match(rows[0]!, /needle-key/);
    t.match(rows[0]!, /planted-needle-value/);
    t.match(rows[0]!, /trace: abc123/);
    const cells = rows[0]!.split('\t').map((c) => c.trim());
    t.same([Number(cells[0]), Number(cells[1])], [1, ends[1]! - 1], 'the last record of partition 1, where kcat wrote it');
  });

  await t.test('group page: lag per partition equals kafkajs offsets', async (t) => {
    await show(page, '#/groups');
    t.ok(await page.locator('[data-testid="groups-table"] a', { hasText: 'billing' }).count());
    await show(page, '#/groups/billing');
    t.equal(asNumber(await cardValue(page, 'group-lag')), expectedLag);
    const rows = await page.locator('[data-testid="lag-table"] tbody tr').allInnerTexts();
    t.equal(rows.length, 3);
    rows.forEach((r, i) => {
      const cells = r.split('\t').map((c) => c.trim());
      t.equal(asNumber(cells[2]!), 10, `committed offset of partition ${i}`);
      t.equal(asNumber(cells[4]!), ends[i]! - 10, `lag of partition ${i}`);
    });
  });

  await t.test('offset reset: the dry run changes nothing, execute commits', async (t) => {
    await page.selectOption('[data-testid="reset-to"]', 'earliest');
    await page.click('[data-testid="reset-dry-run"]');
    await page.waitForSelector('[data-testid="reset-plan-table"]');
    t.same(await committed(admin, 'billing', 'orders'), [10, 10, 10], 'dry run committed nothing');
    await page.click('[data-testid="reset-execute"]');
    await page.waitForSelector('[data-testid="reset-done"]');
    t.same(await committed(admin, 'billing', 'orders'), [0, 0, 0], 'execute committed the earliest offsets');
  });

  await t.test('a chart has points after load is applied', async (t) => {
    for (let round = 0; round < 3; round++) {
      t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'orders'], Array.from({ length: 500 }, (_, i) => `load-${round}-${i}`).join('\n') + '\n')).code, 0);
      await new Promise((r) => setTimeout(r, 600));
    }
    // Wait until kts ui's history holds a positive rate (it samples every 0.5 s).
    for (let i = 0; i < 60; i++) {
      const h = (await (await fetch(`${url}api/history?series=cluster:endOffsets&rangeMs=3600000`)).json()) as { values: Record<string, (number | null)[]> };
      const v = h.values['cluster:endOffsets']!.filter((x): x is number => x !== null);
      if (v.length >= 2 && v[v.length - 1]! > v[0]!) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await show(page, '#/');
    await page.waitForSelector('[data-testid="chart-messages"][data-points]');
    const points = Number(await page.getAttribute('[data-testid="chart-messages"]', 'data-points'));
    t.ok(points > 0, `messages-in chart has ${points} point(s)`);
    t.ok(await page.locator('[data-testid="chart-messages"] canvas').count(), 'drawn with uPlot');
  });

  await t.test('read-only mode: no actions on the page, refused by the server', async (t) => {
    const roUrl = await startUi(t, b, ['--read-only']);
    const ro = await openPage(t, browser, roUrl, errors);
    await show(ro, '#/topics');
    t.equal(await ro.locator('[data-testid="create-topic"]').count(), 0, 'no create form');
    await show(ro, '#/groups/billing');
    t.equal(await ro.locator('[data-testid="reset-offsets"]').count(), 0, 'no reset form');
    const res = await fetch(`${roUrl}api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sneaky', partitions: 1 }) });
    t.equal(res.status, 403);
    t.match(((await res.json()) as { error: string }).error, /read-only/);
    const reset = await fetch(`${roUrl}api/groups/billing/reset-offsets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'orders', to: 'latest', execute: true }) });
    t.equal(reset.status, 403);
    t.notOk((await admin.listTopics()).includes('sneaky'), 'no topic was created');
    t.same(await committed(admin, 'billing', 'orders'), [0, 0, 0], 'offsets untouched');
  });

  await t.test('actions: create a topic, produce a record, cross-site requests refused', async (t) => {
    await show(page, '#/topics');
    await page.fill('[data-testid="new-topic-name"]', 'made-in-ui');
    await page.click('[data-testid="create-topic"] button[type="submit"]');
    await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === '#/topics/made-in-ui'`);
    t.ok((await admin.listTopics()).includes('made-in-ui'), 'created');
    await page.fill('[data-testid="produce-value"]', 'from the console');
    await page.click('[data-testid="produce"] button[type="submit"]');
    await page.waitForSelector('[data-testid="produce-result"] .notice');
    const consumed = await kcat(['-C', '-b', b.bootstrap, '-t', 'made-in-ui', '-e', '-q']);
    t.equal(consumed.stdout, 'from the console\n', 'kcat reads the produced record');
    const cross = await fetch(`${url}api/topics`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ name: 'x', partitions: 1 }) });
    t.equal(cross.status, 403);
  });

  t.same(errors, [], 'no console errors on any page');
});
