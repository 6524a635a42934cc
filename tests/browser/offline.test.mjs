// Installable and offline: the service worker keeps the app; a second visit makes no request;
// with the server gone the app opens, restores the autosaved design, checks and exports; a new
// build is offered with "reload" on the next visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, withShot } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ready = (page) => page.waitForFunction(() => window.obkmTopology && typeof window.obkmTopology.design === 'function');

test('a second visit needs no network, the app works with the server gone, a new build is offered', withShot('offline', async (s) => {
  let server = await serve();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = s.page = await openApp(browser, server.url, { context });
  assert.equal(await page.getAttribute('link[rel="manifest"]', 'href'), 'manifest.webmanifest');
  const manifest = await (await page.request.get(server.url + 'manifest.webmanifest')).json();
  assert.equal(manifest.display, 'standalone');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.click('[data-action="template-broken"]');
  const saved = await page.evaluate(() => window.obkmTopology.design());

  // A second visit: everything comes from the cache.
  const before = server.requests.length;
  await page.reload();
  await ready(page);
  assert.deepEqual(server.requests.slice(before), [], 'the second visit asked the server');

  // The server gone: the app opens, restores the design, checks it and exports it.
  const port = server.port;
  await server.close();
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), saved);
  assert.ok(JSON.parse(await page.evaluate(() => window.obkmTopology.findings())).summary.error > 0);
  const [zip] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export-bundle"]')]);
  assert.match(zip.suggestedFilename(), /-bundle\.zip$/);

  // A new build on the same address: offered on the next visit, taken on "Reload".
  server = await serve({ port, patch: (p, b) => (p === '/sw.js' ? Buffer.concat([b, Buffer.from('\n// the next build\n')]) : b) });
  await page.reload();
  await ready(page);
  const bar = page.locator('[data-testid="update-available"]');
  await bar.waitFor({ timeout: 15000 });
  assert.match(await bar.innerText(), /update .* is available/);
  await Promise.all([page.waitForEvent('load'), bar.locator('[data-action="reload-update"]').click()]);
  await ready(page);
  assert.equal(await page.locator('[data-testid="update-available"]').count(), 0);
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), saved);
  await context.close();
  await server.close();
}));
