// The canvas's interaction machine in the browser: cancel that cancels (Escape, pointercancel),
// alignment guides, and a keyboard-only session confirmed by the live region.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, design, withShot } from './harness.mjs';
import { gridDesign } from './designs.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const saved = (page) => page.evaluate(() => window.obkmTopology.design());

async function center(locator) {
  const b = await locator.boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

test('Escape cancels a drag, a link and a palette drop: the design is byte-identical', withShot('escape', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const before = await saved(page);
  const km = page.locator('[data-node-id="km-1"]');
  const transform = await km.getAttribute('transform');

  // A drag, cancelled mid-way: the node goes back, nothing lands.
  const a = await center(page.locator('[data-node-id="km-1"] .node-box'));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 120, a.y + 90, { steps: 6 });
  assert.notEqual(await km.getAttribute('transform'), transform, 'the drag did not move the node');
  await page.keyboard.press('Escape');
  assert.equal(await km.getAttribute('transform'), transform, 'Escape did not put the node back');
  await page.mouse.up();
  assert.equal(await saved(page), before);
  assert.equal(await page.locator('[data-action="undo"]').isDisabled(), false, 'the template itself is one step');

  // A link, cancelled over its target.
  const h = await center(page.locator('[data-node-id="lb-1"] [data-testid="handle"]'));
  const target = await center(page.locator('[data-node-id="db-1"] .node-box'));
  await page.mouse.move(h.x, h.y);
  await page.mouse.down();
  await page.mouse.move(target.x, target.y, { steps: 6 });
  assert.equal(await page.locator('.ghost-link').count(), 1, 'no rubber link while connecting');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.ghost-link').count(), 0, 'the rubber link stayed');
  await page.mouse.up();
  assert.equal(await saved(page), before);

  // A palette drop, cancelled over the canvas.
  const item = await center(page.locator('[data-testid="palette"] [data-kind="analytics"]'));
  const c = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.move(item.x, item.y);
  await page.mouse.down();
  await page.mouse.move(c.x + 300, c.y + c.height - 80, { steps: 6 });
  assert.equal(await page.locator('[data-testid="drop-ghost"]').count(), 1, 'no drop preview over the canvas');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="drop-ghost"]').count(), 0, 'the drop preview stayed');
  await page.mouse.up();
  assert.equal(await saved(page), before);
  // Without a gesture, Escape still clears the selection.
  await page.click('[data-node-id="km-2"] .node-box');
  assert.equal(await page.getAttribute('[data-node-id="km-2"]', 'aria-selected'), 'true');
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('[data-node-id="km-2"]', 'aria-selected'), 'false');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a touch drag that the browser cancels (pointercancel) changes nothing', withShot('pointercancel', async (s) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, hasTouch: true });
  const page = s.page = await openApp(browser, server.url, { context });
  const before = await saved(page);
  const km = page.locator('[data-node-id="km-2"]');
  const transform = await km.getAttribute('transform');
  const a = await center(page.locator('[data-node-id="km-2"] .node-box'));
  const cdp = await context.newCDPSession(page);
  const at = (dx, dy) => [{ x: a.x + dx, y: a.y + dy, id: 3 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0, 0) });
  for (const d of [10, 30, 60, 90]) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(d, d / 2) });
  assert.notEqual(await km.getAttribute('transform'), transform, 'the touch drag did not move the node');
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchCancel', touchPoints: [] });
  await page.waitForFunction((t) => document.querySelector('[data-node-id="km-2"]').getAttribute('transform') === t, transform);
  assert.equal(await saved(page), before, 'a cancelled touch committed the move');
  assert.deepEqual(page.problems, []);
  await context.close();
}));

