import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { createMemoryHistory, RouterProvider } from '@tanstack/react-router';
import * as backend from './backend';
import type { Chart, ChartId } from './backend';
import type { EChartProps } from './components/EChart';
import {
  aChart,
  aFeedPage,
  aPluginOverview,
  aProductionOverview,
  aProfile,
  anOverview,
  aSchemaReport,
  aUserDetail,
  aUserPage,
  aUserSettings,
  someNotifications,
  USER_ID,
  userRows,
} from './test/fixtures';
import { createAppRouter } from './navigation';
import { backendError, renderWithProviders } from './test/render';

vi.mock('./backend');

/** The app as main.tsx mounts it, its routes in memory, starting at `/`. */
function renderApp() {
  const router = createAppRouter(App, createMemoryHistory({ initialEntries: ['/'] }));
  return renderWithProviders(<RouterProvider router={router} />);
}
// ECharts measures text on a canvas jsdom lacks; the drill-downs below click the buttons under each chart.
vi.mock('./components/EChart', () => ({
  EChart: ({ testId }: EChartProps) => <div data-testid={testId} />,
}));

const prod = aProfile({ id: 'prod', name: 'Production (eu-west)', environment: 'production', read_only: true, color: '#e03131' });
const local = aProfile();

const card = (name: string) => screen.getAllByTestId('profile-card').find((c) => c.dataset.name === name)!;

