import { act, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { FeedQuery } from '../../backend';
import type { EChartProps } from '../../components/EChart';
import { queryKeys } from '../../queries';
import { aFeedPage, aFeedRow, anOverview, aUserLabel, feedRows, USER_ID } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { initialFeedState, type FeedState } from './feedState';
import { chartOption } from './NotificationChart';
import { NotificationsScreen } from './NotificationsScreen';

vi.mock('../../backend');
// ECharts draws nothing useful in jsdom: a button stands in for the chart and
// "clicks" the unread mention bar of 2025-06-01.
vi.mock('../../components/EChart', () => ({
  EChart: ({ onClick, testId }: EChartProps) => (
    <button
      type="button"
      data-testid={testId}
      onClick={() =>
        onClick?.({
          componentType: 'series',
          seriesId: 'mention:unread',
          name: '2025-06-01',
          data: { value: 4, day: '2025-06-01', type: 'mention', read: false },
        })
      }
    >
      chart
    </button>
  ),
}));

function Harness({ onOpenUser }: { onOpenUser: (id: string) => void }) {
  const [state, setState] = useState<FeedState>(initialFeedState);
  return <NotificationsScreen state={state} onStateChange={setState} onOpenUser={onOpenUser} />;
}

function renderFeed() {
  const onOpenUser = vi.fn();
  const r = renderWithProviders(<Harness onOpenUser={onOpenUser} />);
  act(() => r.client.setQueryData(queryKeys.overview, anOverview()));
  return { ...r, onOpenUser };
}

const lastQuery = (): FeedQuery => {
  const calls = vi.mocked(backend.notificationFeed).mock.calls;
  return calls[calls.length - 1][0];
};

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const BULK_BUTTONS = ['feed-mark-read', 'feed-mark-unread', 'feed-delete'];

const row = (id: string) => {
  const r = screen.getAllByTestId('feed-row').find((el) => el.dataset.id === id);
  if (!r) throw new Error(`no row ${id}`);
  return r;
};

describe('NotificationsScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.notificationFeed).mockResolvedValue(aFeedPage(feedRows(3)));
    vi.mocked(backend.notificationTtl).mockResolvedValue({ expire_after_seconds: 2_592_000, warning: null });
    vi.mocked(backend.notificationChart).mockResolvedValue([{ day: '2025-06-01', type: 'mention', read: 2, unread: 4 }]);
  });

  it('sends the filters to the backend and pages by cursor', async () => {
    vi.mocked(backend.notificationFeed).mockImplementation(async (q) =>
      aFeedPage(feedRows(3), q.after === null ? 'c1' : q.after === 'c1' ? 'c2' : null),
    );
    const { user, onOpenUser } = renderFeed();
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(3));
    expect(backend.notificationFeed).toHaveBeenCalledWith({
      type: null,
      read: null,
      created_from: null,
      created_to: null,
      user_id: null,
      after: null,
      page_size: 50,
    });
    const first = row('66a000000000000000000001');
    expect(first).toHaveAttribute('data-user-id', USER_ID);
    expect(first).toHaveAttribute('data-read', 'false');
    expect(within(first).getByTestId('read-badge')).toHaveTextContent('unread');

    await user.click(screen.getByTestId('feed-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'c1' }));
    await waitFor(() => expect(screen.getByTestId('feed-next')).not.toBeDisabled());
    await user.click(screen.getByTestId('feed-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'c2' }));
    await waitFor(() => expect(screen.getByTestId('feed-page-range')).toHaveTextContent('101–103'));
    expect(screen.getByTestId('feed-next')).toBeDisabled();
    await user.click(screen.getByTestId('feed-prev'));
    await waitFor(() => expect(screen.getByTestId('feed-page-range')).toHaveTextContent('51–53'));

    // A filter starts over at the first page.
    await user.click(within(screen.getByTestId('feed-read-filter')).getByText('Unread'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ read: false, after: null }));
    await user.click(screen.getByTestId('feed-type-filter'));
    await user.click(await screen.findByRole('option', { name: 'billing' }));
    await waitFor(() => expect(lastQuery()).toMatchObject({ type: 'billing', read: false, after: null }));

    await user.click(within(row('66a000000000000000000002')).getByTestId('feed-user-link'));
    expect(onOpenUser).toHaveBeenCalledWith(USER_ID);
  });

  it('names each row\'s user by email and username, a user with no label as deleted, the id on hover', async () => {
    const gone = '65f1c0de00000000000000ee';
    vi.mocked(backend.notificationFeed).mockResolvedValue(
      aFeedPage(
        [aFeedRow({ id: '66a000000000000000000001' }), aFeedRow({ id: '66a000000000000000000002', user_id: gone })],
        null,
        [aUserLabel({ id: USER_ID, email: 'ada.lovelace@example.com', username: 'ada_lovelace' })],
      ),
    );
    const { user, onOpenUser } = renderFeed();
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(2));

    const labelled = row('66a000000000000000000001');
    expect(labelled).toHaveAttribute('data-user-id', USER_ID);
    expect(labelled).toHaveTextContent('ada.lovelace@example.com');
    expect(row('66a000000000000000000002')).toHaveTextContent('deleted user');
    const ada = within(labelled).getByTestId('feed-user');
    expect(ada).toHaveTextContent('ada.lovelace@example.com');
    expect(ada).toHaveTextContent('ada_lovelace');
    expect(ada).not.toHaveTextContent(USER_ID);

    const deleted = row('66a000000000000000000002');
    expect(deleted).toHaveAttribute('data-user-id', gone);
    const nobody = within(deleted).getByTestId('feed-user');
    expect(nobody).toHaveTextContent('deleted user');
    expect(nobody).not.toHaveTextContent(gone);

    await user.hover(ada);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(USER_ID);
    await user.unhover(ada);
    await waitFor(() => expect(screen.queryByRole('tooltip')).not.toBeInTheDocument());
    await user.hover(nobody);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(gone);

    await user.click(within(labelled).getByTestId('feed-user-link'));
    expect(onOpenUser).toHaveBeenCalledWith(USER_ID);
    await user.click(within(deleted).getByTestId('feed-user-link'));
    expect(onOpenUser).toHaveBeenLastCalledWith(gone);
  });

  it('relabels a row whose user changes on reload (the memoized row re-renders)', async () => {
    const { client } = renderFeed();
    vi.mocked(backend.notificationFeed).mockResolvedValue(aFeedPage(feedRows(1), null, [aUserLabel()]));
    await waitFor(() => expect(row('66a000000000000000000001')).toHaveTextContent('ada.lovelace@example.com'));
    // The same rows, the user now erased: only the label changes.
    const page = client.getQueryData<backend.FeedPage>(queryKeys.notificationFeed(lastQuery()));
    if (!page) throw new Error('no feed page');
    act(() => client.setQueryData(queryKeys.notificationFeed(lastQuery()), { ...page, users: [] }));
    await waitFor(() => expect(within(row('66a000000000000000000001')).getByTestId('feed-user')).toHaveTextContent('deleted user'));
  });

  it('marks the selected notifications read and reports the counts', async () => {
    const other = '65f1c0de00000000000000ff';
    vi.mocked(backend.notificationFeed).mockResolvedValue(
      aFeedPage([aFeedRow({ id: '66a000000000000000000001' }), aFeedRow({ id: '66a000000000000000000002', user_id: other }), aFeedRow({ id: '66a000000000000000000003' })]),
    );
    vi.mocked(backend.markNotifications).mockResolvedValue({ matched: 2, modified: 1 });
    const { user } = renderFeed();
    await screen.findAllByTestId('feed-row');
    await user.click(within(row('66a000000000000000000001')).getByTestId('feed-select'));
    await user.click(within(row('66a000000000000000000002')).getByTestId('feed-select'));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('2 notifications selected');
    const feedCalls = vi.mocked(backend.notificationFeed).mock.calls.length;
    const chartCalls = vi.mocked(backend.notificationChart).mock.calls.length;

    await user.click(screen.getByTestId('feed-mark-read'));
    await waitFor(() =>
      expect(backend.markNotifications).toHaveBeenCalledWith(
        [
          { user_id: USER_ID, id: '66a000000000000000000001' },
          { user_id: other, id: '66a000000000000000000002' },
        ],
        true,
      ),
    );
    expect(await screen.findByText('2 matched, 1 modified')).toBeInTheDocument();
    // The feed and the chart reload; the selection is cleared.
    await waitFor(() => expect(vi.mocked(backend.notificationFeed).mock.calls.length).toBeGreaterThan(feedCalls));
    await waitFor(() => expect(vi.mocked(backend.notificationChart).mock.calls.length).toBeGreaterThan(chartCalls));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('Select notifications');
  });

  it('reloads and clears the selection when a bulk change stops part-way, and marks the server lost', async () => {
    const message = 'Stopped at user 65f1c0de00000000000000ff (lost). Before that, 1 matched and 1 changed.';
    vi.mocked(backend.markNotifications).mockRejectedValue(
      backendError({
        type: 'partly_applied',
        data: { message, matched: 1, modified: 1, stopped_at_user: '65f1c0de00000000000000ff', cause: 'connection_lost' },
      }),
    );
    const { user, client } = renderFeed();
    await screen.findAllByTestId('feed-row');
    await user.click(within(row('66a000000000000000000001')).getByTestId('feed-select'));
    const feedCalls = vi.mocked(backend.notificationFeed).mock.calls.length;
    const audit = vi.spyOn(client, 'invalidateQueries');

    await user.click(screen.getByTestId('feed-mark-read'));
    expect(await screen.findByText(message)).toBeInTheDocument();
    // What is shown and selected was changed in part: both are refreshed.
    await waitFor(() => expect(vi.mocked(backend.notificationFeed).mock.calls.length).toBeGreaterThan(feedCalls));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('Select notifications');
    expect(audit).toHaveBeenCalledWith({ queryKey: queryKeys.auditLog });
    expect(client.getQueryData(queryKeys.health)).toEqual({ state: 'lost', message });
  });

  it('deletes the selection only after confirming', async () => {
    vi.mocked(backend.deleteNotifications).mockResolvedValue({ matched: 1, modified: 1 });
    const { user } = renderFeed();
    await screen.findAllByTestId('feed-row');
    await user.click(within(row('66a000000000000000000003')).getByTestId('feed-select'));
    await user.click(screen.getByTestId('feed-delete'));
    expect(backend.deleteNotifications).not.toHaveBeenCalled();
    await user.click(await screen.findByTestId('feed-delete-confirm'));
    await waitFor(() => expect(backend.deleteNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: '66a000000000000000000003' }]));
    expect(await screen.findByText('1 matched, 1 modified')).toBeInTheDocument();
  });

  it('selects only rows shown now: stale rows are off while the next page loads', async () => {
    const page2 = [aFeedRow({ id: '66a000000000000000000051', title: 'Page 2, first' }), aFeedRow({ id: '66a000000000000000000052', title: 'Page 2, second' })];
    const held = deferred<backend.FeedPage>();
    vi.mocked(backend.notificationFeed).mockImplementation((q) => (q.after === null ? Promise.resolve(aFeedPage(feedRows(3), 'c1')) : held.promise));
    vi.mocked(backend.deleteNotifications).mockResolvedValue({ matched: 1, modified: 1 });
    const { user } = renderFeed();
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(3));
    await user.click(within(row('66a000000000000000000001')).getByTestId('feed-select'));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('1 notification selected');

    // Page 2 is asked for and held: page 1 stays, dimmed, and nothing on it can be selected or changed.
    await user.click(screen.getByTestId('feed-next'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ after: 'c1' }));
    expect(screen.getByTestId('feed-table')).toHaveAttribute('aria-busy', 'true');
    expect(screen.getAllByTestId('feed-row')).toHaveLength(3);
    for (const box of screen.getAllByTestId('feed-select')) expect(box).toBeDisabled();
    expect(screen.getByTestId('feed-select-all')).toBeDisabled();
    await user.click(screen.getByTestId('feed-select-all'));
    await user.click(within(row('66a000000000000000000002')).getByTestId('feed-select'));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('Select notifications');
    for (const id of BULK_BUTTONS) expect(screen.getByTestId(id)).toHaveAttribute('data-disabled', 'true');
    await user.click(screen.getByTestId('feed-delete'));
    expect(screen.queryByTestId('feed-delete-confirm')).not.toBeInTheDocument();

    // Page 2 arrives: nothing from page 1 is selected, and a delete sends only what is shown and selected.
    await act(async () => held.resolve(aFeedPage(page2)));
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(2));
    expect(screen.getByTestId('feed-table')).toHaveAttribute('aria-busy', 'false');
    for (const box of screen.getAllByTestId('feed-select')) expect(box).not.toBeChecked();
    expect(screen.getByTestId('feed-select-all')).not.toBeChecked();
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('Select notifications');
    expect(screen.getByTestId('feed-delete')).toHaveAttribute('data-disabled', 'true');
    await user.click(within(row('66a000000000000000000052')).getByTestId('feed-select'));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('1 notification selected');
    await user.click(screen.getByTestId('feed-delete'));
    await user.click(await screen.findByTestId('feed-delete-confirm'));
    await waitFor(() => expect(backend.deleteNotifications).toHaveBeenCalledTimes(1));
    expect(backend.deleteNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: '66a000000000000000000052' }]);
  });

  it('keeps stale rows off while a new filter loads, then drops what is not shown', async () => {
    const held = deferred<backend.FeedPage>();
    vi.mocked(backend.notificationFeed).mockImplementation((q) =>
      q.read === null ? Promise.resolve(aFeedPage(feedRows(3))) : held.promise,
    );
    vi.mocked(backend.markNotifications).mockResolvedValue({ matched: 1, modified: 1 });
    const { user } = renderFeed();
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(3));

    await user.click(within(screen.getByTestId('feed-read-filter')).getByText('Unread'));
    await waitFor(() => expect(lastQuery()).toMatchObject({ read: false }));
    expect(screen.getByTestId('feed-table')).toHaveAttribute('aria-busy', 'true');
    expect(screen.getByTestId('feed-select-all')).toBeDisabled();
    for (const box of screen.getAllByTestId('feed-select')) expect(box).toBeDisabled();
    await user.click(screen.getByTestId('feed-select-all'));
    for (const id of BULK_BUTTONS) expect(screen.getByTestId(id)).toHaveAttribute('data-disabled', 'true');
    await user.click(screen.getByTestId('feed-mark-read'));
    expect(backend.markNotifications).not.toHaveBeenCalled();

    // The filtered page keeps one of the three rows: only it can be selected and changed.
    await act(async () => held.resolve(aFeedPage([aFeedRow({ id: '66a000000000000000000002' })])));
    await waitFor(() => expect(screen.getAllByTestId('feed-row')).toHaveLength(1));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('Select notifications');
    await user.click(screen.getByTestId('feed-select-all'));
    expect(screen.getByTestId('feed-selection')).toHaveTextContent('1 notification selected');
    await user.click(screen.getByTestId('feed-mark-read'));
    await waitFor(() => expect(backend.markNotifications).toHaveBeenCalledWith([{ user_id: USER_ID, id: '66a000000000000000000002' }], true));
  });

  it('keeps the bulk actions off on a read-only connection', async () => {
    const { user, client } = renderFeed();
    act(() => client.setQueryData(queryKeys.overview, anOverview({ read_only: true })));
    await screen.findAllByTestId('feed-row');
    await user.click(within(row('66a000000000000000000001')).getByTestId('feed-select'));
    await user.click(screen.getByTestId('feed-mark-read'));
    expect(screen.getByTestId('feed-mark-read')).toHaveAttribute('data-disabled', 'true');
    expect(screen.getByTestId('feed-compose')).toHaveAttribute('data-disabled', 'true');
    expect(backend.markNotifications).not.toHaveBeenCalled();
  });

  it('shows the TTL warning when the backend gives one, else the TTL line', async () => {
    vi.mocked(backend.notificationTtl).mockResolvedValue({ expire_after_seconds: null, warning: 'No TTL index on notifications: they are kept forever.' });
    const { unmount } = renderFeed();
    expect(await screen.findByTestId('ttl-warning')).toHaveTextContent('kept forever');
    unmount();
    vi.mocked(backend.notificationTtl).mockResolvedValue({ expire_after_seconds: 2_592_000, warning: null });
    renderFeed();
    expect(await screen.findByTestId('ttl-info')).toHaveTextContent('Notifications expire after 30 days (TTL index)');
    expect(screen.queryByTestId('ttl-warning')).not.toBeInTheDocument();
  });

  it('filters the feed to the type and day of a clicked bar', async () => {
    const { user } = renderFeed();
    await screen.findAllByTestId('feed-row');
    await user.click(await screen.findByTestId('notification-chart'));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({
        type: 'mention',
        created_from: '2025-06-01T00:00:00Z',
        created_to: '2025-06-02T00:00:00Z',
        after: null,
      }),
    );
    expect(screen.getByTestId('feed-created-from')).toHaveValue('2025-06-01');
    expect(screen.getByTestId('feed-created-to')).toHaveValue('2025-06-01');
  });

  it('stacks the chart by type, read and unread apart', () => {
    const option = chartOption([
      { day: '2025-06-01', type: 'mention', read: 2, unread: 4 },
      { day: '2025-06-02', type: 'custom_kind', read: null, unread: 1 },
    ]) as { series: { id: string; stack: string; data: { value: number; day: string }[] }[]; xAxis: { data: string[] } };
    expect(option.series.map((s) => s.id)).toEqual(['mention:unread', 'mention:read', 'custom_kind:unread', 'custom_kind:read']);
    expect(new Set(option.series.map((s) => s.stack)).size).toBe(1);
    const i = option.xAxis.data.indexOf('2025-06-01');
    expect(option.series[0].data[i]).toMatchObject({ value: 4, day: '2025-06-01' });
    expect(option.series[1].data[i].value).toBe(2);
    expect(option.series[3].data[i + 1].value).toBe(0);
  });
});
