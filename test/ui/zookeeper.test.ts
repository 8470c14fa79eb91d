// kts ui's read-only ZooKeeper page in a real headless Chromium, for a kts cluster on a real
// ZooKeeper: kts ui finds ZooKeeper through the brokers' zookeeper.connect (DescribeConfigs),
// the tree shows Kafka's znodes, a broker's registration carries its real port and is
// ephemeral, /controller names the controller kafkajs reports; an unknown path is a 404, a
// bad one a 400, and no API writes to ZooKeeper.
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startMetricsCluster } from '../helpers/metrics-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { launchChromium, needsBuild, needsChromium, openPage, screenshot, show, startUi } from './helpers.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || needsChromium || needsBuild || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

t.test('kts ui ZooKeeper page: Kafka znodes of a kts cluster, read-only', { skip }, async (t) => {
  const cluster = await startMetricsCluster(t, [1, 2]);
  const kafka = new Kafka({ clientId: 'kts-ui-zk-test', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const { controller } = await admin.describeCluster();

  const url = await startUi(t, { bootstrap: cluster.bootstrap() });
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const errors: string[] = [];
  const page = await openPage(t, browser, url, errors);
  const children = async (): Promise<string[]> => (await page.locator('[data-testid="znode-children"] tbody tr').allInnerTexts()).map((r) => r.trim());

  await show(page, '#/zookeeper/%2F');
  await page.waitForSelector('[data-testid="znode-children"] tbody tr');
  const top = await children();
  for (const z of ['brokers', 'controller', 'cluster', 'admin', 'config']) t.ok(top.includes(z), `/${z} is listed at the root`);

  await page.click('[data-testid="znode-children"] a:text-is("brokers")');
  await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === '#/zookeeper/%2Fbrokers'`);
  t.ok((await children()).includes('ids'), '/brokers/ids under /brokers');

  await show(page, '#/zookeeper/%2Fbrokers%2Fids');
  t.same(await children(), ['1', '2'], 'both brokers are registered');
  await show(page, '#/zookeeper/%2Fbrokers%2Fids%2F2');
  const registration = JSON.parse(await page.locator('[data-testid="znode-data"]').innerText()) as { port: number; endpoints: string[] };
  t.equal(registration.port, cluster.brokers.get(2)!.port, "broker 2's registration carries its real port");
  t.match(await page.locator('[data-testid="znode-stat"]').innerText(), /ephemeral, session 0x[0-9a-f]+/, 'the registration is ephemeral');
  await screenshot(page, '#/zookeeper/%2Fbrokers%2Fids%2F2', 'ui-zookeeper.png');

  await show(page, '#/zookeeper/%2Fcontroller');
  const c = JSON.parse(await page.locator('[data-testid="znode-data"]').innerText()) as { brokerid: number };
  t.equal(c.brokerid, controller, '/controller names the controller kafkajs reports');

  const missing = await fetch(`${url}api/zookeeper?path=${encodeURIComponent('/no/such/znode')}`);
  t.equal(missing.status, 404, 'an unknown znode is a 404');
  t.match(((await missing.json()) as { error: string }).error, /No znode \/no\/such\/znode/);
  const bad = await fetch(`${url}api/zookeeper?path=relative/path`);
  t.equal(bad.status, 400, 'a relative path is refused');
  const write = await fetch(`${url}api/zookeeper?path=/controller`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: '{}' });
  t.equal(write.status, 404, 'no API deletes or writes a znode');
  const still = await fetch(`${url}api/zookeeper?path=/controller`);
  t.equal(still.status, 200, '/controller is still there');

  t.same(errors, [], 'no console errors');
});
