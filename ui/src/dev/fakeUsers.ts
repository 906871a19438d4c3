// DEV ONLY: the users, 360, settings, audit and GDPR commands of the fake
// backend (see fakeBackend.ts), over a deterministic in-memory MozaiksCore.
// `window.__fake.changeSettingsElsewhere(userId)` simulates a concurrent
// edit, to see the conflict dialog.

import type {
  AppError,
  AuditEntry,
  AuditQuery,
  CollectionCount,
  ExportProgress,
  NotificationPreferences,
  NotificationRow,
  UserDetail,
  UserEdit,
  UserQuery,
  UserRow,
  UserSettings,
} from '../bindings';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fail = (e: AppError): never => {
  throw e;
};

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    below: (n: number) => Math.floor(next() * n),
    chance: (pct: number) => next() * 100 < pct,
    pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const FIRST = ['ada', 'grace', 'alan', 'linus', 'margaret', 'ken', 'barbara', 'dennis', 'frances', 'edsger', 'radia', 'john', 'sophie', 'tim', 'hedy', 'donald'];
const LAST = ['lovelace', 'hopper', 'turing', 'torvalds', 'hamilton', 'thompson', 'liskov', 'ritchie', 'allen', 'dijkstra', 'perlman', 'backus', 'wilson', 'berners', 'lamarr', 'knuth'];
const DOMAINS = ['example.com', 'mozaiks.io', 'mail.test', 'corp.example'];
const TIERS = ['free', 'free', 'basic', 'premium', 'enterprise'];
const BIOS = ['Building things on the web.', 'Product person, coffee first.', 'Data nerd and occasional runner.', '', 'Ships on Fridays.'];
const NOTIFICATION_TYPES: [string, string, string][] = [
  ['task_reminder', 'Task Due', "Your task 'Review PR' is due tomorrow"],
  ['mention', 'New mention', 'You were mentioned in a note'],
  ['system', 'Maintenance', 'Scheduled maintenance on Sunday 02:00 UTC'],
  ['billing', 'Payment received', 'Thanks! Your subscription was renewed'],
];
const PLUGIN_COLLECTIONS = ['crm_contacts', 'notes_notes', 'task_manager_tasks'];
const DAY = 86_400_000;
const USERS = 2345;

interface StoredUser extends UserDetail {
  index: number;
}

