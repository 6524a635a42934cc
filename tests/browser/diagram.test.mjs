// Diagrams people can read (issue 12): zone frames around exactly their nodes, dragging into a
// frame sets the zone (undo puts it back), zones renamed and their spellings merged, links drawn
// along routes, the search box finds a node by its address, the minimap moves the view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, design, withShot } from './harness.mjs';
import { gridDesign } from './designs.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function center(locator) {
  const b = await locator.boundingBox();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

const inside = (a, b) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

test('zone frames hold exactly their nodes; a drag into a frame sets the zone, undo restores it', withShot('zones', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-two-zones"]');
  const d = await design(page);
  const zones = [...new Set(d.nodes.map((n) => n.zone))];
  assert.deepEqual(zones.sort(), ['data', 'dmz', 'internet', 'zone-a', 'zone-b']);
  for (const zone of zones) {
    const frame = await page.locator(`[data-zone-frame="${zone}"] rect`).boundingBox();
    for (const n of d.nodes) {
      const box = await page.locator(`[data-node-id="${n.id}"] .node-box`).boundingBox();
      assert.equal(inside(box, frame), n.zone === zone, `${n.id} (${n.zone}) and the frame of ${zone}`);
    }
  }
  // Links are drawn along routes: a path inside each [data-link].
  assert.equal(await page.locator('[data-link] path.link-line').count(), d.links.length);

  // km-1 dragged into the data frame: its zone is data, in the same step as the move.
  const from = await center(page.locator('[data-node-id="km-1"] .node-box'));
  const db = await page.locator('[data-node-id="db-1"] .node-box').boundingBox();
  const ldap = await page.locator('[data-node-id="ldap-1"] .node-box').boundingBox();
  const to = { x: db.x + db.width / 2, y: (db.y + db.height + ldap.y) / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  assert.equal(await page.locator('[data-zone-frame="data"]').evaluate((e) => e.classList.contains('drop-target')), true, 'the frame it would land in is shown');
  await page.mouse.up();
  const moved = await design(page);
  assert.equal(moved.nodes.find((n) => n.id === 'km-1').zone, 'data');
  await page.click('[data-action="undo"]');
  const back = await design(page);
  assert.deepEqual(back, d, 'one undo puts the position and the zone back');
  // Out of every frame: the zone is cleared.
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const canvas = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.move(canvas.x + 120, canvas.y + canvas.height - 60, { steps: 12 });
  await page.mouse.up();
  assert.equal((await design(page)).nodes.find((n) => n.id === 'km-1').zone, '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('a zone is renamed in one step, and zones spelled with another case are offered a merge', withShot('zone-names', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-two-zones"]');
  const field = page.getByLabel('zone zone-b', { exact: true });
  await field.fill('Zone South');
  await field.press('Enter');
  const d = await design(page);
  assert.deepEqual(d.nodes.filter((n) => n.zone === 'Zone South').map((n) => n.id), ['km-3', 'km-4']);
  assert.equal(await page.locator('[data-zone-frame="Zone South"]').count(), 1);
  await page.click('[data-action="undo"]');
  assert.equal((await design(page)).nodes.find((n) => n.id === 'km-3').zone, 'zone-b');
  // One node's zone written with capitals: one frame, and the offer to merge.
  await page.click('[data-node-id="km-3"] .node-box');
  await page.locator('[data-testid="inspector"] [name="zone"]').fill('ZONE-B');
  await page.locator('[data-testid="inspector"] [name="zone"]').press('Enter');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-zone-frame]').count(), 5, 'zone-b and ZONE-B are one frame');
  await page.waitForSelector('[data-testid="zone-case-notice"]');
  await page.click('[data-action="merge-zones"]');
  const merged = await design(page);
  assert.ok(merged.nodes.filter((n) => n.id === 'km-3' || n.id === 'km-4').every((n) => n.zone === merged.nodes.find((m) => m.id === 'km-4').zone));
  assert.equal(await page.locator('[data-testid="zone-case-notice"]').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('the search box finds a node by its address and brings it into view; the minimap moves the view', withShot('search', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-two-zones"]');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'search');
  await page.keyboard.type('10.0.2.12');
  await page.waitForSelector('[data-result="km-4"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('[data-node-id="km-4"]', 'aria-selected'), 'true');
  const box = await page.locator('[data-node-id="km-4"] .node-box').boundingBox();
  const canvas = await page.locator('[data-testid="canvas"]').boundingBox();
  assert.ok(inside(box, canvas), 'in view');
  // At a zoom where its address can be read.
  await page.waitForSelector('[data-node-id="km-4"] + .node-text >> text=10.0.2.12');

  // Zoomed in on a large design, the minimap is there; a click on it moves the view.
  await page.evaluate((t) => { const input = document.querySelector('[data-testid="file-input"]'); const dt = new DataTransfer(); dt.items.add(new File([t], 'grid.json', { type: 'application/json' })); input.files = dt.files; input.dispatchEvent(new Event('change', { bubbles: true })); }, JSON.stringify(gridDesign(8).design));
  await page.waitForFunction(() => document.querySelectorAll('[data-node-id]').length === 200);
  assert.equal(await page.locator('[data-testid="minimap"]').isVisible(), false, 'everything in view: no minimap');
  for (let i = 0; i < 4; i++) await page.click('[data-action="zoom-in"]');
  await page.waitForSelector('[data-testid="minimap"]', { state: 'visible' });
  const view = await page.locator('.scene').getAttribute('transform');
  const map = await page.locator('[data-testid="minimap"]').boundingBox();
  await page.mouse.click(map.x + map.width - 8, map.y + map.height - 8);
  assert.notEqual(await page.locator('.scene').getAttribute('transform'), view, 'the view moved');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));
