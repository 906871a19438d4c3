// Figures for the app itself, never pass/fail (scripts/bench-app runs it):
// cold start to first paint, and memory (PSS, from smaps_rollup) of the app
// and of its WebKit processes after opening every screen, beside the floor
// measured in the same run: an empty WebKitGTK page (MiniBrowser
// about:blank). Each variant runs the release binary through tauri-driver.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { remote } from 'webdriverio';
import { byTestId, waitForPort } from './session.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/bench-app)`);
  return value;
};
const APP = env('BENCH_APP');
const URI = env('BENCH_URI');
const DB = env('BENCH_DB');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** Every process: pid → { ppid, exe name }. */
function processes() {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(pid), { ppid, name });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function pssKb(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(rollup.match(/^Pss:\s+(\d+) kB/m)[1]);
}

/**
 * Where a process's PSS goes: file-backed mappings (libraries, the binary,
 * and shared-memory buffers, which are files too),
 * executable anonymous memory (JavaScriptCore's JIT code), and the rest of
 * the anonymous memory (heaps: the JS heap, the DOM, JIT metadata, caches).
 */
function kinds(pid) {
  const out = { files: 0, jit: 0, data: 0 };
  let kind = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = line.match(/^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ (\d+)\s*(.*)$/);
    if (head) {
      const [, perms, inode, path] = head;
      const anonymous = inode === '0' && (!path || path.startsWith('['));
      kind = !anonymous ? 'files' : perms.includes('x') ? 'jit' : 'data';
      continue;
    }
    const pss = line.match(/^Pss:\s+(\d+) kB/);
    if (pss && kind) out[kind] += Number(pss[1]);
  }
  return out;
}

/** PSS of the process named `name` (newest) and of its descendants, by name. */
function memory(name) {
  const all = processes();
  const roots = [...all].filter(([, p]) => p.name.startsWith(name.slice(0, 15))).map(([pid]) => pid);
  if (!roots.length) throw new Error(`no ${name} process`);
  const root = Math.max(...roots);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, p] of all) if (p.ppid === tree[i]) tree.push(pid);
  }
  const byName = {};
  const web = { files: 0, jit: 0, data: 0 };
  for (const pid of tree) {
    const n = all.get(pid).name;
    byName[n] = (byName[n] ?? 0) + pssKb(pid);
    if (n === 'WebKitWebProces') for (const [k, v] of Object.entries(kinds(pid))) web[k] += v;
  }
  return { byName, web, pids: tree };
}

const mb = (kb) => (kb / 1024).toFixed(0);

/**
 * PSS shares a library's pages among the processes mapping it: any other
 * WebKit process alive would make ours look smaller. Each run waits for
 * the previous one's processes to be gone, and refuses to measure beside
 * a stranger's.
 */
async function alone(pids = []) {
  for (let i = 0; i < 50 && pids.some((p) => existsSync(`/proc/${p}`)); i++) await sleep(100);
  for (const p of pids) if (existsSync(`/proc/${p}`)) process.kill(p, 'SIGKILL');
  // A killed process lingers until it is reaped.
  for (let i = 0; i < 50 && pids.some((p) => existsSync(`/proc/${p}`)); i++) await sleep(100);
  const others = [...processes()].filter(([, p]) => /^(WebKit|MiniBrowser|mozaiks-admin)/.test(p.name));
  if (others.length) throw new Error(`WebKit processes already running: ${others.map(([pid, p]) => `${pid} ${p.name}`).join(', ')}`);
}

