import type { Environment, Profile, ProfileInput, ReadMode, ReadPreferenceChoice } from '../../backend';
import { DEFAULT_AI_DATABASE, DEFAULT_SHARED_DATABASE, DEFAULT_TIMEOUT_MS, DEFAULT_URI } from '../../bindings';

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
  ssh_enabled: boolean;
  ssh_host: string;
  ssh_port: number | string;
  ssh_user: string;
  ssh_method: SshMethod;
  ssh_key_path: string;
  ssh_key_has_passphrase: boolean;
  /** The SSH password or key passphrase; empty keeps the stored one. */
  ssh_secret: string;
  tls_enabled: boolean;
  tls_ca_file: string;
  tls_cert_key_file: string;
  tls_key_encrypted: boolean;
  /** Empty keeps the stored one. */
  tls_key_password: string;
  tls_allow_invalid_hostnames: boolean;
  tls_allow_invalid_certificates: boolean;
  read_mode: ReadMode;
  /** One tag set per line, `dc: east, rack: 2`; a line `*` matches any member. */
  read_tags: string;
  read_max_staleness: number | string;
  /** MozaiksAI's and MozaiksDB's names on this deployment. */
  ai_database: string;
  shared_database: string;
  other_databases_writable: boolean;
}

export type SshMethod = 'password' | 'key_file' | 'agent';

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
  'ssh_secret',
  'tls_key_password',
];

/** The backend's names for section fields, and the form field each is. */
const SECTION_FIELDS: Record<string, keyof ProfileFormValues> = {
  'ssh.host': 'ssh_host',
  'ssh.port': 'ssh_port',
  'ssh.user': 'ssh_user',
  'ssh.key_file': 'ssh_key_path',
  tls: 'tls_enabled',
  'tls.ca_file': 'tls_ca_file',
  'tls.cert_key_file': 'tls_cert_key_file',
  'tls.key_password': 'tls_key_encrypted',
  read_preference: 'read_mode',
  'read_preference.tags': 'read_tags',
  'read_preference.max_staleness_seconds': 'read_max_staleness',
  'other_databases.ai': 'ai_database',
  'other_databases.shared': 'shared_database',
};

/** The form field a backend `invalid_input` names, when the form shows it. */
export function formFieldFor(field: string): keyof ProfileFormValues | null {
  if ((FORM_FIELDS as readonly string[]).includes(field)) return field as keyof ProfileFormValues;
  return SECTION_FIELDS[field] ?? null;
}

/** The line that stands for the empty tag set (any member). */
const ANY_MEMBER = '*';

/** Tag sets as the form shows them: one per line. */
export function tagsToText(tags: ReadPreferenceChoice['tags']): string {
  return (tags ?? [])
    .map((set) =>
      Object.keys(set).length === 0
        ? ANY_MEMBER
        : Object.entries(set)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
    )
    .join('\n');
}

/**
 * The lines back as tag sets. Only reshaping: a pair without `:` is kept
 * whole as a key, so the backend names what is wrong with it.
 */
export function textToTags(text: string): { [key in string]: string }[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => {
    const set: { [key in string]: string } = {};
    if (line.trim() === ANY_MEMBER) return set;
    for (const pair of line.split(',')) {
      if (pair.trim() === '') continue;
      const at = pair.indexOf(':');
      if (at < 0) set[pair.trim()] = '';
      else set[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return set;
  });
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
      ...sectionValues(),
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
    ...sectionValues(profile),
  };
}

function sectionValues(profile?: Profile) {
  const ssh = profile?.ssh ?? null;
  const tls = profile?.tls ?? null;
  const read = profile?.read_preference;
  const others = profile?.other_databases;
  return {
    ai_database: others?.ai ?? DEFAULT_AI_DATABASE,
    shared_database: others?.shared ?? DEFAULT_SHARED_DATABASE,
    other_databases_writable: others?.writable ?? false,
    ssh_enabled: ssh !== null,
    ssh_host: ssh?.host ?? '',
    ssh_port: ssh?.port ?? 22,
    ssh_user: ssh?.user ?? '',
    ssh_method: ssh?.auth.method ?? 'key_file',
    ssh_key_path: ssh?.auth.method === 'key_file' ? ssh.auth.path : '',
    ssh_key_has_passphrase: ssh?.auth.method === 'key_file' ? ssh.auth.passphrase : false,
    ssh_secret: '',
    tls_enabled: tls !== null,
    tls_ca_file: tls?.ca_file ?? '',
    tls_cert_key_file: tls?.cert_key_file ?? '',
    tls_key_encrypted: tls?.key_password ?? false,
    tls_key_password: '',
    tls_allow_invalid_hostnames: tls?.allow_invalid_hostnames ?? false,
    tls_allow_invalid_certificates: tls?.allow_invalid_certificates ?? false,
    read_mode: read?.mode ?? 'primary',
    read_tags: tagsToText(read?.tags),
    read_max_staleness: read?.max_staleness_seconds ?? '',
  } satisfies Partial<ProfileFormValues>;
}

/** The SSH password or key passphrase field is on show (the method takes one). */
export function sshSecretShown(values: ProfileFormValues): boolean {
  return (
    values.ssh_enabled &&
    (values.ssh_method === 'password' || (values.ssh_method === 'key_file' && values.ssh_key_has_passphrase))
  );
}


const toNumber = (v: number | string) => (typeof v === 'number' ? v : Number(v));

function sshInput(values: ProfileFormValues): ProfileInput['ssh'] {
  if (!values.ssh_enabled) return null;
  const port = toNumber(values.ssh_port);
  return {
    host: values.ssh_host.trim(),
    // An unreadable port goes as 0, which the backend names as the field to fix.
    port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0,
    user: values.ssh_user.trim(),
    auth:
      values.ssh_method === 'key_file'
        ? { method: 'key_file', path: values.ssh_key_path.trim(), passphrase: values.ssh_key_has_passphrase }
        : { method: values.ssh_method },
  };
}

function tlsInput(values: ProfileFormValues): ProfileInput['tls'] {
  if (!values.tls_enabled) return null;
  return {
    ca_file: orNull(values.tls_ca_file),
    cert_key_file: orNull(values.tls_cert_key_file),
    key_password: values.tls_key_encrypted,
    allow_invalid_hostnames: values.tls_allow_invalid_hostnames,
    allow_invalid_certificates: values.tls_allow_invalid_certificates,
  };
}

function readPreferenceInput(values: ProfileFormValues): ReadPreferenceChoice {
  const staleness = values.read_max_staleness === '' ? null : toNumber(values.read_max_staleness);
  return {
    mode: values.read_mode,
    tags: textToTags(values.read_tags),
    max_staleness_seconds: staleness !== null && Number.isFinite(staleness) ? Math.round(staleness) : null,
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
    ssh: sshInput(values),
    // Secrets verbatim, like the password, and only from a field on show;
    // empty keeps the stored one.
    ssh_secret: sshSecretShown(values) && values.ssh_secret !== '' ? values.ssh_secret : null,
    tls: tlsInput(values),
    tls_key_password:
      values.tls_enabled && values.tls_key_encrypted && values.tls_key_password !== '' ? values.tls_key_password : null,
    read_preference: readPreferenceInput(values),
    other_databases: {
      ai: values.ai_database.trim(),
      shared: values.shared_database.trim(),
      writable: values.other_databases_writable,
    },
  };
}
