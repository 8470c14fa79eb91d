// `kts ui` (the built binary) for a 3-broker kts cluster (real ZooKeeper, `kts server-start`
// processes with kts.metrics.listener set) in a real headless Chromium:
// - brokers page: leaders and replicas per broker equal kafkajs's metadata, every partition
//   healthy; a broker page lists its partitions and charts the broker's own /metrics;
// - a reassignment throttled to 1 kB/s (kts reassign --throttle) stays in progress and is
//   listed on the reassignments page (ListPartitionReassignments);
// - a broker killed: the unhealthy partitions are listed and highlighted, the overview card
//   counts them;
//   the alerts page fires UnderReplicatedPartitions and BrokersNotLive;
// - the broker restarted and the reassignment cancelled (kts reassign --cancel): no
//   reassignment in progress, every partition healthy again, nothing firing.
import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startMetricsCluster } from '../helpers/metrics-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { runKts } from '../helpers/run-kts.js';
import { describeTopic, waitFor } from '../helpers/cluster-checks.js';
import { asNumber, cardValue, launchChromium, needsBuild, needsChromium, openPage, screenshot, show, startUi } from './helpers.js';
import type { Page } from 'playwright-core';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsKcat || needsChromium || needsBuild || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const rowsOf = (page: Page, testid: string): Promise<string[][]> =>
  page
    .locator(`[data-testid="${testid}"] tbody tr`)
    .allInnerTexts()
    .then((rows) => rows.map((r) => r.split('\t').map((c) => c.trim())));

/** Shows `hash` again until `accept` holds for the page (kts ui re-reads the cluster at most every second). */
async function showUntil(page: Page, hash: string, accept: () => Promise<boolean>, what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      await show(page, '#/');
      await show(page, hash);
      return (await accept()) ? true : undefined;
    },
    90_000,
  );
}

