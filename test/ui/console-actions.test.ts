// `kts ui` actions in a real headless Chromium against a real kts broker: --read-only hides
// them and the server refuses them (not only the page); with actions on, a topic created and
// a record produced in the page are what kafkajs and kcat then see; cross-site requests are
// refused. Skips when chromium or kcat is missing.
import t from 'tap';
import { request } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { runBroker } from '../broker/helpers.js';
import { kcat, needsKcat } from '../helpers/kcat.js';
import { committed, launchChromium, needsBuild, needsChromium, openPage, show, startUi } from './helpers.js';

t.test('kts ui actions: read-only refusals, create, produce, cross-site', { skip: needsKcat || needsChromium || needsBuild }, async (t) => {
  const b = await runBroker(t, ['num.partitions=3']);
  const kafka = new Kafka({ clientId: 'kts-ui-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
  t.equal((await kcat(['-P', '-b', b.bootstrap, '-t', 'orders'], 'a\nb\nc\n')).code, 0);
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [0, 1, 2].map((partition) => ({ partition, offset: '0' })) });
  const url = await startUi(t, b);
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const errors: string[] = [];
  const page = await openPage(t, browser, url, errors);

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
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${url}api/overview`);
      request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host: `attacker.example:${u.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    t.equal(rebound, 403, 'a Host other than loopback is refused (DNS rebinding)');
    const cross = await fetch(`${url}api/topics`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ name: 'x', partitions: 1 }) });
    t.equal(cross.status, 403);
  });

  t.same(errors, [], 'no console errors on any page');
});
