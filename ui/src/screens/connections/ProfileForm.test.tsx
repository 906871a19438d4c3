import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as backend from '../../backend';
import { aProfile } from '../../test/fixtures';
import { backendError, renderWithProviders } from '../../test/render';
import { ProfileForm } from './ProfileFormModal';
import { tagsToText, textToTags } from './profileForm';

vi.mock('../../backend');

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;

/** Names a new profile and turns its SSH section on, towards ops@bastion.example.com. */
async function fillBastion(user: ReturnType<typeof renderWithProviders>['user'], name: string) {
  await user.type(field('profile-name'), name);
  await user.click(field('profile-ssh-enabled'));
  await user.type(field('profile-ssh-host'), 'bastion.example.com');
  await user.type(field('profile-ssh-user'), 'ops');
}

describe('ProfileForm', () => {
  beforeEach(() => {
    vi.mocked(backend.createProfile).mockImplementation(async (input) => aProfile({ name: input.name }));
    vi.mocked(backend.updateProfile).mockImplementation(async (id, input) => aProfile({ id, name: input.name }));
    vi.mocked(backend.describeUri).mockResolvedValue({ said: [] });
  });

  it('says what a pasted URI sets for the sections, without copying it into their fields', async () => {
    vi.mocked(backend.describeUri).mockResolvedValue({ said: ['TLS on', 'CA file /etc/ca.pem', 'invalid host names allowed'] });
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    const uri = 'mongodb://h1,h2/?tls=true&tlsCAFile=/etc/ca.pem&tlsAllowInvalidHostnames=true';
    await user.click(field('profile-uri'));
    await user.paste(uri);
    await user.tab();
    const says = await screen.findByTestId('profile-uri-says');
    expect(backend.describeUri).toHaveBeenCalledWith(uri);
    expect(says).toHaveTextContent('TLS on · CA file /etc/ca.pem · invalid host names allowed');
    // The section stays as the user left it: the string's settings are the backend's to move.
    expect(field('profile-tls-enabled')).not.toBeChecked();
  });

  it('creates a profile with the ProfileInput the form describes', async () => {
    const onClose = vi.fn();
    const { user } = renderWithProviders(<ProfileForm onClose={onClose} />);

    await user.type(field('profile-name'), 'Staging');
    await user.type(field('profile-uri'), 'mongodb://stage-db:27017');
    await user.type(field('profile-username'), 'ops');
    await user.type(field('profile-password'), 's3cret ');
    await user.type(field('profile-database'), 'MozaiksStage');
    await user.clear(field('profile-color'));
    await user.type(field('profile-color'), '#AE3EC9');
    await user.click(screen.getByTestId('profile-save'));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(backend.createProfile).toHaveBeenCalledTimes(1);
    expect(backend.createProfile).toHaveBeenCalledWith({
      name: 'Staging',
      uri: 'mongodb://stage-db:27017',
      username: 'ops',
      password: 's3cret ',
      remember_password: true,
      database: 'MozaiksStage',
      environment: 'development',
      read_only: false,
      color: '#ae3ec9',
      timeout_ms: 3000,
      audit_to_database: false,
      analytics_from_secondaries: false,
      ssh: null,
      ssh_secret: null,
      tls: null,
      tls_key_password: null,
      read_preference: { mode: 'primary', tags: [], max_staleness_seconds: null },
      other_databases: { ai: 'MozaiksAI', shared: 'MozaiksDB', writable: false },
    });
    expect(backend.updateProfile).not.toHaveBeenCalled();
  });

  it('sends nulls for empty optional fields and the default URI when none is typed', async () => {
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await user.type(field('profile-name'), 'Local');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.createProfile).toHaveBeenCalled());
    expect(vi.mocked(backend.createProfile).mock.calls[0][0]).toMatchObject({
      uri: 'mongodb://127.0.0.1:27017',
      username: null,
      password: null,
      database: null,
    });
  });

  it('reads charts from secondaries when the profile says so, and saves the choice', async () => {
    const profile = aProfile({ id: 'p9', analytics_from_secondaries: true });
    const { user } = renderWithProviders(<ProfileForm profile={profile} onClose={() => {}} />);
    expect(field('profile-analytics-secondaries')).toBeChecked();
    await user.click(field('profile-analytics-secondaries'));
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.updateProfile).toHaveBeenCalled());
    expect(vi.mocked(backend.updateProfile).mock.calls[0][1]).toMatchObject({ analytics_from_secondaries: false });
  });

  it('does not call the backend without a name', async () => {
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await user.click(screen.getByTestId('profile-save'));
    expect(await screen.findByText('Give the connection a name')).toBeInTheDocument();
    expect(backend.createProfile).not.toHaveBeenCalled();
  });

  it('shows a backend invalid_input error on the field it names', async () => {
    vi.mocked(backend.createProfile).mockRejectedValue(
      backendError({ type: 'invalid_input', data: { field: 'database', message: 'must be 1 to 63 bytes without / \\ . space' } }),
    );
    const onClose = vi.fn();
    const { user } = renderWithProviders(<ProfileForm onClose={onClose} />);
    await user.type(field('profile-name'), 'Local');
    await user.type(field('profile-database'), 'a.b');
    await user.click(screen.getByTestId('profile-save'));

    expect(await screen.findByText('must be 1 to 63 bytes without / \\ . space')).toBeInTheDocument();
    expect(field('profile-database')).toHaveAttribute('aria-invalid', 'true');
    expect(field('profile-name')).toHaveAttribute('aria-invalid', 'false');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('shows invalid_uri on the connection string field', async () => {
    vi.mocked(backend.createProfile).mockRejectedValue(
      backendError({ type: 'invalid_uri', data: { message: 'the scheme must be mongodb:// or mongodb+srv://' } }),
    );
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await user.type(field('profile-name'), 'Local');
    await user.type(field('profile-uri'), 'postgres://x');
    await user.click(screen.getByTestId('profile-save'));
    expect(await screen.findByText('the scheme must be mongodb:// or mongodb+srv://')).toBeInTheDocument();
    expect(field('profile-uri')).toHaveAttribute('aria-invalid', 'true');
  });

  it('offers to ask for the password at each connect when the keychain is unavailable', async () => {
    vi.mocked(backend.createProfile).mockRejectedValueOnce(
      backendError({ type: 'secret_store_unavailable', data: { cause: 'no Secret Service provider on D-Bus' } }),
    );
    const onClose = vi.fn();
    const { user } = renderWithProviders(<ProfileForm onClose={onClose} />);
    await user.type(field('profile-name'), 'Prod');
    await user.type(field('profile-uri'), 'mongodb://ann:pw@db:27017');
    await user.click(screen.getByTestId('profile-save'));

    const alert = await screen.findByTestId('profile-keychain-unavailable');
    expect(alert).toHaveTextContent('OS keychain unavailable');
    expect(alert).toHaveTextContent('no Secret Service provider on D-Bus');
    expect(onClose).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('profile-ask-each-time'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(backend.createProfile).toHaveBeenCalledTimes(2);
    const [first, second] = vi.mocked(backend.createProfile).mock.calls.map((c) => c[0]);
    expect(first.remember_password).toBe(true);
    // Same input, the credentials still in it, only the password mode changed.
    expect(second).toEqual({ ...first, remember_password: false });
    expect(second.uri).toBe('mongodb://ann:pw@db:27017');
  });

  it('edits: keeps the stored password when the field stays empty', async () => {
    const profile = aProfile({ id: 'p9', name: 'Prod', username: 'ops', password: 'keychain', environment: 'production', read_only: true });
    const { user } = renderWithProviders(<ProfileForm profile={profile} onClose={() => {}} />);
    expect(field('profile-name').value).toBe('Prod');
    expect(field('profile-database').placeholder).toBe('client');
    await user.clear(field('profile-name'));
    await user.type(field('profile-name'), 'Prod EU');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.updateProfile).toHaveBeenCalled());
    expect(backend.updateProfile).toHaveBeenCalledWith(
      'p9',
      expect.objectContaining({ name: 'Prod EU', password: null, username: 'ops', remember_password: true, environment: 'production' }),
    );
    expect(backend.createProfile).not.toHaveBeenCalled();
  });

  it('choosing production ticks read-only and changes the default database', async () => {
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    expect(field('profile-read-only').checked).toBe(false);
    expect(field('profile-database').placeholder).toBe('MozaiksCore');
    await user.click(screen.getByLabelText('Production'));
    expect(field('profile-read-only').checked).toBe(true);
    expect(field('profile-database').placeholder).toBe('client');
  });

  it('tests the connection and shows the server, or the typed error', async () => {
    vi.mocked(backend.testConnection)
      .mockResolvedValueOnce({
        server: { version: '8.0.4', topology: 'replica_set' },
        database: 'MozaiksCore',
        collections: 1204,
        steps: ['ssh', 'tls', 'server'],
      })
      .mockRejectedValueOnce(
        backendError({ type: 'server_selection_timeout', data: { timeout_ms: 3000, message: 'No available servers' } }),
      );
    const profile = aProfile({ id: 'p3' });
    const { user } = renderWithProviders(<ProfileForm profile={profile} onClose={() => {}} />);

    await user.click(screen.getByTestId('profile-test'));
    const ok = await screen.findByTestId('profile-test-ok');
    expect(ok).toHaveTextContent('MongoDB 8.0.4');
    expect(ok).toHaveTextContent('Replica set');
    expect(ok).toHaveTextContent('MozaiksCore');
    expect(ok).toHaveTextContent('1,204 collections');
    expect(screen.getByTestId('connect-steps')).toHaveTextContent('SSH tunnelTLSServer hello');
    expect(backend.testConnection).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'Local development' }), 'p3');

    await user.click(screen.getByTestId('profile-test'));
    const failed = await screen.findByTestId('profile-test-error');
    expect(failed).toHaveTextContent('Server not reachable');
    expect(screen.getByTestId('connect-failed-step')).toHaveTextContent('Failed at: Server hello');
    expect(screen.queryByTestId('profile-test-ok')).not.toBeInTheDocument();
  });

  it('saves an edited profile with its SSH, TLS, read-preference and other-database sections exactly as they were', async () => {
    const sections = {
      ssh: { host: 'bastion.example.com', port: 2222, user: 'ops', auth: { method: 'key_file' as const, path: '~/.ssh/id_ed25519', passphrase: true } },
      tls: { ca_file: '/etc/ca.pem', cert_key_file: '/etc/client.pem', key_password: true, allow_invalid_hostnames: true, allow_invalid_certificates: false },
      read_preference: { mode: 'secondary' as const, tags: [{ dc: 'east', rack: '2' }, {}] as Record<string, string>[], max_staleness_seconds: 120 },
      other_databases: { ai: 'AI_prod', shared: 'Wallets_prod', writable: true },
    };
    const profile = aProfile({ id: 'p9', ...sections });
    const { user } = renderWithProviders(<ProfileForm profile={profile} onClose={() => {}} />);
    expect(field('profile-ssh-secret').placeholder).toBe('(unchanged)');
    expect(field('profile-tls-key-password').placeholder).toBe('(unchanged)');
    expect(screen.getByTestId('profile-tls-warning')).toBeInTheDocument();
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.updateProfile).toHaveBeenCalled());
    const sent = vi.mocked(backend.updateProfile).mock.calls[0][1];
    expect(sent.ssh).toEqual(sections.ssh);
    expect(sent.tls).toEqual(sections.tls);
    expect(sent.read_preference).toEqual(sections.read_preference);
    expect(sent.other_databases).toEqual(sections.other_databases);
    // Empty secret fields keep the stored ones.
    expect(sent.ssh_secret).toBeNull();
    expect(sent.tls_key_password).toBeNull();
  });

  it('creates a tunnel through a bastion with a password, sent once as the SSH secret', async () => {
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await fillBastion(user, 'Behind bastion');
    await user.click(within(screen.getByTestId('profile-ssh-method')).getByLabelText('Password'));
    await user.type(field('profile-ssh-secret'), ' pass phrase ');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.createProfile).toHaveBeenCalled());
    expect(vi.mocked(backend.createProfile).mock.calls[0][0]).toMatchObject({
      ssh: { host: 'bastion.example.com', port: 22, user: 'ops', auth: { method: 'password' } },
      ssh_secret: ' pass phrase ',
      tls: null,
    });
  });

  it('shows a backend error on the section field it names', async () => {
    vi.mocked(backend.createProfile).mockRejectedValue(
      backendError({ type: 'invalid_input', data: { field: 'ssh.key_file', message: 'is not a private key' } }),
    );
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await user.type(field('profile-name'), 'Local');
    await user.click(field('profile-ssh-enabled'));
    await user.type(field('profile-ssh-key-path'), '/etc/hostname');
    await user.click(screen.getByTestId('profile-save'));
    expect(await screen.findByText('is not a private key')).toBeInTheDocument();
    expect(field('profile-ssh-key-path')).toHaveAttribute('aria-invalid', 'true');
  });

  it('asks to compare an unknown bastion key, trusts exactly that key, then tests again', async () => {
    const offer = { host: 'bastion.example.com', port: 2222, key_type: 'ssh-ed25519', fingerprint: 'SHA256:abc123' };
    vi.mocked(backend.testConnection)
      .mockRejectedValueOnce(backendError({ type: 'ssh_host_key_unknown', data: offer }))
      .mockResolvedValueOnce({ server: { version: '8.0.4', topology: 'standalone' }, database: 'MozaiksCore', collections: 3, steps: ['ssh', 'server'] });
    vi.mocked(backend.trustHostKey).mockResolvedValue(null);
    const { user } = renderWithProviders(<ProfileForm profile={aProfile({ id: 'p3' })} onClose={() => {}} />);

    await user.click(screen.getByTestId('profile-test'));
    const fingerprint = await screen.findByTestId('host-key-fingerprint');
    expect(fingerprint).toHaveTextContent('ssh-ed25519');
    expect(fingerprint).toHaveTextContent('SHA256:abc123');
    expect(backend.testConnection).toHaveBeenCalledTimes(1);

    await user.click(screen.getByTestId('host-key-trust'));
    expect(await screen.findByTestId('profile-test-ok')).toBeInTheDocument();
    expect(backend.trustHostKey).toHaveBeenCalledWith('bastion.example.com', 2222, 'SHA256:abc123');
    expect(backend.testConnection).toHaveBeenCalledTimes(2);
  });

  it('cancelling the key question trusts nothing', async () => {
    const offer = { host: 'b', port: 22, key_type: 'ssh-ed25519', fingerprint: 'SHA256:x' };
    vi.mocked(backend.testConnection).mockRejectedValueOnce(backendError({ type: 'ssh_host_key_unknown', data: offer }));
    const { user } = renderWithProviders(<ProfileForm profile={aProfile({ id: 'p3' })} onClose={() => {}} />);
    await user.click(screen.getByTestId('profile-test'));
    await user.click(await screen.findByTestId('host-key-cancel'));
    await waitFor(() => expect(screen.queryByTestId('host-key-confirm')).not.toBeInTheDocument());
    expect(backend.trustHostKey).not.toHaveBeenCalled();
    expect(backend.testConnection).toHaveBeenCalledTimes(1);
  });
});

