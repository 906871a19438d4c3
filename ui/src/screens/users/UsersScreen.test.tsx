import { screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { UserQuery } from '../../backend';
import { aUserPage, aUserRow, userRows } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { UsersScreen } from './UsersScreen';
import { initialUsersState, PAGE_SIZE_KEY, type UsersListState } from './usersState';

vi.mock('../../backend');

/** UsersScreen with its state held the way App holds it. */
function Harness({ onOpenUser }: { onOpenUser: (id: string) => void }) {
  const [state, setState] = useState<UsersListState>(initialUsersState);
  return <UsersScreen state={state} onStateChange={setState} onOpenUser={onOpenUser} />;
}

function renderUsers() {
  const onOpenUser = vi.fn();
  const r = renderWithProviders(<Harness onOpenUser={onOpenUser} />);
  return { ...r, onOpenUser };
}

const lastQuery = (): UserQuery => {
  const calls = vi.mocked(backend.listUsers).mock.calls;
  return calls[calls.length - 1][0];
};

const rowByEmail = (email: string) => {
  const row = screen.getAllByTestId('user-row').find((r) => r.dataset.email === email);
  if (!row) throw new Error(`no row for ${email}`);
  return row;
};

describe('UsersScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) => aUserPage(userRows(3), { page_size: q.page_size }));
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 1234, exact: true });
  });

  it('asks for the newest users first and shows the rows with the total', async () => {
    vi.mocked(backend.listUsers).mockResolvedValue(
      aUserPage(
        [
          aUserRow({ id: '65f1c0de0000000000000001', email: 'ada@example.com', roles: ['user', 'superadmin'], tier: 'premium' }),
          aUserRow({
            id: '65f1c0de0000000000000002',
            email: 'alan@example.com',
            tier: 'basic',
            expires_at: '2020-01-01T00:00:00Z',
            last_login: null,
          }),
        ],
      ),
    );
    renderUsers();
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2));
    const firstQuery = {
      after: null,
      page_size: 25,
      sort: 'joined',
      descending: true,
      role: null,
      tier: null,
      subscription: null,
      created_from: null,
      created_to: null,
      last_login_before: null,
      last_login_after: null,
    };
    expect(backend.listUsers).toHaveBeenCalledWith(firstQuery);
    expect(backend.countUsers).toHaveBeenCalledWith(firstQuery);
    await waitFor(() => expect(screen.getByTestId('users-total')).toHaveTextContent('1,234 users'));
    expect(screen.getByTestId('users-sort')).toHaveValue('Joined');

    const ada = rowByEmail('ada@example.com');
    expect(within(ada).getAllByTestId('role-badge').map((b) => b.textContent)).toEqual(['user', 'superadmin']);
    expect(within(ada).getByTestId('tier-badge')).toHaveTextContent('premium');
    expect(within(ada).queryByText('expired')).not.toBeInTheDocument();

    const alan = rowByEmail('alan@example.com');
    const expiry = within(alan).getByTestId('expiry');
    expect(expiry).toHaveTextContent('expired');
    expect(expiry).toHaveAttribute('data-expired', 'true');
    expect(within(alan).getByText('never')).toBeInTheDocument();
  });

  it('marks a total that is only an estimate, and says when it is unknown', async () => {
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 1_234_567, exact: false });
    const { unmount } = renderUsers();
    await waitFor(() => expect(screen.getByTestId('users-total')).toHaveTextContent('≈ 1.2M users'));
    expect(screen.getByTestId('users-total-estimate')).toHaveTextContent('estimate');
    unmount();
    vi.mocked(backend.countUsers).mockResolvedValue({ value: null, exact: false });
    renderUsers();
    await waitFor(() => expect(screen.getByTestId('users-total')).toHaveTextContent('unknown'));
  });

  it('shows the rows without waiting for the total', async () => {
    vi.mocked(backend.countUsers).mockReturnValue(new Promise(() => {}));
    renderUsers();
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(3));
    expect(screen.getByTestId('users-total')).toHaveTextContent('Counting users…');
  });

  it('shows the sort note of a sort no index serves', async () => {
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(2), { sort_note: 'No index serves this sort.' }));
    renderUsers();
    expect(await screen.findByTestId('users-sort-note')).toHaveTextContent('No index serves this sort.');
  });

  it('pages forward with the cursor of each page and back by popping it', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(userRows(3), { next: q.after === null ? 'c1' : q.after === 'c1' ? 'c2' : null }),
    );
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');
    expect(screen.getByTestId('page-prev')).toBeDisabled();
    await user.click(screen.getByTestId('page-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'c1' }));
    await waitFor(() => expect(screen.getByTestId('page-next')).not.toBeDisabled());
    await user.click(screen.getByTestId('page-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'c2' }));
    await waitFor(() => expect(screen.getByTestId('page-range')).toHaveTextContent('51–53'));
    expect(screen.getByTestId('page-next')).toBeDisabled();
    await user.click(screen.getByTestId('page-prev'));
    await waitFor(() => expect(screen.getByTestId('page-range')).toHaveTextContent('26–28'));
    expect(backend.countUsers).toHaveBeenCalledTimes(1);

    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'email', after: null }));
  });

  it('sorts on the server when a header is clicked', async () => {
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');

    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'email', descending: false, after: null }));
    expect(screen.getByTestId('sort-email')).toHaveAttribute('data-sorted', 'asc');

    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'email', descending: true }));

    await user.click(screen.getByTestId('sort-last_login'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'last_login', descending: true }));
    expect(screen.queryByTestId('sort-username')).not.toBeInTheDocument();
  });

  it('sends a new page size, starts over at its first page and remembers it', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(userRows(q.page_size), { page_size: q.page_size, next: `after-${q.after ?? 'start'}` }),
    );
    const { user, unmount } = renderUsers();
    await screen.findAllByTestId('user-row');
    await user.click(screen.getByTestId('page-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'after-start', page_size: 25 }));

    await user.click(screen.getByTestId('page-size'));
    await user.click(await screen.findByRole('option', { name: '50' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: null, page_size: 50 }));
    expect(localStorage.getItem(PAGE_SIZE_KEY)).toBe('50');

    unmount();
    vi.mocked(backend.listUsers).mockClear();
    renderUsers();
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: null, page_size: 50 }));
    expect(screen.getByTestId('page-size')).toHaveValue('50');
  });

  it('sends the filters as the query, dates as RFC 3339', async () => {
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');

    await user.click(screen.getByTestId('filter-role'));
    await user.click(await screen.findByRole('option', { name: 'admin' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ role: 'admin', after: null }));

    await user.click(screen.getByTestId('filter-subscription'));
    await user.click(await screen.findByRole('option', { name: 'Expired' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ role: 'admin', subscription: 'expired' }));

    await user.type(screen.getByTestId('filter-created-from'), '2025-01-01');
    await user.tab();
    await waitFor(() => expect(lastQuery()).toMatchObject({ created_from: '2025-01-01T00:00:00Z' }));

    await user.type(screen.getByTestId('filter-created-to'), '2025-03-31');
    await user.tab();
    await waitFor(() => expect(lastQuery()).toMatchObject({ created_to: '2025-03-31T23:59:59Z' }));

    await user.type(screen.getByTestId('filter-last-login-after'), '2025-02-01');
    await user.tab();
    await waitFor(() => expect(lastQuery()).toMatchObject({ last_login_after: '2025-02-01T00:00:00Z' }));

    await user.click(screen.getByTestId('filters-clear'));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ role: null, subscription: null, created_from: null, created_to: null, last_login_after: null }),
    );
  });

  it('renders only the rows in view of a large page (virtualized)', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(userRows(100), { page_size: q.page_size }),
    );
    renderUsers();
    await waitFor(() => expect(screen.getAllByTestId('user-row').length).toBeGreaterThan(10));
    const rendered = screen.getAllByTestId('user-row');
    // 800 px of viewport at 44 px a row, plus overscan: far fewer than 100.
    expect(rendered.length).toBeLessThan(40);
    expect(rendered[0]).toHaveAttribute('data-email', 'user0@example.com');
  });

  it('opens the 360 view of a clicked row', async () => {
    const { user, onOpenUser } = renderUsers();
    await screen.findAllByTestId('user-row');
    await user.click(rowByEmail('user1@example.com'));
    expect(onOpenUser).toHaveBeenCalledWith('65f1c0de0000000000000001');
  });

  it('exports every user the filters shown match', async () => {
    vi.mocked(backend.chooseTableExportPath).mockResolvedValue('/home/me/users.csv');
    vi.mocked(backend.exportUsers).mockResolvedValue({ path: '/home/me/users.csv', documents: 40, cancelled: false });
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');
    await user.click(screen.getByTestId('filter-role'));
    await user.click(await screen.findByRole('option', { name: 'admin' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ role: 'admin' }));
    await user.click(screen.getByTestId('users-export-menu'));
    await user.click(await screen.findByTestId('users-export-csv'));
    await waitFor(() => expect(backend.exportUsers).toHaveBeenCalled());
    const [query, target] = vi.mocked(backend.exportUsers).mock.calls[0];
    expect(query).toEqual(lastQuery());
    expect(target).toMatchObject({ path: '/home/me/users.csv', format: 'csv' });
    expect(await screen.findByText('40 users to /home/me/users.csv')).toBeInTheDocument();
  });

  it('shows an empty state that offers to clear the filters', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(q.role ? [] : userRows(2)),
    );
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');
    await user.click(screen.getByTestId('filter-role'));
    await user.click(await screen.findByRole('option', { name: 'superadmin' }));
    const empty = await screen.findByTestId('users-empty');
    expect(empty).toHaveTextContent('No users match these filters');
    await user.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2));
  });

  it('shows a backend error in place of the table', async () => {
    vi.mocked(backend.listUsers).mockRejectedValue(backendError({ type: 'not_connected' }));
    renderUsers();
    expect(await screen.findByTestId('users-error')).toHaveTextContent('Not connected');
  });

  it('redraws "… ago" on reload even when the rows come back unchanged', async () => {
    // Rows are memoized on their data; the same page refetched is the same
    // objects, but the time since then has moved on.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2025-06-01T08:35:00Z'));
      vi.mocked(backend.listUsers).mockResolvedValue(aUserPage([aUserRow({ last_login: '2025-06-01T08:30:00Z' })]));
      const { user } = renderUsers();
      const lastLogin = () => within(rowByEmail('ada.lovelace@example.com')).getByText(/ago|now/);
      await waitFor(() => expect(lastLogin()).toHaveTextContent('5 minutes ago'));
      vi.setSystemTime(new Date('2025-06-03T09:00:00Z'));
      await user.click(screen.getByTestId('users-refresh'));
      await waitFor(() => expect(lastLogin()).toHaveTextContent('2 days ago'));
    } finally {
      vi.useRealTimers();
    }
  });
});
