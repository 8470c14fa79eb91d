// kts ui test helpers: the built `kts ui` as a subprocess, pages in headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tempDir, type RunningBroker } from '../broker/helpers.js';
import { KTS_BIN } from '../helpers/run-kts.js';

export const CHROMIUM = '/usr/bin/chromium';
export const needsChromium = existsSync(CHROMIUM) ? false : 'chromium is not installed (apt-get install chromium)';
export const needsBuild = existsSync(new URL('../../dist/ui/app.js', import.meta.url)) ? false : 'kts is not built (npm run build)';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts `kts ui` as a subprocess; resolves with its URL once it serves. */
export async function startUi(t: Teardown, b: Pick<RunningBroker, 'bootstrap'>, extra: string[] = []): Promise<string> {
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

export async function openPage(t: Teardown, browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => page.close());
  page.on('console', (m) => {
    // location(): which resource failed (a console message of a failed fetch does not name it).
    if (m.type() === 'error') errors.push(`${url}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`${url}: ${String(e)}`));
  await page.goto(url);
  return page;
}

export async function show(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  // A string runs in the page (the test's tsconfig has no DOM types).
  const h = JSON.stringify(hash);
  await page.waitForFunction(`document.getElementById('main').getAttribute('data-route') === ${h}`);
}

/** Set KTS_UI_SCREENSHOTS=docs/images to regenerate the README's screenshots while the UI tests run. */
export async function screenshot(page: Page, hash: string, file: string): Promise<void> {
  const dir = process.env.KTS_UI_SCREENSHOTS;
  if (!dir) return;
  await show(page, hash);
  await page.waitForFunction(`[...document.querySelectorAll('.chart')].every((c) => c.hasAttribute('data-points'))`);
  await page.screenshot({ path: join(dir, file) });
}

export const cardValue = (page: Page, testid: string): Promise<string> => page.locator(`[data-testid="${testid}"] .value`).innerText();
export const asNumber = (s: string): number => Number(s.replace(/,/g, ''));

export async function committed(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return res!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}


export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}
