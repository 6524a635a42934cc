// The side-by-side part of `make bench`: this app against React Flow, in the same run, with the
// driver of ../shared/peer-bench (drag_frames.mjs). Used by bench/budgets.mjs; also runnable alone:
//   node bench/peer.mjs [--sizes 500,1000] [--runs 3]
// It copies the peer folder into the cache (the shared folder may be read-only), builds the React
// Flow page there once, serves both apps on loopback ports, opens our side as a share link of the
// grid design below, presses fit-to-view, drags the node of row 10, column 12, and prints medians
// and the ratios ours / React Flow's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serve } from '../tests/browser/harness.mjs';
import { gridDesign } from '../tests/browser/designs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.OBKM_PEER_BENCH || path.resolve(root, '../shared/peer-bench');
const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'obkm-topology', 'peer-bench');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** The peer folder copied into the cache and built (once per version of its sources). */
export function preparePeer() {
  if (!fs.existsSync(path.join(shared, 'drag_frames.mjs'))) throw new Error(`peer benchmark not found at ${shared}`);
  const hash = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (['node_modules', 'dist', 'results'].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p); else hash.update(p.slice(shared.length)).update(fs.readFileSync(p));
    }
  };
  walk(shared);
  const stamp = hash.digest('hex');
  const stampFile = path.join(cache, '.stamp');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(path.join(cache, 'reactflow/dist/index.html'))) return cache;
  console.log(`      (building the React Flow page in ${cache})`);
  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  fs.cpSync(shared, cache, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|results)$/.test(src) });
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
  const npm = (cwd, ...args) => execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
  npm(cache, 'ci', '--no-audit', '--no-fund', '--loglevel=error');
  npm(path.join(cache, 'reactflow'), 'ci', '--no-audit', '--no-fund', '--loglevel=error');
  execFileSync(path.join(cache, 'reactflow/node_modules/.bin/vite'), ['build', '--logLevel', 'error'], { cwd: path.join(cache, 'reactflow'), env, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.writeFileSync(stampFile, stamp);
  return cache;
}

/** Serves a folder as static files on a free loopback port. */
function serveDir(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = http.createServer((req, res) => {
    let file = path.normalize(path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }),
  })));
}

// Asynchronous: both servers live in this process, so its event loop must keep running.
async function run(dir, args, env = {}) {
  try {
    await promisify(execFile)('node', [path.join(dir, 'drag_frames.mjs'), ...args], { cwd: dir, env: { ...process.env, ...env } });
  } catch { /* the JSON is written anyway; a failed run is reported by its `ok` */ }
  return JSON.parse(fs.readFileSync(args[2], 'utf8'));
}

/**
 * Runs both apps `runs` times per size, alternating, and returns per size the medians of each
 * side and the ratios.
 */
export async function peerRuns({ sizes = [500, 1000], runs = 3, cli } = {}) {
  const dir = preparePeer();
  const out = path.join(dir, 'results');
  fs.mkdirSync(out, { recursive: true });
  const ours = await serve();
  const rf = await serveDir(path.join(dir, 'reactflow/dist'));
  const bin = cli || path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release/obkm-topology');
  const result = {};
  try {
    for (const n of sizes) {
      const { design, dragged } = gridDesign(Math.round(n / 25));
      const file = path.join(out, `grid-${n}.json`);
      fs.writeFileSync(file, JSON.stringify(design));
      const link = execFileSync(bin, ['share', file, '--base-url', ours.url], { encoding: 'utf8' }).trim();
      const rows = Math.ceil(n / 25);
      const rfId = Math.floor(rows / 2) * 25 + 13;
      const sides = { ours: [], rf: [] };
      for (let r = 1; r <= runs; r++) {
        sides.ours.push(await run(dir, [link, `[data-node-id="${dragged}"]`, path.join(out, `ours-n${n}-r${r}.json`)], { PRECLICK: '[data-action="fit"]' }));
        sides.rf.push(await run(dir, [`${rf.url}?n=${n}`, `.react-flow__node[data-id="${rfId}"]`, path.join(out, `rf-n${n}-r${r}.json`)]));
      }
      const pick = (xs, get) => median(xs.map(get));
      const sum = (xs) => ({
        ok: xs.every((d) => d.ok), errors: xs.flatMap((d) => d.errors || []),
        task_per_move: pick(xs, (d) => d.main_thread_ms.task_per_move),
        task_per_move_all: xs.map((d) => d.main_thread_ms.task_per_move),
        script_ms: pick(xs, (d) => d.main_thread_ms.script), layout_ms: pick(xs, (d) => d.main_thread_ms.layout),
        p95: Math.max(...xs.map((d) => d.p95)), max: Math.max(...xs.map((d) => d.max)), over50ms: Math.max(...xs.map((d) => d.over50ms)),
        frames: pick(xs, (d) => d.frames), nav_to_visible_ms: pick(xs, (d) => d.nav_to_visible_ms),
        long_task_max_ms: Math.max(...xs.map((d) => d.long_tasks.max_ms)),
      });
      const o = sum(sides.ours);
      const p = sum(sides.rf);
      result[n] = { ours: o, rf: p, move_ratio: o.task_per_move / p.task_per_move, nav_ratio: o.nav_to_visible_ms / p.nav_to_visible_ms, share_link_chars: link.length };
    }
  } finally {
    await ours.close();
    await rf.close();
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
  const sizes = arg('--sizes', '500,1000').split(',').map(Number);
  const res = await peerRuns({ sizes, runs: Number(arg('--runs', '3')) });
  for (const [n, r] of Object.entries(res)) {
    console.log(`n=${n}: main-thread ms/move ours ${r.ours.task_per_move} [${r.ours.task_per_move_all.join(', ')}] / React Flow ${r.rf.task_per_move} [${r.rf.task_per_move_all.join(', ')}] = ${r.move_ratio.toFixed(2)}×`);
    console.log(`        ours p95 ${r.ours.p95} max ${r.ours.max} over50 ${r.ours.over50ms} frames ${r.ours.frames} longtask ${r.ours.long_task_max_ms} script ${r.ours.script_ms} layout ${r.ours.layout_ms}; RF p95 ${r.rf.p95} max ${r.rf.max} frames ${r.rf.frames} script ${r.rf.script_ms}`);
    console.log(`        nav→visible ours ${r.ours.nav_to_visible_ms} / RF ${r.rf.nav_to_visible_ms} = ${r.nav_ratio.toFixed(2)}×; ok ${r.ours.ok}/${r.rf.ok} ${r.ours.errors.join('; ')}`);
  }
}
