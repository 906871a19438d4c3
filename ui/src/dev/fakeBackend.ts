// DEV ONLY (imported behind `import.meta.env.DEV` in main.tsx): answers Tauri
// IPC in a plain browser with an in-memory MozaiksCore, so `npm run dev` can
// show every screen. `?fake` gives a few profiles, `?fake=empty` none plus a
// DATABASE_URI offer, `?fake=nokeychain` a keychain that refuses passwords,
// `?fake=big` a users total too large to count (an estimate). The users,
// 360, settings, audit and GDPR commands live in fakeUsers.ts.

import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  AppError,
  CollectionSummary,
  EnvironmentOffer,
  Overview,
  Profile,
  ProfileInput,
  SeedProgress,
} from '../bindings';
import { installFakeUsers } from './fakeUsers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fail = (e: AppError): never => {
  throw e;
};

const DEMO_PROFILES: Profile[] = [
  {
    id: 'p-local',
    name: 'Local development',
    uri: 'mongodb://127.0.0.1:27017',
    username: null,
    password: 'none',
    database: null,
    environment: 'development',
    read_only: false,
    color: '#2f9e44',
    timeout_ms: 3000,
    audit_to_database: false,
  },
  {
    id: 'p-staging',
    name: 'Staging cluster',
    uri: 'mongodb://staging-db-1.internal:27017,staging-db-2.internal:27017/?replicaSet=rs0',
    username: 'mozaiks_admin',
    password: 'ask',
    database: 'MozaiksStaging',
    environment: 'development',
    read_only: false,
    color: '#7048e8',
    timeout_ms: 5000,
    audit_to_database: true,
  },
  {
    id: 'p-prod',
    name: 'Production (eu-west)',
    uri: 'mongodb+srv://cluster0.mozaiks.example.net/?retryWrites=true',
    username: 'readonly_ops',
    password: 'keychain',
    database: null,
    environment: 'production',
    read_only: true,
    color: '#e03131',
    timeout_ms: 8000,
    audit_to_database: true,
  },
];

const COLLECTIONS: CollectionSummary[] = [
  { name: 'users', kind: 'core', estimated_count: 2000, count_error: null },
  { name: 'settings', kind: 'core', estimated_count: 2000, count_error: null },
  { name: 'notifications', kind: 'core', estimated_count: 31_874, count_error: null },
  { name: 'task_manager_tasks', kind: 'plugin', estimated_count: 12_409, count_error: null },
  { name: 'notes_notes', kind: 'plugin', estimated_count: 6_022, count_error: null },
  { name: 'crm_contacts', kind: 'plugin', estimated_count: 4_008, count_error: null },
  { name: 'admin_audit_log', kind: 'audit', estimated_count: 143, count_error: null },
  { name: 'legacy_sessions', kind: 'other', estimated_count: null, count_error: 'not authorized on client to execute command { count: "legacy_sessions" }' },
];

