// The checker in the browser: findings, badges, quick fixes, waivers, templates, and the
// same JSON as the command line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch, openApp, design, screenshot, withShot } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/fixtures');
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const findings = async (page) => JSON.parse(await page.evaluate(() => window.obkmTopology.findings()));
const ruleIds = (page) => page.$$eval('[data-testid="findings"] [data-rule-id]', (els) => els.map((e) => e.dataset.ruleId));

test('a first visit shows the documented HA pattern with no finding at all; new empties the canvas', withShot('first-visit', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  assert.deepEqual(await ruleIds(page), []);
  assert.equal((await findings(page)).findings.length, 0);
  assert.match(await page.locator('[data-testid="findings"]').innerText(), /No findings/);
  await page.click('[data-action="new"]');
  assert.equal(await page.locator('[data-node-id]').count(), 0);
  assert.deepEqual(await ruleIds(page), ['CLU-001']);
  await page.click('[data-action="template-two-zones"]');
  assert.equal(await page.locator('[data-kind="key-manager"][data-node-id]').count(), 4);
  assert.equal(await page.locator('[data-testid="findings"] [data-severity="error"]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('the broken template: its findings, badges, quick fixes, undo, waiver', withShot('broken', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-broken"]');
  const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'broken-single-node.expected.json'), 'utf8'));
  assert.deepEqual(await ruleIds(page), expected.findings.map((f) => f.rule));
  assert.equal(await page.getAttribute('[data-rule-id="LB-002"]', 'data-severity'), 'error');
  assert.equal(await page.getAttribute('[data-rule-id="DB-006"]', 'data-severity'), 'warning');
  // Badges: KM has 7 errors (CLU-001, FS-001, HOST-001..004, HOST-006).
  assert.equal(await page.getAttribute('[data-badge-of="km-1"]', 'data-errors'), '7');
  await screenshot(page, 'broken');

  // A click on a finding selects its nodes.
  await page.click('[data-rule-id="LB-007"] .finding-message');
  assert.equal(await page.getAttribute('[data-node-id="lb-1"]', 'aria-selected'), 'true');

  // Two quick fixes: sticky sessions and an HA database.
  await page.click('[data-rule-id="LB-002"] [data-action="fix"]');
  await page.click('[data-rule-id="DB-002"] [data-action="fix"]');
  let ids = await ruleIds(page);
  assert.ok(!ids.includes('LB-002') && !ids.includes('DB-002'), ids.join());
  const d = await design(page);
  assert.equal(d.nodes.find((n) => n.id === 'lb-1').props.sticky_sessions, true);
  assert.equal(d.nodes.find((n) => n.id === 'db-1').props.ha_mode, 'primary-replica');
  await page.click('[data-action="undo"]');
  await page.click('[data-action="undo"]');
  ids = await ruleIds(page);
  assert.ok(ids.includes('LB-002') && ids.includes('DB-002'), ids.join());

  // Add a second KM node linked like the first.
  await page.click('[data-rule-id="CLU-001"] [data-action="fix"]');
  await page.waitForSelector('[data-node-id="km-2"]');
  const d2 = await design(page);
  assert.deepEqual(d2.links.filter((l) => l.from === 'km-2' || l.to === 'km-2'), [{ from: 'lb-1', to: 'km-2' }, { from: 'km-2', to: 'db-1' }]);
  assert.equal(d2.nodes.find((n) => n.id === 'km-2').props.ip, '10.0.1.12');
  assert.ok(!(await ruleIds(page)).includes('CLU-001'));

  // Waive the MySQL 8 warning with a reason.
  await page.click('[data-rule-id="DB-006"] [data-action="waive"]');
  const dialog = page.locator('[data-testid="waive-dialog"]');
  await dialog.waitFor();
  // A reason is required: an empty one waives nothing and says so.
  await dialog.locator('[data-action="waive-confirm"]').click();
  assert.equal(await dialog.isVisible(), true, 'the dialog closed without a reason');
  await dialog.locator('[name="waive-reason"]').fill('latin1 databases created by the DBA team');
  await dialog.locator('[data-action="waive-confirm"]').click();
  await page.waitForSelector('[data-rule-id="DB-006"][data-waived="true"]');
  const report = await findings(page);
  assert.equal(report.summary.waived, 1);
  const w = (await design(page)).waivers;
  assert.deepEqual(w, [{ rule: 'DB-006', node: 'db-1', reason: 'latin1 databases created by the DBA team' }]);
  // The waiver's expiry is edited in the inspector; an expired waiver stops applying.
  // (Bottom left: messages float over the top of the canvas.)
  const cb = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.click(cb.x + 10, cb.y + cb.height - 10);
  await page.fill('[name="waiver-expires"]', '2020-01-31');
  await page.locator('[name="waiver-expires"]').dispatchEvent('change');
  await page.waitForSelector('[data-rule-id="WAIVE-002"]');
  assert.equal(await page.getAttribute('[data-rule-id="DB-006"]', 'data-waived'), 'false');
  // A cancelled dialog waives nothing; Escape closes it too.
  await page.click('[data-rule-id="HOST-008"] [data-action="waive"]');
  await dialog.locator('[name="waive-reason"]').fill('not this one');
  await dialog.locator('[data-action="waive-cancel"]').click();
  assert.equal(await page.getAttribute('[data-rule-id="HOST-008"]', 'data-waived'), 'false');
  await page.click('[data-rule-id="HOST-008"] [data-action="waive"]');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[data-testid="waive-dialog"]').open);
  assert.equal(await page.getAttribute('[data-rule-id="HOST-008"]', 'data-waived'), 'false');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('the browser and the command line give the same findings JSON', withShot('same-json', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  for (const name of ['broken-single-node.json', 'ha-reference.json']) {
    const file = path.join(fixtures, name);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
    await chooser.setFiles(file);
    await page.waitForFunction(() => /Opened/.test(document.querySelector('[role="status"]')?.innerText ?? ''));
    let cli;
    try {
      cli = execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', 'check', file, '--format', 'json'], { cwd: root, encoding: 'utf8' });
    } catch (e) {
      cli = e.stdout; // exit status 1 when the design has errors
    }
    assert.equal(await page.evaluate(() => window.obkmTopology.findings()), cli, name);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));