describe('ProfileForm secrets', () => {
  beforeEach(() => {
    vi.mocked(backend.createProfile).mockImplementation(async (input) => aProfile({ name: input.name }));
  });

  it('never sends a secret from a field not on show, nor a password as a passphrase', async () => {
    const { user } = renderWithProviders(<ProfileForm onClose={() => {}} />);
    await fillBastion(user, 'Bastion');
    const method = within(screen.getByTestId('profile-ssh-method'));
    await user.click(method.getByLabelText('Password'));
    await user.type(field('profile-ssh-secret'), 'the password');
    // Back to a key with a passphrase: the password is not carried over.
    await user.click(method.getByLabelText('Key file'));
    await user.type(field('profile-ssh-key-path'), '/keys/id');
    await user.click(field('profile-ssh-key-passphrase'));
    expect(field('profile-ssh-secret').value).toBe('');
    await user.click(field('profile-tls-enabled'));
    await user.click(field('profile-tls-key-encrypted'));
    await user.type(field('profile-tls-key-password'), 'key pw');
    await user.click(field('profile-tls-key-encrypted'));
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(backend.createProfile).toHaveBeenCalled());
    const sent = vi.mocked(backend.createProfile).mock.calls[0][0];
    expect(sent.ssh_secret).toBeNull();
    expect(sent.tls_key_password).toBeNull();
  });
});

