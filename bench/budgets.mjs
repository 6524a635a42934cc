// `make bench`: measures the budgets of product.md and issue 11 against the release build in
// Debian's headless Chromium and the native CLI; drag and navigation side by side with React
// Flow (../shared/peer-bench) in the same run, as ratios. Prints one line per budget: measured value, budget,
// ok / OVER. It reports; it does not fail (budgets are tracked, not asserted in unit tests).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch } from '../tests/browser/harness.mjs';
import { peerRuns } from './peer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = [];
function report(what, value, unit, budget, lowerIsBetter = true) {
  const ok = lowerIsBetter ? value <= budget : value >= budget;
  results.push({ what, value: Number(value.toFixed(2)), unit, budget, ok });
  console.log(`${ok ? 'ok  ' : 'OVER'}  ${what}: ${value.toFixed(2)} ${unit} (budget ${budget} ${unit})`);
}

/** A valid design with `kms` Key Manager nodes and `extra` more nodes (clients), laid out in a grid. */
function makeDesign(kms, extra = 0) {
  const nodes = [
    { id: 'lb-1', kind: 'load-balancer', label: 'LB', x: 0, y: 0, zone: 'dmz', props: { hostname: 'km.bank.example', ip: '10.0.0.5', instances: 2 } },
    { id: 'db-1', kind: 'database', label: 'DB', x: 400, y: 0, zone: 'data', props: { host: 'db.bank.internal', instances: 2, ha_mode: 'cluster' } },
    { id: 'ldap-1', kind: 'directory', label: 'LDAP', x: 600, y: 0, zone: 'data', props: { host: 'ldap.bank.internal', instances: 2 } },
    { id: 'fs-1', kind: 'shared-storage', label: 'NFS', x: 800, y: 0, zone: 'data', props: { host: 'nfs.bank.internal', instances: 2 } },
  ];
  const links = [];
  for (let i = 1; i <= kms; i++) {
    const id = `km-${i}`;
    nodes.push({ id, kind: 'key-manager', label: `KM ${i}`, x: 200 * (i % 25), y: 120 + 100 * Math.floor(i / 25), zone: 'app',
      props: { hostname: `km${i}.bank.internal`, ip: `10.${1 + Math.floor(i / 250)}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`, memory_gb: 8, disk_gb: 40 } });
    for (const to of ['db-1', 'ldap-1', 'fs-1']) links.push({ from: id, to });
    links.push({ from: 'lb-1', to: id });
  }
  for (let i = 1; i <= extra; i++) {
    nodes.push({ id: `client-${i}`, kind: 'client', label: `Clients ${i}`, x: -300, y: 100 * i, zone: 'internet', props: {} });
    links.push({ from: `client-${i}`, to: 'lb-1' });
  }
  return { format: 'obkm-topology', version: 1, name: `Bench ${nodes.length}`, product: 'ob-km-1.5',
    cluster: { domain: 'wso2.ob.km.domain', membership_scheme: 'wka' }, nodes, links, waivers: [] };
}

// 1. Share fragment of the reference design (native CLI, same code as the browser).
const cli = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release/obkm-topology');
const url = execFileSync(cli, ['share', path.join(root, 'tests/fixtures/ha-reference.json')], { encoding: 'utf8' }).trim();
report('share URL fragment, 10-node reference design', url.split('#')[1].length, 'chars', 700);

const brotli = (bytes) => zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const server = await serve();
const browser = await launch();
try {
  // 2. First load: what the page fetches from navigation until the canvas is interactive (the
  // nodes drawn, the API answering), each response as a CDN would send it (brotli, quality 11).
  // The export worker, fetched when the page is idle, is counted apart.
  {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    const fetched = [];
    let interactive = false;
    page.on('response', async (r) => {
      const when = interactive ? 'later' : 'first';
      try { fetched.push({ url: r.url(), when, bytes: brotli(await r.body()) }); } catch { /* a redirect has no body */ }
    });
    await page.goto(server.url);
    await page.waitForFunction(() => window.obkmTopology && document.querySelectorAll('[data-node-id]').length > 0);
    interactive = true;
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('obkm-topology-worker_bg.wasm')), null, { timeout: 15000 }).catch(() => {});
    await page.waitForTimeout(1000);
    await ctx.close();
    const sum = (xs) => xs.reduce((a, f) => a + f.bytes, 0);
    const first = fetched.filter((f) => f.when === 'first');
    for (const f of fetched) console.log(`      ${f.when.padEnd(5)} ${String(f.bytes).padStart(7)} B  ${new URL(f.url).pathname}`);
    report('first load until the canvas is interactive (requests, brotli)', sum(first) / 1024, 'KB', 200);
    console.log(`      (export worker and later requests: ${(sum(fetched.filter((f) => f.when === 'later')) / 1024).toFixed(1)} KB)`);
  }

  // 3. Checker on the page and bundle in the export worker.
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.obkmTopology);
  const measure = async (d, bundle = false) => JSON.parse(await page.evaluate(([t, b]) => window.obkmTopology.measure(t, b), [JSON.stringify(d), bundle]));
  report('checker latency in the browser, 50 nodes (median of 15)', (await measure(makeDesign(46))).check_ms_median, 'ms', 1);
  report('checker latency in the browser, 2,000 nodes (median of 15)', (await measure(makeDesign(1000, 996))).check_ms_median, 'ms', 8);
  const bundle = await measure(makeDesign(50), true);
  report('bundle export in the export worker, 50 Key Manager nodes (median of 3 after the first)', bundle.bundle_ms, 'ms', 100);
  console.log(`      (the first bundle, the worker's module still cold: ${bundle.bundle_first_ms.toFixed(1)} ms)`);
  await ctx.close();
} finally {
  await browser.close();
  await server.close();
}

// 4. Side by side with React Flow (../shared/peer-bench), in this run: drag and navigation.
const runs = Number(process.env.RUNS || 3);
const peer = await peerRuns({ sizes: [500, 1000], runs, cli });
for (const [n, r] of Object.entries(peer)) {
  console.log(`      n=${n}: ours ${r.ours.task_per_move_all.join(', ')} ms/move, React Flow ${r.rf.task_per_move_all.join(', ')}; nav→visible ours ${r.ours.nav_to_visible_ms} ms, React Flow ${r.rf.nav_to_visible_ms} ms; ok ${r.ours.ok}/${r.rf.ok}`);
  for (const e of r.ours.errors) console.log(`      ours: ${e}`);
  report(`drag among ${n}: main-thread time per move, ours / React Flow (medians of ${runs})`, r.move_ratio, '×', 0.5);
}
const p500 = peer[500];
report('drag among 500: p95 frame (worst of the runs)', p500.ours.p95, 'ms', 16.8);
report('drag among 500: frames over 50 ms, press to release (worst of the runs)', p500.ours.over50ms, 'frames', 0);
report('navigation to the dragged node visible, 500 nodes by share link, ours / React Flow', p500.nav_ratio, '×', 0.6);
fs.writeFileSync(path.join(root, 'bench', 'last-results.json'), JSON.stringify({ results, peer }, null, 2) + '\n');
console.log(`${results.filter((r) => r.ok).length} of ${results.length} budgets met (bench/last-results.json)`);