describe('App', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local, prod]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
    vi.mocked(backend.connectionHealth).mockResolvedValue({ state: 'connected' });
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 3, exact: true });
    vi.mocked(backend.userPluginStatus).mockResolvedValue(aChart('plugin_status', { categories: [], series: [] }));
  });

  it('shows the connection health, turns red when it is lost and refetches when it is back', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.overview).mockResolvedValue(anOverview());
    vi.mocked(backend.connectionHealth).mockResolvedValueOnce({ state: 'lost', message: 'no reply from 127.0.0.1:27017' });
    const { user, client } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    const dot = await screen.findByTestId('connection-health');
    await waitFor(() => expect(dot).toHaveAttribute('data-state', 'lost'));
    expect(dot).toHaveTextContent('connection lost');

    const invalidate = vi.spyOn(client, 'invalidateQueries');
    // The next poll (1 s while lost) finds the server again.
    await waitFor(() => expect(screen.getByTestId('connection-health')).toHaveAttribute('data-state', 'connected'), { timeout: 3000 });
    expect(await screen.findByText('Connection restored')).toBeInTheDocument();
    expect(invalidate).toHaveBeenCalledWith();
  });

  it('turns the header red at once when a query fails with connection_lost', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockRejectedValue(
      backendError({ type: 'connection_lost', data: { timeout_ms: 3000, message: 'the server stopped answering', outcome_unknown: false, details: 'driver text' } }),
    );
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 0, exact: true });
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await waitFor(() => expect(screen.getByTestId('connection-health')).toHaveAttribute('data-state', 'connected'));
    await user.click(screen.getByTestId('nav-users'));
    const error = await screen.findByTestId('users-error');
    await waitFor(() => expect(screen.getByTestId('connection-health')).toHaveAttribute('data-state', 'lost'));
    // The people message, and the driver's text only behind "Details".
    expect(error).toHaveTextContent('Connection lost');
    expect(error).not.toHaveTextContent('driver text');
    await user.click(within(error).getByTestId('users-error-details-toggle'));
    expect(error).toHaveTextContent('driver text');
  });

  it('starts on Connections with Overview, Users and Audit disabled', async () => {
    renderApp();
    expect(await screen.findByTestId('new-profile')).toBeInTheDocument();
    expect(screen.getByTestId('nav-overview')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('nav-users')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('nav-audit')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('app-header')).toHaveTextContent('Not connected');
  });

  it('connecting to production shows the overview, the PRODUCTION badge and the red stripe', async () => {
    vi.mocked(backend.connect).mockResolvedValue(aProductionOverview());
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Production (eu-west)')).getByTestId('profile-connect'));

    expect(await screen.findByTestId('overview')).toBeInTheDocument();
    const header = screen.getByTestId('app-header');
    expect(within(header).getByTestId('header-env-badge')).toHaveTextContent(/production/i);
    expect(within(header).getByTestId('header-read-only-badge')).toHaveTextContent('Read-only');
    expect(header.style.borderTop).toContain('solid');
    expect(header).toHaveTextContent('client');
    expect(screen.getByTestId('nav-overview')).not.toHaveAttribute('aria-disabled');
    expect(backend.overview).not.toHaveBeenCalled();
  });

  it('a development connection has no stripe; disconnect returns to Connections', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.disconnect).mockResolvedValue(null);
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    expect(screen.getByTestId('app-header').style.borderTop).toBe('');
    expect(screen.getByTestId('header-env-badge')).toHaveTextContent('Development');

    await user.click(screen.getByTestId('nav-connections'));
    expect(await screen.findByTestId('connections')).toBeInTheDocument();
    expect(within(card('Local development')).getByText('Connected')).toBeInTheDocument();
    await user.click(screen.getByTestId('nav-overview'));
    await user.click(await screen.findByTestId('disconnect'));

    await waitFor(() => expect(screen.getByTestId('nav-overview')).toHaveAttribute('aria-disabled', 'true'));
    expect(screen.getByTestId('connections')).toBeInTheDocument();
    expect(screen.getByTestId('app-header')).toHaveTextContent('Not connected');
  });

  it('goes from Users to a user’s 360 view and back, keeping the list where it was', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockImplementation(async (q) => aUserPage(userRows(3), { page_size: q.page_size }));
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ id: '65f1c0de0000000000000001', email: 'user1@example.com' }));
    vi.mocked(backend.userSettings).mockResolvedValue(aUserSettings());
    vi.mocked(backend.userNotifications).mockResolvedValue(someNotifications());
    vi.mocked(backend.pluginCollections).mockResolvedValue([]);
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');

    await user.click(screen.getByTestId('nav-users'));
    await screen.findAllByTestId('user-row');
    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(vi.mocked(backend.listUsers).mock.lastCall?.[0]).toMatchObject({ sort: 'email' }));
    await user.click(screen.getAllByTestId('user-row').find((r) => r.dataset.email === 'user1@example.com')!);

    const root = await screen.findByTestId('user360');
    expect(root).toHaveAttribute('data-user-id', '65f1c0de0000000000000001');
    expect(screen.getByTestId('nav-users')).toHaveAttribute('data-active', 'true');
    await user.click(screen.getByTestId('user360-back'));
    await screen.findAllByTestId('user-row');
    expect(screen.getByTestId('sort-email')).toHaveAttribute('data-sorted', 'asc');
  });

  it('leaves no tooltip of the users table over the 360 view a row click opens', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(3)));
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail({ id: '65f1c0de0000000000000001', email: 'user1@example.com' }));
    vi.mocked(backend.userSettings).mockResolvedValue(aUserSettings());
    vi.mocked(backend.userNotifications).mockResolvedValue(someNotifications());
    vi.mocked(backend.pluginCollections).mockResolvedValue([]);
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('nav-users'));
    await screen.findAllByTestId('user-row');
    const row = screen.getAllByTestId('user-row').find((r) => r.dataset.email === 'user1@example.com')!;

    // The webview keeps a native `title` tooltip up after its element is gone.
    expect(row.querySelector('[title]')).toBeNull();
    const email = within(row).getByText('user1@example.com');
    await user.hover(email);
    expect(await screen.findByRole('tooltip', {}, { timeout: 3000 })).toHaveTextContent('user1@example.com');

    await user.click(email);
    await screen.findByTestId('user360');
    expect(screen.queryByRole('tooltip')).not.toBeInTheDocument();
   }, 15_000);

  it('Ctrl+K opens a palette that jumps to a screen, a collection or a user', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(1)));
    vi.mocked(backend.searchUsers).mockResolvedValue(userRows(1));
    vi.mocked(backend.browseDatabases).mockResolvedValue([
      {
        which: 'ai', name: 'MozaiksAI', writable: false, error: null,
        collections: [{ name: 'chat_sessions', is_view: false, estimated_count: 3, per_user: false, kind: 'other', not_editable: 'read-only' }],
      },
    ]);
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: [], limit: 50, skip: 0, more: false });
    vi.mocked(backend.countQuery).mockResolvedValue({ value: 0, exact: true });
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');

    // A screen, by the keyboard.
    await user.keyboard('{Control>}k{/Control}');
    await waitFor(() => expect(screen.getByTestId('palette-input')).toHaveFocus());
    await user.keyboard('Users{Enter}');
    await screen.findByTestId('user-search');

    // A collection of another database: the header names that database.
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'chat');
    await user.click(await screen.findByText('chat_sessions'));
    await waitFor(() => expect(backend.runQuery).toHaveBeenCalledWith('ai', 'chat_sessions', expect.anything()));
    expect(screen.getByTestId('header-database')).toHaveTextContent('MozaiksAI');

    // A user, through the backend's search.
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'user0@');
    await user.click(await screen.findByText('user0@example.com'));
    await screen.findByTestId('user360');
  });

  it('Back and Forward walk the screens the admin opened', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(1)));
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('nav-users'));
    await screen.findByTestId('user-search');
    await user.click(screen.getByTestId('nav-back'));
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('nav-forward'));
    await screen.findByTestId('user-search');
    await user.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    await screen.findByTestId('overview');
  });
});

