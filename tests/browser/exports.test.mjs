// Exports in the browser: the bundle and the firewall matrix download, byte for byte what the
// command line renders for the same design.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch, openApp, withShot } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

function cli(args) {
  return execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', ...args], { cwd: root });
}

async function download(page, action) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-action="${action}"]`)]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-dl-')), dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

test('export the config bundle and the firewall matrix; the CLI gives the same bytes', withShot('exports', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const fixture = path.join(root, 'tests/fixtures/ha-reference.json');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
  await chooser.setFiles(fixture);
  await page.waitForFunction(() => /Opened/.test(document.querySelector('[role="status"]')?.innerText ?? ''));
  const today = new Date().toISOString().slice(0, 10);

  const zip = await download(page, 'export-bundle');
  assert.equal(path.basename(zip), 'reference-ha-pattern-bundle.zip');
  const out = path.join(path.dirname(zip), 'cli.zip');
  cli(['bundle', fixture, '--out', out, '--today', today]);
  assert.ok(fs.readFileSync(zip).equals(fs.readFileSync(out)), 'the browser bundle differs from the CLI bundle');

  // Unzip it and look inside.
  const listing = JSON.parse(execFileSync(process.env.OBKM_PYTHON || 'python3', ['-c', `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({"names": z.namelist(), "clustering": z.read("key-manager/km-2/fragments/axis2.xml/clustering.xml").decode(), "design": z.read("design.json").decode()}))
`, zip], { encoding: 'utf8' }));
  for (const name of ['README.md', 'design.json', 'report/findings.json', 'report/findings.sarif', 'firewall/flows.csv',
    'firewall/nftables/km-1.nft', 'firewall/iptables/km-1.rules', 'firewall/aws/security-groups.tf', 'apply/apply-config.py',
    'key-manager/km-3/patches.json', 'key-manager/km-1/bin/jvm-options.txt', 'load-balancer/lb-1/nginx/conf.d/obkm.conf']) {
    assert.ok(listing.names.includes(name), name);
  }
  assert.match(listing.clustering, /<parameter name="localMemberHost">10\.0\.1\.12<\/parameter>/);
  assert.equal(listing.design, await page.evaluate(() => window.obkmTopology.design()));

  const csv = await download(page, 'export-firewall-csv');
  assert.ok(fs.readFileSync(csv).equals(cli(['firewall', fixture, '--format', 'csv'])), 'flows.csv differs');
  const md = await download(page, 'export-firewall-md');
  assert.ok(fs.readFileSync(md).equals(cli(['firewall', fixture, '--format', 'md'])), 'flows.md differs');
  const tf = await download(page, 'export-firewall-terraform');
  assert.ok(fs.readFileSync(tf).equals(cli(['firewall', fixture, '--format', 'terraform'])), 'terraform differs');
  // A selected node: its own ruleset.
  await page.click('[data-node-id="km-1"] .node-box');
  const nft = await download(page, 'export-firewall-nft');
  assert.equal(path.basename(nft), 'km-1.nft');
  assert.ok(fs.readFileSync(nft).equals(cli(['firewall', fixture, '--format', 'nft', '--node', 'km-1'])), 'nft differs');
  const ipt = await download(page, 'export-firewall-iptables');
  assert.ok(fs.readFileSync(ipt).equals(cli(['firewall', fixture, '--format', 'iptables', '--node', 'km-1'])), 'iptables differs');
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));

test('export the diagram as SVG and PNG; auto-layout arranges the nodes as one undoable step', withShot('diagram', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  await page.click('[data-action="template-broken"]');
  const svg = await download(page, 'export-svg');
  assert.equal(path.basename(svg), 'broken-single-node.svg');
  execFileSync('xmllint', ['--noout', svg]);
  const text = fs.readFileSync(svg, 'utf8');
  assert.match(text, /<title>Broken single node<\/title>/);
  // For people: a title block, a legend, every node with its id; the design rides along.
  assert.match(text, /class="title-block"/);
  assert.match(text, /class="legend"/);
  assert.match(text, /\(km-1, Key Manager node\)<\/title>/);
  assert.match(text, /<metadata id="obkm-topology-design">/);
  // The exported SVG opens again as the same design.
  const saved = await page.evaluate(() => window.obkmTopology.design());
  await page.click('[data-action="template-ha"]');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-action="open"]')]);
  await chooser.setFiles(svg);
  await page.waitForFunction(() => /Opened/.test(document.querySelector('[role="status"]')?.innerText ?? ''));
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), saved);
  const png = await download(page, 'export-png');
  const bytes = fs.readFileSync(png);
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG');
  assert.ok(bytes.length > 1000);

  const before = JSON.parse(await page.evaluate(() => window.obkmTopology.design()));
  await page.click('[data-action="auto-layout"]');
  const after = JSON.parse(await page.evaluate(() => window.obkmTopology.design()));
  const x = (d, id) => d.nodes.find((n) => n.id === id).x;
  assert.ok(x(after, 'lb-1') < x(after, 'km-1') && x(after, 'km-1') < x(after, 'db-1'));
  await page.click('[data-action="undo"]');
  assert.deepEqual(JSON.parse(await page.evaluate(() => window.obkmTopology.design())), before);
  assert.deepEqual(page.problems, []);
  await page.context().close();
}));
