import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { UserNotifications } from '../../backend';
import { queryKeys } from '../../queries';
import { anOverview, someNotifications, USER_ID } from '../../test/fixtures';
import { renderWithProviders } from '../../test/render';
import { NotificationsSection } from './NotificationsSection';

vi.mock('../../backend');

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const BULK_BUTTONS = ['feed-mark-read', 'feed-mark-unread', 'feed-delete'];

/** Page 1 of the user's notifications: two other rows than page 0's. */
const PAGE_1 = someNotifications({
  rows: [
    { id: 'n3', kind: 'system', title: 'Maintenance', message: 'Tonight', read: false, created_at: '2025-05-20T08:00:00Z' },
    { id: 'n4', kind: 'security', title: 'New login', message: 'From Paris', read: true, created_at: '2025-05-19T08:00:00Z' },
  ],
});

function renderSection() {
  const r = renderWithProviders(<NotificationsSection userId={USER_ID} />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview()));
  return r;
}

const notificationRow = (id: string) => {
  const r = screen.getAllByTestId('notification-row').find((el) => el.dataset.id === id);
  if (!r) throw new Error(`no row ${id}`);
  return r;
};
const shownIds = () => screen.getAllByTestId('notification-row').map((r) => r.dataset.id);

describe('NotificationsSection', () => {
  let held: ReturnType<typeof deferred<UserNotifications>>;
  beforeEach(() => {
    held = deferred<UserNotifications>();
    vi.mocked(backend.userNotifications).mockImplementation((_id, page) => (page === 0 ? Promise.resolve(someNotifications()) : held.promise));
    vi.mocked(backend.deleteNotifications).mockResolvedValue({ matched: 1, modified: 1 });
  });

  it('selects only rows shown now: stale rows are off while the next page loads', async () => {
    const { user } = renderSection();
    await screen.findByTestId('notifications-table');
    await user.click(within(notificationRow('n1')).getByTestId('notification-select'));
    expect(screen.getByTestId('feed-delete')).not.toHaveAttribute('data-disabled');

    // Page 1 is asked for and held: page 0 stays, dimmed, and nothing on it can be selected or changed.
    await user.click(screen.getByTestId('notifications-next'));
    await waitFor(() => expect(backend.userNotifications).toHaveBeenCalledWith(USER_ID, 1, 25));
    expect(screen.getByTestId('notifications-table')).toHaveStyle({ opacity: '0.6' });
    expect(shownIds()).toEqual(['n1', 'n2']);
    for (const box of screen.getAllByTestId('notification-select')) expect(box).toBeDisabled();
    expect(screen.getByTestId('notifications-select-all')).toBeDisabled();
    await user.click(screen.getByTestId('notifications-select-all'));
    await user.click(within(notificationRow('n2')).getByTestId('notification-select'));
    expect(screen.getByTestId('notifications-bulk')).not.toHaveTextContent('selected');
    for (const id of BULK_BUTTONS) expect(screen.getByTestId(id)).toHaveAttribute('data-disabled', 'true');
    await user.click(screen.getByTestId('feed-delete'));
    expect(screen.queryByTestId('feed-delete-confirm')).not.toBeInTheDocument();

    // Page 1 arrives: nothing from page 0 is selected, and a delete sends only what is shown and selected.
    await act(async () => held.resolve(PAGE_1));
    await waitFor(() => expect(shownIds()).toEqual(['n3', 'n4']));
    expect(screen.getByTestId('notifications-table')).toHaveStyle({ opacity: '1' });
    for (const box of screen.getAllByTestId('notification-select')) {
      expect(box).not.toBeDisabled();
      expect(box).not.toBeChecked();
    }
    expect(screen.getByTestId('notifications-select-all')).not.toBeChecked();
    expect(screen.getByTestId('notifications-bulk')).not.toHaveTextContent('selected');
    expect(screen.getByTestId('feed-delete')).toHaveAttribute('data-disabled', 'true');
    await user.click(within(notificationRow('n4')).getByTestId('notification-select'));
    expect(screen.getByTestId('notifications-bulk')).toHaveTextContent('1 selected');
    await user.click(screen.getByTestId('feed-delete'));
    await user.click(await screen.findByTestId('feed-delete-confirm'));
    await waitFor(() => expect(backend.deleteNotifications).toHaveBeenCalledTimes(1));
    expect(backend.deleteNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: 'n4' }]);
  });

  it('counts and selects all only among the rows shown after a refetch drops some', async () => {
    let call = 0;
    vi.mocked(backend.userNotifications).mockImplementation(async () =>
      call++ === 0 ? someNotifications() : someNotifications({ rows: someNotifications().rows.slice(1), total: 39 }),
    );
    vi.mocked(backend.markNotifications).mockResolvedValue({ matched: 1, modified: 1 });
    const { user, client } = renderSection();
    await screen.findByTestId('notifications-table');
    await user.click(within(notificationRow('n1')).getByTestId('notification-select'));
    expect(screen.getByTestId('notifications-bulk')).toHaveTextContent('1 selected');

    // n1 is gone (deleted elsewhere): it no longer counts, and "select all" means n2 alone.
    await act(() => client.invalidateQueries({ queryKey: queryKeys.userNotifications(USER_ID, 0) }));
    await waitFor(() => expect(shownIds()).toEqual(['n2']));
    expect(screen.getByTestId('notifications-bulk')).not.toHaveTextContent('selected');
    expect(screen.getByTestId('notifications-select-all')).not.toBeChecked();
    await user.click(screen.getByTestId('notifications-select-all'));
    expect(screen.getByTestId('notifications-select-all')).toBeChecked();
    expect(screen.getByTestId('notifications-bulk')).toHaveTextContent('1 selected');
    await user.click(screen.getByTestId('feed-mark-read'));
    await waitFor(() => expect(backend.markNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: 'n2' }], true));
  });
});