describe('App history of collections', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
    vi.mocked(backend.connectionHealth).mockResolvedValue({ state: 'connected' });
  });

  it('makes each collection browsed an entry that Back and Forward return to', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.browseDatabases).mockResolvedValue([
      {
        which: 'core', name: 'MozaiksCore', writable: true, error: null,
        collections: ['crm_contacts', 'task_manager_tasks'].map((name) => ({
          name, is_view: false, estimated_count: 3, per_user: true, kind: 'plugin', not_editable: null,
        })),
      },
    ]);
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: [], limit: 50, skip: 0, more: false });
    vi.mocked(backend.countQuery).mockResolvedValue({ value: 0, exact: true });
    vi.mocked(backend.sampleFields).mockResolvedValue([]);
    vi.mocked(backend.queryHistory).mockResolvedValue([]);
    const { user } = renderApp();
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('nav-collections'));
    await screen.findByTestId('browse-hint');
    const lastRun = () => vi.mocked(backend.runQuery).mock.calls.at(-1)?.[1];
    await user.click(await screen.findByText('crm_contacts'));
    await waitFor(() => expect(lastRun()).toBe('crm_contacts'));
    await user.click(screen.getByText('task_manager_tasks'));
    await waitFor(() => expect(lastRun()).toBe('task_manager_tasks'));
    // The same collection again is no new entry.
    await user.click(screen.getByText('task_manager_tasks'));
    await user.click(screen.getByTestId('nav-back'));
    await waitFor(() => expect(lastRun()).toBe('crm_contacts'));
    await user.click(screen.getByTestId('nav-forward'));
    await waitFor(() => expect(lastRun()).toBe('task_manager_tasks'));
    // Away and back by the navbar: the last collection browsed, an entry
    // Back returns to as it was.
    await user.click(screen.getByTestId('nav-overview'));
    await screen.findByTestId('overview');
    const runs = vi.mocked(backend.runQuery).mock.calls.length;
    await user.click(screen.getByTestId('nav-collections'));
    await waitFor(() => expect(vi.mocked(backend.runQuery).mock.calls.length).toBeGreaterThan(runs));
    expect(lastRun()).toBe('task_manager_tasks');
    await user.click(screen.getByTestId('nav-back'));
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('nav-back'));
    await waitFor(() => expect(lastRun()).toBe('task_manager_tasks'));
    await user.click(screen.getByTestId('nav-back'));
    await waitFor(() => expect(lastRun()).toBe('crm_contacts'));
    await user.click(screen.getByTestId('nav-back'));
    await screen.findByTestId('browse-hint');
  });

  it('never opens a collection of an earlier connection on the one connected now', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.disconnect).mockResolvedValue(null);
    vi.mocked(backend.browseDatabases).mockResolvedValue([
      {
        which: 'core', name: 'MozaiksCore', writable: true, error: null,
        collections: [{ name: 'crm_contacts', is_view: false, estimated_count: 3, per_user: true, kind: 'plugin', not_editable: null }],
      },
    ]);
    vi.mocked(backend.runQuery).mockResolvedValue({ documents: [], limit: 50, skip: 0, more: false });
    vi.mocked(backend.countQuery).mockResolvedValue({ value: 0, exact: true });
    vi.mocked(backend.sampleFields).mockResolvedValue([]);
    const { user } = renderApp();
    const connect = async () => {
      await user.click(within(card('Local development')).getByTestId('profile-connect'));
      await screen.findByTestId('overview');
    };
    await screen.findAllByTestId('profile-card');
    await connect();
    await user.click(screen.getByTestId('nav-collections'));
    await user.click(await screen.findByText('crm_contacts'));
    await waitFor(() => expect(backend.runQuery).toHaveBeenCalledTimes(1));
    await user.click(screen.getByTestId('nav-overview'));
    await user.click(await screen.findByTestId('disconnect'));
    await screen.findByTestId('connections');
    await connect();
    // Back past the connections screen and the first connection's
    // overview, onto the entry that named crm_contacts: its screen bare.
    for (let i = 0; i < 3; i++) await user.click(screen.getByTestId('nav-back'));
    await screen.findByTestId('browse-hint');
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.runQuery).toHaveBeenCalledTimes(1);
    await user.click(screen.getByTestId('nav-collections'));
    expect(await screen.findByTestId('browse-hint')).toBeInTheDocument();
  });
});

