import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, design, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the app loads with no console errors and shows the HA template on a first visit', async () => {
  const page = await openApp(browser, server.url);
  await page.waitForSelector('[data-node-id="km-1"]');
  for (const hook of ['palette', 'canvas', 'inspector']) {
    assert.equal(await page.locator(`[data-testid="${hook}"]`).count(), 1, hook);
  }
  assert.equal(await page.locator('[data-testid="palette"] [data-kind]').count(), 8);
  const d = await design(page);
  assert.equal(d.format, 'obkm-topology');
  assert.equal(d.nodes.filter((n) => n.kind === 'key-manager').length, 2);
  await screenshot(page, 'first-visit');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
