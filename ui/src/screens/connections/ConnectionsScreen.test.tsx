import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import { aProfile, anOverview } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { ConnectionsScreen } from './ConnectionsScreen';

vi.mock('../../backend');

const local = aProfile();
const prod = aProfile({
  id: 'prod',
  name: 'Production (eu-west)',
  uri: 'mongodb+srv://cluster0.example.net/',
  username: 'ops',
  password: 'keychain',
  environment: 'production',
  read_only: true,
  color: '#e03131',
});
const staging = aProfile({
  id: 'stage',
  name: 'Staging',
  uri: 'mongodb://stage:27017',
  username: 'ann',
  password: 'ask',
  database: 'MozaiksStage',
});

const card = (name: string) => {
  const el = screen.getAllByTestId('profile-card').find((c) => c.dataset.name === name);
  if (!el) throw new Error(`no card ${name}`);
  return el;
};

describe('ConnectionsScreen', () => {
  beforeEach(() => {
    vi.mocked(backend.listProfiles).mockResolvedValue([local, prod, staging]);
    vi.mocked(backend.environmentOffer).mockResolvedValue(null);
  });

  it('lists profiles with their database, environment and password mode', async () => {
    renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    await screen.findAllByTestId('profile-card');

    expect(within(card('Local development')).getByTestId('profile-database-name')).toHaveTextContent('MozaiksCore');
    expect(within(card('Production (eu-west)')).getByTestId('profile-database-name')).toHaveTextContent('client');
    expect(within(card('Staging')).getByTestId('profile-database-name')).toHaveTextContent('MozaiksStage');
    expect(within(card('Production (eu-west)')).getByText('Production')).toBeInTheDocument();
    expect(within(card('Production (eu-west)')).getByText('Read-only')).toBeInTheDocument();
    expect(within(card('Local development')).queryByText('Read-only')).not.toBeInTheDocument();
    expect(within(card('Staging')).getByTestId('password-mode')).toHaveAttribute('data-mode', 'ask');
    expect(within(card('Production (eu-west)')).getByTestId('profile-uri-text')).toHaveTextContent('mongodb+srv://cluster0.example.net/');
  });

  it('connects and hands the overview on', async () => {
    const overview = anOverview();
    vi.mocked(backend.connect).mockResolvedValue(overview);
    const onConnected = vi.fn();
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={onConnected} />);
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    await waitFor(() => expect(onConnected).toHaveBeenCalledWith(overview));
    expect(backend.connect).toHaveBeenCalledWith('p1', null);
  });

  it('asks for the password when connect says password_required, then retries with it', async () => {
    const overview = anOverview({ profile_id: 'stage', profile_name: 'Staging' });
    vi.mocked(backend.connect)
      .mockRejectedValueOnce(backendError({ type: 'password_required' }))
      .mockRejectedValueOnce(backendError({ type: 'authentication_failed', data: { message: 'bad auth' } }))
      .mockResolvedValueOnce(overview);
    const onConnected = vi.fn();
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={onConnected} />);
    await screen.findAllByTestId('profile-card');

    await user.click(within(card('Staging')).getByTestId('profile-connect'));
    const input = await screen.findByTestId('password-prompt-input');
    expect(backend.connect).toHaveBeenNthCalledWith(1, 'stage', null);
    expect(onConnected).not.toHaveBeenCalled();

    await user.type(input, 'wrong');
    await user.click(screen.getByTestId('password-prompt-connect'));
    expect(await screen.findByTestId('password-prompt-error')).toHaveTextContent('Authentication failed');
    expect(backend.connect).toHaveBeenNthCalledWith(2, 'stage', 'wrong');

    await user.clear(input);
    await user.type(input, 'right{Enter}');
    await waitFor(() => expect(onConnected).toHaveBeenCalledWith(overview));
    expect(backend.connect).toHaveBeenNthCalledWith(3, 'stage', 'right');
    await waitFor(() => expect(screen.queryByTestId('password-prompt-input')).not.toBeInTheDocument());
  });

  it('reports other connect failures without a password prompt', async () => {
    vi.mocked(backend.connect).mockRejectedValue(
      backendError({ type: 'server_selection_timeout', data: { timeout_ms: 3000, message: 'No available servers' } }),
    );
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Local development')).getByTestId('profile-connect'));
    expect(await screen.findByText('Server not reachable')).toBeInTheDocument();
    expect(screen.queryByTestId('password-prompt-input')).not.toBeInTheDocument();
  });

  it('deletes a profile only after confirmation', async () => {
    vi.mocked(backend.deleteProfile).mockResolvedValue(null);
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Staging')).getByTestId('profile-menu'));
    await user.click(await screen.findByTestId('profile-delete'));
    expect(await screen.findByText('Delete “Staging”?')).toBeInTheDocument();
    expect(backend.deleteProfile).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(backend.deleteProfile).toHaveBeenCalledWith('stage'));
  });

  it('duplicates a profile and reloads the list', async () => {
    vi.mocked(backend.duplicateProfile).mockResolvedValue(aProfile({ id: 'copy', name: 'Staging (copy)' }));
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    await screen.findAllByTestId('profile-card');
    await user.click(within(card('Staging')).getByTestId('profile-menu'));
    await user.click(await screen.findByTestId('profile-duplicate'));
    await waitFor(() => expect(backend.duplicateProfile).toHaveBeenCalledWith('stage'));
    await waitFor(() => expect(backend.listProfiles).toHaveBeenCalledTimes(2));
  });

  it('shows the empty state and adopts the DATABASE_URI offer', async () => {
    vi.mocked(backend.listProfiles).mockResolvedValue([]);
    vi.mocked(backend.environmentOffer).mockResolvedValue({
      name: 'DATABASE_URI (MozaiksCore)',
      uri: 'mongodb://db.local:27017',
      environment: 'development',
      database: 'MozaiksCore',
      has_credentials: false,
    });
    vi.mocked(backend.adoptEnvironmentProfile).mockResolvedValue(aProfile({ name: 'DATABASE_URI (MozaiksCore)' }));
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);

    expect(await screen.findByTestId('profiles-empty')).toHaveTextContent('No saved connections yet');
    const offer = await screen.findByTestId('environment-offer');
    expect(offer).toHaveTextContent('Found DATABASE_URI (mongodb://db.local:27017, development)');
    await user.click(within(offer).getByTestId('offer-adopt'));
    await waitFor(() => expect(backend.adoptEnvironmentProfile).toHaveBeenCalledWith(true));
  });

  it('adopting the offer falls back to asking for the password when the keychain is unavailable', async () => {
    vi.mocked(backend.listProfiles).mockResolvedValue([]);
    vi.mocked(backend.environmentOffer).mockResolvedValue({
      name: 'DATABASE_URI (client)',
      uri: 'mongodb://db.local:27017',
      environment: 'production',
      database: 'client',
      has_credentials: true,
    });
    vi.mocked(backend.adoptEnvironmentProfile)
      .mockRejectedValueOnce(backendError({ type: 'secret_store_unavailable', data: { cause: 'keyring locked' } }))
      .mockResolvedValueOnce(aProfile({ name: 'DATABASE_URI (client)', password: 'ask' }));
    const { user } = renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    const offer = await screen.findByTestId('environment-offer');
    await user.click(within(offer).getByTestId('offer-adopt'));
    expect(await within(offer).findByText(/keyring locked/)).toBeInTheDocument();
    await user.click(within(offer).getByTestId('offer-ask-each-time'));
    await waitFor(() => expect(backend.adoptEnvironmentProfile).toHaveBeenLastCalledWith(false));
    expect(backend.adoptEnvironmentProfile).toHaveBeenCalledTimes(2);
  });

  it('hides the offer once a profile for it exists', async () => {
    vi.mocked(backend.environmentOffer).mockResolvedValue({
      name: 'DATABASE_URI (MozaiksCore)',
      uri: 'mongodb://127.0.0.1:27017',
      environment: 'development',
      database: 'MozaiksCore',
      has_credentials: false,
    });
    renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    await screen.findAllByTestId('profile-card');
    await waitFor(() => expect(backend.environmentOffer).toHaveBeenCalled());
    expect(screen.queryByTestId('environment-offer')).not.toBeInTheDocument();
  });

  it('shows a failing profile store with a retry', async () => {
    vi.mocked(backend.listProfiles).mockRejectedValue(backendError({ type: 'storage', data: { message: 'disk full' } }));
    renderWithProviders(<ConnectionsScreen activeProfileId={null} onConnected={() => {}} />);
    const alert = await screen.findByTestId('profiles-error');
    expect(alert).toHaveTextContent('Local file error');
    expect(alert).toHaveTextContent(/disk full/i);
  });
});