async function appRun(label, extraEnv) {
  await alone();
  const driver = spawn('tauri-driver', ['--port', '4444'], {
    stdio: 'ignore',
    env: { ...process.env, ...extraEnv },
  });
  try {
    await waitForPort(4444, 15000);
    const start = Date.now();
    const b = await remote({
      hostname: '127.0.0.1', port: 4444, logLevel: 'error',
      capabilities: { 'tauri:options': { application: APP } },
    });
    await b.$(byTestId('new-profile')).waitForDisplayed({ timeout: 30000 });
    const firstPaint = Date.now() - start;
    // Every screen once, as an admin's session would.
    await b.$(byTestId('new-profile')).click();
    await b.$(byTestId('profile-name')).setValue('Bench');
    await b.$(byTestId('profile-uri')).clearValue();
    await b.$(byTestId('profile-uri')).setValue(URI);
    await b.$(byTestId('profile-database')).setValue(DB);
    await b.$(byTestId('profile-save')).click();
    const card = b.$(`${byTestId('profile-card')}[data-name="Bench"]`);
    await card.waitForDisplayed({ timeout: 10000 });
    await card.$(byTestId('profile-connect')).click();
    await b.$(byTestId('overview')).waitForDisplayed({ timeout: 20000 });
    const visit = async (nav, ready) => {
      await b.$(byTestId(nav)).click();
      await b.$(byTestId(ready)).waitForExist({ timeout: 30000 });
    };
    await visit('nav-dashboard', 'chart-row');
    await visit('nav-users', 'user-row');
    // Through JavaScript: a table row is not a click target for WebDriver.
    await b.execute((el) => el.click(), await b.$(byTestId('user-row')));
    await b.$(byTestId('chart-user-plugin-status')).waitForExist({ timeout: 20000 });
    await visit('nav-notifications', 'feed-row');
    await visit('nav-plugins', 'plugin-collection');
    await b.$(`${byTestId('plugin-collection')}[data-name="task_manager_tasks"]`).click();
    await b.$(byTestId('schema-field')).waitForExist({ timeout: 20000 });
    await visit('nav-indexes', 'index-check');
    await visit('nav-audit', 'audit');
    await sleep(3000); // let caches settle as they would after use
    const { byName: mem, web, pids } = memory('mozaiks-admin');
    await b.deleteSession();
    return { label, firstPaint, mem, web, pids };
  } finally {
    driver.kill();
    await sleep(1000);
  }
}

async function floorRun() {
  await alone();
  const browser = spawn('/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', ['about:blank'], { stdio: 'ignore' });
  try {
    await sleep(6000);
    const { byName, web, pids } = memory('MiniBrowser');
    browser.kill();
    await alone(pids);
    return { mem: byName, web };
  } finally {
    browser.kill();
  }
}

const total = (m) => Object.values(m).reduce((a, b) => a + b, 0);
const row = (label, m) => {
  const app = m['mozaiks-admin'] ?? m.MiniBrowser ?? 0;
  // /proc names stop at 15 characters: "WebKitWebProces".
  const web = m.WebKitWebProces ?? 0;
  const other = total(m) - app - web;
  return `| ${label} | ${mb(app)} | ${mb(web)} | ${mb(other)} | ${mb(total(m))} |`;
};

const { mem: floor, web: floorWeb } = await floorRun();
const base = env('MOZAIKS_ADMIN_CONFIG_DIR');
// The app sets WEBKIT_DISABLE_COMPOSITING_MODE=1 itself when unset; "0" turns
// compositing back on. The JIT variants show what the rest of the web
// process is (their cost in frame times: scripts/bench-scroll).
const variants = JSON.parse(
  process.env.BENCH_VARIANTS ??
    JSON.stringify([
      ['the app as shipped (compositing off)', {}],
      ['compositing on', { WEBKIT_DISABLE_COMPOSITING_MODE: '0' }],
      ['as shipped, JavaScript JIT without DFG/FTL tiers', { JSC_useDFGJIT: 'false', JSC_useFTLJIT: 'false' }],
      ['as shipped, JavaScript JIT off', { JSC_useJIT: 'false' }],
    ]),
);
const runs = [];
for (const [i, [label, extra]] of variants.entries()) {
  const run = await appRun(label, { ...extra, MOZAIKS_ADMIN_CONFIG_DIR: `${base}/${i}` });
  await alone(run.pids);
  runs.push(run);
}
console.log('\n| process tree (PSS, MB) | main | WebKitWebProcess | other WebKit | total |');
console.log('| --- | --- | --- | --- | --- |');
console.log(row('floor: MiniBrowser about:blank', floor));
for (const r of runs) console.log(row(r.label, r.mem));
console.log('\n| web process (PSS, MB) | mapped files (libraries, shared buffers) | JIT code | heaps and other data |');
console.log('| --- | --- | --- | --- |');
const webRow = (label, w) => `| ${label} | ${mb(w.files)} | ${mb(w.jit)} | ${mb(w.data)} |`;
console.log(webRow('floor: MiniBrowser about:blank', floorWeb));
for (const r of runs) console.log(webRow(r.label, r.web));
console.log('');
for (const r of runs) {
  console.log(`${r.label}: first paint ${r.firstPaint} ms after launch; ${(total(r.mem) / total(floor)).toFixed(2)}× the floor`);
}
const size = (path) => Number(execFileSync('stat', ['-c', '%s', path]).toString());
console.log(`release binary: ${(size(APP) / 1048576).toFixed(1)} MB`);
