import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import type { Overview, SeedProgress } from '../../backend';
import { queryKeys } from '../../queries';
import { aProductionOverview, anOverview } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { OverviewScreen } from './OverviewScreen';

vi.mock('../../backend');

/** Renders the screen the way App does after connect: the overview already cached. */
function renderOverview(overview: Overview, onDisconnected = vi.fn()) {
  vi.mocked(backend.overview).mockResolvedValue(overview);
  const r = renderWithProviders(<OverviewScreen onDisconnected={onDisconnected} />);
  r.client.setQueryData(queryKeys.overview, overview);
  return { ...r, onDisconnected };
}

const row = (name: string) => {
  const el = screen.getAllByTestId('collection-row').find((r) => r.dataset.name === name);
  if (!el) throw new Error(`no row ${name}`);
  return el;
};

describe('OverviewScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([]);
  });

  it('lists the collections sorted by name with formatted counts and kinds', async () => {
    renderOverview(anOverview());
    await screen.findByTestId('overview');
    const names = screen.getAllByTestId('collection-row').map((r) => r.dataset.name);
    expect(names).toEqual(['admin_audit_log', 'crm_contacts', 'legacy', 'users']);
    expect(within(row('users')).getByTestId('collection-count')).toHaveTextContent('1,234,567');
    expect(within(row('crm_contacts')).getByTestId('collection-count')).toHaveTextContent('4,008');
    expect(within(row('admin_audit_log')).getByTestId('collection-count')).toHaveTextContent(/^0$/);
    expect(within(row('users')).getByTestId('collection-kind')).toHaveTextContent('core');
    expect(within(row('crm_contacts')).getByTestId('collection-kind')).toHaveTextContent('plugin');
    expect(within(row('admin_audit_log')).getByTestId('collection-kind')).toHaveTextContent('audit');
    const missing = within(row('legacy')).getByTestId('collection-count');
    expect(missing).toHaveTextContent('—');
    expect(missing).toHaveAttribute('data-error', 'not authorized to count legacy');
  });

  it('names the profile, database, server and environment', async () => {
    renderOverview(anOverview());
    const root = await screen.findByTestId('overview');
    expect(root).toHaveTextContent('Local development');
    expect(screen.getByTestId('overview-database')).toHaveTextContent('MozaiksCore');
    expect(screen.getByTestId('overview-server')).toHaveTextContent('MongoDB 8.0.4');
    expect(root).toHaveTextContent('Standalone');
    expect(screen.getByTestId('env-badge')).toHaveTextContent('Development');
    expect(screen.getByTestId('read-only-badge')).toHaveTextContent('Writable');
  });

  it('marks a production connection with the production badge and read-only', async () => {
    renderOverview(aProductionOverview());
    await screen.findByTestId('overview');
    const badge = screen.getByTestId('env-badge');
    expect(badge).toHaveTextContent(/production/i);
    expect(badge).toHaveAttribute('data-environment', 'production');
    expect(screen.getByTestId('read-only-badge')).toHaveTextContent('Read-only');
    expect(screen.getByTestId('read-only-switch')).toBeChecked();
    expect(screen.getByTestId('overview')).toHaveTextContent('Replica set');
  });

  it('turning read-only off on production requires typing the database name', async () => {
    const writable = aProductionOverview({ read_only: false });
    vi.mocked(backend.setReadOnly).mockResolvedValue(writable);
    const { user } = renderOverview(aProductionOverview());
    await screen.findByTestId('overview');

    await user.click(screen.getByTestId('read-only-switch'));
    const input = await screen.findByTestId('confirm-database-input');
    const confirm = screen.getByTestId('confirm-read-only-off');
    expect(backend.setReadOnly).not.toHaveBeenCalled();
    expect(screen.getByTestId('read-only-switch')).toBeChecked();
    expect(confirm).toBeDisabled();

    await user.type(input, 'clien');
    expect(confirm).toBeDisabled();
    await user.type(input, 't');
    expect(confirm).toBeEnabled();
    await user.click(confirm);

    await waitFor(() => expect(backend.setReadOnly).toHaveBeenCalledWith(false, 'client'));
    await waitFor(() => expect(screen.getByTestId('read-only-switch')).not.toBeChecked());
    expect(screen.getByTestId('read-only-badge')).toHaveTextContent('Writable');
    await waitFor(() => expect(screen.queryByTestId('confirm-database-input')).not.toBeInTheDocument());
  });

  it('shows a refused confirmation inside the dialog', async () => {
    vi.mocked(backend.setReadOnly).mockRejectedValue(backendError({ type: 'confirmation_required', data: { expected: 'client' } }));
    const { user } = renderOverview(aProductionOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('read-only-switch'));
    await user.type(await screen.findByTestId('confirm-database-input'), 'client');
    await user.click(screen.getByTestId('confirm-read-only-off'));
    const error = await screen.findByTestId('read-only-error');
    expect(error).toHaveTextContent('Confirmation required');
    expect(screen.getByTestId('read-only-switch')).toBeChecked();
  });

  it('toggles read-only on development without a confirmation', async () => {
    vi.mocked(backend.setReadOnly).mockResolvedValue(anOverview({ read_only: true }));
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('read-only-switch'));
    await waitFor(() => expect(backend.setReadOnly).toHaveBeenCalledWith(true, null));
    await waitFor(() => expect(screen.getByTestId('read-only-switch')).toBeChecked());
    expect(screen.queryByTestId('confirm-database-input')).not.toBeInTheDocument();
  });

  it('refreshes the overview', async () => {
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    vi.mocked(backend.overview).mockResolvedValue(
      anOverview({ collections: [{ name: 'users', kind: 'core', is_view: false, estimated_count: 2001, count_error: null }] }),
    );
    await user.click(screen.getByTestId('refresh-overview'));
    await waitFor(() => expect(within(row('users')).getByTestId('collection-count')).toHaveTextContent('2,001'));
    expect(screen.getAllByTestId('collection-row')).toHaveLength(1);
  });

  it('disconnects', async () => {
    vi.mocked(backend.disconnect).mockResolvedValue(null);
    const { user, onDisconnected } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('disconnect'));
    await waitFor(() => expect(onDisconnected).toHaveBeenCalled());
    expect(backend.disconnect).toHaveBeenCalled();
  });

  it('does not offer seeding on a read-only connection', async () => {
    const { user } = renderOverview(anOverview({ read_only: true }));
    await screen.findByTestId('overview');
    const button = screen.getByTestId('seed-open');
    expect(button).toHaveAttribute('data-disabled', 'true');
    await user.click(button);
    expect(screen.queryByTestId('seed-modal')).not.toBeInTheDocument();
  });

  it('seeds demo data with progress, then refreshes the overview', async () => {
    let report!: (p: SeedProgress) => void;
    let finish!: () => void;
    vi.mocked(backend.seedDemoData).mockImplementation(
      (users, _confirm, onProgress) =>
        new Promise((resolve) => {
          report = onProgress;
          finish = () => resolve({ collections: [{ name: 'users', documents: users }], elapsed_ms: 1500 });
        }),
    );
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('seed-open'));
    const modal = await screen.findByTestId('seed-modal');
    expect(modal).toHaveTextContent('Replaces the demo collections');
    expect(screen.getByTestId('seed-users')).toHaveValue('2,000');

    await user.click(screen.getByTestId('seed-start'));
    expect(backend.seedDemoData).toHaveBeenCalledWith(2000, null, expect.any(Function));
    report({ collection: 'users', written: 1000, expected: 2000 });
    report({ collection: 'notifications', written: 0, expected: 32000 });
    const progressRow = await screen.findByText('1,000 / 2,000');
    expect(progressRow).toBeInTheDocument();
    expect(screen.getAllByTestId('seed-progress-row').map((r) => r.dataset.name)).toEqual(['users', 'notifications']);

    const overviewCalls = vi.mocked(backend.overview).mock.calls.length;
    finish();
    expect(await screen.findByTestId('seed-report')).toHaveTextContent('2,000 documents in 1.5 s');
    await waitFor(() => expect(vi.mocked(backend.overview).mock.calls.length).toBeGreaterThan(overviewCalls));
  });

  it('shows a seed refused by the backend', async () => {
    vi.mocked(backend.seedDemoData).mockRejectedValue(backendError({ type: 'read_only' }));
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('seed-open'));
    await user.clear(await screen.findByTestId('seed-users'));
    await user.type(screen.getByTestId('seed-users'), '50');
    await user.click(screen.getByTestId('seed-start'));
    expect(backend.seedDemoData).toHaveBeenCalledWith(50, null, expect.any(Function));
    expect(await screen.findByTestId('seed-error')).toHaveTextContent('Read-only connection');
  });

  it('asks for the database name typed back when the backend wants it, then retries with it', async () => {
    vi.mocked(backend.seedDemoData)
      .mockRejectedValueOnce(backendError({ type: 'confirmation_required', data: { expected: 'MozaiksCore' } }))
      .mockResolvedValueOnce({ collections: [{ name: 'users', documents: 2000 }], elapsed_ms: 10 });
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('seed-open'));
    await user.click(await screen.findByTestId('seed-start'));
    expect(await screen.findByTestId('seed-confirm')).toHaveTextContent('MozaiksCore');
    expect(screen.getByTestId('seed-confirm-start')).toBeDisabled();
    await user.type(screen.getByTestId('seed-confirm-input'), 'MozaiksCore');
    await user.click(screen.getByTestId('seed-confirm-start'));
    expect(backend.seedDemoData).toHaveBeenLastCalledWith(2000, 'MozaiksCore', expect.any(Function));
    expect(await screen.findByTestId('seed-report')).toBeInTheDocument();
  });

  it('shows why seeding production is refused', async () => {
    vi.mocked(backend.seedDemoData).mockRejectedValue(backendError({ type: 'refused', data: { reason: 'seeding a production database is never done' } }));
    const { user } = renderOverview(anOverview());
    await screen.findByTestId('overview');
    await user.click(screen.getByTestId('seed-open'));
    await user.click(await screen.findByTestId('seed-start'));
    expect(await screen.findByTestId('seed-error')).toHaveTextContent('Seeding a production database is never done.');
  });

  it('goes back to connections when the backend is no longer connected', async () => {
    vi.mocked(backend.overview).mockRejectedValue(backendError({ type: 'not_connected' }));
    const onDisconnected = vi.fn();
    const { user } = renderWithProviders(<OverviewScreen onDisconnected={onDisconnected} />);
    const error = await screen.findByTestId('overview-error');
    expect(error).toHaveTextContent('Not connected');
    await user.click(within(error).getByRole('button', { name: 'Back to connections' }));
    expect(onDisconnected).toHaveBeenCalled();
  });
});
