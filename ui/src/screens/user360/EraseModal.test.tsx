import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import { anErasePlan, USER_ID } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { EraseModal } from './EraseModal';

vi.mock('../../backend');

function renderErase() {
  const onClose = vi.fn();
  const onErased = vi.fn();
  const r = renderWithProviders(<EraseModal opened userId={USER_ID} onClose={onClose} onErased={onErased} />);
  return { ...r, onClose, onErased };
}

/** The plan of a user with no email: the backend asks for the id instead. */
const NO_EMAIL = anErasePlan({ email: '', confirm_with: USER_ID });

/** An earlier erase stopped part-way: the user document is gone, the rest goes by id. */
const RESUMED = anErasePlan({
  email: '',
  confirm_with: USER_ID,
  resumed: true,
  collections: [
    { collection: 'notifications', count: 12 },
    { collection: 'task_manager_tasks', count: 6 },
  ],
});

describe('EraseModal', () => {
  beforeEach(() => {
    vi.mocked(backend.erasePlan).mockResolvedValue(anErasePlan());
  });

  it('asks for the email when the user has one', async () => {
    renderErase();
    const modal = await screen.findByTestId('erase-modal');
    expect(within(modal).getByTestId('erase-instructions')).toHaveTextContent("Type the user's email");
    expect(within(modal).getByTestId('erase-confirm-with')).toHaveTextContent('ada.lovelace@example.com');
    expect(within(modal).getByTestId('erase-confirm')).toBeDisabled();
  });

  it('with no email, stays off for an empty or blank box and sends the id once it is typed', async () => {
    vi.mocked(backend.erasePlan).mockResolvedValue(NO_EMAIL);
    vi.mocked(backend.eraseUser).mockResolvedValue(NO_EMAIL);
    const { user } = renderErase();
    const modal = await screen.findByTestId('erase-modal');
    const confirm = within(modal).getByTestId('erase-confirm');
    const input = within(modal).getByTestId('erase-confirm-input');

    expect(input).toHaveValue('');
    expect(confirm).toBeDisabled();
    await user.type(input, '   ');
    expect(confirm).toBeDisabled();
    await user.click(confirm);
    expect(backend.eraseUser).not.toHaveBeenCalled();
    expect(within(modal).getByTestId('erase-instructions')).toHaveTextContent("Type the user's id (this user has no email)");
    expect(within(modal).getByTestId('erase-confirm-with')).toHaveTextContent(USER_ID);
    await user.clear(input);
    await user.type(input, USER_ID.slice(0, -1));
    expect(confirm).toBeDisabled();
    await user.type(input, USER_ID.slice(-1));
    expect(confirm).toBeEnabled();

    await user.click(confirm);
    await waitFor(() => expect(backend.eraseUser).toHaveBeenCalledWith(USER_ID, USER_ID));
    expect(await screen.findByTestId('erase-done')).toHaveTextContent(USER_ID);
  });

  it('words a resumed erase: the user document is gone, the id deletes what is left', async () => {
    vi.mocked(backend.erasePlan).mockResolvedValue(RESUMED);
    const { user } = renderErase();
    const modal = await screen.findByTestId('erase-modal');
    expect(modal).toHaveTextContent(
      "No user document has this id (an earlier erase may have stopped part-way); its data is still here. Type the user's id to delete what is left",
    );
    expect(within(modal).getByTestId('erase-instructions')).toHaveTextContent('No user document has this id');
    expect(within(modal).queryByText(/no email/)).not.toBeInTheDocument();
    expect(within(modal).getByTestId('erase-plan-total')).toHaveTextContent('18');
    const confirm = within(modal).getByTestId('erase-confirm');
    expect(confirm).toBeDisabled();
    await user.type(within(modal).getByTestId('erase-confirm-input'), USER_ID);
    expect(confirm).toBeEnabled();
  });

  it('shows what a part-way erase deleted and reloads the plan so erasing again finishes', async () => {
    const message =
      'The erase stopped part-way: settings (1) and the user document were deleted; notifications and task_manager_tasks were not. Erase again to finish.';
    vi.mocked(backend.erasePlan).mockResolvedValueOnce(anErasePlan()).mockResolvedValue(RESUMED);
    vi.mocked(backend.eraseUser)
      .mockRejectedValueOnce(
        backendError({
          type: 'partly_applied',
          data: { message, matched: null, modified: null, stopped_at_user: USER_ID, cause: 'connection_lost' },
        }),
      )
      .mockResolvedValue(RESUMED);
    const { user, onErased } = renderErase();
    const modal = await screen.findByTestId('erase-modal');
    await user.type(within(modal).getByTestId('erase-confirm-input'), 'ada.lovelace@example.com');
    await user.click(within(modal).getByTestId('erase-confirm'));
    await waitFor(() => expect(backend.eraseUser).toHaveBeenCalledWith(USER_ID, 'ada.lovelace@example.com'));

    // The backend's message says what was deleted; the plan is asked for again and is now resumed.
    expect(await screen.findByText(message)).toBeInTheDocument();
    await waitFor(() => expect(backend.erasePlan).toHaveBeenCalledTimes(2));
    expect(screen.getByTestId('erase-partly')).toHaveTextContent(message);
    await waitFor(() =>
      expect(screen.getByTestId('erase-instructions')).toHaveTextContent('No user document has this id'),
    );
    expect(screen.getByTestId('erase-plan-total')).toHaveTextContent('18');
    const input = screen.getByTestId('erase-confirm-input');
    expect(input).toHaveValue('');
    expect(screen.getByTestId('erase-confirm')).toBeDisabled();
    // The message stays while the admin types the id.
    await user.type(input, USER_ID);
    expect(screen.getByTestId('erase-partly')).toHaveTextContent(message);

    await user.click(screen.getByTestId('erase-confirm'));
    await waitFor(() => expect(backend.eraseUser).toHaveBeenLastCalledWith(USER_ID, USER_ID));
    const done = await screen.findByTestId('erase-done');
    expect(within(done).getByTestId('erase-deleted-total')).toHaveTextContent('18');
    await user.click(within(done).getByTestId('erase-back'));
    expect(onErased).toHaveBeenCalled();
  });
});