export function installFakeBackend(scenario: string) {
  const profiles: Profile[] = scenario === 'empty' ? [] : DEMO_PROFILES.map((p) => ({ ...p }));
  const offer: EnvironmentOffer | null =
    scenario === 'empty'
      ? { name: 'DATABASE_URI (MozaiksCore)', uri: 'mongodb://db.mozaiks.local:27017', environment: 'development', database: 'MozaiksCore', has_credentials: true }
      : null;
  let active: { profile: Profile; readOnly: boolean } | null = null;
  let collections = COLLECTIONS.map((c) => ({ ...c }));
  let nextId = 1;

  const find = (id: string) => profiles.find((p) => p.id === id) ?? fail({ type: 'profile_not_found', data: { id } });

  const validate = (input: ProfileInput, id: string, previous?: Profile): Profile => {
    if (!input.name.trim()) fail({ type: 'invalid_input', data: { field: 'name', message: 'must be 1 to 80 characters' } });
    if (!/^mongodb(\+srv)?:\/\//.test(input.uri)) {
      fail({ type: 'invalid_uri', data: { message: 'the scheme must be mongodb:// or mongodb+srv://' } });
    }
    if (input.database && /[/\\. "$*<>:|?]/.test(input.database)) {
      fail({ type: 'invalid_input', data: { field: 'database', message: 'must be 1 to 63 bytes without / \\ . space " $ * < > : | ?' } });
    }
    const m = input.uri.match(/^(mongodb(?:\+srv)?:\/\/)(?:([^:@/]+)(?::([^@/]*))?@)?(.*)$/)!;
    const username = input.username || (m[2] ? decodeURIComponent(m[2]) : null);
    const password = input.password || m[3] || null;
    if (username && password && input.remember_password && scenario === 'nokeychain') {
      fail({ type: 'secret_store_unavailable', data: { cause: 'no Secret Service provider on D-Bus' } });
    }
    return {
      id,
      name: input.name.trim(),
      uri: m[1] + m[4],
      username,
      password: !username ? 'none' : input.remember_password ? 'keychain' : 'ask',
      database: input.database,
      environment: input.environment,
      read_only: input.read_only,
      color: input.color.toLowerCase(),
      timeout_ms: input.timeout_ms,
      audit_to_database: input.audit_to_database ?? previous?.audit_to_database ?? false,
    };
  };

  const overview = (): Overview => {
    const p = active?.profile ?? fail({ type: 'not_connected' });
    return {
      profile_id: p.id,
      profile_name: p.name,
      color: p.color,
      environment: p.environment,
      database: p.database ?? (p.environment === 'production' ? 'client' : 'MozaiksCore'),
      read_only: active!.readOnly,
      server: { version: p.environment === 'production' ? '7.0.14' : '8.0.4', topology: p.environment === 'production' ? 'replica_set' : 'standalone' },
      collections: collections.map((c) => ({ ...c })),
    };
  };

  const unreachable = (p: { uri: string; timeout_ms: number }) =>
    p.uri.includes('unreachable') &&
    fail({ type: 'server_selection_timeout', data: { timeout_ms: p.timeout_ms, message: 'Server selection timeout: No available servers' } });

  const users = installFakeUsers(scenario, () => {
    if (!active) fail({ type: 'not_connected' });
    return { readOnly: active!.readOnly, profile: active!.profile.name, database: overview().database };
  });

  mockIPC(async (cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    await sleep(cmd === 'connect' || cmd === 'test_connection' ? 600 : 150);
    const handled = await users.handle(cmd, args);
    if (handled !== undefined) return handled.value;
    switch (cmd) {
      case 'list_profiles':
        return profiles.map((p) => ({ ...p }));
      case 'create_profile': {
        const p = validate(args.input as ProfileInput, `p-${nextId++}`);
        profiles.push(p);
        return p;
      }
      case 'update_profile': {
        const old = find(args.id as string);
        const p = validate(args.input as ProfileInput, old.id, old);
        profiles.splice(profiles.indexOf(old), 1, p);
        return p;
      }
      case 'duplicate_profile': {
        const p = { ...find(args.id as string), id: `p-${nextId++}` };
        p.name = `${p.name} (copy)`;
        profiles.push(p);
        return p;
      }
      case 'delete_profile':
        profiles.splice(profiles.indexOf(find(args.id as string)), 1);
        return null;
      case 'environment_offer':
        return offer;
      case 'adopt_environment_profile': {
        if (!offer) return fail({ type: 'not_found', data: { what: 'DATABASE_URI' } });
        if (args.rememberPassword && scenario === 'nokeychain') {
          fail({ type: 'secret_store_unavailable', data: { cause: 'no Secret Service provider on D-Bus' } });
        }
        const p: Profile = {
          id: `p-${nextId++}`,
          name: `DATABASE_URI (${offer.database})`,
          uri: offer.uri,
          username: offer.has_credentials ? 'mozaiks' : null,
          password: offer.has_credentials ? (args.rememberPassword ? 'keychain' : 'ask') : 'none',
          database: null,
          environment: offer.environment,
          read_only: offer.environment === 'production',
          color: offer.environment === 'production' ? '#e03131' : '#2f9e44',
          timeout_ms: 3000,
          audit_to_database: false,
        };
        profiles.push(p);
        return p;
      }
      case 'test_connection': {
        const input = args.input as ProfileInput;
        const p = validate(input, 'test');
        unreachable(p);
        return {
          server: { version: '8.0.4', topology: 'standalone' },
          database: p.database ?? (p.environment === 'production' ? 'client' : 'MozaiksCore'),
          collections: collections.length,
        };
      }
      case 'connect': {
        const p = find(args.id as string);
        unreachable(p);
        if (p.password === 'ask' && !args.password) fail({ type: 'password_required' });
        if (p.password === 'ask' && args.password !== 'secret') {
          fail({ type: 'authentication_failed', data: { message: 'SCRAM-SHA-256 authentication failed (try "secret")' } });
        }
        active = { profile: p, readOnly: p.read_only || p.environment === 'production' };
        return overview();
      }
      case 'disconnect':
        active = null;
        return null;
      case 'overview':
        return overview();
      case 'set_read_only': {
        const o = overview();
        if (!args.readOnly && o.environment === 'production' && args.confirmation !== o.database) {
          fail({ type: 'confirmation_required', data: { expected: o.database } });
        }
        active!.readOnly = args.readOnly as boolean;
        return overview();
      }
      case 'seed_demo_data': {
        if (!active) return fail({ type: 'not_connected' });
        if (active.readOnly) return fail({ type: 'read_only' });
        const users = args.users as number;
        const channel = args.onProgress as { onmessage: (p: SeedProgress) => void };
        const plan: [string, number][] = [
          ['users', users],
          ['settings', users],
          ['notifications', users * 16],
          ['task_manager_tasks', users * 6],
          ['notes_notes', users * 3],
          ['crm_contacts', users * 2 + 8],
        ];
        const started = Date.now();
        for (const [collection, expected] of plan) {
          for (let step = 1; step <= 5; step++) {
            await sleep(80);
            channel.onmessage({ collection, written: Math.round((expected * step) / 5), expected });
          }
        }
        collections = collections.map((c) => {
          const seeded = plan.find(([n]) => n === c.name);
          return seeded ? { ...c, estimated_count: seeded[1] } : c;
        });
        return { collections: plan.map(([name, documents]) => ({ name, documents })), elapsed_ms: Date.now() - started };
      }
      default:
        throw `command ${cmd} not found`;
    }
  });
}