test('guides appear when a dragged node lines up with another, and it snaps onto the line', withShot('guides', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const km1 = await center(page.locator('[data-node-id="km-1"] .node-box'));
  const db = await center(page.locator('[data-node-id="db-1"] .node-box'));
  const scale = Number((await page.locator('[data-testid="canvas"] .scene').getAttribute('transform')).match(/scale\(([^)]+)\)/)[1]);
  // Drag db-1 so that its centre comes 3 px (screen) right of km-1's centre line, well below it.
  await page.mouse.move(db.x, db.y);
  await page.mouse.down();
  await page.mouse.move(km1.x + 3, km1.y + 300 * scale, { steps: 10 });
  const guides = page.locator('[data-testid="guide"]');
  assert.ok(await guides.count() >= 1, 'no guide while aligned');
  assert.equal(await guides.first().getAttribute('data-axis'), 'x');
  await page.mouse.up();
  assert.equal(await guides.count(), 0, 'a guide stayed after the drag');
  const d = await design(page);
  const n = (id) => d.nodes.find((x) => x.id === id);
  assert.equal(n('db-1').x, n('km-1').x, 'the node did not snap onto the guide');
  // Far from every node: no guide.
  const moved = await center(page.locator('[data-node-id="db-1"] .node-box'));
  await page.mouse.move(moved.x, moved.y);
  await page.mouse.down();
  await page.mouse.move(moved.x + 137 * scale, moved.y + 173 * scale, { steps: 6 });
  assert.equal(await guides.count(), 0);
  await page.mouse.up();
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('keyboard only: add three nodes, link them, delete one, each step confirmed by the live region', withShot('keyboard-live', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="new"]');
  const live = page.locator('[aria-live="polite"][data-testid="announcer"]');
  const said = async (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid="announcer"]').textContent), re.source);
  await page.focus('[data-testid="palette"] [data-kind="key-manager"]');
  await page.keyboard.press('Enter');
  await said(/Key Manager km-1 added/);
  await page.keyboard.press('Enter');
  await said(/Key Manager km-2 added/);
  await page.focus('[data-testid="palette"] [data-kind="database"]');
  await page.keyboard.press('Enter');
  await said(/Database db-1 added/);
  // Nodes added in view never land on top of one another.
  const d = await design(page);
  for (const a of d.nodes) for (const b of d.nodes) {
    if (a.id < b.id) assert.ok(Math.abs(a.x - b.x) >= 170 || Math.abs(a.y - b.y) >= 60, `${a.id} overlaps ${b.id}`);
  }
  // Alt+arrow keys move the keyboard focus to the nearest node in that direction.
  const pos = Object.fromEntries(d.nodes.map((n) => [n.id, [n.x, n.y]]));
  await page.focus('[data-node-id="km-1"]');
  const dir = pos['db-1'][0] < pos['km-1'][0] ? 'ArrowLeft' : pos['db-1'][0] > pos['km-1'][0] ? 'ArrowRight' : pos['db-1'][1] < pos['km-1'][1] ? 'ArrowUp' : 'ArrowDown';
  await page.keyboard.press(`Alt+${dir}`);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-node-id')), 'db-1');
  await said(/db-1 focused/);
  // Link the two Key Manager nodes to the database from the inspector.
  for (const km of ['km-1', 'km-2']) {
    await page.focus(`[data-node-id="${km}"]`);
    await page.keyboard.press('Enter');
    await page.focus('[data-testid="inspector"] [name="link-to"]');
    await page.selectOption('[data-testid="inspector"] [name="link-to"]', 'db-1');
    await page.focus('[data-testid="inspector"] [data-action="link"]');
    await page.keyboard.press('Enter');
    await said(new RegExp(`link ${km} to db-1 added`));
  }
  // Alt+arrow moves the focus between nodes; Delete removes the focused, selected one.
  await page.focus('[data-node-id="km-2"]');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  await said(/Key Manager km-2 deleted/);
  const after = await design(page);
  assert.deepEqual(after.nodes.map((n) => n.id), ['km-1', 'db-1']);
  assert.deepEqual(after.links, [{ from: 'km-1', to: 'db-1' }]);
  // A refused link is announced too.
  await page.focus('[data-node-id="km-1"]');
  await page.keyboard.press('Enter');
  assert.match(await live.textContent(), /./);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('on a narrow screen, selecting a node brings the inspector into view', withShot('narrow', async (s) => {
  const context = await browser.newContext({ viewport: { width: 760, height: 700 } });
  const page = s.page = await openApp(browser, server.url, { context });
  const inspector = page.locator('[data-testid="inspector"]');
  const inView = async () => {
    const b = await inspector.boundingBox();
    return b.y < 700 && b.y + Math.min(b.height, 100) > 0;
  };
  assert.equal(await inView(), false, 'the inspector starts below the canvas and the findings');
  await page.locator('[data-node-id="km-1"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="inspector"]').getBoundingClientRect();
    return r.top < window.innerHeight && r.top > -50;
  });
  assert.match(await inspector.innerText(), /KEY MANAGER NODE|Key Manager node/i);
  await context.close();
}));