/** Every dashboard chart: the bars the tests below click, and a plain one for the rest. */
const DASHBOARD: Partial<Record<ChartId, Chart>> = {
  active_users: aChart('active_users', {
    title: 'Active users (last login)',
    categories: ['last day', 'last 7 days', 'last 30 days'],
    series: [
      {
        name: 'users',
        values: [1, 5, 9],
        drill: ['2025-05-31T09:00:00Z', '2025-05-25T09:00:00Z', '2025-05-02T09:00:00Z'].map((at) => ({
          to: 'users' as const,
          role: null,
          tier: null,
          subscription: null,
          created_from: null,
          created_to: null,
          last_login_after: at,
        })),
      },
    ],
  }),
  notifications: aChart('notifications', {
    title: 'Notifications by type',
    categories: ['billing'],
    series: [
      { name: 'read', values: [2], drill: [{ to: 'feed', type: 'billing', read: true }] },
      { name: 'unread', values: [3], drill: [{ to: 'feed', type: 'billing', read: false }] },
    ],
  }),
  plugin_status: aChart('plugin_status', {
    title: 'Plugin documents by status',
    categories: ['task_manager_tasks'],
    series: [{ name: 'done', values: [7], drill: [{ to: 'plugin', collection: 'task_manager_tasks', status: 'done', user_id: null }] }],
  }),
};

const doc = (n: number) => `{"_id":{"$oid":"66c0000000000000000000${String(n).padStart(2, '0')}"},"title":"Task ${n}","status":"done"}`;