interface StoredSettings {
  notification_preferences?: unknown;
  plugin_settings: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function installFakeUsers(scenario: string, session: () => { readOnly: boolean; profile: string; database: string }) {
  const now = Date.now();
  const users: StoredUser[] = [];
  const settings = new Map<string, StoredSettings>();
  for (let i = 0; i < USERS; i++) {
    const r = rng(1000 + i);
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const tier = r.pick(TIERS);
    const created = now - (USERS - i) * (3 * 365 * DAY) / USERS - r.below(DAY);
    const updated = created + r.below(now - created);
    const user: StoredUser = {
      index: i,
      id: `65f1c0de${hex(i * 7919, 16)}`,
      email: `${first}.${last}${i}@${r.pick(DOMAINS)}`,
      username: `${first}_${last}${i}`,
      roles: i === 0 ? ['user', 'superadmin'] : r.chance(2) ? ['user', 'admin'] : ['user'],
      tier,
      expires_at: tier === 'free' ? null : iso(now + (r.below(400) - 35) * DAY),
      display_name: `${first[0].toUpperCase()}${first.slice(1)} ${last[0].toUpperCase()}${last.slice(1)}`,
      avatar_url: `https://avatars.example.com/${i}.png`,
      bio: r.pick(BIOS) || null,
      created_at: iso(created),
      updated_at: iso(updated),
      last_login: r.chance(5) ? null : iso(updated + r.below(Math.max(1, now - updated))),
      password_set: !r.chance(4),
    };
    users.push(user);
    if (!r.chance(15)) {
      settings.set(user.id, {
        plugin_settings: {
          task_manager: { default_view: r.pick(['kanban', 'list', 'calendar']), notifications: r.chance(70) },
          notes: { theme: r.pick(['dark', 'light', 'system']) },
        },
        notification_preferences: {
          email_enabled: r.chance(80),
          push_enabled: r.chance(40),
          digest_frequency: r.pick(['daily', 'weekly', 'never']),
        },
      });
    }
  }
  const erased = new Set<string>();

  const notificationsOf = (u: StoredUser): NotificationRow[] => {
    const r = rng(5000 + u.index);
    const n = u.index % 9 === 4 ? 0 : r.below(60);
    return Array.from({ length: n }, (_, k) => {
      const [kind, title, message] = r.pick(NOTIFICATION_TYPES);
      return { id: `66a0${hex(u.index, 8)}${hex(k, 12)}`, kind, title, message, read: r.chance(60), created_at: iso(now - r.below(30 * DAY)) };
    }).sort((a, b) => (a.created_at! < b.created_at! ? 1 : -1));
  };

  const pluginDocs = (u: StoredUser, collection: string): unknown[] => {
    const r = rng(9000 + u.index * 7 + collection.length);
    if (collection === 'task_manager_tasks') {
      return Array.from({ length: r.chance(40) ? 0 : 1 + r.below(30) }, (_, n) => ({
        _id: { $oid: `66b0${hex(u.index, 8)}${hex(n, 12)}` },
        user_id: u.id,
        title: `Task ${n}: ${r.pick(['Review PR', 'Write docs', 'Plan sprint', 'Fix bug', 'Call client'])}`,
        status: r.pick(['todo', 'in_progress', 'done']),
        priority: r.pick(['low', 'medium', 'high']),
        due_date: { $date: iso(now + (r.below(60) - 20) * DAY) },
        tags: ['work', 'urgent', 'home'].filter(() => r.chance(30)),
      }));
    }
    if (collection === 'notes_notes') {
      return Array.from({ length: r.chance(60) ? 0 : 1 + r.below(4) }, (_, n) => ({
        _id: { $oid: `66c0${hex(u.index, 8)}${hex(n, 12)}` },
        user_id: u.id,
        title: `Note ${n}`,
        body: r.pick(['Meeting notes', 'Ideas for Q3', 'Reading list', 'Groceries']),
        pinned: r.chance(10),
      }));
    }
    return r.chance(25) || u.index < 5
      ? [{ _id: { $oid: `66d0${hex(u.index, 8)}${hex(0, 12)}` }, user_id: u.id, name: 'Grace Hopper', email: `contact${u.index}@example.com` }]
      : [];
  };

  const audit: AuditEntry[] = [];
  const record = (collection: string, target: string, operation: string, before: unknown, after: unknown) => {
    const s = session();
    audit.push({
      at: new Date().toISOString(),
      profile: s.profile,
      os_user: 'admin',
      database: s.database,
      collection,
      target_id: target,
      operation,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
    });
  };
  // A little history to look at.
  for (let k = 0; k < 14; k++) {
    const u = users[(k * 137) % USERS];
    const at = new Date(now - (14 - k) * 5 * 3_600_000).toISOString();
    const base = { at, profile: 'Local development', os_user: 'admin', database: 'MozaiksCore', target_id: u.id };
    if (k % 4 === 0) audit.push({ ...base, collection: 'users', operation: 'update_user', before: JSON.stringify({ roles: ['user'] }), after: JSON.stringify({ roles: ['user', 'admin'] }) });
    else if (k % 4 === 1) audit.push({ ...base, collection: 'settings', operation: 'set notification_preferences', before: JSON.stringify({ email_enabled: true, push_enabled: false, digest_frequency: 'weekly' }), after: JSON.stringify({ email_enabled: false, push_enabled: false, digest_frequency: 'weekly' }) });
    else if (k % 4 === 2) audit.push({ ...base, collection: 'settings', operation: 'set plugin_settings.notes', before: JSON.stringify({ theme: 'light' }), after: JSON.stringify({ theme: 'dark' }) });
    else audit.push({ ...base, collection: 'users', operation: 'export_user', before: 'null', after: JSON.stringify({ path: `/home/admin/${u.username}-export.json` }) });
  }

  const find = (id: string): StoredUser => {
    if (!/^[0-9a-f]{24}$/i.test(id)) fail({ type: 'invalid_id', data: { value: id } });
    const u = users.find((x) => x.id === id.toLowerCase());
    return u && !erased.has(u.id) ? u : fail({ type: 'not_found', data: { what: `user ${id}` } });
  };
  const live = () => users.filter((u) => !erased.has(u.id));
  const row = (u: StoredUser): UserRow => ({
    id: u.id,
    email: u.email,
    username: u.username,
    roles: u.roles,
    tier: u.tier,
    expires_at: u.expires_at,
    created_at: u.created_at,
    last_login: u.last_login,
  });
  const detail = (u: StoredUser): UserDetail => {
    const { index, ...d } = u;
    void index;
    return { ...d, roles: [...d.roles] };
  };
  const writable = () => session().readOnly && fail({ type: 'read_only' });
  const date = (field: string, v: string) => {
    const t = Date.parse(v);
    return Number.isNaN(t) ? fail({ type: 'invalid_input', data: { field, message: 'must be an RFC 3339 date like 2026-01-31T00:00:00Z' } }) : t;
  };

  const listUsers = (q: UserQuery) => {
    let xs = live();
    if (q.role) xs = xs.filter((u) => u.roles.includes(q.role!));
    if (q.tier) xs = xs.filter((u) => u.tier === q.tier);
    if (q.subscription) xs = xs.filter((u) => u.expires_at !== null && (Date.parse(u.expires_at) < Date.now()) === (q.subscription === 'expired'));
    if (q.created_from) {
      const t = date('created_from', q.created_from);
      xs = xs.filter((u) => Date.parse(u.created_at!) >= t);
    }
    if (q.created_to) {
      const t = date('created_to', q.created_to);
      xs = xs.filter((u) => Date.parse(u.created_at!) <= t);
    }
    if (q.last_login_before) {
      const t = date('last_login_before', q.last_login_before);
      xs = xs.filter((u) => u.last_login === null || Date.parse(u.last_login) < t);
    }
    const key = (u: StoredUser) => (q.sort === 'email' ? u.email : q.sort === 'last_login' ? (u.last_login ?? '') : u.created_at!);
    xs = [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.index - b.index) * (q.descending ? -1 : 1));
    const size = Math.min(100, Math.max(1, q.page_size));
    const big = scenario === 'big';
    return {
      rows: xs.slice(q.page * size, q.page * size + size).map(row),
      page: q.page,
      page_size: size,
      total: big && !q.role && !q.tier ? { value: 1_234_567, exact: false } : { value: xs.length, exact: true },
    };
  };

