// Drives the real mozaiks-admin window: create a profile for the test
// server, connect, and check the overview against what the seed wrote.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { BSON, MongoClient } from 'mongodb';
import { remote } from 'webdriverio';
import { saveWindowShot } from './screen.mjs';
import { byTestId, waitForPort } from './session.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/e2e/run)`);
  return value;
};
const APP = env('E2E_APP');
const URI = env('E2E_URI');
const DB = env('E2E_DB');
const SHOTS = env('E2E_SCREENSHOTS');
const FBDIR = env('E2E_FBDIR');
/** "users   300 documents" lines printed by mozaiks-seed. */
const seeded = Object.fromEntries(
  readFileSync(env('E2E_SEED_REPORT'), 'utf8')
    .split('\n')
    .map((l) => l.match(/^(\S+)\s+(\d+) documents$/))
    .filter(Boolean)
    .map(([, name, n]) => [name, Number(n)]),
);
const PROFILE = 'E2E test server';
/** A password the app is given and must never show, store or log. */
const SECRET = 'e2e-Secret-pa55-Zq7';
/** The bastion tests/e2e/run started, and the secrets typed for it and for TLS. */
const SSHD_PORT = env('E2E_SSHD_PORT');
const SSH = {
  key: env('E2E_SSH_KEY'),
  fingerprint: env('E2E_SSH_FINGERPRINT'),
  passphrase: env('E2E_SSH_PASSPHRASE'),
  password: env('E2E_SSH_PASSWORD'),
};
const TLS = { client: env('E2E_TLS_CLIENT'), keyPassword: env('E2E_TLS_KEY_PASSWORD') };
const TYPED_SECRETS = [SECRET, SSH.passphrase, SSH.password, TLS.keyPassword];



async function settle(browser) {
  // Two animation frames: the first screenshot after a change can be stale.
  await browser.execute(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
  );
}

async function shot(browser, name) {
  await settle(browser);
  await new Promise((r) => setTimeout(r, 150)); // the frame reaches the X screen
  await saveWindowShot(browser, FBDIR, `${SHOTS}/${name}.png`);
}

/** Clicks through JavaScript: Mantine's switch input sits under its styled track. */
async function jsClick(browser, element) {
  await browser.execute((el) => el.click(), element);
}

/** One attribute of every element a selector finds. */
async function attributes(browser, selector, name) {
  const out = [];
  for (const element of await browser.$$(selector)) out.push(await element.getAttribute(name));
  return out;
}

/** Opens the profile form for a new profile to the test server. */
async function openNewProfile(b, name) {
  await b.$(byTestId('nav-connections')).click();
  await b.$(byTestId('new-profile')).waitForDisplayed({ timeout: 10000 });
  // Through JavaScript: the toast of the last save can still take a pointer click.
  await jsClick(b, await b.$(byTestId('new-profile')));
  await b.$(byTestId('profile-name')).waitForDisplayed();
  await b.$(byTestId('profile-name')).setValue(name);
  await b.$(byTestId('profile-uri')).clearValue();
  await b.$(byTestId('profile-uri')).setValue(URI);
  await b.$(byTestId('profile-database')).setValue(DB);
}

/** Saves the open form; its card, once the form has closed. */
async function saveProfile(b, name) {
  await b.$(byTestId('profile-save')).click();
  const card = b.$(`${byTestId('profile-card')}[data-name="${name}"]`);
  await card.waitForDisplayed({ timeout: 10000 }).catch(async (e) => {
    const refused = b.$(byTestId('profile-keychain-unavailable'));
    if (await refused.isExisting()) throw new Error(`not saved: ${await refused.getText()}`);
    throw e;
  });
  // The closing modal's overlay would take the next click. Asked inside the
  // page: a handle to a node that vanishes mid-request is a driver error.
  await b.waitUntil(
    () => b.execute(() => !document.querySelector('[data-testid="profile-name"], .mantine-Modal-overlay')),
    { timeout: 5000, timeoutMsg: 'the profile form did not close' },
  );
  return card;
}

/** Connects a profile's card and waits for its overview; says what the app said if it does not come. */
async function connectCard(b, card) {
  // Through JavaScript: a toast sliding in can take a pointer click.
  await jsClick(b, await card.$(byTestId('profile-connect')));
  await b.$(byTestId('overview')).waitForDisplayed({ timeout: 20000 }).catch(async (e) => {
    const toasts = await b.$$('.mantine-Notification-root');
    const said = [];
    for (const toast of toasts) said.push(await toast.getText());
    const last = await b.execute(() => (window.__MOZAIKS_IPC_LOG__ ?? []).filter((r) => !r.includes(`"state":"connected"`)).slice(-3));
    const state = await card.$(byTestId('profile-connect')).getAttribute('data-loading');
    throw new Error(`${e.message}; the app said: ${said.join(' | ') || 'nothing'}; loading ${state}; last IPC: ${last.join(' | ')}`);
  });
}

/** Turns the SSH section on, towards the test bastion as `user`. */
async function fillBastion(b, user) {
  await jsClick(b, await b.$(byTestId('profile-ssh-enabled')));
  await b.$(byTestId('profile-ssh-host')).waitForDisplayed();
  await b.$(byTestId('profile-ssh-host')).setValue('127.0.0.1');
  // A controlled number field: clearValue leaves its 22, so select and replace.
  const port = b.$(byTestId('profile-ssh-port'));
  await port.click();
  await b.keys(['Control', 'a']);
  await b.keys('Backspace');
  await port.addValue(SSHD_PORT);
  const typed = await port.getValue();
  if (typed !== SSHD_PORT) throw new Error(`the SSH port field holds ${typed}, not ${SSHD_PORT}`);
  await b.$(byTestId('profile-ssh-user')).setValue(user);
}