describe('read-preference tag sets as text', () => {
  it('round-trip, the any-member set included', () => {
    const tags: { [key: string]: string }[] = [{ dc: 'east', rack: '2' }, { dc: 'west' }, {}];
    expect(tagsToText(tags)).toBe('dc: east, rack: 2\ndc: west\n*');
    expect(textToTags(tagsToText(tags))).toEqual(tags);
    expect(textToTags('')).toEqual([]);
  });

  it('keep a pair without a colon whole, for the backend to name', () => {
    expect(textToTags('dc east')).toEqual([{ 'dc east': '' }]);
  });
});

describe('the step a failure belongs to', () => {
  it('is the one the backend files its code under, and none for an invalid field', async () => {
    const { failedStep } = await import('./ConnectSteps');
    const ssh = backendError({ type: 'ssh_auth_failed', data: { host: 'b', user: 'u', message: 'no' } });
    const tls = backendError({ type: 'tls_failed', data: { message: 'expired' } });
    const field = backendError({ type: 'invalid_input', data: { field: 'name', message: 'x' } });
    expect(failedStep(ssh)).toBe('ssh');
    expect(failedStep(tls)).toBe('tls');
    expect(failedStep(field)).toBeNull();
    expect(failedStep(new Error('not from the backend'))).toBeNull();
  });
});
