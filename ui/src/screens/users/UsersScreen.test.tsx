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
    vi.mocked(backend.listUsers).mockImplementation(async (q) => aUserPage(userRows(3), { page: q.page, page_size: q.page_size, total: { value: 1234, exact: true } }));
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
        { total: { value: 1234, exact: true } },
      ),
    );
    renderUsers();
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2));
    expect(backend.listUsers).toHaveBeenCalledWith({
      page: 0,
      page_size: 25,
      sort: 'created_at',
      descending: true,
      role: null,
      tier: null,
      subscription: null,
      created_from: null,
      created_to: null,
      last_login_before: null,
    });
    expect(screen.getByTestId('users-total')).toHaveTextContent('1,234 users');

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

  it('says "about" for a total that is only an estimate', async () => {
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(2), { total: { value: 1_234_567, exact: false } }));
    renderUsers();
    await waitFor(() => expect(screen.getByTestId('users-total')).toHaveTextContent('about 1.2M users'));
  });

  it('sorts on the server when a header is clicked', async () => {
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');

    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'email', descending: false, page: 0 }));
    expect(screen.getByTestId('sort-email')).toHaveAttribute('data-sorted', 'asc');

    await user.click(screen.getByTestId('sort-email'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'email', descending: true }));

    await user.click(screen.getByTestId('sort-last_login'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: 'last_login', descending: true }));
    expect(screen.queryByTestId('sort-username')).not.toBeInTheDocument();
  });

  it('sends a new page size, starts over at its first page and remembers it', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(userRows(q.page_size), { page: q.page, page_size: q.page_size, total: { value: 1234, exact: true } }),
    );
    const { user, unmount } = renderUsers();
    await screen.findAllByTestId('user-row');
    await user.click(screen.getByTestId('page-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ page: 1, page_size: 25 }));

    await user.click(screen.getByTestId('page-size'));
    await user.click(await screen.findByRole('option', { name: '50' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ page: 0, page_size: 50 }));
    expect(localStorage.getItem(PAGE_SIZE_KEY)).toBe('50');

    unmount();
    vi.mocked(backend.listUsers).mockClear();
    renderUsers();
    await waitFor(() => expect(lastQuery()).toMatchObject({ page: 0, page_size: 50 }));
    expect(screen.getByTestId('page-size')).toHaveValue('50');
  });

  it('sends the filters as the query, dates as RFC 3339', async () => {
    const { user } = renderUsers();
    await screen.findAllByTestId('user-row');

    await user.click(screen.getByTestId('filter-role'));
    await user.click(await screen.findByRole('option', { name: 'admin' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ role: 'admin', page: 0 }));

    await user.click(screen.getByTestId('filter-subscription'));
    await user.click(await screen.findByRole('option', { name: 'Expired' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ role: 'admin', subscription: 'expired' }));

    await user.type(screen.getByTestId('filter-created-from'), '2025-01-01');
    await user.tab();
    await waitFor(() => expect(lastQuery()).toMatchObject({ created_from: '2025-01-01T00:00:00Z' }));

    await user.type(screen.getByTestId('filter-created-to'), '2025-03-31');
    await user.tab();
    await waitFor(() => expect(lastQuery()).toMatchObject({ created_to: '2025-03-31T23:59:59Z' }));

    await user.click(screen.getByTestId('filters-clear'));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ role: null, subscription: null, created_from: null, created_to: null }),
    );
  });

  it('renders only the rows in view of a large page (virtualized)', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(userRows(100), { page_size: q.page_size, total: { value: 100, exact: true } }),
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

  it('shows an empty state that offers to clear the filters', async () => {
    vi.mocked(backend.listUsers).mockImplementation(async (q) =>
      aUserPage(q.role ? [] : userRows(2), { total: { value: q.role ? 0 : 2, exact: true } }),
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
});
