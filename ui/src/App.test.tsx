import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import * as backend from './backend';
import { aProductionOverview, aProfile, anOverview, aUserDetail, aUserPage, aUserSettings, someNotifications, userRows } from './test/fixtures';
import { backendError, renderWithProviders } from './test/render';

vi.mock('./backend');

const prod = aProfile({ id: 'prod', name: 'Production (eu-west)', environment: 'production', read_only: true, color: '#e03131' });
const local = aProfile();

const card = (name: string) => screen.getAllByTestId('profile-card').find((c) => c.dataset.name === name)!;

describe('App', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local, prod]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
    vi.mocked(backend.connectionHealth).mockResolvedValue({ state: 'connected' });
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 3, exact: true });
  });

  it('shows the connection health, turns red when it is lost and refetches when it is back', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.overview).mockResolvedValue(anOverview());
    vi.mocked(backend.connectionHealth).mockResolvedValueOnce({ state: 'lost', message: 'no reply from 127.0.0.1:27017' });
    const { user, client } = renderWithProviders(<App />);
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
      backendError({ type: 'connection_lost', data: { timeout_ms: 3000, message: 'the server stopped answering', details: 'driver text' } }),
    );
    vi.mocked(backend.countUsers).mockResolvedValue({ value: 0, exact: true });
    const { user } = renderWithProviders(<App />);
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
    renderWithProviders(<App />);
    expect(await screen.findByTestId('new-profile')).toBeInTheDocument();
    expect(screen.getByTestId('nav-overview')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('nav-users')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('nav-audit')).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByTestId('app-header')).toHaveTextContent('Not connected');
  });

  it('connecting to production shows the overview, the PRODUCTION badge and the red stripe', async () => {
    vi.mocked(backend.connect).mockResolvedValue(aProductionOverview());
    const { user } = renderWithProviders(<App />);
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
    const { user } = renderWithProviders(<App />);
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
    const { user } = renderWithProviders(<App />);
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
    const { user } = renderWithProviders(<App />);
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

  it('Ctrl+K opens the user search from another screen', async () => {
    vi.mocked(backend.connect).mockResolvedValue(anOverview());
    vi.mocked(backend.listUsers).mockResolvedValue(aUserPage(userRows(1)));
    const { user } = renderWithProviders(<App />);
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await screen.findByTestId('overview');
    await user.keyboard('{Control>}k{/Control}');
    await waitFor(() => expect(screen.getByTestId('user-search')).toHaveFocus());
  });
});