let chosenEmail;

/** The test database through the Node driver: another admin's tool, and the check of what the app wrote. */
async function withDatabase(work) {
  const client = new MongoClient(URI, { directConnection: true });
  try {
    return await work(client.db(DB));
  } finally {
    await client.close();
  }
}
const canonical = (value) => BSON.EJSON.stringify(value, { relaxed: false });

/** Replaces the `"field": …` line of the open document editor by typing, as a user would. */
async function retypeLine(b, field, line) {
  const target = await b.execute((name) => {
    const lines = [...document.querySelectorAll('[data-testid="document-json"] .cm-line')];
    const i = lines.findIndex((l) => l.textContent.trimStart().startsWith(`"${name}":`));
    if (i < 0) return null;
    lines[i].setAttribute('data-e2e-line', name);
    return i;
  }, field);
  if (target === null) throw new Error(`the editor shows no ${field} line`);
  await b.$(`[data-e2e-line="${field}"]`).click();
  await b.keys('End');
  await b.keys(['Shift', 'Home']);
  await b.keys(line);
}

/** Opens the first row of the grid in the editor; its _id. */
async function openFirstRow(b) {
  const row = b.$(byTestId('query-row'));
  await row.waitForDisplayed({ timeout: 10000 });
  const id = (await row.$('td').getProperty('textContent')).match(/[0-9a-f]{24}/)[0];
  await jsClick(b, await row.$('td'));
  await b.$(byTestId('document-json')).waitForDisplayed({ timeout: 10000 });
  return id;
}

/**
 * Answers the native "Save as" dialog (a GTK window WebDriver cannot
 * reach) as a user would: types the path into it and presses Enter.
 */
async function answerSaveDialog(path) {
  const run = (args) => new Promise((resolve, reject) => {
    const p = spawn('xdotool', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`xdotool ${args.join(' ')}: exit ${code}`))));
  });
  const windows = await run(['search', '--sync', '--onlyvisible', '--name', '^Save']);
  const dialog = windows.trim().split('\n').pop();
  await run(['windowfocus', '--sync', dialog]);
  // The name field has focus, holding the suggested name: replace it with the whole path.
  await run(['key', '--window', dialog, 'ctrl+a']);
  await run(['type', '--window', dialog, '--delay', '15', path]);
  await run(['key', '--window', dialog, 'Return']);
}

/** Review, then save, the open editor. */
async function reviewAndSave(b) {
  await jsClick(b, await b.$(byTestId('document-review-button')));
  await b.$(byTestId('document-review')).waitForDisplayed({ timeout: 5000 });
  await jsClick(b, await b.$(byTestId('document-save')));
}
/** The test server once this test has started it again. */
let server;

