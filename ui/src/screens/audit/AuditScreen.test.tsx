import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { AuditQuery } from '../../backend';
import { anAuditEntry, USER_ID } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { AUDIT_DEBOUNCE_MS, AuditScreen } from './AuditScreen';

vi.mock('../../backend');

const ENTRIES = [
  anAuditEntry(),
  anAuditEntry({
    at: '2025-06-01T08:00:00.000Z',
    collection: 'settings',
    operation: 'set plugin_settings.notes',
    before: '{"theme":"light"}',
    after: '{"theme":"dark"}',
  }),
  anAuditEntry({ at: '2025-05-31T08:00:00.000Z', collection: 'users', operation: 'export_user', target_id: 'not-an-object-id' }),
];

const lastQuery = (): AuditQuery => {
  const calls = vi.mocked(backend.listAudit).mock.calls;
  return calls[calls.length - 1][0];
};

describe('AuditScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.listAudit).mockResolvedValue(ENTRIES);
  });

  it('lists the newest entries with who, where and what', async () => {
    renderWithProviders(<AuditScreen onOpenUser={vi.fn()} />);
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(3));
    expect(backend.listAudit).toHaveBeenCalledWith({ text: null, collection: null, operation: null, limit: 200 });
    const first = screen.getAllByTestId('audit-row')[0];
    expect(first).toHaveTextContent('Local development');
    expect(first).toHaveTextContent('admin');
    expect(first).toHaveTextContent('update_user');
    expect(screen.getByTestId('audit-count')).toHaveTextContent('3 entries');
  });

  it('sends the filters to listAudit, the text once typing pauses', async () => {
    const { user } = renderWithProviders(<AuditScreen onOpenUser={vi.fn()} />);
    await screen.findAllByTestId('audit-row');

    await user.click(screen.getByTestId('audit-collection'));
    await user.click(await screen.findByRole('option', { name: 'settings' }));
    await waitFor(() => expect(lastQuery()).toEqual({ text: null, collection: 'settings', operation: null, limit: 200 }));

    await user.click(screen.getByTestId('audit-operation'));
    await user.click(await screen.findByRole('option', { name: 'set plugin_settings.notes' }));
    await waitFor(() =>
      expect(lastQuery()).toEqual({ text: null, collection: 'settings', operation: 'set plugin_settings.notes', limit: 200 }),
    );

    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const calls = vi.mocked(backend.listAudit).mock.calls.length;
      fireEvent.change(screen.getByTestId('audit-text'), { target: { value: 'ada' } });
      await vi.advanceTimersByTimeAsync(AUDIT_DEBOUNCE_MS - 100);
      expect(vi.mocked(backend.listAudit).mock.calls.length).toBe(calls);
      await vi.advanceTimersByTimeAsync(150);
      await waitFor(() =>
        expect(lastQuery()).toEqual({ text: 'ada', collection: 'settings', operation: 'set plugin_settings.notes', limit: 200 }),
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens the 360 view from a user target id, and only from one', async () => {
    const onOpenUser = vi.fn();
    const { user } = renderWithProviders(<AuditScreen onOpenUser={onOpenUser} />);
    await screen.findAllByTestId('audit-row');
    const targets = screen.getAllByTestId('audit-target');
    expect(targets).toHaveLength(2); // the malformed id is plain text
    await user.click(targets[1]);
    expect(onOpenUser).toHaveBeenCalledWith(USER_ID);
    expect(screen.queryByTestId('audit-change')).not.toBeInTheDocument();
  });

  it('expands an entry to its before and after', async () => {
    const { user } = renderWithProviders(<AuditScreen onOpenUser={vi.fn()} />);
    const rows = await screen.findAllByTestId('audit-row');
    await user.click(rows[1]);
    const change = await screen.findByTestId('audit-change');
    expect(change).toHaveTextContent('Before');
    expect(change).toHaveTextContent('"theme": "light"');
    expect(change).toHaveTextContent('"theme": "dark"');
    await user.click(rows[1]);
    await waitFor(() => expect(screen.queryByTestId('audit-change')).not.toBeInTheDocument());
  });

  it('has an empty state and an error state', async () => {
    vi.mocked(backend.listAudit).mockResolvedValue([]);
    const { unmount } = renderWithProviders(<AuditScreen onOpenUser={vi.fn()} />);
    expect(await screen.findByTestId('audit-empty')).toHaveTextContent('No writes recorded yet');
    unmount();

    vi.mocked(backend.listAudit).mockRejectedValue(backendError({ type: 'storage', data: { message: 'permission denied' } }));
    renderWithProviders(<AuditScreen onOpenUser={vi.fn()} />);
    const error = await screen.findByTestId('audit-error');
    expect(within(error).getByText('Local file error')).toBeInTheDocument();
  });
});
