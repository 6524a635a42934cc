// Shared set-up for the browser tests: a static server for the release build (dist/) on
// 127.0.0.1, Debian's Chromium driven by playwright-core, and helpers that read the app
// through its stable hooks (product.md).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = path.join(root, 'dist');
export const artifacts = path.join(root, 'tests/browser/artifacts');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/**
 * Serves dist/ on a loopback port (a free one unless `port` is given); resolves to
 * { url, port, requests, close }. `requests` lists the paths asked for; `patch(path, bytes)`
 * may change what is served (a "new build").
 */
export function serve({ port = 0, patch = null } = {}) {
  const requests = [];
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/index.html is missing: run `make test` (it builds the release first)');
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname);
    let file = path.normalize(path.join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      // The same policy header `make serve` sends (scripts/csp.mjs writes it after the build).
      const policy = fs.existsSync(path.join(dist, 'csp.txt')) ? fs.readFileSync(path.join(dist, 'csp.txt'), 'utf8').trim() : null;
      res.writeHead(200, {
        'content-type': types[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store',
        ...(policy ? { 'content-security-policy': policy } : {}),
      });
      res.end(patch ? patch(url.pathname, data) : data);
    });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const p = server.address().port;
      resolve({
        url: `http://127.0.0.1:${p}/`, port: p, requests,
        close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
      });
    });
  });
}

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Launches Debian's Chromium headless. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs });
}

/**
 * Opens the app in a fresh context (empty storage) and waits until it is interactive.
 * Console errors and page errors are collected in `page.problems`.
 */
export async function openApp(browser, url, { context } = {}) {
  const ctx = context ?? await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  // A request the page's own navigation cancels (a reload while the icon loads) is not a failure.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') page.problems.push(`requestfailed: ${r.url()} (${r.failure()?.errorText})`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.obkmTopology && typeof window.obkmTopology.design === 'function');
  await page.waitForSelector('[data-testid="canvas"]');
  return page;
}

/** The current design, parsed from `obkmTopology.design()`. */
export async function design(page) {
  return JSON.parse(await page.evaluate(() => window.obkmTopology.design()));
}

/** Saves a screenshot of the page under tests/browser/artifacts/NAME.png. */
export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Wraps a test body: on failure, a screenshot is taken before the error is passed on. */
export function withShot(name, body) {
  return async (t) => {
    const state = {};
    try {
      await body(state, t);
    } catch (e) {
      if (state.page) {
        const file = await screenshot(state.page, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => null);
        if (file) e.message += `\n(screenshot: ${file})`;
      }
      throw e;
    }
  };
}
