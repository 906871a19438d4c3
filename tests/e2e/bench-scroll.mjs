// Frame times while scrolling the real UsersTable over 10,000 rows, in
// WebKitGTK (MiniBrowser through WebKitWebDriver), with compositing off (as
// the app ships) and on. Figures only, never pass/fail: scripts/bench-scroll
// builds the page (ui/bench/scroll.tsx) to target/bench-ui and runs this.
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import net from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';
import { byTestId, waitForPort } from './session.mjs';

const ROOT = fileURLToPath(new URL('../../target/bench-ui/', import.meta.url));
const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const FRAMES = 600;
const PX_PER_FRAME = 40;
const ROWS = 10_000;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.svg': 'image/svg+xml' };

/** Serves target/bench-ui over http on 127.0.0.1, any free port: module scripts do not load from file://. */
async function serve() {
  const server = createServer(async (req, res) => {
    // Absolute, so normalize() cannot climb above ROOT.
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    try {
      const body = await readFile(join(ROOT, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/**
 * A port nobody listens on. Not a fixed one: tauri-driver (other people's
 * runs on 4444) keeps its own WebKitWebDriver on 4445, and talking to that
 * one by mistake would both fail here and disturb their run.
 */
async function freePort() {
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

/** The environment of the newest process named `name` under `root`, or null. */
async function childEnv(root, name) {
  const kids = new Map();
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(Number(pid), { ppid, name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, p] of kids) if (p.ppid === tree[i]) tree.push(pid);
  const found = tree.filter((pid) => kids.get(pid)?.name === name).pop();
  if (!found) return null;
  const raw = await readFile(`/proc/${found}/environ`, 'utf8');
  return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** `overrides`: variables to set, or to remove where the value is null. */
async function run(label, url, overrides) {
  // WebKitWebDriver hands its own environment to the MiniBrowser it spawns,
  // so each variant gets a driver of its own.
  const env = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  const port = await freePort();
  const driver = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const exited = new Promise((r) => driver.once('exit', r));
  let b;
  try {
    await Promise.race([
      waitForPort(port, 15000),
      exited.then((code) => { throw new Error(`WebKitWebDriver exited (${code}) before listening on ${port}`); }),
    ]);
    b = await remote({
      hostname: '127.0.0.1', port, logLevel: 'error',
      capabilities: {
        // WebKitWebDriver 2.50 refuses the webSocketUrl (BiDi) that
        // WebdriverIO asks for by default: "Failed to match capabilities".
        'wdio:enforceWebDriverClassic': true,
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      },
    });
    await b.setWindowSize(1400, 940); // the 800 px table and its header fit
    await b.url(url);
    await b.$(byTestId('user-row')).waitForExist({ timeout: 30000 });
    const seen = await childEnv(driver.pid, 'MiniBrowser');
    for (const [k, v] of Object.entries(overrides)) {
      if (!seen || (seen[k] ?? null) !== v) {
        throw new Error(`${label}: MiniBrowser has ${k}=${seen?.[k]} (${seen ? 'found' : 'no process'})`);
      }
    }
    // At ~150 ms a frame, 630 frames take minutes; scripts/bench-scroll bounds the whole run.
    await b.setTimeout({ script: 600000 });
    const info = await b.execute(() => ({
      viewport: `${innerWidth}×${innerHeight}`,
      table: document.querySelector('[data-virtual-viewport]').clientHeight,
      domRows: document.querySelectorAll('[data-testid="user-row"]').length,
    }));
    // The rAF clock with nothing to draw: what a frame costs under Xvfb alone.
    const { deltas: idle } = await b.execute((n) => window.__scrollBench(n, 0), 120);
    const load = loadavg()[0];
    const { deltas, scripts } = await b.execute((n, px) => window.__scrollBench(n, px), FRAMES, PX_PER_FRAME);
    return { label, deltas, scripts, idle, info, load };
  } finally {
    await b?.deleteSession().catch(() => {});
    driver.kill();
    await exited; // the port is free again for the next variant
  }
}

function stats(deltas) {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const over = (ms) => (100 * deltas.filter((d) => d > ms).length) / deltas.length;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1), over16: over(16.7), over33: over(33.3) };
}

const FLOOR = 'static HTML floor (every row, no framework; compositing off)';
const server = await serve();
const url = `http://127.0.0.1:${server.address().port}/scroll.html?rows=${ROWS}`;
const runs = [];
try {
  const variants = JSON.parse(
    process.env.BENCH_VARIANTS ??
      JSON.stringify([
        ['compositing off (WEBKIT_DISABLE_COMPOSITING_MODE=1, as shipped)', { WEBKIT_DISABLE_COMPOSITING_MODE: '1' }],
        ['compositing on', { WEBKIT_DISABLE_COMPOSITING_MODE: null }],
        // The floor: the same rows as one static HTML table, as shipped.
        [FLOOR, { WEBKIT_DISABLE_COMPOSITING_MODE: '1' }, 'floor=1'],
      ]),
  );
  for (const [label, overrides, query] of variants) runs.push(await run(label, query ? `${url}&${query}` : url, overrides));
} finally {
  server.close();
}

const ms = (x) => x.toFixed(1);
console.log(`\nUsersTable scroll, ${PX_PER_FRAME} px per frame, after 30 warm-up frames (WebKitGTK MiniBrowser)\n`);
console.log('| variant | rows | frames | p50 ms | p95 ms | p99 ms | max ms | % > 16.7 ms | % > 33.3 ms | script p50 / p95 ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { label, deltas, scripts } of runs) {
  const s = stats(deltas);
  const js = stats(scripts);
  console.log(`| ${label} | ${ROWS.toLocaleString('en-US')} | ${deltas.length} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.over16)} | ${ms(s.over33)} | ${ms(js.p50)} / ${ms(js.p95)} |`);
}
console.log('\nscript: each scroll event, from the first listener to the last (the rows re-render inside it); the rest of a frame is style, layout and paint.');
console.log('');
for (const { label, info, idle, load } of runs) {
  const s = stats(idle);
  console.log(`${label}: viewport ${info.viewport}, table ${info.table} px high, ${info.domRows} rows in the DOM at the top;` +
    ` idle rAF p50 ${ms(s.p50)} / p95 ${ms(s.p95)} ms; load average ${load.toFixed(2)} on ${availableParallelism()} cores`);
}
// The grid against its floor, in the same run (so on the same machine load).
const grid = runs.find((r) => r.label !== FLOOR);
const floor = runs.find((r) => r.label === FLOOR);
if (grid && floor) {
  const ratio = stats(grid.deltas).p95 / stats(floor.deltas).p95;
  console.log(`\n${grid.label} p95 / static floor p95: ${ratio.toFixed(2)}× (target ≤ 1.5×)`);
}
