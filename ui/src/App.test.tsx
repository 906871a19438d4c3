import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import * as backend from './backend';
import { aProductionOverview, aProfile, anOverview, aUserDetail, aUserPage, aUserSettings, someNotifications, userRows } from './test/fixtures';
import { renderWithProviders } from './test/render';

vi.mock('./backend');

const prod = aProfile({ id: 'prod', name: 'Production (eu-west)', environment: 'production', read_only: true, color: '#e03131' });
const local = aProfile();

const card = (name: string) => screen.getAllByTestId('profile-card').find((c) => c.dataset.name === name)!;

describe('App', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local, prod]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
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
    vi.mocked(backend.listUsers).mockImplementation(async (q) => aUserPage(userRows(3), { page: q.page }));
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
