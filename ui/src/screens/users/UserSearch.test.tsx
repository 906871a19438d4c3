import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { UserRow } from '../../backend';
import { aUserRow } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { SEARCH_DEBOUNCE_MS, UserSearch } from './UserSearch';

vi.mock('../../backend');

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const results = () => screen.queryAllByTestId('user-search-result').map((r) => r.dataset.email);
const type = (value: string) => fireEvent.change(screen.getByTestId('user-search'), { target: { value } });
const elapse = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('UserSearch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for a pause in typing, then searches once for the whole text', async () => {
    vi.mocked(backend.searchUsers).mockResolvedValue([aUserRow({ email: 'ada@example.com' })]);
    renderWithProviders(<UserSearch onOpen={vi.fn()} />);
    type('a');
    await elapse(100);
    type('ad');
    await elapse(100);
    type('ada');
    await elapse(SEARCH_DEBOUNCE_MS - 50);
    expect(backend.searchUsers).not.toHaveBeenCalled();

    await elapse(60);
    await waitFor(() => expect(backend.searchUsers).toHaveBeenCalledTimes(1));
    expect(backend.searchUsers).toHaveBeenCalledWith('ada');
    await waitFor(() => expect(results()).toEqual(['ada@example.com']));
  });

  it('shows only the newest text’s results, whatever order the answers come in', async () => {
    const slow = deferred<UserRow[]>();
    const fast = deferred<UserRow[]>();
    vi.mocked(backend.searchUsers).mockImplementation((text) => (text === 'al' ? slow.promise : fast.promise));
    renderWithProviders(<UserSearch onOpen={vi.fn()} />);

    type('al');
    await elapse(SEARCH_DEBOUNCE_MS + 10);
    expect(backend.searchUsers).toHaveBeenLastCalledWith('al');
    type('alan');
    await elapse(SEARCH_DEBOUNCE_MS + 10);
    expect(backend.searchUsers).toHaveBeenLastCalledWith('alan');

    fast.resolve([aUserRow({ id: '65f1c0de0000000000000002', email: 'alan@example.com' })]);
    await waitFor(() => expect(results()).toEqual(['alan@example.com']));

    // The answer for the older text arrives last: it must not replace the newer one.
    slow.resolve([
      aUserRow({ id: '65f1c0de0000000000000001', email: 'alice@example.com' }),
      aUserRow({ id: '65f1c0de0000000000000002', email: 'alan@example.com' }),
    ]);
    await elapse(50);
    expect(results()).toEqual(['alan@example.com']);
  });

  it('explains a malformed id inline, without a toast', async () => {
    vi.mocked(backend.searchUsers).mockRejectedValue(backendError({ type: 'invalid_id', data: { value: 'xyz' } }));
    renderWithProviders(<UserSearch onOpen={vi.fn()} />);
    type('id:xyz');
    await elapse(SEARCH_DEBOUNCE_MS + 10);
    const message = await screen.findByTestId('user-search-invalid-id');
    expect(message).toHaveTextContent('“xyz” is not a valid user id');
    expect(message).toHaveTextContent('24 hexadecimal digits');
    expect(screen.getByTestId('user-search')).toHaveAttribute('aria-invalid', 'true');
    expect(document.querySelector('.mantine-Notification-root')).toBeNull();
    expect(results()).toEqual([]);
  });

  it('opens the chosen result', async () => {
    const alan = aUserRow({ id: '65f1c0de0000000000000002', email: 'alan@example.com' });
    vi.mocked(backend.searchUsers).mockResolvedValue([aUserRow(), alan]);
    const onOpen = vi.fn();
    renderWithProviders(<UserSearch onOpen={onOpen} />);
    type('a');
    await elapse(SEARCH_DEBOUNCE_MS + 10);
    const option = (await screen.findAllByTestId('user-search-result')).find((r) => r.dataset.email === 'alan@example.com')!;
    fireEvent.click(option);
    expect(onOpen).toHaveBeenCalledWith(alan);
    expect(screen.getByTestId('user-search')).toHaveValue('');
  });

  it('says when nothing matches', async () => {
    vi.mocked(backend.searchUsers).mockResolvedValue([]);
    renderWithProviders(<UserSearch onOpen={vi.fn()} />);
    type('nobody');
    await elapse(SEARCH_DEBOUNCE_MS + 10);
    expect(await screen.findByTestId('user-search-empty')).toHaveTextContent('No user matches “nobody”');
  });
});
