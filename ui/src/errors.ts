// Errors the UI can meet, and how they read to people.
//
// The backend sends `AppError` (see bindings.ts): `type` is a stable code the
// UI may branch on; `data.message` and friends are for display only. Nothing
// here, or anywhere in the UI, matches on message text.

import type { AppError } from './bindings';

export type ErrorCode = AppError['type'];

/** An `AppError` the backend returned, as a rejectable `Error`. */
export class BackendError extends Error {
  readonly error: AppError;

  constructor(error: AppError) {
    const { title, message } = describeError(error);
    super(message ? `${title}: ${message}` : title);
    this.name = 'BackendError';
    this.error = error;
  }

  /** The stable code (`error.type`). */
  get code(): ErrorCode {
    return this.error.type;
  }
}

/**
 * The backend could not be reached at all: the page runs outside the desktop
 * app, or IPC refused the call before a command ran (Tauri reports those as
 * plain strings, not `AppError`s).
 */
export class IpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IpcError';
  }
}

/** Narrows to a `BackendError`, optionally of one code. */
export function isBackendError<C extends ErrorCode>(
  e: unknown,
  code?: C,
): e is BackendError & { error: Extract<AppError, { type: C }> } {
  return e instanceof BackendError && (code === undefined || e.error.type === code);
}

/** Human labels of the input fields the backend may name in `invalid_input`. */
export const FIELD_LABELS: Record<string, string> = {
  // ProfileInput and seeding
  name: 'Name',
  uri: 'Connection string',
  username: 'Username',
  password: 'Password',
  remember_password: 'Save password',
  database: 'Database',
  environment: 'Environment',
  read_only: 'Read-only',
  color: 'Colour',
  timeout_ms: 'Timeout',
  'ssh.host': 'SSH host',
  'ssh.port': 'SSH port',
  'ssh.user': 'SSH user',
  'ssh.key_file': 'SSH key file',
  ssh_secret: 'SSH password or passphrase',
  tls: 'TLS',
  'tls.ca_file': 'CA file',
  'tls.cert_key_file': 'Client certificate and key',
  'tls.key_password': 'Client key password',
  tls_key_password: 'Client key password',
  read_preference: 'Read preference',
  'read_preference.max_staleness_seconds': 'Max staleness',
  'read_preference.tags': 'Read preference tags',
  audit_to_database: 'Audit log',
  analytics_from_secondaries: 'Charts from secondaries',
  users: 'Users',
  confirm_email: 'Confirmation email',
  // The collection browser's query bar and the profile's other databases
  filter: 'Filter',
  projection: 'Projection',
  sort: 'Sort',
  limit: 'Limit',
  skip: 'Skip',
  collection: 'Collection',
  'other_databases.ai': 'MozaiksAI database',
  'other_databases.shared': 'MozaiksDB database',
  // UserQuery filters
  role: 'Role filter',
  tier: 'Tier',
  subscription: 'Subscription filter',
  created_from: 'Created from',
  created_to: 'Created to',
  last_login_before: 'Last login before',
  last_login_after: 'Last login after',
  // UserEdit
  roles: 'Roles',
  expires_at: 'Expiry date',
  display_name: 'Display name',
  bio: 'Bio',
  // Settings
  digest_frequency: 'Digest frequency',
  plugin: 'Plugin name',
  json: 'Plugin settings',
  expected: 'Loaded value',
  // Dashboard and plugins
  path: 'File',
  status: 'Status',
};

export interface ErrorDescription {
  title: string;
  message: string;
}

