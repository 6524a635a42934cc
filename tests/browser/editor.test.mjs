// The designer end to end: palette, canvas, links, inspector, undo/redo, autosave, files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openApp, design, screenshot, withShot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const node = (d, id) => d.nodes.find((n) => n.id === id);
const canvas = (page) => page.locator('[data-testid="canvas"]');

/** Drags with real pointer moves from the centre of one element to a point. */
async function dragTo(page, from, to, steps = 8) {
  const box = await from.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

async function center(locator) {
  const b = await locator.boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** An empty design with a Key Manager node and a load balancer dragged from the palette. */
async function twoNodes(page) {
  await page.click('[data-action="new"]');
  assert.equal((await design(page)).nodes.length, 0);
  const c = await canvas(page).boundingBox();
  await dragTo(page, page.locator('[data-testid="palette"] [data-kind="key-manager"]'), { x: c.x + 500, y: c.y + 300 });
  await dragTo(page, page.locator('[data-testid="palette"] [data-kind="load-balancer"]'), { x: c.x + 200, y: c.y + 300 });
  await page.waitForSelector('[data-node-id="lb-1"]');
}

test('drag nodes from the palette, move them, connect them; a forbidden link is refused', withShot('palette-connect', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await twoNodes(page);
  let d = await design(page);
  assert.deepEqual(d.nodes.map((n) => [n.id, n.kind]), [['km-1', 'key-manager'], ['lb-1', 'load-balancer']]);
  // Dropped where the pointer was (the view starts unpanned at scale 1 after "new"), on the grid.
  assert.deepEqual([node(d, 'km-1').x, node(d, 'km-1').y], [500, 300]);
  assert.deepEqual([node(d, 'lb-1').x, node(d, 'lb-1').y], [200, 300]);
  assert.equal(await page.getAttribute('[data-node-id="lb-1"]', 'data-kind'), 'load-balancer');
  assert.equal(await page.getAttribute('[data-node-id="lb-1"]', 'aria-selected'), 'true');

  // Connect: from the LB's handle to the KM node.
  await dragTo(page, page.locator('[data-node-id="lb-1"] [data-testid="handle"]'), await center(page.locator('[data-node-id="km-1"] .node-box')));
  d = await design(page);
  assert.deepEqual(d.links, [{ from: 'lb-1', to: 'km-1' }]);
  assert.equal(await page.locator('[data-link="lb-1~km-1"]').count(), 1);
  assert.equal(await page.locator('[data-link-label="lb-1~km-1"]').textContent(), '9446', 'the link shows its port');

  // Move the KM node by dragging it; its link follows.
  const before = await page.locator('[data-link="lb-1~km-1"] .link-line').getAttribute('d');
  const km = await center(page.locator('[data-node-id="km-1"] .node-box'));
  await dragTo(page, page.locator('[data-node-id="km-1"] .node-box'), { x: km.x + 100, y: km.y + 60 });
  d = await design(page);
  assert.deepEqual([node(d, 'km-1').x, node(d, 'km-1').y], [600, 360]);
  assert.notEqual(await page.locator('[data-link="lb-1~km-1"] .link-line').getAttribute('d'), before);

  // A second KM node, by click on the palette; KM–KM is not a link the format allows.
  await page.click('[data-testid="palette"] [data-kind="key-manager"]');
  await page.waitForSelector('[data-node-id="km-2"]');
  await dragTo(page, page.locator('[data-node-id="km-1"] [data-testid="handle"]'), await center(page.locator('[data-node-id="km-2"] .node-box')));
  const alert = page.locator('[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /refused.*cluster/i);
  // The same pair twice is refused too.
  await dragTo(page, page.locator('[data-node-id="km-1"] [data-testid="handle"]'), await center(page.locator('[data-node-id="lb-1"] .node-box')));
  assert.match(await alert.innerText(), /already linked/);
  assert.equal((await design(page)).links.length, 1);
  await screenshot(page, 'connected');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('the inspector edits properties, marks invalid values and never stores them', withShot('inspector', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await twoNodes(page);
  await page.click('[data-node-id="km-1"] .node-box');
  const inspector = page.locator('[data-testid="inspector"]');
  const mem = inspector.locator('[name="memory_gb"]');
  assert.equal(await mem.getAttribute('placeholder'), 'default: 4');
  assert.match(await inspector.innerText(), /GB/);
  await mem.fill('8');
  await mem.press('Enter');
  assert.equal(node(await design(page), 'km-1').props.memory_gb, 8);

  await mem.fill('eight');

  await mem.press('Enter');
  assert.equal(await mem.getAttribute('aria-invalid'), 'true');
  assert.match(await inspector.locator('.field.invalid .field-error').innerText(), /not a number/);
  assert.equal(node(await design(page), 'km-1').props.memory_gb, 8, 'the invalid value was stored');

  const ip = inspector.locator('[name="ip"]');
  await ip.fill('10.0.0.300');
  await ip.press('Enter');
  assert.equal(await ip.getAttribute('aria-invalid'), 'true');
  assert.equal(node(await design(page), 'km-1').props.ip, undefined);
  await ip.fill('10.0.1.11');
  await ip.press('Enter');
  assert.equal(await ip.getAttribute('aria-invalid'), 'false');
  assert.equal(node(await design(page), 'km-1').props.ip, '10.0.1.11');

  // Enumerations and booleans are choices with the default first.
  await inspector.locator('[name="jdk_vendor"]').selectOption('corretto');
  await inspector.locator('[name="clustering_enabled"]').selectOption('false');
  await inspector.locator('[name="label"]').fill('KM <one> & "two"');
  await inspector.locator('[name="label"]').press('Enter');
  let km = node(await design(page), 'km-1');
  assert.equal(km.props.jdk_vendor, 'corretto');
  assert.equal(km.props.clustering_enabled, false);
  assert.equal(km.label, 'KM <one> & "two"');
  assert.equal(await page.locator('[data-node-id="km-1"] title').first().textContent(), 'KM <one> & "two"');

  // The design's own fields when nothing is selected (a click on the empty canvas).
  const c = await canvas(page).boundingBox();
  await page.mouse.click(c.x + 20, c.y + c.height - 20);
  await inspector.locator('[name="name"]').fill('Production, London');
  await inspector.locator('[name="name"]').press('Enter');
  await inspector.locator('[name="product"]').selectOption('ob-km-1.3');
  await inspector.locator('[name="domain"]').fill('bad domain!');
  await inspector.locator('[name="domain"]').press('Enter');
  assert.equal(await inspector.locator('[name="domain"]').getAttribute('aria-invalid'), 'true');
  await inspector.locator('[name="domain"]').fill('wso2.prod.km');
  await inspector.locator('[name="domain"]').press('Enter');
  await inspector.locator('[name="membership_scheme"]').selectOption('multicast');
  const d = await design(page);
  assert.deepEqual([d.name, d.product, d.cluster.domain, d.cluster.membership_scheme],
    ['Production, London', 'ob-km-1.3', 'wso2.prod.km', 'multicast']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('undo and redo every change, from the toolbar and the keyboard; Delete removes the selection', withShot('undo', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await twoNodes(page);
  await dragTo(page, page.locator('[data-node-id="lb-1"] [data-testid="handle"]'), await center(page.locator('[data-node-id="km-1"] .node-box')));
  await page.click('[data-node-id="km-1"] .node-box');
  const mem = page.locator('[data-testid="inspector"] [name="memory_gb"]');
  await mem.fill('1');
  await mem.fill('16'); // typing in one field, then leaving it, is one undo step
  await mem.blur();
  const edited = await design(page);
  assert.equal(node(edited, 'km-1').props.memory_gb, 16);

  await page.click('[data-action="undo"]');
  assert.equal(node(await design(page), 'km-1').props.memory_gb, undefined);
  assert.equal(await mem.inputValue(), '', 'the field follows undo');
  await page.click('[data-action="redo"]');
  assert.deepEqual(await design(page), edited);

  // Delete the KM node (its link goes with it), then Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y.
  await page.click('[data-node-id="km-1"] .node-box');
  await page.keyboard.press('Delete');
  let d = await design(page);
  assert.equal(node(d, 'km-1'), undefined);
  assert.deepEqual(d.links, []);
  assert.equal(await page.locator('[data-link="lb-1~km-1"]').count(), 0);
  await page.keyboard.press('Control+z');
  assert.deepEqual(await design(page), edited);
  assert.equal(await page.locator('[data-link="lb-1~km-1"]').count(), 1);
  await page.keyboard.press('Control+Shift+z');
  assert.equal(node(await design(page), 'km-1'), undefined);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+y');
  assert.equal(node(await design(page), 'km-1'), undefined);
  // Undo all the way back to the empty design, then the template before "new".
  for (let i = 0; i < 10; i++) await page.keyboard.press('Control+z');
  d = await design(page);
  assert.equal(d.name, 'Two-node HA pattern');
  assert.equal(await page.locator('[data-action="undo"]').isDisabled(), true);

  // A selected link is deleted with Backspace.
  await page.click('[data-action="redo"]'); // "new" again
  await page.click('[data-action="redo"]'); // km-1
  await page.click('[data-action="redo"]'); // lb-1
  await page.click('[data-action="redo"]'); // the link
  await page.locator('[data-link="lb-1~km-1"] .link-hit').click({ force: true });
  await page.keyboard.press('Backspace');
  assert.deepEqual((await design(page)).links, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('pan, zoom with the wheel and the buttons, and fit to view', withShot('zoom', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const scene = page.locator('[data-testid="canvas"] .scene');
  const t0 = await scene.getAttribute('transform');
  const c = await canvas(page).boundingBox();
  await page.mouse.move(c.x + 100, c.y + 100);
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((t) => document.querySelector('.scene').getAttribute('transform') !== t, t0);
  const scaleOf = async () => Number((await scene.getAttribute('transform')).match(/scale\(([^)]+)\)/)[1]);
  const zoomed = await scaleOf();
  await page.click('[data-action="zoom-out"]');
  assert.ok(await scaleOf() < zoomed);
  await page.click('[data-action="zoom-in"]');
  // Pan by dragging the background.
  const before = await scene.getAttribute('transform');
  await page.mouse.move(c.x + 30, c.y + c.height - 30);
  await page.mouse.down();
  await page.mouse.move(c.x + 130, c.y + c.height - 80, { steps: 4 });
  await page.mouse.up();
  assert.notEqual(await scene.getAttribute('transform'), before);
  await page.click('[data-action="fit"]');
  // After fitting, every node is inside the canvas.
  for (const id of ['clients', 'lb-1', 'km-1', 'km-2', 'db-1', 'ldap-1', 'fs-1']) {
    const b = await page.locator(`[data-node-id="${id}"]`).boundingBox();
    assert.ok(b.x >= c.x && b.y >= c.y && b.x + b.width <= c.x + c.width && b.y + b.height <= c.y + c.height, id);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a reload restores the design exactly (autosave on every change)', withShot('autosave', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await twoNodes(page);
  await page.click('[data-node-id="km-1"] .node-box');
  await page.locator('[data-testid="inspector"] [name="heap_gb"]').fill('3.5');
  await page.locator('[data-testid="inspector"] [name="heap_gb"]').press('Enter');
  const before = await page.evaluate(() => window.obkmTopology.design());
  await page.reload();
  await page.waitForFunction(() => window.obkmTopology && window.obkmTopology.design);
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), before);
  // A fresh tab of the same browser profile sees it too.
  const page2 = await page.context().newPage();
  await page2.goto(server.url);
  await page2.waitForFunction(() => window.obkmTopology && window.obkmTopology.design);
  assert.equal(await page2.evaluate(() => window.obkmTopology.design()), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('save to a file and open it again; a malformed file is refused with the field named', withShot('files', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-broken"]');
  await page.locator('[data-testid="inspector"] [name="name"]').fill('Saved & reopened');
  await page.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  const saved = await page.evaluate(() => window.obkmTopology.design());
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="save"]')]);
  assert.equal(download.suggestedFilename(), 'saved-reopened.json');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-'));
  const file = path.join(dir, 'saved.json');
  await download.saveAs(file);
  assert.equal(fs.readFileSync(file, 'utf8'), saved);

  await page.click('[data-action="new"]');
  const open = async (p) => {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
    await chooser.setFiles(p);
  };
  await open(file);
  await page.waitForFunction((t) => window.obkmTopology.design() === t, saved);
  assert.match(await page.locator('[role="status"]').innerText(), /Opened saved\.json/);

  const bad = path.join(dir, 'bad.json');
  const doc = JSON.parse(saved);
  doc.nodes[1].props.memory_gb = 'eight';
  fs.writeFileSync(bad, JSON.stringify(doc));
  await open(bad);
  const alert = page.locator('[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /bad\.json: nodes\[1\]\.props\.memory_gb: expected a number, found "eight"/);
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), saved, 'a bad file changed the design');

  fs.writeFileSync(bad, '{"format": "obkm-topology", "version": 7}');
  await open(bad);
  await page.waitForFunction(() => /newer release/.test(document.querySelector('[role="alert"]')?.innerText ?? ''));
  fs.writeFileSync(bad, 'PK\u0003\u0004 not json');
  await open(bad);
  await page.waitForFunction(() => /not JSON/.test(document.querySelector('[role="alert"]')?.innerText ?? ''));
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), saved);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('keyboard only: add from the palette with Enter, select with Enter, move with arrows', withShot('keyboard', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="new"]');
  await page.focus('[data-testid="palette"] [data-kind="database"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-node-id="db-1"]');
  const d0 = node(await design(page), 'db-1');
  await page.focus('[data-node-id="db-1"]');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const d1 = node(await design(page), 'db-1');
  assert.deepEqual([d1.x - d0.x, d1.y - d0.y], [10, 10]);
  // Linking without a pointer: the inspector lists the nodes this one may be linked to.
  await page.focus('[data-testid="palette"] [data-kind="key-manager"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-node-id="km-1"]');
  const options = await page.$$eval('[data-testid="inspector"] [name="link-to"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['', 'db-1']);
  await page.selectOption('[data-testid="inspector"] [name="link-to"]', 'db-1');
  await page.click('[data-testid="inspector"] [data-action="link"]');
  assert.deepEqual((await design(page)).links, [{ from: 'km-1', to: 'db-1' }]);
  await page.click('[data-testid="inspector"] [data-action="unlink"]');
  assert.deepEqual((await design(page)).links, []);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('rubber-band selection, copy, paste and duplicate, as undoable steps', withShot('clipboard', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const b1 = await page.locator('[data-node-id="km-1"] .node-box').boundingBox();
  const b2 = await page.locator('[data-node-id="km-2"] .node-box').boundingBox();
  await page.keyboard.down('Shift');
  await page.mouse.move(b1.x + b1.width - 5, b1.y - 25);
  await page.mouse.down();
  await page.mouse.move(b2.x + 5, b2.y + b2.height + 20, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  for (const id of ['km-1', 'km-2']) assert.equal(await page.getAttribute(`[data-node-id="${id}"]`, 'aria-selected'), 'true', id);
  assert.equal(await page.getAttribute('[data-node-id="lb-1"]', 'aria-selected'), 'false');

  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  let d = await design(page);
  assert.deepEqual(d.nodes.filter((n) => n.kind === 'key-manager').map((n) => n.id), ['km-1', 'km-2', 'km-3', 'km-4']);
  const km1 = node(d, 'km-1');
  const km3 = node(d, 'km-3');
  assert.deepEqual([km3.x - km1.x, km3.y - km1.y], [30, 30]);
  assert.deepEqual(km3.props, km1.props);
  assert.equal(await page.getAttribute('[data-node-id="km-3"]', 'aria-selected'), 'true');
  await page.keyboard.press('Control+d');
  assert.equal((await design(page)).nodes.filter((n) => n.kind === 'key-manager').length, 6);
  await page.keyboard.press('Control+z');
  assert.equal((await design(page)).nodes.filter((n) => n.kind === 'key-manager').length, 4);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('touch: two fingers pinch to zoom the canvas', withShot('pinch', async (s) => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, hasTouch: true });
  const page = s.page = await openApp(browser, server.url, { context });
  const scene = page.locator('[data-testid="canvas"] .scene');
  const scale = async () => Number((await scene.getAttribute('transform')).match(/scale\(([^)]+)\)/)[1]);
  const before = await scale();
  const c = await page.locator('[data-testid="canvas"]').boundingBox();
  const cdp = await context.newCDPSession(page);
  const at = (dx) => [{ x: c.x + c.width / 2 - dx, y: c.y + 40, id: 0 }, { x: c.x + c.width / 2 + dx, y: c.y + 40, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(40) });
  for (const dx of [60, 80, 100, 120]) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(dx) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const after = await scale();
  assert.ok(after > before * 2.5 && after < before * 3.5, `scale ${before} -> ${after}`);
  // The design did not change: a pinch is not an edit.
  assert.equal(await page.locator('[data-action="undo"]').isDisabled(), true);
  assert.deepEqual(page.problems, []);
  await context.close();
}));

test('space+drag pans even when the drag starts on a node', withShot('space-pan', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const scene = page.locator('[data-testid="canvas"] .scene');
  const before = await scene.getAttribute('transform');
  const d0 = await design(page);
  const b = await page.locator('[data-node-id="km-1"] .node-box').boundingBox();
  await page.locator('[data-testid="canvas"]').hover({ position: { x: 5, y: 5 } });
  await page.keyboard.down(' ');
  await page.mouse.move(b.x + 20, b.y + 20);
  await page.mouse.down();
  await page.mouse.move(b.x + 120, b.y + 70, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  assert.notEqual(await scene.getAttribute('transform'), before);
  assert.deepEqual(await design(page), d0, 'the node moved');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a field stores what it shows: Enter or leaving the field commits, an invalid text stays marked, Escape reverts, exports wait', withShot('field-commit', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="km-1"] .node-box');
  const ip = page.locator('[data-testid="inspector"] [name="ip"]');
  const stored = async () => node(await design(page), 'km-1').props.ip;
  assert.equal(await stored(), '10.0.1.11');
  // Typing a valid prefix stores nothing until Enter: the field and the design never disagree.
  await ip.fill('10.0.1.99');
  assert.equal(await stored(), '10.0.1.11', 'a half-typed value was stored');
  await ip.pressSequentially('9');
  await ip.press('Enter');
  assert.equal(await ip.inputValue(), '10.0.1.999');
  assert.equal(await ip.getAttribute('aria-invalid'), 'true');
  assert.equal(await stored(), '10.0.1.11', 'the design holds a prefix of what the field shows');
  // While the field is invalid, share and export say which field and do nothing.
  await ip.fill('10.0.1.999');
  await page.click('[data-action="share"]');
  const alert = page.locator('[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Sharing waits: ip of KM 1 \(km-1\) holds an invalid value/);
  assert.equal(await page.locator('[data-testid="share-url"]').count(), 0);
  // Escape puts back the stored value.
  await ip.focus();
  await ip.press('Escape');
  assert.equal(await ip.inputValue(), await stored());
  assert.equal(await ip.getAttribute('aria-invalid'), 'false');
  await page.click('[data-action="share"]');
  await page.waitForSelector('[data-testid="share-url"]');
  // A number field: pasting words is refused and stays visible, never dropped.
  const mem = page.locator('[data-testid="inspector"] [name="memory_gb"]');
  await mem.fill('lots');
  await mem.press('Enter');
  assert.equal(await mem.inputValue(), 'lots');
  assert.equal(await mem.getAttribute('aria-invalid'), 'true');
  assert.equal(node(await design(page), 'km-1').props.memory_gb, 8);
  await mem.fill('12');
  await mem.blur();
  assert.equal(node(await design(page), 'km-1').props.memory_gb, 12);
  // New over work says so, with Undo.
  await page.click('[data-action="new"]');
  const notice = page.locator('[role="status"]');
  assert.match(await notice.innerText(), /replaced the design and its 7 node\(s\)/);
  await page.click('[data-action="undo-replace"]');
  assert.equal((await design(page)).nodes.length, 7);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('Tab goes from field to field, storing each; a change that redraws the form keeps the focus where Tab put it', withShot('field-tab', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="km-1"] .node-box');
  const inspector = page.locator('[data-testid="inspector"]');
  const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.tagName);
  await inspector.locator('[name="label"]').fill('KM one');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'field-zone');
  await page.keyboard.type('app-2');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'field-notes');
  let km = node(await design(page), 'km-1');
  assert.deepEqual([km.label, km.zone], ['KM one', 'app-2']);
  // Renaming a zone changes the form's shape (the field's label names the zone): the form is
  // drawn again, and the focus stays on the field Tab moved to.
  await page.keyboard.press('Escape');
  const c = await canvas(page).boundingBox();
  await page.mouse.click(c.x + 10, c.y + c.height - 10);
  const first = inspector.locator('#field-zone-name-0');
  const before = await first.inputValue();
  await first.fill(`${before}-renamed`);
  await page.keyboard.press('Tab');
  await page.waitForFunction((name) => [...document.querySelectorAll('[data-testid="inspector"] label')].some((l) => l.textContent === `zone ${name}`), `${before}-renamed`);
  assert.equal(await focused(), 'field-zone-name-1');
  assert.ok((await design(page)).nodes.some((n) => n.zone === `${before}-renamed`));
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('typing keeps every keystroke, also a text that reads as the stored value on the way (8. to 8.5)', withShot('field-typing', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="km-1"] .node-box');
  const mem = page.locator('[data-testid="inspector"] [name="memory_gb"]');
  assert.equal(await mem.inputValue(), '8');
  await mem.fill('');
  await mem.pressSequentially('8.5');
  assert.equal(await mem.inputValue(), '8.5');
  await mem.press('Enter');
  assert.equal(node(await design(page), 'km-1').props.memory_gb, 8.5);
  // A text that only reads as the stored value stores nothing and shows the stored form.
  await mem.fill('08.50');
  await mem.press('Enter');
  assert.equal(await mem.inputValue(), '8.5');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test("text typed into a node's field stays with that node: selecting another node shows its own values", withShot('field-per-node', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  await page.click('[data-node-id="km-1"] .node-box');
  const mem = page.locator('[data-testid="inspector"] [name="memory_gb"]');
  await mem.fill('lots');
  await page.click('[data-node-id="km-2"] .node-box');
  await page.waitForSelector('[data-testid="inspector"] h2 >> text=km-2');
  assert.equal(await mem.inputValue(), String(node(await design(page), 'km-2').props.memory_gb ?? ''));
  assert.equal(await mem.getAttribute('aria-invalid'), 'false');
  // Nothing invalid is left: sharing goes ahead.
  await page.click('[data-action="share"]');
  await page.waitForSelector('[data-testid="share-url"]');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('renaming a zone redraws the zones only: the choice clicked to leave the field stays the same element', withShot('zone-part', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const c = await canvas(page).boundingBox();
  await page.mouse.click(c.x + 10, c.y + c.height - 10);
  const inspector = page.locator('[data-testid="inspector"]');
  await page.evaluate(() => { document.querySelector('#field-product').dataset.kept = 'yes'; });
  const first = inspector.locator('#field-zone-name-0');
  const renamed = `${await first.inputValue()}-renamed`;
  await first.fill(renamed);
  await inspector.locator('#field-product').click();
  await page.waitForFunction((name) => [...document.querySelectorAll('[data-testid="inspector"] label')].some((l) => l.textContent === `zone ${name}`), renamed);
  assert.equal(await page.evaluate(() => document.querySelector('#field-product').dataset.kept), 'yes');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a full browser storage is said plainly, and the design stays recoverable from the tab', withShot('quota', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  // Fill local storage to its quota with other data.
  const filled = await page.evaluate(() => {
    // Chunks of halving size until not even one character fits.
    let i = 0;
    let name = 'none';
    for (let size = 256 * 1024; size >= 1; size = Math.floor(size / 2)) {
      const chunk = 'x'.repeat(size);
      try {
        for (; i < 100000; i++) localStorage.setItem(`filler.${i}`, chunk);
      } catch (e) {
        name = e.name;
      }
    }
    return { refusedAfter: i, name };
  });
  assert.equal(filled.name, 'QuotaExceededError', JSON.stringify(filled));
  // An edit that grows the design cannot be kept: the user is told what was and was not kept.
  await page.locator('[data-testid="inspector"] [name="name"]').fill('Kept in the tab only ' + 'x'.repeat(400));
  await page.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  const alert = page.locator('[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /not kept in this browser: the browser's storage for this page is full.*still open in this tab.*save it to a file/s);
  // The design is still in the tab, and Save hands it out whole.
  const current = await page.evaluate(() => window.obkmTopology.design());
  assert.match(current, /"name": "Kept in the tab only x{400}"/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="save"]')]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-')), 'kept.json');
  await download.saveAs(file);
  assert.equal(fs.readFileSync(file, 'utf8'), current);
  // Room again: the next change is kept, and a reload finds it.
  await page.evaluate(() => { for (let i = 0; i < 100000; i++) localStorage.removeItem(`filler.${i}`); });
  await page.locator('[data-testid="inspector"] [name="name"]').fill('Kept again');
  await page.locator('[data-testid="inspector"] [name="name"]').press('Enter');
  await page.waitForFunction(() => localStorage.getItem('obkm-topology.design')?.includes('Kept again'));
  await page.reload();
  await page.waitForFunction(() => window.obkmTopology && window.obkmTopology.design);
  assert.match(await page.evaluate(() => window.obkmTopology.design()), /"name": "Kept again"/);
  await page.context().close();
}));
