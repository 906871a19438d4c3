import { describe, expect, it } from 'vitest';
import bindingsSource from './bindings.ts?raw';
import type { AppError } from './bindings';
import { BackendError, describeError, describeFailure, IpcError } from './errors';

/** Every `type` of the AppError union, read from the generated bindings. */
function appErrorCodes(): string[] {
  const start = bindingsSource.indexOf('export type AppError =');
  const end = bindingsSource.indexOf('export type', start + 1);
  expect(start).toBeGreaterThan(-1);
  const union = bindingsSource.slice(start, end);
  return [...union.matchAll(/type: "([a-z_]+)"/g)].map((m) => m[1]);
}

/** A sample of every code, with every data field any code uses. */
const sample = (type: string) =>
  ({
    type,
    data: {
      message: 'the details',
      host: 'db.example',
      timeout_ms: 3000,
      expected: 'client',
      id: 'p1',
      field: 'database',
      what: 'DATABASE_URI',
      cause: 'no Secret Service provider',
      feature: '$vectorSearch',
      value: 'not-an-id',
      current: null,
      reason: 'seeding a production database is never done',
      details: 'driver text',
      collection: 'users',
      keys: '{ email: 1 }',
      values: ['{"email":"a@example.com"} × 2'],
    },
  }) as unknown as AppError;

describe('describeError', () => {
  const codes = appErrorCodes();

  it('finds the AppError codes in bindings.ts', () => {
    expect(codes.length).toBeGreaterThanOrEqual(20);
    expect(codes).toContain('server_selection_timeout');
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(appErrorCodes())('describes %s with its own title and a message', (code) => {
    const { title, message } = describeError(sample(code));
    expect(title).not.toMatch(/unexpected/i);
    expect(title.length).toBeGreaterThan(3);
    expect(message.length).toBeGreaterThan(3);
  });

  it('gives every code a distinct title', () => {
    const titles = codes.map((c) => describeError(sample(c)).title);
    expect(new Set(titles).size).toBe(codes.length);
  });

  it('uses the titles people expect for the common failures', () => {
    expect(describeError(sample('server_selection_timeout')).title).toBe('Server not reachable');
    expect(describeError(sample('authentication_failed')).title).toBe('Authentication failed');
    expect(describeError(sample('read_only')).title).toBe('Read-only connection');
    expect(describeError(sample('secret_store_unavailable')).title).toBe('OS keychain unavailable');
    expect(describeError(sample('password_required')).title).toBe('Password required');
  });

  it('names the field of invalid_input and the cause of a keychain failure', () => {
    const invalid = describeError({ type: 'invalid_input', data: { field: 'timeout_ms', message: 'must be between 500 and 60000' } });
    expect(invalid.message).toBe('Timeout: must be between 500 and 60000');
    expect(invalid.title).toBe('Invalid timeout');
    expect(describeError({ type: 'secret_store_unavailable', data: { cause: 'locked collection' } }).message).toContain(
      'locked collection',
    );
    expect(describeError({ type: 'server_selection_timeout', data: { timeout_ms: 1500, message: 'x' } }).message).toContain(
      '1500 ms',
    );
  });

  it('names the user and settings fields the backend reports', () => {
    expect(describeError({ type: 'invalid_input', data: { field: 'json', message: 'must be a JSON object' } })).toEqual({
      title: 'Invalid plugin settings',
      message: 'Plugin settings: must be a JSON object',
    });
    expect(describeError({ type: 'invalid_input', data: { field: 'expires_at', message: 'x' } }).title).toBe('Invalid expiry date');
    expect(describeError({ type: 'invalid_input', data: { field: 'digest_frequency', message: 'x' } }).title).toBe(
      'Invalid digest frequency',
    );
    expect(describeError({ type: 'invalid_id', data: { value: 'xyz' } }).message).toContain('24 hexadecimal digits');
    expect(describeError({ type: 'conflict', data: { current: null } }).message).toContain('nothing was overwritten');
  });

  it('still says something for a code newer than this UI', () => {
    const d = describeError({ type: 'quota_exceeded', data: { message: 'too much' } } as unknown as AppError);
    expect(d.title).toBe('Unexpected error (quota_exceeded)');
    expect(d.message).toBe('too much');
  });
});

describe('describeFailure', () => {
  it('describes BackendError, IpcError and anything else', () => {
    expect(describeFailure(new BackendError({ type: 'not_connected' })).title).toBe('Not connected');
    expect(describeFailure(new IpcError('no bridge')).title).toBe('Backend unavailable');
    expect(describeFailure('boom')).toEqual({ title: 'Unexpected error', message: 'boom' });
  });
});