const tests = [
  ['starts on the connections screen', async (b) => {
    await b.$(byTestId('new-profile')).waitForDisplayed({ timeout: 20000 });
    // Every IPC response from here on is kept for the secrets scan.
    await b.execute(() => { window.__MOZAIKS_IPC_LOG__ = []; });
    await shot(b, '01-connections');
  }],
  ['creates a profile for the test server', async (b) => {
    await b.$(byTestId('new-profile')).click();
    await b.$(byTestId('profile-name')).waitForDisplayed();
    await b.$(byTestId('profile-name')).setValue(PROFILE);
    await b.$(byTestId('profile-uri')).clearValue();
    await b.$(byTestId('profile-uri')).setValue(URI);
    await b.$(byTestId('profile-database')).setValue(DB);
    await shot(b, '02-profile-form');
    await b.$(byTestId('profile-save')).click();
    await b.$(`${byTestId('profile-card')}[data-name="${PROFILE}"]`).waitForDisplayed({ timeout: 10000 });
  }],
  ['connects and lists the seeded collections with their counts', async (b) => {
    const card = b.$(`${byTestId('profile-card')}[data-name="${PROFILE}"]`);
    await card.$(byTestId('profile-connect')).click();
    await b.$(byTestId('overview')).waitForDisplayed({ timeout: 15000 });
    if (Object.keys(seeded).length < 6) throw new Error(`seed report unreadable: ${JSON.stringify(seeded)}`);
    for (const [name, count] of Object.entries(seeded)) {
      const row = b.$(`${byTestId('collection-row')}[data-name="${name}"]`);
      await row.waitForDisplayed({ timeout: 10000 });
      const shown = (await row.$(byTestId('collection-count')).getText()).replace(/\D/g, '');
      if (shown !== String(count)) throw new Error(`${name}: shows ${shown}, seeded ${count}`);
    }
    const shownDb = await b.$(byTestId('overview-database')).getProperty('textContent');
    if (shownDb.trim() !== DB) throw new Error(`overview names database ${shownDb}, not ${DB}`);
    await shot(b, '03-overview');
  }],
  ['searches a user by email and opens the 360 view', async (b) => {
    await b.$(byTestId('nav-users')).click();
    const firstRow = b.$(byTestId('user-row'));
    await firstRow.waitForDisplayed({ timeout: 10000 });
    chosenEmail = await firstRow.getAttribute('data-email');
    await shot(b, '04-users');
    const search = b.$(byTestId('user-search'));
    await search.setValue(chosenEmail);
    const result = b.$(`${byTestId('user-search-result')}[data-email="${chosenEmail}"]`);
    await result.waitForDisplayed({ timeout: 10000 });
    await result.click();
    await b.$(byTestId('user360')).waitForDisplayed({ timeout: 10000 });
    await b.$(byTestId('notification-prefs')).waitForDisplayed({ timeout: 10000 });
    const text = await b.$(byTestId('user360')).getProperty('textContent');
    if (!text.includes(chosenEmail)) throw new Error(`the 360 view does not show ${chosenEmail}`);
    if (text.includes('$2b$')) throw new Error('the 360 view shows a password hash');
    await shot(b, '05-user360');
  }],
  ['a row click leaves no tooltip over the 360 view', async (b) => {
    await b.$(byTestId('nav-users')).click();
    const row = b.$(byTestId('user-row'));
    await row.waitForDisplayed({ timeout: 10000 });
    // The webview draws `title` tooltips itself and keeps them until the
    // mouse moves: no cell may carry one.
    const titled = await b.execute(() => document.querySelectorAll('[data-testid="user-row"] [title]').length);
    if (titled) throw new Error(`${titled} cells of the users table carry a title tooltip`);
    // Hover the email cell (its tooltip opens), then click the row there.
    const cell = row.$('td*=@');
    await cell.moveTo();
    await b.pause(800); // past the tooltips' open delay
    await cell.click();
    await b.$(byTestId('user360')).waitForDisplayed({ timeout: 10000 });
    await b.pause(300);
    const visible = await b.execute(() =>
      [...document.querySelectorAll('[role="tooltip"]')].filter((t) => t.offsetParent !== null).length);
    if (visible) throw new Error(`${visible} tooltip(s) still over the 360 view`);
    await shot(b, '05b-user360-after-row-click');
    // Back to the chosen user for the next step.
    const search = b.$(byTestId('user-search'));
    await b.$(byTestId('nav-users')).click();
    await search.waitForDisplayed();
    await search.setValue(chosenEmail);
    const result = b.$(`${byTestId('user-search-result')}[data-email="${chosenEmail}"]`);
    await result.waitForDisplayed({ timeout: 10000 });
    await result.click();
    await b.$(byTestId('notification-prefs')).waitForDisplayed({ timeout: 10000 });
  }],
  ['changes a notification preference and sees it saved', async (b) => {
    const toggle = await b.$(byTestId('pref-email-enabled'));
    const was = await toggle.getProperty('checked');
    await jsClick(b, toggle);
    await b.$(byTestId('pref-save')).click();
    await b.$(byTestId('pref-saved')).waitForDisplayed({ timeout: 10000 });
    await shot(b, '06-preference-saved');
    // Leave and come back: the stored value, not the form's, is shown.
    await b.$(byTestId('nav-users')).click();
    const search = b.$(byTestId('user-search'));
    await search.waitForDisplayed();
    await search.clearValue();
    await search.setValue(chosenEmail);
    const result = b.$(`${byTestId('user-search-result')}[data-email="${chosenEmail}"]`);
    await result.waitForDisplayed({ timeout: 10000 });
    await result.click();
    await b.$(byTestId('notification-prefs')).waitForDisplayed({ timeout: 10000 });
    const now = await b.$(byTestId('pref-email-enabled')).getProperty('checked');
    if (now === was) throw new Error(`email_enabled is still ${was} after saving`);
  }],
  ['reviews notifications: unread only, marks two read, a chart bar filters the feed', async (b) => {
    await b.$(byTestId('nav-notifications')).click();
    await b.$(byTestId('feed-row')).waitForDisplayed({ timeout: 15000 });
    await b.$(byTestId('notification-chart')).waitForDisplayed({ timeout: 15000 });
    // Support staff know people by email: the User column names them.
    const named = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="feed-user"]')].map((e) => e.textContent));
    if (!named.length || !named.every((t) => t.includes('@'))) throw new Error(`the feed's users read ${named.slice(0, 3)}`);
    await shot(b, '10-notifications');
    await b.$(byTestId('feed-read-filter')).$('//label[contains(., "Unread")]').click();
    const readStates = () => attributes(b, byTestId('feed-row'), 'data-read');
    await b.waitUntil(async () => {
      const states = await readStates();
      return states.length > 2 && states.every((s) => s === 'false');
    }, { timeout: 10000, timeoutMsg: 'the unread filter still shows read notifications' });
    const picked = (await attributes(b, byTestId('feed-row'), 'data-id')).slice(0, 2);
    for (const id of picked) {
      await b.$(`${byTestId('feed-row')}[data-id="${id}"] ${byTestId('feed-select')}`).click();
    }
    await b.waitUntil(async () => (await b.$(byTestId('feed-selection')).getText()).includes('2'), {
      timeout: 5000, timeoutMsg: 'two selected notifications are not shown as selected',
    });
    // Earlier toasts stay while the pointer rests on them; clear the stack.
    await b.execute(() => document.querySelectorAll('.mantine-Notification-closeButton').forEach((x) => x.click()));
    await b.$(byTestId('feed-mark-read')).click();
    await b.waitUntil(async () => (await b.execute(() => document.body.textContent)).includes('2 matched, 2 modified'), {
      timeout: 10000, timeoutMsg: 'no exact counts were reported',
    });
    await b.waitUntil(async () => {
      const ids = await attributes(b, byTestId('feed-row'), 'data-id');
      return ids.length > 0 && !ids.includes(picked[0]) && !ids.includes(picked[1]);
    }, { timeout: 10000, timeoutMsg: 'the two marked notifications are still in the unread feed' });
    await shot(b, '11-marked-read');
    // A selection holds only rows shown now: one made before the filter
    // changes is gone once the new rows arrive, never carried onto them.
    await b.$(`${byTestId('feed-row')} ${byTestId('feed-select')}`).click();
    await b.waitUntil(async () => (await b.$(byTestId('feed-selection')).getText()).includes('1'), {
      timeout: 5000, timeoutMsg: 'the selected notification is not shown as selected',
    });
    await b.$(byTestId('feed-read-filter')).$('//label[contains(., "All")]').click();
    await b.waitUntil(async () => {
      const states = await attributes(b, byTestId('feed-row'), 'data-read');
      return states.includes('true') && /Select notifications/.test(await b.$(byTestId('feed-selection')).getText());
    }, { timeout: 10000, timeoutMsg: 'a selection outlived the rows it was made on' });
    const checked = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="feed-select"]')].filter((c) => c.checked).length);
    if (checked) throw new Error(`${checked} rows of the new filter are checked`);
    await shot(b, '11b-selection-after-filter');
    await b.$(byTestId('feed-read-filter')).$('//label[contains(., "Unread")]').click();
    // A real click on a bar of the chart (ECharts draws SVG paths).
    const bar = await b.execute(() => {
      const chart = document.querySelector('[data-testid="notification-chart"]');
      const top = chart.getBoundingClientRect().top;
      const bars = [...chart.querySelectorAll('svg path')]
        .map((p) => p.getBoundingClientRect())
        .filter((r) => r.height > 4 && r.width > 2 && r.width < 80 && r.top > top + 40);
      const r = bars[Math.floor(bars.length / 2)];
      return r && { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
    });
    if (!bar) throw new Error('the chart drew no bars');
    await b.action('pointer').move({ x: bar.x, y: bar.y, origin: 'viewport' }).down().up().perform();
    const from = b.$(byTestId('feed-created-from'));
    await b.waitUntil(async () => {
      const input = (await from.$('input').isExisting()) ? from.$('input') : from;
      const text = `${await input.getValue().catch(() => '')} ${await from.getText().catch(() => '')}`;
      return /\d{4}/.test(text);
    }, { timeout: 10000, timeoutMsg: 'clicking a bar did not filter the feed to its day' });
    await shot(b, '12-chart-bar-filter');
  }],
  ['inspects a plugin: schema, findings with the seeded counts, a finding\'s documents', async (b) => {
    await b.$(byTestId('nav-plugins')).click();
    const crm = b.$(`${byTestId('plugin-collection')}[data-name="crm_contacts"]`);
    await crm.waitForDisplayed({ timeout: 15000 });
    await crm.click();
    await b.$(byTestId('schema-field')).waitForDisplayed({ timeout: 15000 });
    await shot(b, '13-plugin-schema');
    await b.$(byTestId('tab-findings')).click();
    const expected = { missing_user_id: '3', wrong_user_id_type: '2', orphan: '3' };
    for (const [kind, count] of Object.entries(expected)) {
      const card = b.$(`${byTestId('finding')}[data-kind="${kind}"]`);
      await card.waitForDisplayed({ timeout: 15000 });
      const shown = await card.getAttribute('data-count');
      if (shown !== count) throw new Error(`${kind}: shows ${shown}, the seed planted ${count}`);
    }
    await b.$(byTestId('no-user-id-index')).waitForDisplayed({ timeout: 5000 });
    await shot(b, '14-plugin-findings');
    await b.$(`${byTestId('finding')}[data-kind="orphan"]`).click();
    await b.$(byTestId('finding-document')).waitForDisplayed({ timeout: 10000 });
    const docs = await b.$$(byTestId('finding-document'));
    if (docs.length !== 3) throw new Error(`the orphan finding opened ${docs.length} documents`);
    await shot(b, '15-finding-documents');
    await b.keys('Escape');
  }],
  ['collections: a shell-syntax query on a plugin collection, one field edited, a conflict, a user_id followed', async (b) => {
    await jsClick(b, await b.$(byTestId('nav-collections')));
    const tasks = b.$(`${byTestId('database-core')} ${byTestId('browse-collection')}[data-collection="task_manager_tasks"]`);
    await tasks.waitForDisplayed({ timeout: 15000 });
    // Through JavaScript: an earlier step's toast can still take a pointer click.
    await jsClick(b, await tasks);
    await b.$(byTestId('query-row')).waitForDisplayed({ timeout: 10000 });
    const shell = '{status: "todo", due_date: {$gt: ISODate("2026-05-20T00:00:00Z")}}';
    await b.$(byTestId('query-filter')).setValue(shell);
    await b.execute((el) => el.focus(), await b.$(byTestId('query-limit')));
    await b.keys(['Control', 'a']);
    await b.keys('Backspace');
    await b.$(byTestId('query-limit')).addValue('100');
    await jsClick(b, await b.$(byTestId('query-run')));
    // The same query through the Node driver: the grid shows exactly its documents, newest first.
    const filter = { status: 'todo', due_date: { $gt: new Date('2026-05-20T00:00:00Z') } };
    const [expected, total] = await withDatabase(async (db) => [
      await db.collection('task_manager_tasks').find(filter).sort({ _id: -1 }).limit(100).toArray(),
      await db.collection('task_manager_tasks').countDocuments(filter),
    ]);
    if (expected.length < 3) throw new Error(`the seed has only ${expected.length} matching tasks`);
    // The grid is virtualized: the page's range says how many rows it holds.
    await b.waitUntil(async () => (await b.$(byTestId('query-page-range')).getText()) === `Documents 1–${expected.length}`
      && (await b.$(byTestId('browse-count')).getText()).replace(/\D/g, '') === String(total), {
      timeout: 10000,
      timeoutMsg: `the grid does not show the ${expected.length} of ${total} documents the driver finds`,
    });
    const shownIds = await b.execute(() =>
      [...document.querySelectorAll('[data-testid="query-row"] td:first-child')].map((td) => td.textContent.match(/[0-9a-f]{24}/)?.[0]));
    const driverIds = expected.slice(0, shownIds.length).map((d) => d._id.toHexString());
    if (shownIds.join() !== driverIds.join()) throw new Error(`the grid shows ${shownIds.slice(0, 3)}…, the driver ${driverIds.slice(0, 3)}…`);
    const header = (await b.$(byTestId('header-database')).getProperty('textContent')).trim();
    if (header !== DB) throw new Error(`the header names ${header}, not ${DB}`);
    await shot(b, '15c-collections-query');

    // Edit one field and save: only it changes in the database.
    const id = await openFirstRow(b);
    const before = await withDatabase((db) => db.collection('task_manager_tasks').findOne({ _id: new BSON.ObjectId(id) }));
    await retypeLine(b, 'title', '"title": "Edited in the real window",');
    await shot(b, '15d-document-edit');
    await reviewAndSave(b);
    await b.$(byTestId('document-editor')).waitForDisplayed({ reverse: true, timeout: 10000 });
    const after = await withDatabase((db) => db.collection('task_manager_tasks').findOne({ _id: new BSON.ObjectId(id) }));
    if (after.title !== 'Edited in the real window') throw new Error(`the title is ${after.title}`);
    const rest = (d) => canonical(Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'title')));
    if (rest(after) !== rest(before)) throw new Error(`other fields changed: ${rest(before)} -> ${rest(after)}`);
    if (Object.keys(after).join() !== Object.keys(before).join()) throw new Error('the field order changed');

    // Someone else changes the title while the editor is open: the save is a conflict, theirs stands.
    await openFirstRow(b);
    await withDatabase((db) => db.collection('task_manager_tasks').updateOne({ _id: new BSON.ObjectId(id) }, { $set: { title: 'Changed by another admin' } }));
    await retypeLine(b, 'title', '"title": "My late edit",');
    await reviewAndSave(b);
    await b.$(byTestId('document-conflict')).waitForDisplayed({ timeout: 10000 });
    const theirs = await b.$(byTestId('document-conflict')).getProperty('textContent');
    if (!theirs.includes('Changed by another admin')) throw new Error(`the conflict does not show theirs: ${theirs.slice(0, 200)}`);
    await shot(b, '15e-document-conflict');
    const stored = await withDatabase((db) => db.collection('task_manager_tasks').findOne({ _id: new BSON.ObjectId(id) }));
    if (stored.title !== 'Changed by another admin') throw new Error(`the conflict overwrote theirs: ${stored.title}`);
    await jsClick(b, await b.$(byTestId('document-take-theirs')));
    await b.keys('Escape');
    await b.$(byTestId('document-editor')).waitForDisplayed({ reverse: true, timeout: 5000 });

    // A user_id opens that user's 360 view.
    const link = b.$(byTestId('query-user-link'));
    const userId = (await link.getProperty('textContent')).trim();
    await jsClick(b, await link);
    await b.$(byTestId('user360')).waitForDisplayed({ timeout: 10000 });
    const user = await withDatabase((db) => db.collection('users').findOne({ _id: new BSON.ObjectId(userId) }));
    const page = await b.$(byTestId('user360')).getProperty('textContent');
    if (!page.includes(user.email)) throw new Error(`the 360 view of ${userId} does not show ${user.email}`);
    await shot(b, '15f-user360-from-collections');

    // Export the collection's documents as CSV through the native save dialog.
    await jsClick(b, await b.$(byTestId('nav-collections')));
    await b.$(byTestId('query-row')).waitForDisplayed({ timeout: 10000 });
    await jsClick(b, await b.$(byTestId('export-menu')));
    await b.$(byTestId('export-csv')).waitForDisplayed({ timeout: 5000 });
    await jsClick(b, await b.$(byTestId('export-csv')));
    const file = `${FBDIR}/tasks-export.csv`;
    await answerSaveDialog(file);
    await b.waitUntil(() => existsSync(file), { timeout: 20000, timeoutMsg: `no export at ${file}` });
    const rows = readFileSync(file, 'utf8').trimEnd().split('\n');
    const all = await withDatabase((db) => db.collection('task_manager_tasks').countDocuments({}));
    if (rows.length !== all + 1) throw new Error(`the CSV has ${rows.length} lines for ${all} documents`);
    for (const column of ['_id', 'user_id', 'title', 'due_date']) {
      if (!rows[0].split(',').includes(column)) throw new Error(`the CSV header lacks ${column}: ${rows[0]}`);
    }
    if ((statSync(file).mode & 0o777) !== 0o600) throw new Error(`the export is mode ${(statSync(file).mode & 0o777).toString(8)}`);
    await shot(b, '15f2-exported');
  }],
  ['repairs a finding: the dry run counts the ObjectId user_ids, the repair leaves none', async (b) => {
    await jsClick(b, await b.$(byTestId('nav-plugins')));
    const crm = b.$(`${byTestId('plugin-collection')}[data-name="crm_contacts"]`);
    await crm.waitForDisplayed({ timeout: 15000 });
    await jsClick(b, await crm);
    await jsClick(b, await b.$(byTestId('tab-findings')));
    const card = `${byTestId('finding')}[data-kind="wrong_user_id_type"]`;
    await b.$(card).waitForDisplayed({ timeout: 15000 });
    await jsClick(b, await b.$(card));
    await b.$(byTestId('repair-dry-run')).waitForDisplayed({ timeout: 10000 });
    await jsClick(b, await b.$(byTestId('repair-dry-run')));
    const plan = b.$(byTestId('repair-plan'));
    await plan.waitForDisplayed({ timeout: 10000 });
    if ((await plan.getAttribute('data-will-change')) !== '2') throw new Error(`the dry run counts ${await plan.getAttribute('data-will-change')}`);
    await shot(b, '15g-repair-dry-run');
    await jsClick(b, await b.$(byTestId('repair-apply')));
    await b.$(byTestId('repair-plan')).waitForDisplayed({ reverse: true, timeout: 10000 });
    await b.keys('Escape');
    await b.waitUntil(async () => (await b.$(card).getAttribute('data-count')) === '0', {
      timeout: 10000, timeoutMsg: 'the finding still counts documents after the repair',
    });
    const typed = await withDatabase((db) => db.collection('crm_contacts').countDocuments({ user_id: { $type: 'objectId' } }));
    if (typed !== 0) throw new Error(`${typed} ObjectId user_ids remain`);
    await shot(b, '15h-repaired');
  }],
  ['index health: the flawed collection\'s missing index is fixed after a confirmation', async (b) => {
    await b.$(byTestId('nav-indexes')).click();
    const crm = `${byTestId('index-collection')}[data-collection="crm_contacts"]`;
    const check = (state) => `${crm} ${byTestId('index-check')}[data-keys="{ user_id: 1 }"][data-state="${state}"]`;
    await b.$(check('missing')).waitForDisplayed({ timeout: 20000 });
    const problems = await b.$(byTestId('indexes-problems')).getText();
    if (!/\b1\b/.test(problems)) throw new Error(`the seeded database shows "${problems}" problems, not 1`);
    // The test server has just started counting: no index is judged
    // unused on minutes of counting, and none is offered for dropping.
    const early = `${crm} ${byTestId('index-check')}[data-name="email_1"]`;
    if ((await b.$(early).getAttribute('data-state')) !== 'too_early') throw new Error('email_1 is judged on minutes of counting');
    if (await b.$(`${byTestId('index-check')}[data-state="unused"]`).isExisting()) throw new Error('an index is called unused after minutes');
    if (await b.$(early).$(byTestId('index-drop')).isExisting()) throw new Error('a drop is offered for an index too new to judge');
    await b.$(check('missing')).scrollIntoView({ block: 'center' });
    await shot(b, '16-index-health');
    await b.$(check('missing')).$(byTestId('index-fix')).click();
    await b.$(byTestId('fix-modal')).waitForDisplayed({ timeout: 10000 });
    await b.$(byTestId('fix-plan-row')).waitForDisplayed({ timeout: 15000 });
    const rows = await attributes(b, byTestId('fix-plan-row'), 'data-collection');
    if (rows.join() !== 'crm_contacts') throw new Error(`the confirmation lists ${rows.join()}`);
    await shot(b, '17-fix-confirmation');
    await b.$(byTestId('fix-confirm')).click();
    await b.$(byTestId('fix-created')).waitForDisplayed({ timeout: 20000 });
    await b.$(byTestId('fix-close')).click();
    await b.$(check('ok')).waitForExist({ timeout: 20000, timeoutMsg: 'the fixed index is not reported ok' });
    await b.waitUntil(async () => /\b0\b/.test(await b.$(byTestId('indexes-problems')).getText()), {
      timeout: 10000, timeoutMsg: 'problems did not drop to 0 after the fix',
    });
    await shot(b, '18-index-fixed');
  }],
  ['dashboard: a click on a bar opens its filtered table', async (b) => {
    await b.$(byTestId('nav-dashboard')).click();
    const roles = b.$(byTestId('chart-roles'));
    const admin = roles.$(`${byTestId('chart-row')}[data-category="admin"]`);
    await admin.waitForExist({ timeout: 20000 });
    await b.$(`${byTestId('chart-signups')} ${byTestId('chart-row')}`).waitForExist({ timeout: 20000 });
    const admins = await admin.getAttribute('data-value');
    await shot(b, '19-dashboard');
    // A real click on the middle bar of the roles chart (user, admin,
    // superadmin): the bar drawn in the middle third, once drawn.
    await b.execute(() => document.querySelector('[data-testid="chart-roles"]').scrollIntoView({ block: 'center' }));
    await settle(b);
    let bar;
    await b.waitUntil(async () => {
      bar = await b.execute(() => {
        const chart = document.querySelector('[data-testid="chart-roles"] [data-testid="chart-canvas"]');
        const box = chart.getBoundingClientRect();
        const r = [...chart.querySelectorAll('svg path')]
          .map((p) => p.getBoundingClientRect())
          .filter((r) => r.height > 2 && r.width > 4 && r.width < box.width / 3)
          .find((r) => {
            const x = r.left + r.width / 2 - box.left;
            return x > box.width / 3 && x < (2 * box.width) / 3;
          });
        return r && { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
      });
      return Boolean(bar);
    }, { timeout: 10000, timeoutMsg: 'the roles chart drew no admin bar' }).catch(() => {});
    if (!bar) throw new Error('the roles chart drew no bars');
    await b.action('pointer').move({ x: bar.x, y: bar.y, origin: 'viewport' }).down().up().perform();
    await b.$(byTestId('users')).waitForDisplayed({ timeout: 10000 });
    const role = b.$(byTestId('filter-role'));
    await b.waitUntil(async () => (await role.getValue()) === 'admin', {
      timeout: 10000, timeoutMsg: 'the bar did not filter users by its role',
    });
    // Exactly the bar's number, not a total that merely contains its digits.
    const total = new RegExp(`^${admins} users? match the filters`);
    await b.waitUntil(async () => total.test(await b.$(byTestId('users-total')).getText()), {
      timeout: 15000, timeoutMsg: `the users total is not the bar's ${admins}`,
    });
    await b.$(byTestId('user-row')).waitForDisplayed({ timeout: 15000 });
    await shot(b, '20-bar-to-users');
    // The filtered list exports as it is: the bar's admins, one per line.
    await jsClick(b, await b.$(byTestId('users-export-menu')));
    await b.$(byTestId('users-export-json_lines')).waitForDisplayed({ timeout: 5000 });
    await jsClick(b, await b.$(byTestId('users-export-json_lines')));
    const file = `${FBDIR}/admins.jsonl`;
    await answerSaveDialog(file);
    await b.waitUntil(() => existsSync(file), { timeout: 20000, timeoutMsg: `no export at ${file}` });
    const text = readFileSync(file, 'utf8');
    const users = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    if (String(users.length) !== admins) throw new Error(`the export holds ${users.length} users, the bar ${admins}`);
    if (!users.every((u) => u.roles.includes('admin'))) throw new Error('the export holds a user who is not an admin');
    if (text.includes('password')) throw new Error('the users export names a password field');
    await shot(b, '20b-users-exported');
    await b.$(byTestId('filters-clear')).click();
  }],
  ['a lost server is said plainly, and the app recovers when it is back', async (b) => {
    if (!process.env.E2E_SERVER_PID) return; // a real server given by MONGODB_URI: not ours to kill
    const port = new URL(URI.replace(/^mongodb:/, 'http:')).port;
    process.kill(Number(process.env.E2E_SERVER_PID), 'SIGKILL');
    await b.$(byTestId('nav-users')).click();
    const health = b.$(byTestId('connection-health'));
    await b.waitUntil(async () => (await health.getAttribute('data-state')) === 'lost', {
      timeout: 15000, timeoutMsg: 'the header never showed the connection as lost',
    });
    const page = await b.$('main').getProperty('textContent');
    if (/Kind:|labels:|within 0 ms/.test(page)) throw new Error(`raw driver text on screen: ${page.slice(0, 300)}`);
    await shot(b, '07-connection-lost');
    server = spawn(process.env.E2E_SERVER_RUN, ['--port', port, '--h2', process.env.E2E_SERVER_H2],
      { stdio: ['pipe', 'ignore', 'ignore'] });
    await b.waitUntil(async () => (await health.getAttribute('data-state')) === 'connected', {
      timeout: 30000, timeoutMsg: 'the header never showed the connection as back',
    });
    // The next action works without restarting the app.
    const search = b.$(byTestId('user-search'));
    await search.clearValue();
    await search.setValue(chosenEmail);
    const result = b.$(`${byTestId('user-search-result')}[data-email="${chosenEmail}"]`);
    await result.waitForDisplayed({ timeout: 15000 });
    await b.$(byTestId('user-row')).waitForDisplayed({ timeout: 15000 });
    await shot(b, '08-connection-back');
    await search.clearValue();
  }],
  ['a production profile opens read-only and unmistakable', async (b) => {
    await b.$(byTestId('nav-connections')).click();
    await b.$(byTestId('new-profile')).waitForDisplayed({ timeout: 10000 });
    await b.$(byTestId('new-profile')).click();
    await b.$(byTestId('profile-name')).waitForDisplayed();
    await b.$(byTestId('profile-name')).setValue('E2E production');
    await b.$(byTestId('profile-environment')).$('//label[contains(., "Production")]').click();
    await b.$(byTestId('profile-uri')).clearValue();
    await b.$(byTestId('profile-uri')).setValue(URI);
    await b.$(byTestId('profile-database')).setValue(DB);
    await b.$(byTestId('profile-save')).click();
    const card = b.$(`${byTestId('profile-card')}[data-name="E2E production"]`);
    await card.waitForDisplayed({ timeout: 10000 });
    await card.$(byTestId('profile-connect')).click();
    await b.$(byTestId('overview')).waitForDisplayed({ timeout: 15000 });
    const env = await b.$(byTestId('header-env-badge')).getProperty('textContent');
    if (!/production/i.test(env)) throw new Error(`header badge says ${env}`);
    const access = await b.$(byTestId('read-only-badge')).getProperty('textContent');
    if (!/read.?only/i.test(access)) throw new Error(`access badge says ${access}`);
    // aria-disabled rather than disabled, so its tooltip can say why.
    const seed = await b.$(byTestId('seed-open')).getAttribute('aria-disabled');
    if (seed !== 'true') throw new Error('seeding is offered on a read-only connection');
    await shot(b, '09-production');
  }],
  ['connects through the SSH bastion once its key is confirmed in the app: overview and users', async (b) => {
    await openNewProfile(b, 'E2E via bastion');
    await fillBastion(b, 'root');
    await b.$(byTestId('profile-ssh-key-path')).setValue(SSH.key);
    await jsClick(b, await b.$(byTestId('profile-ssh-key-passphrase')));
    await b.$(byTestId('profile-ssh-secret')).setValue(SSH.passphrase);
    await shot(b, '30-profile-form-ssh');
    const card = await saveProfile(b, 'E2E via bastion');
    await jsClick(b, await card.$(byTestId('profile-connect')));
    // First use: the app shows the key's fingerprint and waits for the user.
    const fingerprint = b.$(byTestId('host-key-fingerprint'));
    await fingerprint.waitForDisplayed({ timeout: 15000 }).catch(async (e) => {
      const last = await b.execute(() => (window.__MOZAIKS_IPC_LOG__ ?? []).filter((r) => !r.includes(`"state":"connected"`)).slice(-3));
      throw new Error(`${e.message}; the last IPC answers: ${last.join(' | ')}`);
    });
    const shown = await fingerprint.getText();
    if (!shown.includes(SSH.fingerprint)) throw new Error(`shows ${shown}, ssh-keygen says ${SSH.fingerprint}`);
    await shot(b, '31-host-key-confirm');
    await b.$(byTestId('host-key-trust')).click();
    await b.$(byTestId('overview')).waitForDisplayed({ timeout: 20000 });
    await b.$(byTestId('header-ssh')).waitForDisplayed({ timeout: 5000 });
    const reads = await b.$(byTestId('header-read-preference')).getText();
    if (!reads.includes('primary')) throw new Error(`header read preference: ${reads}`);
    const users = b.$(`${byTestId('collection-row')}[data-name="users"]`);
    await users.waitForDisplayed({ timeout: 10000 });
    const count = (await users.$(byTestId('collection-count')).getText()).replace(/\D/g, '');
    if (count !== String(seeded.users)) throw new Error(`users through the tunnel: ${count}, seeded ${seeded.users}`);
    await shot(b, '32-overview-through-bastion');
    await b.$(byTestId('nav-users')).click();
    await b.$(byTestId('user-row')).waitForDisplayed({ timeout: 10000 });
    await shot(b, '33-users-through-bastion');
  }],
  ['an SSH password reaches the same bastion, whose key is now known', async (b) => {
    await openNewProfile(b, 'E2E bastion password');
    await fillBastion(b, 'mozaiks-ssh-test');
    await b.$(byTestId('profile-ssh-method')).$('label=Password').click();
    await b.$(byTestId('profile-ssh-secret')).setValue(SSH.password);
    const card = await saveProfile(b, 'E2E bastion password');
    await connectCard(b, card);
    if (await b.$(byTestId('host-key-confirm')).isExisting()) throw new Error('a trusted key was asked about again');
  }],
  ['a TLS client key password is kept, and the plain test server is a TLS failure', async (b) => {
    await openNewProfile(b, 'E2E TLS client key');
    await jsClick(b, await b.$(byTestId('profile-tls-enabled')));
    await b.$(byTestId('profile-tls-cert-key-file')).waitForDisplayed();
    await b.$(byTestId('profile-tls-cert-key-file')).setValue(TLS.client);
    await jsClick(b, await b.$(byTestId('profile-tls-key-encrypted')));
    await b.$(byTestId('profile-tls-key-password')).setValue(TLS.keyPassword);
    await b.$(byTestId('profile-test')).click();
    const failed = b.$(byTestId('profile-test-error'));
    await failed.waitForDisplayed({ timeout: 20000 });
    // The key was decrypted with the password typed: what fails is the plain server.
    const text = await failed.getText();
    if (!/no TLS session was established/.test(text) || /decrypt/i.test(text)) {
      throw new Error(`test connection said: ${text}`);
    }
    const step = await b.$(byTestId('connect-failed-step')).getAttribute('data-step');
    if (step !== 'tls') throw new Error(`the failure is filed under ${step}, not tls`);
    await shot(b, '34-profile-form-tls-failed');
    await saveProfile(b, 'E2E TLS client key');
  }],
  ['a password typed for a profile never comes back', async (b) => {
    await openNewProfile(b, 'E2E secret');
    await b.$(byTestId('profile-username')).setValue('e2e-admin');
    await b.$(byTestId('profile-password')).setValue(SECRET);
    const remember = await b.$(byTestId('profile-remember-password'));
    if (await remember.isSelected()) await jsClick(b, remember);
    const card = await saveProfile(b, 'E2E secret');
    await jsClick(b, await card.$(byTestId('profile-connect')));
    await b.$(byTestId('password-prompt-input')).waitForDisplayed({ timeout: 10000 });
    await b.$(byTestId('password-prompt-input')).setValue(SECRET);
    await b.$(byTestId('password-prompt-connect')).click();
    // The test server has no authentication: the attempt ends in a typed error.
    await b.$(byTestId('password-prompt-error')).waitForDisplayed({ timeout: 20000 });
    await shot(b, '21-password-prompt-error');
    await b.keys('Escape');
  }],
  ['no secret crossed IPC or reached a file: the passwords, SSH and TLS secrets typed, every bcrypt hash, 0 hits', async (b) => {
    const responses = await b.execute(() => window.__MOZAIKS_IPC_LOG__ ?? []);
    if (responses.length < 50) throw new Error(`only ${responses.length} IPC responses were recorded`);
    const files = [];
    const walk = (dir) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(env('MOZAIKS_ADMIN_CONFIG_DIR'));
    walk(env('E2E_LOG_DIR'));
    if (!files.some((f) => f.endsWith('.log'))) throw new Error(`no app log found among ${files.join(', ')}`);
    const sources = [
      ...responses.map((r, i) => [`IPC response ${i}`, r]),
      ...files.map((f) => [f, readFileSync(f, 'utf8')]),
    ];
    const bcrypt = /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/;
    // The scan itself must see what it looks for.
    if (!bcrypt.test(`"password_hash":"$2b$12$${'x'.repeat(53)}"`)) throw new Error('the bcrypt pattern matches nothing');
    const hits = sources
      .filter(([, text]) => TYPED_SECRETS.some((secret) => text.includes(secret)) || bcrypt.test(text))
      .map(([name]) => name);
    const bytes = sources.reduce((n, [, text]) => n + text.length, 0);
    console.log(`secrets scan: ${responses.length} IPC responses and channel messages and ${files.length} files (${bytes} bytes): ${hits.length} hits`);
    if (hits.length) throw new Error(`secrets found in ${hits.join(', ')}`);
  }],
];

const driver = spawn('tauri-driver', ['--port', '4444'], { stdio: ['ignore', 'inherit', 'inherit'] });
let passed = 0;
let failed = 0;
let browser;
try {
  await waitForPort(4444, 15000);
  browser = await remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    capabilities: { 'tauri:options': { application: APP } },
  });
  // E2E_FROM=<part of a name>: while working on a late step, start there
  // (after the first); the run then fails as skipped, never as passed.
  const from = process.env.E2E_FROM;
  const start = from ? Math.max(1, tests.findIndex(([name]) => name.includes(from))) : 0;
  for (const [name, run] of tests.filter((_, i) => i === 0 || i >= start)) {
    try {
      await run(browser);
      passed += 1;
      console.log(`ok - ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - ${name}\n  ${e.stack ?? e}`);
      await shot(browser, `failed-${passed + failed}`).catch(() => {});
      break; // later steps build on this one
    }
  }
} finally {
  await browser?.deleteSession().catch(() => {});
  driver.kill();
  server?.kill();
}
const skipped = tests.length - passed - failed;
console.log(`e2e: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || skipped ? 1 : 0);
