// After `trunk build`: lock the page down. Writes a Content-Security-Policy into dist/index.html
// (a <meta> right after the charset) and into dist/csp.txt (for servers that send it as a
// header, as `make serve` does): only the app's own files run, plus the inline scripts of the
// page itself by hash (trunk's loader, whose text changes with every build, and the theme script).
//   node scripts/csp.mjs [dist]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dist = process.argv[2] ?? 'dist';
const file = path.join(dist, 'index.html');
let html = fs.readFileSync(file, 'utf8').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n?/, '');
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}
const policy = [
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
html = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n  <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
if (!html.includes('http-equiv="Content-Security-Policy"')) {
  console.error(`csp: no <meta charset> in ${file} to put the policy after`);
  process.exit(1);
}
fs.writeFileSync(file, html);
fs.writeFileSync(path.join(dist, 'csp.txt'), policy + '\n');

// The service worker's precache list and cache version: every file of the build (hashed names
// or not), the version a hash of their contents, so a new build replaces the old cache.
const sw = path.join(dist, 'sw.js');
if (fs.existsSync(sw)) {
  const files = fs.readdirSync(dist).filter((f) => f !== 'sw.js' && f !== 'csp.txt' && fs.statSync(path.join(dist, f)).isFile()).sort();
  const digest = crypto.createHash('sha256');
  for (const f of files) digest.update(f).update(fs.readFileSync(path.join(dist, f)));
  const version = `obkm-${digest.digest('hex').slice(0, 16)}`;
  const list = ['./', ...files.map((f) => `./${f}`)];
  const text = fs.readFileSync(sw, 'utf8')
    .replace("'__OBKM_VERSION__'", JSON.stringify(version))
    .replace('__OBKM_PRECACHE__', JSON.stringify(list));
  fs.writeFileSync(sw, text);
  console.log(`sw: ${list.length} file(s) precached as ${version}`);
}
console.log(`csp: ${hashes.length} inline script(s) allowed by hash`);
