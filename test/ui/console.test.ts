// `kts ui` (the built binary) against a real kts broker, driven in a real headless Chromium
// (Debian's chromium through playwright-core). Records come from kcat, the group's committed
// offsets from a kafkajs admin, and the numbers the pages show are compared with what
// kafkajs's admin API reports. Skips when chromium or kcat is missing.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { runBroker } from '../broker/helpers.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { asNumber, cardValue, committed, launchChromium, needsBuild, needsChromium, openPage, show, startUi } from './helpers.js';

t.test('kts ui in Chromium: pages, numbers, charts, message search, offset reset', { skip: needsKcat || needsChromium || needsBuild }, async (t) => {
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
  const browser = await launchChromium();
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

  await t.test('brokers page equals the admin API', async (t) => {
    await show(page, '#/brokers');
    const cluster = await admin.describeCluster();
    const rows = await page.locator('[data-testid="brokers-table"] tbody tr').allInnerTexts();
    t.equal(rows.length, cluster.brokers.length);
    const cells = rows[0]!.split('\t').map((c) => c.trim());
    t.same([Number(cells[0]), cells[1], Number(cells[2])], [cluster.brokers[0]!.nodeId, cluster.brokers[0]!.host, cluster.brokers[0]!.port]);
    t.equal(cells[4], cluster.controller === cluster.brokers[0]!.nodeId ? 'controller' : 'broker');
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

  await t.test("the planted record in kafka-console-consumer's format, through the console-consumer formatter", async (t) => {
    await page.fill('[data-testid="format"]', 'print.partition=true\nprint.offset=true\nprint.headers=true\nprint.key=true\nkey.separator=,');
    await page.click('[data-testid="message-search"] button[type="submit"]');
    await page.waitForSelector('[data-testid="formatted-output"]');
    const text = await page.locator('[data-testid="formatted-output"]').innerText();
    // DefaultMessageFormatter's field order: partition, offset, headers, key, value.
    t.equal(text.trim(), `Partition:1,Offset:${ends[1]! - 1},trace:abc123,needle-key,planted-needle-value`);
    await page.fill('[data-testid="format"]', 'print.nonsense=true');
    await page.click('[data-testid="message-search"] button[type="submit"]');
    await page.waitForSelector('[data-testid="messages"] [data-testid="error"]');
    t.match(await page.locator('[data-testid="messages"] [data-testid="error"]').innerText(), /unknown formatter property 'print\.nonsense'/, 'an unknown property is refused as the tool refuses it');
    errors.splice(0, errors.length, ...errors.filter((e) => !/status of 400/.test(e)));
    await page.fill('[data-testid="format"]', '');
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

  t.same(errors, [], 'no console errors on any page');
});