test('selected nodes are edited together, as one undo step; mixed values say so', withShot('multi-edit', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const inspector = page.locator('[data-testid="inspector"]');
  const props = async (id) => (JSON.parse(await page.evaluate(() => window.obkmTopology.design()))).nodes.find((n) => n.id === id).props;
  // One node first: give km-1 more memory, so that the two differ.
  await page.click('[data-node-id="km-1"] .node-box');
  await inspector.locator('[name="memory_gb"]').fill('16');
  await inspector.locator('[name="memory_gb"]').press('Enter');
  await page.click('[data-node-id="km-2"] .node-box', { modifiers: ['Shift'] });
  assert.match(await inspector.locator('[data-testid="multi-edit"]').innerText(), /2 Key Manager nodes/i);
  const mem = inspector.locator('[name="memory_gb"]');
  assert.equal(await mem.inputValue(), '');
  assert.match(await mem.getAttribute('placeholder'), /mixed values/);
  assert.equal(await inspector.locator('[name="heap_gb"]').inputValue(), '2', 'a common value is shown');
  await mem.fill('32');
  await mem.press('Enter');
  assert.equal((await props('km-1')).memory_gb, 32);
  assert.equal((await props('km-2')).memory_gb, 32);
  await inspector.locator('[name="jdk_vendor"]').selectOption('corretto');
  assert.equal((await props('km-2')).jdk_vendor, 'corretto');
  // One undo step reverts the change on both.
  await page.click('[data-action="undo"]');
  await page.click('[data-action="undo"]');
  assert.equal((await props('km-1')).memory_gb, 16);
  assert.equal((await props('km-2')).memory_gb, 8);
  // Kinds mixed: the fields they all have.
  await page.click('[data-node-id="db-1"] .node-box', { modifiers: ['Shift'] });
  assert.match(await inspector.locator('[data-testid="multi-edit"]').innerText(), /3 nodes of different kinds/i);
  assert.equal(await inspector.locator('[name="memory_gb"]').count(), 0);
  await inspector.locator('[name="zone"]').fill('app');
  await inspector.locator('[name="zone"]').press('Enter');
  const d = JSON.parse(await page.evaluate(() => window.obkmTopology.design()));
  assert.deepEqual(['km-1', 'km-2', 'db-1'].map((id) => d.nodes.find((n) => n.id === id).zone), ['app', 'app', 'app']);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

// The layers (src/ui/canvas/layers.rs): what a gesture moves is drawn in the live layer, the
// rest stays untouched in the static one; everything is back, in order, when it ends.
test('a drag lifts the node, its links and labels into the live layer and puts them back in order; a pan moves the layers, not the scene', withShot('layers', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-ha"]');
  const order = () => page.evaluate(() => [...document.querySelectorAll('.layer-static .scene *')].map((e) =>
    e.getAttribute('data-node-id') || e.getAttribute('data-link') || e.getAttribute('data-link-label') || e.getAttribute('class') || e.tagName).join('|'));
  const where = (sel) => page.evaluate((q) => [...document.querySelectorAll(q)].map((e) => e.closest('.layer-live') ? 'live' : e.closest('.layer-static') ? 'static' : 'none'), sel);
  const before = await order();
  const links = await page.evaluate(() => [...document.querySelectorAll('[data-link]')].filter((l) => l.dataset.link.split('~').includes('km-1')).length);
  assert.ok(links >= 2, 'the template links km-1');
  const a = await center(page.locator('[data-node-id="km-1"] .node-box'));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 60, a.y + 40, { steps: 4 });
  assert.deepEqual(await where('[data-node-id="km-1"]'), ['live']);
  assert.deepEqual(await where('[data-link^="km-1~"], [data-link$="~km-1"]'), Array(links).fill('live'));
  assert.ok((await where('[data-link-label^="km-1~"], [data-link-label$="~km-1"]')).every((w) => w === 'live'));
  assert.deepEqual(await where('[data-node-id="db-1"]'), ['static'], 'a node that does not move stays');
  // The cluster frame moves with a Key Manager node.
  assert.deepEqual(await where('[data-testid="cluster"]'), ['live']);
  // During the gesture the live layer takes the hits: nothing below hovers.
  assert.equal(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y).closest('.layer-live') !== null, { x: a.x + 200, y: a.y + 200 }), true);
  await page.mouse.up();
  assert.equal(await page.locator('.layer-live [data-node-id], .layer-live [data-link]').count(), 0);
  const after = await order();
  assert.equal(after, before, 'the static layer is back in its order');
  // The move landed, and the hooks still work on the same elements: select by click.
  assert.equal(await page.locator('[data-node-id="km-1"]').getAttribute('aria-selected'), 'true');

  // A pan: the scene's transform waits for the end; the layers move meanwhile.
  const scene = page.locator('[data-testid="canvas"] .scene');
  const t0 = await scene.getAttribute('transform');
  const c = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.move(c.x + 30, c.y + c.height - 30);
  await page.mouse.down();
  await page.mouse.move(c.x + 90, c.y + c.height - 60, { steps: 5 });
  assert.equal(await scene.getAttribute('transform'), t0, 'the scene re-rendered during the pan');
  assert.match(await page.locator('.layers').evaluate((e) => e.style.transform), /translate\(60px, -30px\)/);
  await page.mouse.up();
  assert.notEqual(await scene.getAttribute('transform'), t0);
  assert.equal(await page.locator('.layers').evaluate((e) => e.style.transform), 'none');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a large design opens fitted without unreadable texts, shows them when zoomed in, and lists 50 findings of a group with a button for the rest', withShot('large', async (s) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((text) => { if (!sessionStorage.getItem('seeded')) { localStorage.setItem('obkm-topology.design', text); sessionStorage.setItem('seeded', '1'); } }, JSON.stringify(gridDesign(8).design));
  const page = s.page = await openApp(browser, server.url, { context });
  await page.waitForFunction(() => document.querySelectorAll('[data-node-id]').length === 200);
  const scale = async () => Number((await page.locator('[data-testid="canvas"] .scene').getAttribute('transform')).match(/scale\(([^)]+)\)/)[1]);
  assert.ok(await scale() < 0.45, `opened at scale ${await scale()}`);
  // Fitted: every node is inside the canvas.
  const c = await page.locator('[data-testid="canvas"]').boundingBox();
  for (const sel of ['[data-node-id="km-0-0"]', '[data-node-id="db-7-24"]']) {
    const b = await page.locator(sel).boundingBox();
    assert.ok(b.x >= c.x && b.y >= c.y && b.x + b.width <= c.x + c.width && b.y + b.height <= c.y + c.height, `${sel} outside the canvas`);
  }
  assert.equal(await page.locator('.node-text').count(), 0, 'texts drawn at an unreadable size');
  assert.equal(await page.locator('[data-testid="handle"]').count(), 0);
  // The full label is the node's accessible name; its id, kind and findings its description.
  assert.equal(await page.locator('[data-node-id="km-3-2"]').getAttribute('aria-label'), 'KM 3.2');
  assert.match(await page.locator('[data-node-id="km-3-2"] > desc').textContent(), /^km-3-2, Key Manager node/);
  // The findings: a group of more than 50 shows 50 and a button for all.
  const report = JSON.parse(await page.evaluate(() => window.obkmTopology.findings()));
  const bySeverity = (sev) => report.findings.filter((f) => f.severity === sev).length;
  const big = ['error', 'warning', 'info'].find((sev) => bySeverity(sev) > 50);
  assert.ok(big, 'the grid has a group of more than 50 findings');
  const shown = () => page.locator(`[data-testid="findings"] [data-severity="${big}"][data-rule-id]`).count();
  assert.equal(await shown(), 50);
  await page.locator(`.finding-group.${big} [data-action="show-all-findings"]`).click();
  assert.equal(await shown(), bySeverity(big));
  // Zoomed in, the texts and handles are there.
  while (await scale() < 0.45) await page.click('[data-action="zoom-in"]');
  assert.equal(await page.locator('.node-text').count(), 200);
  assert.equal(await page.locator('[data-testid="handle"]').count(), 200);
  assert.deepEqual(page.problems, []);
  await context.close();
}));