const sentence = (s: string) => {
  const t = s.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** A title and explanation for every backend error code. */
export function describeError(e: AppError): ErrorDescription {
  switch (e.type) {
    case 'invalid_uri':
      return {
        title: 'Invalid connection string',
        message: sentence(e.data.message),
      };
    case 'host_unresolvable':
      return {
        title: 'Host not found',
        message: `The name “${e.data.host}” could not be resolved. ${sentence(e.data.message)}`,
      };
    case 'server_selection_timeout':
      return {
        title: 'Server not reachable',
        message: `No server answered within ${e.data.timeout_ms} ms. Check the host, the port and that the database is running. ${sentence(e.data.message)}`,
      };
    case 'authentication_failed':
      return {
        title: 'Authentication failed',
        message: `The server refused the username or password. ${sentence(e.data.message)}`,
      };
    case 'tls_failed':
      return {
        title: 'TLS handshake failed',
        message: sentence(e.data.message),
      };
    case 'ssh_auth_failed':
      return {
        title: 'SSH login failed',
        message: `${e.data.user}@${e.data.host}: ${sentence(e.data.message)}`,
      };
    case 'ssh_host_key_unknown':
      return {
        title: 'Unknown SSH host key',
        message: `${e.data.host}:${e.data.port} offers a ${e.data.key_type} key with fingerprint ${e.data.fingerprint}. Compare it with the one your administrator gave you before trusting it.`,
      };
    case 'ssh_host_key_changed':
      return {
        title: 'SSH host key changed',
        message: `${e.data.host}:${e.data.port} now offers ${e.data.fingerprint}, not the known ${e.data.known_fingerprint}. Nothing was sent. If the bastion's key was replaced on purpose, remove the old entry from known_hosts.`,
      };
    case 'ssh_unreachable':
      return {
        title: 'SSH bastion unreachable',
        message: `${e.data.host}:${e.data.port}: ${sentence(e.data.message)}`,
      };
    case 'ssh_forward_refused':
      return {
        title: 'SSH forward refused',
        message: `The bastion would not connect to ${e.data.target}: ${sentence(e.data.message)}`,
      };
    case 'not_connected':
      return {
        title: 'Not connected',
        message: 'Connect to a database first.',
      };
    case 'read_only':
      return {
        title: 'Read-only connection',
        message: 'This connection is read-only, so changes are refused. Turn read-only off on the Overview first.',
      };
    case 'confirmation_required':
      return {
        title: 'Confirmation required',
        // A database name (read-only off, seeding) or an index name (dropping it).
        message: `Type “${e.data.expected}” to confirm.`,
      };
    case 'profile_not_found':
      return {
        title: 'Profile not found',
        message: 'This connection profile no longer exists; the list has been refreshed.',
      };
    case 'invalid_input': {
      const label = FIELD_LABELS[e.data.field] ?? e.data.field;
      return {
        title: label ? `Invalid ${label.toLowerCase()}` : 'Invalid input',
        message: label ? `${label}: ${e.data.message}` : sentence(e.data.message),
      };
    }
    case 'not_found':
      return {
        title: 'Not found',
        message: `${e.data.what} was not found.`,
      };
    case 'invalid_id':
      return {
        title: 'Invalid id',
        message: `“${e.data.value}” is not a valid id: an ObjectId is 24 hexadecimal digits.`,
      };
    case 'conflict':
      return {
        title: 'Changed by someone else',
        message: 'The value changed since it was loaded, so nothing was overwritten. Reload it and apply your change again.',
      };
    case 'last_superadmin':
      return {
        title: 'Last superadmin',
        message: 'This is the only superadmin left; give another user the superadmin role first.',
      };
    case 'password_required':
      return {
        title: 'Password required',
        message: 'This profile does not store its password; enter it to connect.',
      };
    case 'secret_store_unavailable':
      return {
        title: 'OS keychain unavailable',
        message: `The password could not be saved because the OS keychain is unavailable (${e.data.cause}).`,
      };
    case 'secret_store_failed':
      return {
        title: 'OS keychain error',
        message: `The OS keychain refused the operation. ${sentence(e.data.message)}`,
      };
    case 'storage':
      return {
        title: 'Local file error',
        message: `Reading or writing a file on this computer (the profile store, the audit log or an export) failed. ${sentence(e.data.message)}`,
      };
    case 'unsupported':
      return {
        title: 'Not supported by this server',
        message: `${e.data.feature}: ${e.data.message}`,
      };
    case 'connection_lost':
      return {
        title: 'Connection lost',
        // The backend's sentence already names the timeout and the reconnect.
        message: sentence(e.data.message),
      };
    case 'time_limit':
      return {
        title: 'Took too long',
        message: sentence(e.data.message),
      };
    case 'refused':
      return {
        title: 'Refused',
        message: sentence(e.data.reason) || 'This is never done on this connection.',
      };
    case 'operator_refused':
      return {
        title: 'Operator refused',
        message: `${e.data.operator} runs code or writes; the query bar only reads. Nothing was sent.`,
      };
    case 'database':
      return {
        title: 'Database error',
        message: sentence(e.data.message),
      };
    case 'duplicate_values': {
      const shown = e.data.values.slice(0, 3).join('; ');
      const more = e.data.values.length > 3 ? ` and ${e.data.values.length - 3} more` : '';
      return {
        title: 'Duplicate values',
        message: `A unique index on ${e.data.collection} ${e.data.keys} cannot be built while several documents hold the same value: ${shown}${more}. Nothing was built.`,
      };
    }
    case 'partly_applied':
      return { title: 'Partly applied', message: e.data.message };
    default:
      // `satisfies never` fails the type check when bindings.ts gains a code
      // this switch does not describe; at run time a newer backend still
      // gets a readable fallback.
      return describeUnknownCode(e satisfies never);
  }
}

function describeUnknownCode(e: unknown): ErrorDescription {
  const unknown = e as { type?: unknown; data?: { message?: unknown } };
  const message = unknown.data?.message;
  return {
    title: `Unexpected error (${String(unknown.type)})`,
    message: typeof message === 'string' ? message : '',
  };
}

/** The driver's own text of an error that carries one, for a "Details" toggle. */
export function errorDetails(e: unknown): string | null {
  if (!(e instanceof BackendError)) return null;
  const data = (e.error as { data?: { details?: unknown } }).data;
  return typeof data?.details === 'string' && data.details.trim() !== '' ? data.details : null;
}

/** Describes anything a backend call can reject with. */
export function describeFailure(e: unknown): ErrorDescription {
  if (e instanceof BackendError) return describeError(e.error);
  if (e instanceof IpcError) return { title: 'Backend unavailable', message: e.message };
  if (e instanceof Error) return { title: 'Unexpected error', message: e.message };
  return { title: 'Unexpected error', message: String(e) };
}
