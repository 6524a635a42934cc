// Share links in the browser: share and reopen, broken links, work never lost, two tabs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { serve, launch, openApp, design, withShot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const current = (page) => page.evaluate(() => window.obkmTopology.design());
const ready = (page) => page.waitForFunction(() => window.obkmTopology && window.obkmTopology.design);

async function workInProgress(page) {
  await page.click('[data-action="template-broken"]');
  await page.locator('[data-testid="inspector"] [name="name"]').fill('My unsaved work');
  await page.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  return current(page);
}

async function share(page) {
  await page.click('[data-action="share"]');
  const url = (await page.locator('[data-testid="share-url"]').innerText()).trim();
  const length = await page.locator('[data-testid="share-length"]').innerText();
  return { url, length };
}

test('share a design and open the link in a fresh browser: the exact design', withShot('share', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-two-zones"]');
  await page.click('[data-node-id="km-3"] .node-box');
  await page.locator('[data-testid="inspector"] [name="memory_gb"]').fill('12.5');
  await page.locator('[data-testid="inspector"] [name="memory_gb"]').press('Enter');
  const shared = await current(page);
  const { url, length } = await share(page);
  assert.ok(url.startsWith(server.url + '#d=1'), url);
  const fragment = url.split('#')[1];
  assert.match(length, new RegExp(`^${fragment.length} characters`));
  await page.context().close();

  const fresh = await browser.newContext();
  const p2 = await fresh.newPage();
  p2.problems = [];
  p2.on('pageerror', (e) => p2.problems.push(e.message));
  await p2.goto(url);
  await ready(p2);
  assert.equal(await current(p2), shared);
  assert.equal(new URL(p2.url()).hash, '', 'the consumed link stays in the address bar');
  // No previous work in a fresh browser: nothing to restore.
  assert.equal(await p2.locator('[data-action="restore-previous"]').count(), 0);
  assert.deepEqual(p2.problems, []);
  await fresh.close();
}));

function bombLink() {
  const zeros = Buffer.alloc(5 * 1024 * 1024);
  const deflated = zlib.deflateRawSync(zeros, { level: 9 });
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(zeros));
  return 'd=1' + Buffer.concat([deflated, crc]).toString('base64url');
}

test('broken links say what is wrong and leave the design and the autosave untouched', withShot('broken-links', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const work = await workInProgress(page);
  const { url } = await share(page);
  const [base, fragment] = url.split('#');
  const mid = Math.floor(fragment.length / 2);
  const flip = fragment[mid] === 'A' ? 'B' : 'A';
  const cases = [
    ['truncated', fragment.slice(0, mid), /damaged|truncated/],
    ['changed character', fragment.slice(0, mid) + flip + fragment.slice(mid + 1), /damaged/],
    ['unknown version marker', fragment.replace('d=1', 'd=9'), /unknown version marker/],
    ['not a design', 'hello-world', /not a design link/],
    ['not a design inside', 'd=1' + Buffer.from('{"just":"json"}').toString('base64url'), /damaged|truncated/],
    ['decompression bomb', bombLink(), /inflate past 4 MiB/],
    ['huge fragment', 'd=1' + 'A'.repeat(70000), /too long/],
  ];
  for (const [name, frag, message] of cases) {
    // Dismiss the previous message, so each case must raise its own.
    if (await page.locator('[role="alert"] .dismiss').count()) await page.click('[role="alert"] .dismiss');
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    await page.goto(`${base}#${frag}`);
    await ready(page);
    const alert = page.locator('[role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), message, name);
    assert.equal(await current(page), work, `${name}: the design changed`);
    const saved = await page.evaluate(() => localStorage.getItem('obkm-topology.design'));
    assert.equal(saved, work, `${name}: the autosave changed`);
  }
  // A broken link as the first page load of a tab: reported, the autosaved work opens.
  const p2 = await page.context().newPage();
  await p2.goto(`${base}#${fragment.replace('d=1', 'd=9')}`);
  await ready(p2);
  await p2.locator('[role="alert"]').waitFor();
  assert.match(await p2.locator('[role="alert"]').innerText(), /unknown version marker/);
  assert.equal(await current(p2), work);
  await p2.close();
  // Still usable.
  await page.click('[data-testid="palette"] [data-kind="analytics"]');
  assert.ok((await design(page)).nodes.some((n) => n.id === 'bi-1'));
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a link opened over existing work keeps it restorable, also after a reload', withShot('restore', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const { url } = await share(page);
  const work = await workInProgress(page);
  await page.goto(url);
  await ready(page);
  assert.notEqual(await current(page), work);
  assert.match(await page.locator('[role="status"]').innerText(), /previous design is kept/);
  await page.reload();
  await ready(page);
  await page.click('[data-action="restore-previous"]');
  assert.equal(await current(page), work);
  // The design it replaced is kept in turn: nothing is lost.
  await page.click('[data-action="restore-previous"]');
  assert.equal((await design(page)).name, 'Two-node HA pattern');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('two tabs keep their own work; a new tab opens the latest', withShot('two-tabs', async (s) => {
  const context = await browser.newContext();
  const a = s.page = await openApp(browser, server.url, { context });
  await a.locator('[data-testid="inspector"] [name="name"]').fill('Tab A work');
  await a.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  const b = await openApp(browser, server.url, { context });
  assert.equal((await design(b)).name, 'Tab A work', 'a new tab opens the latest design');
  await b.locator('[data-testid="inspector"] [name="name"]').fill('Tab B work');
  await b.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  await a.reload();
  await ready(a);
  assert.equal((await design(a)).name, 'Tab A work', 'tab B overwrote tab A');
  await b.reload();
  await ready(b);
  assert.equal((await design(b)).name, 'Tab B work');
  const c = await openApp(browser, server.url, { context });
  assert.equal((await design(c)).name, 'Tab B work');
  await context.close();
}));

test('the browser and the command line make the same link and open it the same way', withShot('share-cli', async (s) => {
  const { execFileSync } = await import('node:child_process');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const fixture = path.join(root, 'tests/fixtures/ha-reference.json');
  const page = s.page = await openApp(browser, server.url);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
  await chooser.setFiles(fixture);
  await page.waitForFunction(() => /Opened/.test(document.querySelector('[role="status"]')?.innerText ?? ''));
  const { url } = await share(page);
  const cli = execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', 'share', fixture, '--base-url', server.url],
    { cwd: root, encoding: 'utf8' }).trim();
  assert.equal(url, cli);
  assert.ok(url.split('#')[1].length <= 700, `${url.length}`);
  const opened = execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', 'open', url], { cwd: root, encoding: 'utf8' });
  assert.equal(opened, await current(page));
  await page.context().close();
}));
