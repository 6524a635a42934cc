// `make serve`: serves the built app (dist/) on 127.0.0.1 with the page's Content-Security-Policy
// as a header too (dist/csp.txt, written by scripts/csp.mjs), the right types for .wasm and .js,
// and no autoreload script (`trunk serve` injects one, which the policy would refuse).
//   node scripts/serve.mjs [dist] [address] [port]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve(process.argv[2] ?? 'dist');
const address = process.argv[3] ?? '127.0.0.1';
const port = Number(process.argv[4] ?? 8080);
const policy = fs.readFileSync(path.join(dist, 'csp.txt'), 'utf8').trim();
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json', '.txt': 'text/plain; charset=utf-8',
};
http.createServer((req, res) => {
  let rel;
  try { rel = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
  let file = path.normalize(path.join(dist, rel));
  if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(data);
  });
}).listen(port, address, () => console.log(`obkm-topology: serving ${dist} at http://${address}:${port}/`));
