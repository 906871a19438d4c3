import type {
  AuditEntry,
  Chart,
  ChartId,
  CollectionSummary,
  ErasePlan,
  FeedPage,
  FeedRow,
  FindingsReport,
  HealthReport,
  Overview,
  PlannedIndex,
  PluginData,
  PluginOverview,
  Profile,
  SchemaReport,
  UserDetail,
  UserLabel,
  UserNotifications,
  UserPage,
  UserRow,
  UserSettings,
} from '../bindings';

export function aProfile(over: Partial<Profile> = {}): Profile {
  return {
    id: 'p1',
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
    analytics_from_secondaries: false,
    ...over,
  };
}

export const COLLECTIONS: CollectionSummary[] = [
  { name: 'users', kind: 'core', is_view: false, estimated_count: 1234567, count_error: null },
  { name: 'crm_contacts', kind: 'plugin', is_view: false, estimated_count: 4008, count_error: null },
  { name: 'admin_audit_log', kind: 'audit', is_view: false, estimated_count: 0, count_error: null },
  { name: 'legacy', kind: 'other', is_view: false, estimated_count: null, count_error: 'not authorized to count legacy' },
];

export function anOverview(over: Partial<Overview> = {}): Overview {
  return {
    profile_id: 'p1',
    profile_name: 'Local development',
    color: '#2f9e44',
    environment: 'development',
    database: 'MozaiksCore',
    read_only: false,
    server: { version: '8.0.4', topology: 'standalone' },
    route: { read_preference: 'primary', ssh: null, tls: false, warnings: [] },
    collections: COLLECTIONS,
    ...over,
  };
}

export function aProductionOverview(over: Partial<Overview> = {}): Overview {
  return anOverview({
    profile_id: 'prod',
    profile_name: 'Production (eu-west)',
    environment: 'production',
    database: 'client',
    read_only: true,
    server: { version: '7.0.14', topology: 'replica_set' },
    ...over,
  });
}

export const USER_ID = '65f1c0de000000000000abcd';

export function aUserRow(over: Partial<UserRow> = {}): UserRow {
  return {
    id: USER_ID,
    email: 'ada.lovelace@example.com',
    username: 'ada_lovelace',
    roles: ['user'],
    tier: 'premium',
    expires_at: '2099-01-01T00:00:00Z',
    created_at: '2025-01-15T10:00:00Z',
    last_login: '2025-06-01T08:30:00Z',
    ...over,
  };
}

/** `n` distinct rows: user0@example.com, user1@example.com, … */
export function userRows(n: number): UserRow[] {
  return Array.from({ length: n }, (_, i) =>
    aUserRow({ id: `65f1c0de${String(i).padStart(16, '0')}`, email: `user${i}@example.com`, username: `user${i}` }),
  );
}

export function aUserPage(rows: UserRow[], over: Partial<UserPage> = {}): UserPage {
  return { rows, page_size: 25, next: null, sort_note: null, ...over };
}

export function aUserDetail(over: Partial<UserDetail> = {}): UserDetail {
  return {
    id: USER_ID,
    email: 'ada.lovelace@example.com',
    username: 'ada_lovelace',
    roles: ['user', 'admin'],
    tier: 'premium',
    expires_at: '2099-01-01T00:00:00Z',
    display_name: 'Ada Lovelace',
    avatar_url: 'https://avatars.example.com/1.png',
    bio: 'First programmer.',
    created_at: '2025-01-15T10:00:00Z',
    updated_at: '2025-05-01T10:00:00Z',
    last_login: '2025-06-01T08:30:00Z',
    password_set: true,
    version: 'v1',
    ...over,
  };
}

export const PREFS_JSON = '{"email_enabled":true,"push_enabled":false,"digest_frequency":"weekly"}';
export const NOTES_JSON = '{"theme":"light"}';

export function aUserSettings(over: Partial<UserSettings> = {}): UserSettings {
  return {
    exists: true,
    notification_preferences: { email_enabled: true, push_enabled: false, digest_frequency: 'weekly' },
    notification_preferences_json: PREFS_JSON,
    plugins: [{ plugin: 'notes', json: NOTES_JSON }],
    ...over,
  };
}