  const searchUsers = (raw: string) => {
    const text = raw.trim();
    if (!text) return [];
    let xs: StoredUser[];
    if (text.startsWith('id:')) xs = [find(text.slice(3).trim())];
    else if (/^[0-9a-f]{24}$/i.test(text)) xs = live().filter((u) => u.id === text.toLowerCase());
    else if (text.includes('@')) xs = live().filter((u) => u.email.startsWith(text.toLowerCase()));
    else xs = live().filter((u) => u.username.startsWith(text) || u.email.startsWith(text.toLowerCase()));
    return xs
      .sort((a, b) => (a.email < b.email ? -1 : 1))
      .slice(0, 20)
      .map(row);
  };

  const updateUser = (u: StoredUser, edit: UserEdit) => {
    writable();
    if (edit.roles.length === 0) fail({ type: 'invalid_input', data: { field: 'roles', message: 'a user needs at least one role' } });
    if (edit.tier && !['free', 'basic', 'premium', 'enterprise'].includes(edit.tier)) fail({ type: 'invalid_input', data: { field: 'tier', message: 'must be one of free, basic, premium, enterprise' } });
    if ((edit.display_name ?? '').length > 100) fail({ type: 'invalid_input', data: { field: 'display_name', message: 'at most 100 characters' } });
    if (u.roles.includes('superadmin') && !edit.roles.includes('superadmin') && !live().some((x) => x !== u && x.roles.includes('superadmin'))) {
      fail({ type: 'last_superadmin' });
    }
    const before = detail(u);
    if (edit.expires_at) date('expires_at', edit.expires_at);
    Object.assign(u, {
      roles: ['user', 'admin', 'superadmin'].filter((r) => edit.roles.includes(r)),
      tier: edit.tier,
      expires_at: edit.expires_at,
      display_name: edit.display_name,
      bio: edit.bio,
      updated_at: iso(Date.now()),
    });
    const after = detail(u);
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k as keyof UserDetail]) !== JSON.stringify(after[k as keyof UserDetail]));
    record('users', u.id, 'update_user', Object.fromEntries(changed.map((k) => [k, before[k as keyof UserDetail]])), Object.fromEntries(changed.map((k) => [k, after[k as keyof UserDetail]])));
    return after;
  };

  const settingsOf = (u: StoredUser): UserSettings => {
    const s = settings.get(u.id);
    if (!s) return { exists: false, notification_preferences: null, notification_preferences_json: null, plugins: [] };
    const prefs = s.notification_preferences as NotificationPreferences | undefined;
    return {
      exists: true,
      notification_preferences: prefs ?? null,
      notification_preferences_json: prefs ? JSON.stringify(prefs) : null,
      plugins: Object.entries(s.plugin_settings)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([plugin, v]) => ({ plugin, json: JSON.stringify(v) })),
    };
  };

  const compareAndSet = (u: StoredUser, path: string, get: (s: StoredSettings) => unknown, set: (s: StoredSettings, v: unknown) => void, expected: string | null, value: unknown) => {
    writable();
    const s = settings.get(u.id);
    const current = s ? get(s) : undefined;
    const currentJson = current === undefined ? null : JSON.stringify(current);
    const same = expected === null ? current === undefined : currentJson !== null && JSON.stringify(JSON.parse(expected)) === currentJson;
    if (!same) fail({ type: 'conflict', data: { current: currentJson } });
    const doc = s ?? { plugin_settings: {} };
    set(doc, value);
    settings.set(u.id, doc);
    record('settings', u.id, `set ${path}`, expected === null ? null : JSON.parse(expected), value);
    return settingsOf(u);
  };

  const erasePlan = (u: StoredUser): { user_id: string; email: string; collections: CollectionCount[] } => ({
    user_id: u.id,
    email: u.email,
    collections: [
      { collection: 'settings', count: settings.has(u.id) ? 1 : 0 },
      { collection: 'notifications', count: notificationsOf(u).length },
      ...PLUGIN_COLLECTIONS.map((c) => ({ collection: c, count: pluginDocs(u, c).length })),
      { collection: 'users', count: 1 },
    ],
  });

  (window as unknown as { __fake: unknown }).__fake = {
    changeSettingsElsewhere(userId: string) {
      const s = settings.get(userId) ?? { plugin_settings: {} };
      s.notification_preferences = { email_enabled: false, push_enabled: true, digest_frequency: 'monthly' };
      s.plugin_settings.notes = { theme: 'solarized', font_size: 15 };
      settings.set(userId, s);
    },
  };

  /** `{ value }` when the command is one of these; undefined otherwise. */
  async function handle(cmd: string, args: Record<string, unknown>): Promise<{ value: unknown } | undefined> {
    const user = () => find(args.userId as string);
    switch (cmd) {
      case 'list_users':
        session();
        return { value: listUsers(args.query as UserQuery) };
      case 'search_users':
        session();
        return { value: searchUsers(args.text as string) };
      case 'user_detail':
        return { value: detail(user()) };
      case 'update_user':
        return { value: updateUser(user(), args.edit as UserEdit) };
      case 'user_notifications': {
        const all = notificationsOf(user());
        const size = Math.min(100, Math.max(1, args.pageSize as number));
        const page = args.page as number;
        return { value: { rows: all.slice(page * size, page * size + size), total: all.length, unread: all.filter((n) => !n.read).length } };
      }
      case 'plugin_collections':
        session();
        return { value: PLUGIN_COLLECTIONS };
      case 'user_plugin_data': {
        const u = user();
        const collection = args.collection as string;
        if (collection === 'notes_notes') await sleep(500);
        const docs = pluginDocs(u, collection);
        return {
          value: {
            collection,
            count: docs.length,
            documents: docs.slice(0, args.pageSize as number).map((d) => JSON.stringify(d)),
            object_id_typed: collection === 'crm_contacts' && u.index % 3 === 0 ? 2 : 0,
          },
        };
      }
      case 'user_settings':
        return { value: settingsOf(user()) };
      case 'save_notification_preferences': {
        const prefs = args.preferences as NotificationPreferences;
        if (!['daily', 'weekly', 'monthly', 'never'].includes(prefs.digest_frequency)) {
          fail({ type: 'invalid_input', data: { field: 'digest_frequency', message: 'must be one of daily, weekly, monthly, never' } });
        }
        return {
          value: compareAndSet(user(), 'notification_preferences', (s) => s.notification_preferences, (s, v) => (s.notification_preferences = v), args.expected as string | null, prefs),
        };
      }
      case 'save_plugin_settings': {
        const plugin = args.plugin as string;
        if (!/^[a-z0-9_]{1,64}$/.test(plugin)) fail({ type: 'invalid_input', data: { field: 'plugin', message: 'must be 1 to 64 of a-z, 0-9 and _' } });
        let value: unknown;
        try {
          value = JSON.parse(args.json as string);
        } catch (e) {
          fail({ type: 'invalid_input', data: { field: 'json', message: String((e as Error).message) } });
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) fail({ type: 'invalid_input', data: { field: 'json', message: 'must be a JSON object' } });
        const bad = JSON.stringify(value).match(/"(\$[^"]*|[^"]*\.[^"]*)":/);
        if (bad) fail({ type: 'invalid_input', data: { field: 'json', message: `key "${bad[1]}" may not be empty, start with $ or contain a dot` } });
        return {
          value: compareAndSet(user(), `plugin_settings.${plugin}`, (s) => s.plugin_settings[plugin], (s, v) => (s.plugin_settings[plugin] = v), args.expected as string | null, value),
        };
      }
      case 'list_audit': {
        const q = args.query as AuditQuery;
        const needle = q.text?.toLowerCase();
        return {
          value: [...audit]
            .reverse()
            .filter((e) => !q.collection || e.collection === q.collection)
            .filter((e) => !q.operation || e.operation === q.operation)
            .filter((e) => !needle || [e.target_id, e.collection, e.operation, e.profile, e.os_user].some((f) => f.toLowerCase().includes(needle)))
            .slice(0, Math.min(500, Math.max(1, q.limit ?? 200))),
        };
      }
      case 'erase_plan':
        return { value: erasePlan(user()) };
      case 'erase_user': {
        const u = user();
        writable();
        if ((args.confirmEmail as string).trim() !== u.email) fail({ type: 'confirmation_required', data: { expected: "the user's email" } });
        await sleep(700);
        const plan = erasePlan(u);
        erased.add(u.id);
        settings.delete(u.id);
        record('users', u.id, 'erase_user', plan.collections, plan.collections);
        return { value: plan };
      }
      case 'export_user': {
        const u = user();
        writable();
        const channel = args.onProgress as { onmessage: (p: ExportProgress) => void };
        const plan = erasePlan(u).collections.filter((c) => c.collection !== 'users');
        for (const c of plan) {
          await sleep(350);
          channel.onmessage({ collection: c.collection, documents: c.count });
        }
        record('users', u.id, 'export_user', null, { path: args.path });
        return { value: { path: args.path, collections: plan } };
      }
      case 'plugin:dialog|save': {
        const options = (args.options ?? {}) as { defaultPath?: string };
        await sleep(300);
        return { value: `/home/admin/Downloads/${options.defaultPath ?? 'export.json'}` };
      }
      default:
        return undefined;
    }
  }

  return { handle };
}
