// Benchmark page (not shipped): the real UsersTable, inside the app's real
// providers, with 10,000 synthetic rows in an 800 px viewport. Node drives
// it through WebDriver (tests/e2e/bench-scroll.mjs) via window.__scrollBench.
import { QueryClient } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { UserRow } from '../src/backend';
import { Providers } from '../src/Providers';
import { ROW_HEIGHT, UsersTable } from '../src/screens/users/UsersTable';
import { aUserRow } from '../src/test/fixtures';

// ?rows=N to compare with the app's real page size (100 at most).
const ROWS = Number(new URLSearchParams(location.search).get('rows') ?? 10_000);
const WARM_UP_FRAMES = 30;

// Varied rows so every cell kind renders: several roles, each tier, no tier,
// lapsed and open-ended subscriptions, never logged in.
const ROLES = [['user'], ['user', 'admin'], ['user', 'admin', 'superadmin'], []];
const TIERS = ['free', 'basic', 'premium', 'enterprise', null];
const DAY = 86_400_000;
const now = Date.now();
const rows: UserRow[] = Array.from({ length: ROWS }, (_, i) =>
  aUserRow({
    id: `65f1c0de${String(i).padStart(16, '0')}`,
    email: `user${i}.${'x'.repeat(i % 23)}@example.com`,
    username: `user_${i}`,
    roles: ROLES[i % ROLES.length],
    tier: TIERS[i % TIERS.length],
    expires_at: i % 3 === 0 ? null : new Date(now + ((i % 400) - 100) * DAY).toISOString(),
    created_at: new Date(now - (i % 900) * DAY).toISOString(),
    last_login: i % 7 === 0 ? null : new Date(now - (i % 50) * 3_600_000).toISOString(),
  }),
);

/**
 * Scrolls the table by `pxPerFrame` on every animation frame (back to the top
 * at the end) and resolves with the time between successive frames, in ms,
 * and the script time of each frame's scroll event: from a capture listener
 * on the document (first to run) to a listener on the viewport added after
 * the virtualizer's, which re-renders the rows inside its own listener
 * (flushSync). The rest of a frame is style, layout and paint.
 * The first WARM_UP_FRAMES are not kept: JIT and first layouts.
 */
function scrollBench(frames: number, pxPerFrame: number): Promise<{ deltas: number[]; scripts: number[] }> {
  const el = document.querySelector<HTMLElement>('[data-virtual-viewport]');
  if (!el) return Promise.reject(new Error('no [data-virtual-viewport]'));
  el.scrollTop = 0;
  const deltas: number[] = [];
  const scripts: number[] = [];
  let started = 0;
  const before = () => {
    started = performance.now();
  };
  const after = () => {
    if (seen > WARM_UP_FRAMES && started) scripts.push(performance.now() - started);
  };
  document.addEventListener('scroll', before, { capture: true });
  el.addEventListener('scroll', after);
  let seen = 0;
  let last = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const t = performance.now();
      if (seen > WARM_UP_FRAMES) deltas.push(t - last);
      last = t;
      seen++;
      if (deltas.length >= frames) {
        document.removeEventListener('scroll', before, { capture: true });
        el.removeEventListener('scroll', after);
        return resolve({ deltas, scripts });
      }
      const end = el.scrollHeight - el.clientHeight;
      el.scrollTop = el.scrollTop + pxPerFrame > end ? 0 : el.scrollTop + pxPerFrame;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

declare global {
  interface Window {
    __scrollBench: typeof scrollBench;
  }
}
window.__scrollBench = scrollBench;

/**
 * ?floor=1: the floor the grid is measured against. The same rows as one
 * static HTML table (every row in the DOM, no framework, no virtualization)
 * in the same 800 px viewport: what the webview itself costs to scroll them.
 */
function renderFloor(root: HTMLElement) {
  const viewport = document.createElement('div');
  viewport.dataset.virtualViewport = '';
  viewport.style.cssText = 'height: 800px; overflow: auto; font: 14px sans-serif';
  const cells = (r: UserRow) =>
    [r.email, r.username, r.roles.join(', '), r.tier ?? '', r.created_at, r.last_login ?? 'never'];
  const body = rows
    .map(
      (r) =>
        `<tr data-testid="user-row" style="height: ${ROW_HEIGHT}px">${cells(r)
          .map((c) => `<td style="overflow: hidden; white-space: nowrap">${c}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  viewport.innerHTML = `<table style="table-layout: fixed; width: 100%; border-collapse: collapse">${body}</table>`;
  root.appendChild(viewport);
}

// A cache the table never uses; the app's createQueryClient would pull in
// backend.ts and with it the Tauri IPC modules.
const client = new QueryClient();
const noop = () => {};

const root = document.getElementById('root')!;
if (new URLSearchParams(location.search).has('floor')) renderFloor(root);
else createRoot(root).render(
  <StrictMode>
    <Providers client={client}>
      <UsersTable
        rows={rows}
        sort="created_at"
        descending
        onSort={noop}
        onOpen={noop}
        loading={false}
        stale={false}
        fetchedAt={now}
        style={{ height: 800 }}
      />
    </Providers>
  </StrictMode>,
);