export function someNotifications(over: Partial<UserNotifications> = {}): UserNotifications {
  return {
    rows: [
      { id: 'n1', kind: 'mention', title: 'New mention', message: 'You were mentioned in a note', read: false, created_at: '2025-06-01T08:00:00Z' },
      { id: 'n2', kind: 'billing', title: 'Payment received', message: 'Thanks!', read: true, created_at: '2025-05-30T08:00:00Z' },
    ],
    total: 40,
    unread: 7,
    ...over,
  };
}

export function somePluginData(collection: string, over: Partial<PluginData> = {}): PluginData {
  return {
    collection,
    count: 1,
    documents: [`{"_id":{"$oid":"66b000000000000000000001"},"user_id":"${USER_ID}","title":"Task 1"}`],
    object_id_typed: 0,
    ...over,
  };
}

export function anErasePlan(over: Partial<ErasePlan> = {}): ErasePlan {
  return {
    user_id: USER_ID,
    email: 'ada.lovelace@example.com',
    confirm_with: 'ada.lovelace@example.com',
    resumed: false,
    collections: [
      { collection: 'settings', count: 1 },
      { collection: 'notifications', count: 40 },
      { collection: 'task_manager_tasks', count: 6 },
      { collection: 'users', count: 1 },
    ],
    ...over,
  };
}

export function anAuditEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: '2025-06-01T09:00:00.000Z',
    stage: 'done',
    profile: 'Local development',
    os_user: 'admin',
    database: 'MozaiksCore',
    collection: 'users',
    target_id: USER_ID,
    operation: 'update_user',
    before: '{"roles":["user"]}',
    after: '{"roles":["user","admin"]}',
    ...over,
  };
}

export function aFeedRow(over: Partial<FeedRow> = {}): FeedRow {
  return {
    id: '66a000000000000000000001',
    user_id: USER_ID,
    type: 'mention',
    title: 'You were mentioned',
    message: 'Alan mentioned you in “Q3 plan”.',
    read: false,
    created_at: '2025-06-01T09:00:00Z',
    expires_at: '2025-07-01T09:00:00Z',
    ...over,
  };
}

/** `n` feed rows with distinct ids (`…0001`, `…0002`, …), newest first. */
export function feedRows(n: number, over: Partial<FeedRow> = {}): FeedRow[] {
  return Array.from({ length: n }, (_, i) =>
    aFeedRow({ id: `66a0000000000000000000${String(i + 1).padStart(2, '0')}`, title: `Notification ${i + 1}`, ...over }),
  );
}

export function aUserLabel(over: Partial<UserLabel> = {}): UserLabel {
  return { id: USER_ID, email: 'ada.lovelace@example.com', username: 'ada_lovelace', ...over };
}

/** A feed page; by default every row's user is labelled (Ada for `USER_ID`). */
export function aFeedPage(
  rows: FeedRow[],
  next: string | null = null,
  users: UserLabel[] = [...new Set(rows.map((r) => r.user_id))].map((id) =>
    id === USER_ID ? aUserLabel() : aUserLabel({ id, email: `${id}@example.com`, username: null }),
  ),
): FeedPage {
  return { rows, next, users };
}

export function aPluginOverview(over: Partial<PluginOverview> = {}): PluginOverview {
  return {
    plugins: [
      {
        name: 'task_manager',
        has_settings: true,
        collections: [
          { name: 'task_manager_tasks', estimated_count: 1200, size_bytes: 262144, index_bytes: 8192, stats_note: null },
          { name: 'task_manager_projects', estimated_count: 40, size_bytes: null, index_bytes: null, stats_note: 'collStats not authorized' },
        ],
      },
      {
        name: 'crm',
        has_settings: false,
        collections: [{ name: 'crm_contacts', estimated_count: 4008, size_bytes: 1048576, index_bytes: 4096, stats_note: null }],
      },
    ],
    unassigned: ['legacy_imports'],
    ...over,
  };
}

export function aSchemaReport(over: Partial<SchemaReport> = {}): SchemaReport {
  return {
    collection: 'task_manager_tasks',
    sampled: 1000,
    fields: [
      { path: '_id', types: ['objectId'], presence: 100 },
      { path: 'user_id', types: ['string', 'objectId'], presence: 98.5 },
      { path: 'status', types: ['string'], presence: 100 },
      { path: 'tags[]', types: ['string'], presence: 40 },
    ],
    status_values: ['todo', 'doing', 'done'],
    ...over,
  };
}

