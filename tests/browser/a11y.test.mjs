// An automated accessibility check of the main screen: axe-core (from npm) injected into the
// page through a context that bypasses the page's Content-Security-Policy, so the check keeps
// working when the page ships one. No serious or critical violation is allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serve, launch, openApp, withShot } from './harness.mjs';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('the main screen has no serious or critical accessibility violation', withShot('axe', async (s) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
  const page = s.page = await openApp(browser, server.url, { context });
  const report = {};
  await page.click('[data-action="template-ha"]');
  report['HA template'] = await violations(page);
  await page.click('[data-action="template-broken"]');
  await page.waitForSelector('[data-testid="badge"]');
  report['broken template'] = await violations(page);
  await page.click('[data-node-id="km-1"] .node-box');
  report['a node selected'] = await violations(page);
  for (const [when, found] of Object.entries(report)) {
    assert.deepEqual(found, [], `${when}: ${JSON.stringify(found, null, 1)}`);
  }
  await context.close();
}));
