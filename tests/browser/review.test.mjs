// Reviewing a change in the browser: review notes (edit, undo, reload, share link round trip,
// an old version 1 link still opening), and compare mode (marks on the canvas, the changes
// panel in the command line's order and words, reveal, the firewall change request equal to
// the command line's bytes, leaving changes nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch, openApp, withShot, design } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pair = (side) => path.join(root, `tests/fixtures/diff/every-change.${side}.json`);
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const cli = (...args) => execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', ...args], { cwd: root, encoding: 'utf8' });
const text = (page) => page.evaluate(() => window.obkmTopology.design());

async function open(page, file) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
  await chooser.setFiles(file);
  await page.waitForFunction((name) => (document.querySelector('[role="status"]')?.innerText ?? '').includes(`Opened ${name}`), path.basename(file));
}

async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-action="${action}"]`)]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-dl-')), dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

test('review notes: edited in the inspector, a marker on the node, undone, kept over a reload, carried by a version 2 link', withShot('notes', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="km-1"] .node-box');
  const notes = page.locator('[data-testid="inspector"] [data-testid="field-notes"]');
  await notes.fill('Moves to rack 4 <b>in March</b>\nsecond line');
  await notes.press('Tab');
  let d = await design(page);
  assert.equal(d.nodes.find((n) => n.id === 'km-1').notes, 'Moves to rack 4 <b>in March</b>\nsecond line');
  // The marker, its tooltip the notes (as text), and the node's description says so.
  await page.waitForSelector('.note-marker');
  assert.equal(await page.locator('.note-marker').count(), 1);
  assert.match(await page.locator('.note-marker title').textContent(), /^Notes: Moves to rack 4 <b>in March<\/b>/);
  assert.match(await page.locator('[data-node-id="km-1"] desc').textContent(), /has review notes/);
  // One undo step takes it back, redo brings it again.
  await page.click('[data-action="undo"]');
  d = await design(page);
  assert.equal(d.nodes.find((n) => n.id === 'km-1').notes, undefined);
  await page.waitForFunction(() => document.querySelectorAll('.note-marker').length === 0);
  await page.click('[data-action="redo"]');
  await page.waitForSelector('.note-marker');
  // The design's owner and notes, with nothing selected.
  await page.keyboard.press('Escape');
  const owner = page.locator('[data-testid="inspector"] [name="owner"]');
  await owner.fill('Payments platform');
  await owner.press('Enter');
  const designNotes = page.locator('[data-testid="inspector"] [data-testid="field-design-notes"]');
  await designNotes.fill('Reviewed for the 2027 peak');
  await designNotes.press('Tab');
  const saved = await text(page);
  d = JSON.parse(saved);
  assert.deepEqual(Object.keys(d).slice(0, 6), ['format', 'version', 'name', 'notes', 'owner', 'product']);
  assert.equal(d.owner, 'Payments platform');
  // A reload restores them (autosave).
  await page.reload();
  await page.waitForFunction(() => window.obkmTopology && typeof window.obkmTopology.design === 'function');
  assert.equal(await text(page), saved);
  // A share link carries them (version 2), and opens as the same design, in the browser and
  // on the command line.
  await page.click('[data-action="share"]');
  const url = (await page.locator('[data-testid="share-url"]').innerText()).trim();
  assert.ok(url.startsWith(server.url + '#d=2'), url);
  assert.equal(cli('open', url), saved);
  const fresh = await openApp(browser, url);
  assert.equal(await text(fresh), saved);
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('an old version 1 link still opens exactly', withShot('v1-link', async (s) => {
  const link = fs.readFileSync(path.join(root, 'tests/golden/links/ha-reference.link'), 'utf8').trim();
  const page = s.page = await openApp(browser, `${server.url}#${link}`);
  await page.waitForFunction(() => (document.querySelector('[role="status"]')?.innerText ?? '').includes('Opened the shared design'));
  assert.equal(await text(page), cli('open', link));
  assert.equal(await text(page), cli('open', `#${link}`));
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('compare mode: marks, the changes panel in the CLI\'s order and words, reveal, the firewall change request, leaving changes nothing', withShot('compare', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await open(page, pair('old'));
  await open(page, pair('new'));
  const before = await text(page);
  await page.click('[data-action="compare"]');
  await page.click('[data-action="compare-previous"]');
  const panel = page.locator('[data-testid="compare-panel"]');
  await panel.waitFor();
  assert.match(await panel.locator("h2").textContent(), /Changes since the replaced design/);
  // The same entries as the CLI's JSON, in its order and words.
  const doc = JSON.parse(cli('diff', pair('old'), pair('new'), '--format', 'json'));
  const shown = await panel.locator('[data-testid="compare-changes"] li').evaluateAll((li) => li.map((l) => [l.dataset.section, l.dataset.change, l.dataset.target, l.innerText.trim()]));
  assert.deepEqual(shown, doc.changes.map((c) => [c.section, c.change, c.target, c.text]));
  // The canvas: added green, changed amber, removed ghosts, added links.
  assert.match(await page.locator('[data-node-id="km-4"]').getAttribute('class'), /diff-added/);
  assert.match(await page.locator('[data-node-id="km-1"]').getAttribute('class'), /diff-changed/);
  assert.match(await page.locator('[data-node-id="lb-1"]').getAttribute('class'), /diff-changed/);
  assert.doesNotMatch(await page.locator('[data-node-id="db-1"]').getAttribute('class'), /diff-/);
  assert.equal(await page.locator('[data-ghost-id="bi-1"]').count(), 1);
  assert.equal(await page.locator('[data-ghost-link="km-1~bi-1"]').count(), 1);
  assert.match(await page.locator('[data-link="lb-1~km-4"]').getAttribute('class'), /diff-added/);
  assert.doesNotMatch(await page.locator('[data-link="lb-1~km-1"]').getAttribute('class'), /diff-added/);
  // A click on an entry reveals and selects what it is about.
  await panel.locator('li[data-section="node"][data-change="added"] button').click();
  assert.equal(await page.locator('[data-node-id="km-4"]').getAttribute('aria-selected'), 'true');
  // The firewall change request: the command line's bytes.
  const csv = await download(page, 'compare-firewall-csv');
  assert.equal(fs.readFileSync(csv, 'utf8'), cli('firewall', pair('new'), '--since', pair('old'), '--format', 'csv'));
  const md = await download(page, 'compare-firewall-md');
  assert.equal(fs.readFileSync(md, 'utf8'), cli('firewall', pair('new'), '--since', pair('old'), '--format', 'md'));
  // Leaving out moves: lb-1 moved and changed its ip, so it stays marked; no moved entry.
  await panel.locator('[data-testid="compare-ignore-layout"]').check();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-changes"] li[data-change="moved"]').length === 0);
  // Leaving compare mode changes nothing in the design, and takes the marks away.
  await page.click('[data-action="compare-close"]');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await page.locator('.diff-added, .diff-changed, [data-ghost-id]').count(), 0);
  assert.equal(await text(page), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('compare with a file and with a share link; an edit while comparing compares again', withShot('compare-file-link', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await open(page, pair('new'));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), (async () => {
    await page.click('[data-action="compare"]');
    await page.click('[data-action="compare-file"]');
  })()]);
  await chooser.setFiles(pair('old'));
  const panel = page.locator('[data-testid="compare-panel"]');
  await panel.waitFor();
  assert.match(await panel.locator("h2").textContent(), /every-change\.old\.json/);
  const count = await panel.locator('li').count();
  // An edit lands: the comparison follows (one more changed field). The panel's entry selects
  // the node (the panel floats over that part of the canvas).
  await panel.locator('li[data-target="km-3"] button').first().click();
  assert.equal(await page.locator('[data-node-id="km-3"]').getAttribute('aria-selected'), 'true');
  const label = page.locator('[data-testid="inspector"] [name="label"]');
  await label.fill('KM 3 renamed');
  await label.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="compare-changes"] li').length === n + 1, count);
  assert.match(await page.locator('[data-node-id="km-3"]').getAttribute('class'), /diff-changed/);
  // With a share link of the old design.
  const link = cli('share', pair('old'), '--base-url', server.url).trim();
  await page.click('[data-action="compare"]');
  await page.locator('[data-testid="compare-link-input"]').fill(link);
  await page.click('[data-action="compare-link"]');
  await page.waitForFunction(() => /the shared link/.test(document.querySelector('[data-testid="compare-panel"] h2')?.textContent ?? ''));
  assert.equal(await panel.locator('li').count(), count + 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a load balancer\'s source addresses are edited as a list and refused when malformed', withShot('source-addresses', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="lb-1"] .node-box');
  const field = page.locator('[data-testid="inspector"] [name="source_addresses"]');
  await field.fill('10.0.0.6, 10.0.8.0/28');
  await field.press('Enter');
  const lb = (await design(page)).nodes.find((n) => n.id === 'lb-1');
  assert.deepEqual(lb.props.source_addresses, ['10.0.0.6', '10.0.8.0/28']);
  assert.equal(await field.inputValue(), '10.0.0.6, 10.0.8.0/28');
  await field.fill('10.0.0.6, 10.0.0.300');
  await field.press('Enter');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await design(page)).nodes.find((n) => n.id === 'lb-1').props.source_addresses, ['10.0.0.6', '10.0.8.0/28']);
  // The database's firewall-only ip.
  await page.click('[data-node-id="db-1"] .node-box');
  const ip = page.locator('[data-testid="inspector"] [name="ip"]');
  await ip.fill('10.0.2.10');
  await ip.press('Enter');
  assert.equal((await design(page)).nodes.find((n) => n.id === 'db-1').props.ip, '10.0.2.10');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('the changes panel leaves the zoom controls usable', withShot('compare-zoom', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await open(page, pair('old'));
  await open(page, pair('new'));
  await page.click('[data-action="compare"]');
  await page.click('[data-action="compare-previous"]');
  await page.locator('[data-testid="compare-panel"] li').first().waitFor();
  // Clickable, not covered by the panel (a covered button times out).
  await page.click('[data-action="fit"]', { timeout: 3000 });
  await page.click('[data-action="zoom-in"]', { timeout: 3000 });
  await page.context().close();
}));
