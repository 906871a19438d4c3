import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as backend from './backend';
import type { ExportProgress, SeedProgress } from './bindings';
import { BackendError, IpcError, isBackendError } from './errors';
import { aProfile } from './test/fixtures';

afterEach(() => {
  clearMocks();
  delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
});

describe('backend', () => {
  it('resolves with the command data on success', async () => {
    const profiles = [aProfile()];
    mockIPC((cmd) => (cmd === 'list_profiles' ? profiles : undefined));
    await expect(backend.listProfiles()).resolves.toEqual(profiles);
  });

  it('sends the arguments under the names the Rust commands expect', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    await backend.connect('p1', 'pw');
    await backend.setReadOnly(false, 'client');
    await backend.testConnection({ ...aProfile(), password: null, remember_password: true }, 'p1');
    expect(calls[0]).toEqual(['connect', { id: 'p1', password: 'pw' }]);
    expect(calls[1]).toEqual(['set_read_only', { readOnly: false, confirmation: 'client' }]);
    expect(calls[2][0]).toBe('test_connection');
    expect(calls[2][1]).toMatchObject({ existingId: 'p1', input: { name: 'Local development' } });
  });

  it('rejects with a BackendError that carries the typed AppError', async () => {
    mockIPC(() => {
      throw { type: 'server_selection_timeout', data: { timeout_ms: 3000, message: 'No available servers' } };
    });
    const err = await backend.connect('p1', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toBeInstanceOf(Error);
    const be = err as BackendError;
    expect(be.code).toBe('server_selection_timeout');
    expect(be.error).toEqual({ type: 'server_selection_timeout', data: { timeout_ms: 3000, message: 'No available servers' } });
    expect(isBackendError(be, 'server_selection_timeout')).toBe(true);
    expect(isBackendError(be, 'read_only')).toBe(false);
    expect(be.message).toContain('Server not reachable');
  });

  it('keeps data-less error codes intact', async () => {
    mockIPC(() => {
      throw { type: 'password_required' };
    });
    await expect(backend.connect('p1', null)).rejects.toMatchObject({ error: { type: 'password_required' } });
  });

  it('turns a bare Tauri string rejection into an IpcError, not a fake AppError', async () => {
    mockIPC(() => {
      throw 'invalid args `input` for command `create_profile`: missing field `name`';
    });
    const err = await backend.listProfiles().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect(err).not.toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain('missing field');
  });

  it('rejects with an IpcError outside the desktop app', async () => {
    await expect(backend.listProfiles()).rejects.toBeInstanceOf(IpcError);
  });

  it('streams seed progress from the Channel to the callback', async () => {
    mockIPC((cmd, args) => {
      if (cmd !== 'seed_demo_data') return null;
      const { users, confirmDatabase, onProgress } = args as { users: number; confirmDatabase: string | null; onProgress: { id: number } };
      expect(confirmDatabase).toBe('MozaiksCore');
      const run = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, m: unknown) => void } })
        .__TAURI_INTERNALS__.runCallback;
      run(onProgress.id, { index: 0, message: { collection: 'users', written: users / 2, expected: users } });
      run(onProgress.id, { index: 1, message: { collection: 'users', written: users, expected: users } });
      return { collections: [{ name: 'users', documents: users }], elapsed_ms: 12 };
    });
    const seen: SeedProgress[] = [];
    const onProgress = vi.fn((p: SeedProgress) => seen.push(p));
    const report = await backend.seedDemoData(10, 'MozaiksCore', onProgress);
    expect(report.collections).toEqual([{ name: 'users', documents: 10 }]);
    expect(seen).toEqual([
      { collection: 'users', written: 5, expected: 10 },
      { collection: 'users', written: 10, expected: 10 },
    ]);
  });

  it('sends the user, settings and GDPR arguments under the Rust names', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    const query = {
      after: 'cursor-1',
      page_size: 50,
      sort: 'email' as const,
      descending: false,
      role: 'admin',
      tier: null,
      subscription: 'expired' as const,
      created_from: '2025-01-01T00:00:00Z',
      created_to: null,
      last_login_before: null,
    };
    await backend.listUsers(query);
    await backend.countUsers(query);
    await backend.connectionHealth();
    await backend.searchUsers('id:abc');
    await backend.userNotifications('u1', 3, 25);
    await backend.userPluginData('u1', 'crm_contacts', 25);
    await backend.saveNotificationPreferences('u1', { email_enabled: true, push_enabled: false, digest_frequency: 'daily' }, '{"a":1}');
    await backend.savePluginSettings('u1', 'notes', '{"theme":"dark"}', null);
    await backend.eraseUser('u1', 'ada@example.com');
    await backend.listAudit({ text: 'ada', collection: null, operation: 'erase_user', limit: 100 });
    expect(calls).toEqual([
      ['list_users', { query }],
      ['count_users', { query }],
      ['connection_health', {}],
      ['search_users', { text: 'id:abc' }],
      ['user_notifications', { userId: 'u1', page: 3, pageSize: 25 }],
      ['user_plugin_data', { userId: 'u1', collection: 'crm_contacts', pageSize: 25 }],
      [
        'save_notification_preferences',
        { userId: 'u1', preferences: { email_enabled: true, push_enabled: false, digest_frequency: 'daily' }, expected: '{"a":1}' },
      ],
      ['save_plugin_settings', { userId: 'u1', plugin: 'notes', json: '{"theme":"dark"}', expected: null }],
      ['erase_user', { userId: 'u1', confirmEmail: 'ada@example.com' }],
      ['list_audit', { query: { text: 'ada', collection: null, operation: 'erase_user', limit: 100 } }],
    ]);
  });

  it('streams export progress from the Channel to the callback', async () => {
    mockIPC((cmd, args) => {
      if (cmd !== 'export_user') return null;
      const { path, onProgress } = args as { path: string; onProgress: { id: number } };
      const run = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, m: unknown) => void } })
        .__TAURI_INTERNALS__.runCallback;
      run(onProgress.id, { index: 0, message: { collection: 'settings', documents: 1 } });
      return { path, collections: [{ collection: 'settings', count: 1 }] };
    });
    const seen: ExportProgress[] = [];
    const report = await backend.exportUser('u1', '/tmp/x.json', (p) => seen.push(p));
    expect(report.path).toBe('/tmp/x.json');
    expect(seen).toEqual([{ collection: 'settings', documents: 1 }]);
  });

  it('asks the dialog plugin for a JSON export path', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return '/home/me/ada-export.json';
    });
    await expect(backend.chooseExportPath('ada-export.json')).resolves.toBe('/home/me/ada-export.json');
    expect(calls).toEqual([
      ['plugin:dialog|save', { options: { defaultPath: 'ada-export.json', filters: [{ name: 'JSON', extensions: ['json'] }] } }],
    ]);
  });
});
