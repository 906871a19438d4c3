import type { Environment, Profile, ProfileInput } from '../../backend';
import { DEFAULT_TIMEOUT_MS, DEFAULT_URI } from '../../bindings';

export { DEFAULT_TIMEOUT_MS, DEFAULT_URI, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from '../../bindings';
export const DEFAULT_COLOR = '#1c7ed6';

/** What the form edits: ProfileInput with text fields as strings. */
export interface ProfileFormValues {
  name: string;
  uri: string;
  username: string;
  /** Empty keeps the stored password when editing. */
  password: string;
  remember_password: boolean;
  database: string;
  environment: Environment;
  read_only: boolean;
  color: string;
  timeout_ms: number | string;
  audit_to_database: boolean;
  analytics_from_secondaries: boolean;
}

/** Fields the backend may name in `invalid_input` that the form can show. */
export const FORM_FIELDS: readonly (keyof ProfileFormValues)[] = [
  'name',
  'uri',
  'username',
  'password',
  'remember_password',
  'database',
  'environment',
  'read_only',
  'color',
  'timeout_ms',
  'audit_to_database',
  'analytics_from_secondaries',
];

export function isFormField(field: string): field is keyof ProfileFormValues {
  return (FORM_FIELDS as readonly string[]).includes(field);
}

export function initialValues(profile?: Profile): ProfileFormValues {
  if (!profile) {
    return {
      name: '',
      uri: '',
      username: '',
      password: '',
      remember_password: true,
      database: '',
      environment: 'development',
      read_only: false,
      color: DEFAULT_COLOR,
      timeout_ms: DEFAULT_TIMEOUT_MS,
      audit_to_database: false,
      analytics_from_secondaries: false,
    };
  }
  return {
    name: profile.name,
    uri: profile.uri,
    username: profile.username ?? '',
    password: '',
    remember_password: profile.password !== 'ask',
    database: profile.database ?? '',
    environment: profile.environment,
    read_only: profile.read_only,
    color: profile.color,
    timeout_ms: profile.timeout_ms,
    audit_to_database: profile.audit_to_database ?? false,
    analytics_from_secondaries: profile.analytics_from_secondaries ?? false,
  };
}

const orNull = (s: string) => {
  const t = s.trim();
  return t === '' ? null : t;
};

export function toProfileInput(values: ProfileFormValues): ProfileInput {
  const timeout = typeof values.timeout_ms === 'number' ? values.timeout_ms : Number(values.timeout_ms);
  return {
    name: values.name.trim(),
    uri: values.uri.trim() || DEFAULT_URI,
    username: orNull(values.username),
    // Passwords are taken verbatim (spaces may be part of them); empty = keep.
    password: values.password === '' ? null : values.password,
    remember_password: values.remember_password,
    database: orNull(values.database),
    environment: values.environment,
    read_only: values.read_only,
    color: values.color.trim().toLowerCase(),
    timeout_ms: Number.isFinite(timeout) ? Math.round(timeout) : DEFAULT_TIMEOUT_MS,
    audit_to_database: values.audit_to_database,
    analytics_from_secondaries: values.analytics_from_secondaries,
  };
}
