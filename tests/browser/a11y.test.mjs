// An automated accessibility check of the main screen: axe-core (from npm) injected into the
// page through a context that bypasses the page's Content-Security-Policy, so the check keeps
// working when the page ships one. No serious or critical violation is allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  // The import menu open, then the import report of a one-node folder with every part unfolded.
  await page.click('[data-action="import"]');
  report['import menu open'] = await violations(page);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-a11y-')), 'deployment');
  // km-2 is missing from km-1's member list: one import finding (IMP-001).
  for (const [km, host, members] of [['km-1', '10.0.1.11', ['10.0.1.11']], ['km-2', '10.0.1.12', ['10.0.1.11', '10.0.1.12']]]) {
    fs.mkdirSync(path.join(dir, km, 'repository/conf/axis2'), { recursive: true });
    fs.writeFileSync(path.join(dir, km, 'repository/conf/axis2/axis2.xml'), `<axisconfig><clustering enable="true"><parameter name="membershipScheme">wka</parameter><parameter name="localMemberHost">${host}</parameter><members>${members.map((m) => `<member><hostName>${m}</hostName><port>4000</port></member>`).join('')}</members></clustering></axisconfig>`);
  }
  await page.setInputFiles('[data-testid="import-folder-input"]', dir);
  await page.waitForSelector('[data-testid="import-report"] [data-rule-id]');
  await page.evaluate(() => document.querySelectorAll('[data-testid="import-report"] details').forEach((d) => { d.open = true; }));
  report['import report'] = await violations(page);
  // Compare mode: the menu open, then the changes panel against the design the import replaced.
  await page.click('[data-action="close-import-report"]');
  await page.click('[data-action="compare"]');
  report['compare menu open'] = await violations(page);
  await page.click('[data-action="compare-previous"]');
  await page.waitForSelector('[data-testid="compare-panel"] li');
  report['compare panel and marks'] = await violations(page);
  // A node with review notes (its marker).
  await page.click('[data-action="compare-close"]');
  await page.click('[data-node-id="km-1"] .node-box');
  await page.locator('[data-testid="field-notes"]').fill('Rack 4');
  await page.locator('[data-testid="field-notes"]').press('Tab');
  await page.waitForSelector('.note-marker');
  report['a node with notes'] = await violations(page);
  for (const [when, found] of Object.entries(report)) {
    assert.deepEqual(found, [], `${when}: ${JSON.stringify(found, null, 1)}`);
  }
  await context.close();
}));
