// The one door to the Rust backend. Every component (and every hook) calls
// these functions, never `commands` directly, so tests can swap this module
// out with `vi.mock('../backend')`.
//
// `commands` (generated in bindings.ts) resolve to `{status:"ok",data}` or
// `{status:"error",error}`; here that becomes a plain promise that resolves
// with `data` or rejects with a `BackendError` carrying the typed `AppError`.

import { Channel } from '@tauri-apps/api/core';
import {
  commands,
  type AppError,
  type ConnectionTest,
  type EnvironmentOffer,
  type Overview,
  type Profile,
  type ProfileInput,
  type SeedProgress,
  type SeedReport,
} from './bindings';
import { BackendError, IpcError } from './errors';

export type {
  AppError,
  CollectionKind,
  CollectionSummary,
  ConnectionTest,
  Environment,
  EnvironmentOffer,
  Overview,
  PasswordMode,
  Profile,
  ProfileInput,
  SeedProgress,
  SeedReport,
  ServerInfo,
  Topology,
} from './bindings';
export { BackendError, IpcError } from './errors';

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

function ipcAvailable(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string';
}

/** Resolves with the command's data or rejects with a `BackendError`. */
export async function unwrap<T>(call: () => Promise<Result<T>>): Promise<T> {
  if (!ipcAvailable()) {
    throw new IpcError('The mozaiks-admin backend is not available: this page is running outside the desktop app.');
  }
  let result: Result<T>;
  try {
    result = await call();
  } catch (e) {
    // bindings rethrow real `Error`s (a broken IPC bridge, a serialisation bug).
    throw new IpcError(e instanceof Error ? e.message : String(e));
  }
  if (result.status === 'ok') return result.data;
  // Tauri itself rejects with a bare string when it cannot run a command at
  // all (unknown command, arguments that do not deserialise).
  if (isAppError(result.error)) throw new BackendError(result.error);
  throw new IpcError(String(result.error));
}

export const listProfiles = (): Promise<Profile[]> => unwrap(() => commands.listProfiles());

export const createProfile = (input: ProfileInput): Promise<Profile> =>
  unwrap(() => commands.createProfile(input));

export const updateProfile = (id: string, input: ProfileInput): Promise<Profile> =>
  unwrap(() => commands.updateProfile(id, input));

export const duplicateProfile = (id: string): Promise<Profile> =>
  unwrap(() => commands.duplicateProfile(id));

export const deleteProfile = (id: string): Promise<null> => unwrap(() => commands.deleteProfile(id));

export const environmentOffer = (): Promise<EnvironmentOffer | null> =>
  unwrap(() => commands.environmentOffer());

export const adoptEnvironmentProfile = (rememberPassword: boolean): Promise<Profile> =>
  unwrap(() => commands.adoptEnvironmentProfile(rememberPassword));

export const testConnection = (input: ProfileInput, existingId: string | null): Promise<ConnectionTest> =>
  unwrap(() => commands.testConnection(input, existingId));

export const connect = (id: string, password: string | null): Promise<Overview> =>
  unwrap(() => commands.connect(id, password));

export const disconnect = (): Promise<null> => unwrap(() => commands.disconnect());

export const overview = (): Promise<Overview> => unwrap(() => commands.overview());

export const setReadOnly = (readOnly: boolean, confirmation: string | null): Promise<Overview> =>
  unwrap(() => commands.setReadOnly(readOnly, confirmation));

/**
 * Seeds the demo collections; `onProgress` receives every progress message
 * the backend streams over a Tauri `Channel` while the seed runs.
 */
export const seedDemoData = (users: number, onProgress: (p: SeedProgress) => void): Promise<SeedReport> =>
  unwrap(() => {
    const channel = new Channel<SeedProgress>();
    channel.onmessage = onProgress;
    return commands.seedDemoData(users, channel);
  });
