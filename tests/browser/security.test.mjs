// Locked down: the page's Content-Security-Policy lets only the app's own files run, and a hostile
// design (labels, names and props holding <script>, <img onerror>, javascript: URLs, SVG onload),
// opened from a file or a share link, runs none of its text as script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openApp, withShot } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const evil = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  'javascript:window.__pwned = "url"',
  '<svg onload="window.__pwned = \'svg\'"></svg>',
  '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
];

function hostileDesign() {
  const d = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/ha-reference.json'), 'utf8'));
  d.name = evil.join(' ');
  d.nodes.forEach((n, i) => { n.label = evil[i % evil.length]; n.zone = evil[(i + 1) % evil.length]; });
  d.nodes.find((n) => n.id === 'clients').props.description = evil[2];
  d.waivers = [{ rule: 'DB-005', reason: evil[0], node: 'db-1' }];
  return d;
}

test('the policy is in force: nothing but the app runs, not even eval', withShot('csp', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(meta, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  for (const d of ["object-src 'none'", "base-uri 'none'", "form-action 'none'", "worker-src 'self'", "connect-src 'self'"]) {
    assert.ok(meta.includes(d), d);
  }
  // Code from strings (what eval and string timers run) is refused too. (DevTools' own
  // evaluate is exempt, so the string goes through a timer, which runs in the page.)
  const evalled = await page.evaluate(() => new Promise((resolve) => {
    try { setTimeout('window.__evalRan = true', 0); } catch (e) { resolve(false); return; }
    setTimeout(() => resolve(window.__evalRan === true), 100);
  }));
  assert.equal(evalled, false, 'code from a string ran under the policy');
  const injected = await page.evaluate(() => new Promise((resolve) => {
    const el = document.createElement('script');
    el.textContent = 'window.__injected = true';
    document.head.append(el);
    setTimeout(() => resolve(window.__injected === true), 100);
  }));
  assert.equal(injected, false, 'an injected inline script ran');
  assert.deepEqual(page.problems.filter((p) => !/Content Security Policy|Refused to (evaluate|execute)/.test(p)), []);
  await page.context().close();
}));

test('a hostile design, opened as a file and as a share link, runs none of its text', withShot('hostile', async (s) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-hostile-'));
  const file = path.join(dir, 'hostile.json');
  fs.writeFileSync(file, JSON.stringify(hostileDesign()));
  const violations = [];
  const page = s.page = await openApp(browser, server.url);
  page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) violations.push(m.text()); });
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
  await chooser.setFiles(file);
  await page.waitForFunction(() => JSON.parse(window.obkmTopology.design()).name.includes('__pwned'));
  // Every view that shows these texts: canvas, inspector (a node and the design), findings, diagram.
  await page.click('[data-node-id="km-1"] .node-box');
  await page.click('[data-node-id="clients"] .node-box');
  const cb = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.click(cb.x + 10, cb.y + cb.height - 10);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export-svg"]')]);
  await svg.path();
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'a hostile text ran as script (file)');
  assert.equal(await page.locator('iframe').count(), 0, 'a hostile text became an iframe');
  assert.equal(await page.locator('body img, body svg svg[onload]').count(), 0, 'a hostile text became markup');
  // The same design as a share link, opened in a fresh page.
  const url = execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', 'share', file, '--base-url', server.url],
    { cwd: root, encoding: 'utf8' }).trim();
  const page2 = await openApp(browser, url);
  await page2.waitForFunction(() => JSON.parse(window.obkmTopology.design()).name.includes('__pwned'));
  await page2.waitForTimeout(200);
  assert.equal(await page2.evaluate(() => window.__pwned), undefined, 'a hostile text ran as script (link)');
  // The texts are shown as text.
  assert.ok((await page2.locator('[data-testid="design-name"]').textContent()).includes('<script>'));
  assert.deepEqual(violations, [], 'the app itself tripped the policy');
  await page.context().close();
  await page2.context().close();
}));