t.test('kts ui for a 3-broker cluster in Chromium: brokers, partitions, broker charts, unhealthy partitions, reassignments', { skip }, async (t) => {
  const cluster = await startMetricsCluster(t, [1, 2, 3]);
  const created = await runKts(['topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '3', '--config', 'min.insync.replicas=2', '--bootstrap-server', cluster.bootstrap()]);
  t.equal(created.code, 0, created.stderr);
  await waitFor('an ISR of 3 on every partition', async () => {
    const p = await describeTopic(cluster.bootstrap(), 'orders');
    return p.length === 3 && p.every((x) => x.isr.length === 3) ? p : undefined;
  });
  const lines = Array.from({ length: 600 }, (_, i) => `order-${i}`).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'orders', '-X', 'acks=all'], lines, 60_000)).code, 0, 'kcat produced');

  const kafka = new Kafka({ clientId: 'kts-ui-cluster-test', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const { controller } = await admin.describeCluster();
  const victim = cluster.ids.find((id) => id !== controller)!;
  // A single-replica topic holding 1 MB, to move onto the victim at 1 kB/s (in progress for minutes).
  const moving = cluster.ids.find((id) => id !== victim)!;
  t.equal((await runKts(['topics', '--create', '--topic', 'moving', '--replica-assignment', String(moving), '--bootstrap-server', cluster.bootstrap()])).code, 0);
  const big = Array.from({ length: 1000 }, (_, i) => `${i}:`.padEnd(1000, 'x')).join('\n') + '\n';
  t.equal((await kcat(['-P', '-b', cluster.bootstrap(), '-t', 'moving'], big, 60_000)).code, 0, '1 MB in moving-0');
  const dir = mkdtempSync(join(tmpdir(), 'kts-ui-reassign-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify({ version: 1, partitions: [{ topic: 'moving', partition: 0, replicas: [moving, victim] }] }));

  const url = await startUi(t, { bootstrap: cluster.bootstrap() });
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const errors: string[] = [];
  const page = await openPage(t, browser, url, errors);

  await t.test('brokers page equals kafkajs metadata, all healthy', async (t) => {
    const meta = await admin.fetchTopicMetadata({ topics: ['orders', 'moving'] });
    const parts = meta.topics.flatMap((x) => x.partitions);
    // Right after the topics were created the snapshot kts ui serves may predate them: wait for it.
    await showUntil(page, '#/brokers', async () => (await rowsOf(page, 'brokers-table').catch(() => [])).length === 3 && (await page.locator('[data-testid="all-healthy"]').count()) === 1, 'three brokers, all healthy');
    const rows = await rowsOf(page, 'brokers-table');
    t.equal(rows.length, 3, 'three brokers');
    for (const r of rows) {
      const id = Number(r[0]);
      t.equal(asNumber(r[5]!), parts.filter((p) => p.leader === id).length, `broker ${id} leaders`);
      t.equal(asNumber(r[6]!), parts.filter((p) => p.replicas.includes(id)).length, `broker ${id} replicas`);
      t.equal(asNumber(r[8]!), 0, `broker ${id} out of ISR`);
    }
    t.equal(await page.locator('[data-testid="all-healthy"]').count(), 1, 'every partition healthy');
  });

  await t.test("broker page: its partitions, and charts of the broker's own /metrics", async (t) => {
    await show(page, `#/brokers/${victim}`);
    const rows = await rowsOf(page, 'broker-partitions-table');
    t.same(rows.map((r) => `${r[0]}-${r[1]}`).sort(), ['orders-0', 'orders-1', 'orders-2'], `broker ${victim} hosts the orders partitions`);
    t.ok(rows.every((r) => r[6] === 'yes'), 'in sync everywhere');
    // kts ui samples every 0.5 s, scraping each broker's kts.metrics.listener.
    await showUntil(
      page,
      `#/brokers/${victim}`,
      async () => {
        await page.waitForSelector('[data-testid="broker-chart-partitions"][data-points]');
        return Number(await page.getAttribute('[data-testid="broker-chart-partitions"]', 'data-points')) >= 2;
      },
      'points in the broker partitions chart',
    );
    t.ok(await page.locator('[data-testid="broker-chart-partitions"] canvas').count(), 'the replicas chart is drawn from the broker metrics');
    const h = (await (await fetch(`${url}api/history?series=broker:${victim}:partitions,broker:${victim}:messagesIn&rangeMs=3600000`)).json()) as { values: Record<string, (number | null)[]> };
    const replicas = h.values[`broker:${victim}:partitions`]!.filter((x) => x !== null);
    t.equal(replicas[replicas.length - 1], 3, 'the history holds the broker\'s kafka_server_replicamanager_partitioncount');
  });

  await t.test('reassignments page lists a move in progress', async (t) => {
    const r = await runKts(['reassign', '--execute', '--reassignment-json-file', planFile, '--throttle', '1000', '--bootstrap-server', cluster.bootstrap()]);
    t.equal(r.code, 0, `kts reassign --execute --throttle 1000: ${r.stderr}`);
    await showUntil(page, '#/reassignments', async () => (await rowsOf(page, 'reassignments-table').catch(() => [])).length === 1, 'the move is listed');
    const [row] = await rowsOf(page, 'reassignments-table');
    t.same([row![0], row![1], row![3]], ['moving', '0', String(victim)], `moving-0 is adding broker ${victim}`);
    await screenshot(page, '#/reassignments', 'ui-reassignments.png');
  });

  await cluster.brokers.get(victim)!.kill();

  await t.test('a broker killed: unhealthy partitions listed and highlighted', async (t) => {
    await showUntil(page, '#/brokers', async () => (await rowsOf(page, 'unhealthy-table').catch(() => [])).filter((r) => r[0] === 'orders').length === 3, 'three orders partitions listed as not healthy');
    const rows = (await rowsOf(page, 'unhealthy-table')).filter((r) => r[0] === 'orders');
    for (const r of rows) {
      t.equal(r[5], String(victim), `orders-${r[1]}: broker ${victim} is out of the ISR`);
      t.equal(r[6], 'under-replicated');
    }
    t.ok(await page.locator('[data-testid="unhealthy-table"] tr.row-warn').count() >= 3, 'under-replicated rows are highlighted');
    t.match(await page.locator('[data-testid="absent-brokers"]').innerText(), new RegExp(`Broker ${victim} is not live`), 'the dead broker is named');
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    t.same(meta.topics[0]!.partitions.map((p) => p.isr.length), [2, 2, 2], 'kafkajs agrees: ISR of 2');
    await show(page, '#/');
    t.ok(asNumber(await cardValue(page, 'under-replicated')) >= 3, 'the overview counts them');
    await showUntil(page, '#/alerts', async () => (await rowsOf(page, 'alerts-table')).some((r) => r[0] === 'BrokersNotLive' && r[2] === 'firing'), 'BrokersNotLive firing');
    const alerts = new Map((await rowsOf(page, 'alerts-table')).map((r) => [r[0], r]));
    t.equal(alerts.get('UnderReplicatedPartitions')?.[2], 'firing', 'UnderReplicatedPartitions fires');
    t.match(alerts.get('BrokersNotLive')?.[4] ?? '', new RegExp(`Broker\\(s\\) ${victim} host replicas`), 'the dead broker is named');
    t.equal(alerts.get('OfflinePartitions')?.[2], 'ok', 'no partition is offline');
    t.equal(alerts.get('AbnormalControllerState')?.[2], 'ok');
    await screenshot(page, '#/alerts', 'ui-alerts.png');
    await screenshot(page, '#/brokers', 'ui-brokers.png');
    await screenshot(page, `#/brokers/${controller}`, 'ui-broker.png');
  });

  // On an overloaded machine a restarting broker may miss its 4 s ZooKeeper session during
  // start-up and exit ("ZooKeeper session expired while working on /"); that start-up bug
  // belongs to the cluster code (reported), not to what this test checks: one more try.
  await cluster.start(victim).catch((err: unknown) => {
    if (!/ZooKeeper session expired/.test(String(err))) throw err;
    t.comment(`broker ${victim} restart: ${String(err).split('\n')[0]}; starting it again`);
    return cluster.start(victim);
  });

  await t.test('the broker back, the move cancelled: nothing in progress, every partition healthy', async (t) => {
    const r = await runKts(['reassign', '--cancel', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap()]);
    t.equal(r.code, 0, `kts reassign --cancel: ${r.stderr}`);
    await showUntil(page, '#/reassignments', async () => (await page.locator('[data-testid="no-reassignments"]').count()) === 1, 'no reassignment in progress');
    t.pass('the reassignments page shows none');
    await showUntil(page, '#/brokers', async () => (await page.locator('[data-testid="all-healthy"]').count()) === 1, 'all healthy again');
    const rows = await rowsOf(page, 'brokers-table');
    t.ok(rows.every((r) => asNumber(r[8]!) === 0), 'no replica out of ISR');
    await showUntil(page, '#/alerts', async () => (await page.locator('[data-testid="alerts-summary"]').innerText()) === 'Nothing is firing.', 'no alert firing');
    t.pass('the alerts page shows nothing firing');
  });

  t.same(errors, [], 'no console errors on any page');
});
