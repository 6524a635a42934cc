// "Import configs…" in the browser: a deployment's folder (webkitdirectory) or zip is rebuilt in
// the export worker into the same design the command line's `import` writes, placed as one
// undoable step with the previous design kept, and the import report is shown beside the canvas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch, openApp, withShot, design } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const axis2 = (host, members) => `<?xml version="1.0" encoding="UTF-8"?>
<axisconfig name="AxisJava2.0">
    <clustering class="org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent" enable="true">
        <parameter name="membershipScheme">wka</parameter>
        <parameter name="domain">wso2.ob.km.domain</parameter>
        <parameter name="localMemberHost">${host}</parameter>
        <parameter name="localMemberPort">4000</parameter>
        <members>
${members.map((m) => `            <member><hostName>${m}</hostName><port>4000</port></member>`).join('\n')}
        </members>
    </clustering>
</axisconfig>
`;
const carbon = `<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <HostName>km.bank.example</HostName>
    <MgtHostName>km.bank.example</MgtHostName>
    <Ports><Offset>0</Offset></Ports>
</Server>
`;
const datasources = `<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">
    <datasources>
        <datasource>
            <name>WSO2AM_DB</name>
            <definition type="RDBMS">
                <configuration>
                    <url>jdbc:mysql://db.bank.internal:3306/WSO2AM_DB</url>
                </configuration>
            </definition>
        </datasource>
    </datasources>
</datasources-configuration>
`;

/** A two-node deployment whose km-a forgets km-b in its member list (IMP-001), plus a jar. */
function deployment() {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'obkm-import-')), 'bank-km');
  const put = (p, text) => { fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true }); fs.writeFileSync(path.join(dir, p), text); };
  put('km-a/repository/conf/axis2/axis2.xml', axis2('10.0.1.11', ['10.0.1.11']));
  put('km-b/repository/conf/axis2/axis2.xml', axis2('10.0.1.12', ['10.0.1.11', '10.0.1.12']));
  for (const km of ['km-a', 'km-b']) {
    put(`${km}/repository/conf/carbon.xml`, carbon);
    put(`${km}/repository/conf/datasources/master-datasources.xml`, datasources);
    put(`${km}/lib/driver.jar`, 'PK not read');
  }
  return dir;
}

function cliImport(dir, today) {
  const out = path.join(path.dirname(dir), 'cli.json');
  try {
    execFileSync('cargo', ['run', '--quiet', '--bin', 'obkm-topology', '--', 'import', dir, '--out', out, '--force', '--today', today], { cwd: root });
  } catch (e) {
    // Exit status 1: the deployment has errors (it is meant to); the design is written.
    if (e.status !== 1) throw e;
  }
  return fs.readFileSync(out, 'utf8');
}

test('import a folder: the CLI\'s design, the report beside the canvas, one undo, the previous design kept', withShot('import-folder', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const before = await design(page);
  const dir = deployment();
  await page.click('[data-action="import"]');
  await page.setInputFiles('[data-testid="import-folder-input"]', dir);
  await page.waitForSelector('[data-testid="import-report"]');
  const report = page.locator('[data-testid="import-report"]');
  // The finding names the file and line it comes from.
  const imp1 = report.locator('[data-rule-id="IMP-001"]');
  assert.equal(await imp1.count(), 1);
  assert.match(await imp1.innerText(), /bank-km\/km-a\/repository\/conf\/axis2\/axis2\.xml:\d+/);
  assert.match(await page.locator('[data-testid="import-summary"]').innerText(), /bank-km: 6 file\(s\) read, \d+ node\(s\) rebuilt; 2 other file\(s\) not loaded\. 1 import finding\(s\), 1 error\(s\)\./);
  // The report's every value with its source.
  assert.match(await page.locator('[data-testid="import-report-text"]').textContent(), /ip = 10\.0\.1\.12 +\(bank-km\/km-b\/repository\/conf\/axis2\/axis2\.xml:\d+\)/);
  // The same design as the command line's, byte for byte (the folder is named the same way).
  const today = new Date().toISOString().slice(0, 10);
  const cli = cliImport(dir, today);
  const imported = await page.evaluate(() => window.obkmTopology.design());
  assert.equal(JSON.stringify(JSON.parse(imported)), JSON.stringify(JSON.parse(cli)));
  const d = JSON.parse(imported);
  assert.deepEqual(d.nodes.filter((n) => n.kind === 'key-manager').map((n) => n.props.ip).sort(), ['10.0.1.11', '10.0.1.12']);
  // The checker ran on it as on any design.
  assert.ok(await page.locator('[data-testid="findings"] [data-rule-id]').count() > 0);
  // One undo brings the previous design back; "Restore previous" is offered too.
  assert.equal(await page.locator('[data-action="restore-previous"]').count(), 1);
  await page.click('[data-action="undo"]');
  assert.deepEqual(await design(page), before);
  await page.click('[data-action="redo"]');
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), imported);
  // The report closes.
  await page.click('[data-action="close-import-report"]');
  assert.equal(await page.locator('[data-testid="import-report"]').count(), 0);
  assert.deepEqual(page.problems, []);
}));

test('import a zip: the same design; what is not a zip is refused and nothing changes', withShot('import-zip', async (s) => {
  const page = s.page = await openApp(browser, server.url);
  const dir = deployment();
  const zip = path.join(path.dirname(dir), 'bank-km.zip');
  execFileSync(process.env.OBKM_PYTHON || 'python3', ['-c', `
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for base, _, names in sorted(os.walk(src)):
        for n in sorted(names):
            p = os.path.join(base, n)
            z.write(p, os.path.relpath(p, os.path.dirname(src)))
`, dir, zip]);
  await page.click('[data-action="import"]');
  await page.setInputFiles('[data-testid="import-zip-input"]', zip);
  await page.waitForSelector('[data-testid="import-report"] [data-rule-id="IMP-001"]');
  const fromZip = await page.evaluate(() => window.obkmTopology.design());
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(JSON.stringify(JSON.parse(fromZip)), JSON.stringify(JSON.parse(cliImport(dir, today))));
  // Not a zip: said, and the design stays.
  const bad = path.join(path.dirname(dir), 'notes.zip');
  fs.writeFileSync(bad, 'these are not the files you are looking for');
  await page.click('[data-action="import"]');
  await page.setInputFiles('[data-testid="import-zip-input"]', bad);
  await page.waitForFunction(() => /Cannot import notes\.zip: not a zip archive/.test(document.querySelector('[role="alert"]')?.innerText ?? ''));
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), fromZip);
  // A folder without configuration files is refused before anything is read.
  const empty = path.join(path.dirname(dir), 'photos');
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, 'a.jpg'), 'x');
  await page.click('[data-action="import"]');
  await page.setInputFiles('[data-testid="import-folder-input"]', empty);
  await page.waitForFunction(() => /photos holds no configuration file the import reads/.test(document.querySelector('[role="alert"]')?.innerText ?? ''));
  assert.equal(await page.evaluate(() => window.obkmTopology.design()), fromZip);
  assert.deepEqual(page.problems, []);
}));
