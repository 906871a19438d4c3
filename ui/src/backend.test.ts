import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as backend from './backend';
import type { SeedProgress } from './bindings';
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
      const { users, onProgress } = args as { users: number; onProgress: { id: number } };
      const run = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, m: unknown) => void } })
        .__TAURI_INTERNALS__.runCallback;
      run(onProgress.id, { index: 0, message: { collection: 'users', written: users / 2, expected: users } });
      run(onProgress.id, { index: 1, message: { collection: 'users', written: users, expected: users } });
      return { collections: [{ name: 'users', documents: users }], elapsed_ms: 12 };
    });
    const seen: SeedProgress[] = [];
    const onProgress = vi.fn((p: SeedProgress) => seen.push(p));
    const report = await backend.seedDemoData(10, onProgress);
    expect(report.collections).toEqual([{ name: 'users', documents: 10 }]);
    expect(seen).toEqual([
      { collection: 'users', written: 5, expected: 10 },
      { collection: 'users', written: 10, expected: 10 },
    ]);
  });
});