export function aFindingsReport(over: Partial<FindingsReport> = {}): FindingsReport {
  return {
    collection: 'task_manager_tasks',
    findings: [
      { kind: 'missing_user_id', count: 3, sample_ids: ['66b000000000000000000001'] },
      { kind: 'wrong_user_id_type', count: 12, sample_ids: ['66b000000000000000000002'] },
      { kind: 'orphan', count: 0, sample_ids: [] },
    ],
    orphans_truncated: false,
    user_id_index: false,
    ...over,
  };
}

/**
 * Three collections: `users` with a required index that lacks unique (the
 * worst score), `notifications` as required, and a plugin collection with
 * an unused extra index, a redundant one and a suggestion.
 */
export function aHealthReport(over: Partial<HealthReport> = {}): HealthReport {
  return {
    collections: [
      {
        collection: 'notifications',
        kind: 'core',
        score: 100,
        checks: [
          {
            name: 'user_id_1_created_at_-1',
            keys: '{ user_id: 1, created_at: -1 }',
            state: 'ok',
            required: true,
            detail: 'as the platform requires',
            ops: 1200,
            unused_since: null,
            size_bytes: 40960,
            fix: null,
            droppable: false,
          },
        ],
      },
      {
        collection: 'task_manager_tasks',
        kind: 'plugin',
        score: 93,
        checks: [
          {
            name: 'user_id_1',
            keys: '{ user_id: 1 }',
            state: 'ok',
            required: true,
            detail: 'as the platform requires',
            ops: null,
            unused_since: null,
            size_bytes: null,
            fix: null,
            droppable: false,
          },
          {
            name: 'title_1',
            keys: '{ title: 1 }',
            state: 'unused',
            required: false,
            detail: 'not required by the platform, and nothing has used it',
            ops: 0,
            unused_since: '2025-05-01T00:00:00Z',
            size_bytes: 8192,
            fix: null,
            droppable: true,
          },
          {
            name: 'status_1',
            keys: '{ status: 1 }',
            state: 'redundant',
            required: false,
            detail: 'a prefix of status_1_due_1: that index serves the same queries',
            ops: 5,
            unused_since: null,
            size_bytes: 4096,
            fix: null,
            droppable: true,
          },
        ],
      },
      {
        collection: 'users',
        kind: 'core',
        score: 60,
        checks: [
          {
            name: 'email_1',
            keys: '{ email: 1 }',
            state: 'missing_unique',
            required: true,
            detail: 'exists without unique: duplicate values can be written',
            ops: 30,
            unused_since: null,
            size_bytes: 16384,
            fix: 'replace',
            droppable: false,
          },
          {
            name: null,
            keys: '{ last_login: -1 }',
            state: 'suggested',
            required: false,
            detail: 'the users list offers this sort; nothing indexes it',
            ops: null,
            unused_since: null,
            size_bytes: null,
            fix: 'create',
            droppable: false,
          },
        ],
      },
    ],
    score: 84.3,
    problems: 1,
    usage_note: null,
    usage_members: ['db-0:27017', 'db-1:27017'],
    computed_at: '2025-06-01T09:00:00Z',
    ...over,
  };
}

export function aPlannedIndex(over: Partial<PlannedIndex> = {}): PlannedIndex {
  return {
    collection: 'users',
    name: 'email_1',
    keys: '{ email: 1 }',
    unique: true,
    expire_after_seconds: null,
    replaces: 'email_1',
    required: true,
    duplicates: [],
    ...over,
  };
}

/** A chart as the backend computes it; `roles` by default, one series with a drill per bar. */
export function aChart(id: ChartId = 'roles', over: Partial<Chart> = {}): Chart {
  return {
    id,
    title: 'Users by role',
    categories: ['user', 'admin', 'superadmin'],
    series: [
      {
        name: 'users',
        values: [120, 4, 0],
        drill: ['user', 'admin', 'superadmin'].map((role) => ({
          to: 'users' as const,
          role,
          tier: null,
          subscription: null,
          created_from: null,
          created_to: null,
          last_login_after: null,
        })),
      },
    ],
    computed_at: '2025-06-01T09:00:00Z',
    note: null,
    ...over,
  };
}