describe('App drill-downs', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
    vi.mocked(backend.connectionHealth).mockResolvedValue({ state: 'connected' });
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.dashboardChart).mockImplementation(async (id) => DASHBOARD[id] ?? aChart(id));
    vi.mocked(backend.listUsers).mockImplementation(async (q) => aUserPage(userRows(3), { page_size: q.page_size }));
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 3, exact: true });
  });

  async function openDashboard() {
    const r = renderApp();
    await screen.findAllByTestId('profile-card');
    await r.user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await r.user.click(screen.getByTestId('nav-dashboard'));
    await screen.findByTestId('dashboard');
    return r;
  }

  const bar = async (chart: ChartId, category: string, series: string) => {
    const card = screen.getByTestId(`chart-${chart}`);
    await waitFor(() => expect(within(card).getAllByTestId('chart-row').length).toBeGreaterThan(0));
    const row = within(card)
      .getAllByTestId('chart-row')
      .find((r) => r.dataset.category === category && r.dataset.series === series);
    if (!row) throw new Error(`no bar ${category}/${series} in ${chart}`);
    return row;
  };

  it('an active-users bar opens the users list filtered to logins since that instant, a filter that shows and clears', async () => {
    const { user } = await openDashboard();
    await user.click(await bar('active_users', 'last 7 days', 'users'));

    await screen.findAllByTestId('user-row');
    expect(screen.getByTestId('nav-users')).toHaveAttribute('data-active', 'true');
    const filtered = { last_login_after: '2025-05-25T09:00:00Z', role: null, tier: null, created_from: null, after: null };
    expect(vi.mocked(backend.listUsers).mock.lastCall?.[0]).toMatchObject(filtered);
    expect(vi.mocked(backend.countUsers).mock.lastCall?.[0]).toMatchObject(filtered);
    const input = screen.getByTestId('filter-last-login-after');
    expect(input).toHaveValue('2025-05-25');
    expect(input).toHaveAttribute('data-exact', '2025-05-25T09:00:00Z');

    await user.click(screen.getByTestId('filters-clear'));
    await waitFor(() => expect(vi.mocked(backend.listUsers).mock.lastCall?.[0]).toMatchObject({ last_login_after: null }));
    expect(screen.getByTestId('filter-last-login-after')).toHaveValue('');
  });

  it('a notifications bar opens the feed filtered to that type and read state', async () => {
    vi.mocked(backend.notificationFeed).mockResolvedValue(aFeedPage([]));
    vi.mocked(backend.notificationTtl).mockResolvedValue({ expire_after_seconds: 2_592_000, warning: null });
    vi.mocked(backend.notificationChart).mockResolvedValue([]);
    const { user } = await openDashboard();
    await user.click(await bar('notifications', 'billing', 'unread'));

    await screen.findByTestId('notifications');
    await waitFor(() =>
      expect(vi.mocked(backend.notificationFeed).mock.lastCall?.[0]).toMatchObject({ type: 'billing', read: false, user_id: null }),
    );
    expect(screen.getByTestId('nav-notifications')).toHaveAttribute('data-active', 'true');
  });

  it("a plugin status bar opens that collection's documents with that status, across users, a page at a time", async () => {
    vi.mocked(backend.pluginOverview).mockResolvedValue(aPluginOverview());
    vi.mocked(backend.pluginSchema).mockResolvedValue(aSchemaReport());
    vi.mocked(backend.pluginStatusDocuments).mockImplementation(async (_c, _s, _user, after) =>
      after === null ? { documents: [doc(3), doc(2)], next: 'cursor-2' } : { documents: [doc(1)], next: null },
    );
    const { user } = await openDashboard();
    await user.click(await bar('plugin_status', 'task_manager_tasks', 'done'));

    const panel = await screen.findByTestId('plugin-panel');
    expect(panel).toHaveAttribute('data-collection', 'task_manager_tasks');
    const docs = await screen.findByTestId('status-documents');
    expect(docs).toHaveAttribute('data-status', 'done');
    await waitFor(() => expect(within(docs).getAllByTestId('status-document')).toHaveLength(2));
    expect(backend.pluginStatusDocuments).toHaveBeenCalledWith('task_manager_tasks', 'done', null, null);

    await user.click(within(docs).getByTestId('status-load-more'));
    await waitFor(() => expect(within(docs).getAllByTestId('status-document')).toHaveLength(3));
    expect(backend.pluginStatusDocuments).toHaveBeenLastCalledWith('task_manager_tasks', 'done', null, 'cursor-2');
    expect(within(docs).queryByTestId('status-load-more')).not.toBeInTheDocument();
  });

  it("a bar of a user's plugin status chart (360 view) opens that user's documents with that status", async () => {
    vi.mocked(backend.userDetail).mockResolvedValue(aUserDetail());
    vi.mocked(backend.userSettings).mockResolvedValue(aUserSettings());
    vi.mocked(backend.userNotifications).mockResolvedValue(someNotifications());
    vi.mocked(backend.pluginCollections).mockResolvedValue([]);
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(1).map((r) => ({ ...r, id: USER_ID }))));
    vi.mocked(backend.userPluginStatus).mockResolvedValue(
      aChart('plugin_status', {
        title: "This user's plugin documents by status",
        categories: ['task_manager_tasks'],
        series: [{ name: 'todo', values: [2], drill: [{ to: 'plugin', collection: 'task_manager_tasks', status: 'todo', user_id: USER_ID }] }],
      }),
    );
    vi.mocked(backend.pluginOverview).mockResolvedValue(aPluginOverview());
    vi.mocked(backend.pluginSchema).mockResolvedValue(aSchemaReport());
    vi.mocked(backend.pluginStatusDocuments).mockResolvedValue({
      documents: ['{"_id":{"$oid":"65f0c0ffee0000000000a001"},"status":"todo"}', '{"_id":{"$oid":"65f0c0ffee0000000000a002"},"status":"todo"}'],
      next: null,
    });
    const { user } = await openDashboard();
    await user.click(screen.getByTestId('nav-users'));
    await user.click((await screen.findAllByTestId('user-row'))[0]);
    const chart = await screen.findByTestId('chart-user-plugin-status');
    await waitFor(() => expect(within(chart).getAllByTestId('chart-row')).toHaveLength(1));
    await user.click(within(chart).getByTestId('chart-row'));

    expect(await screen.findByTestId('plugin-panel')).toHaveAttribute('data-collection', 'task_manager_tasks');
    const docs = await screen.findByTestId('status-documents');
    expect(docs).toHaveAttribute('data-status', 'todo');
    expect(docs).toHaveAttribute('data-user', USER_ID);
    // As many documents as the bar counted: the user's, with that status.
    await waitFor(() => expect(within(docs).getAllByTestId('status-document')).toHaveLength(2));
    expect(backend.pluginStatusDocuments).toHaveBeenCalledWith('task_manager_tasks', 'todo', USER_ID, null);
  });
});
